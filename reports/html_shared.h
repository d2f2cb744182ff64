/*
 * html_shared: report.html's sections on loops sharing capacity (docs/report.md): the
 * pricing modes by the loops at once at which one fleet pays (crossover.loops), and the
 * panel "Shared capacity" (summary.json's shared, fleets). Everything read is escaped.
 */
#ifndef REPORTS_HTML_SHARED_H
#define REPORTS_HTML_SHARED_H

#include <stdio.h>
#include <cjson/cJSON.h>

/* The modes of crossover.loops.modes ordered by break-even loops (fewest first, none last),
 * each with the fleet's simulated utilisation and wait there and its dollars a month;
 * nothing without crossover.loops. */
void html_shared_loops(FILE *out, const cJSON *summary);

/* A loop's wall time alone and shared, the stretch, the mean waits and the shared resources'
 * simulated utilisation; nothing unless summary.json's shared has more than one loop or
 * shared evaluation workers. */
void html_shared_panel(FILE *out, const cJSON *summary);

#endif
