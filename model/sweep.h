/*
 * sweep: a grid of scenario variants, read from a grid file (docs/sweep.md).
 *
 * A grid file names a scenario (or none: the embedded default), base assignments ("set")
 * applied to every point, and axes: each key of "grid" is one axis (a dotted path as --set
 * takes it, with its list of values); each object of "zip" is one axis whose lists advance
 * together. The points are the cartesian product of the axes, in row-major order: axes in
 * the order "grid" keys, then "zip" groups, as written; the last axis varies fastest. A
 * point's assignments are the base ones, then one "path=value" per column, in column order.
 *
 * Ownership: struct sweep_grid owns its JSON tree and strings; paths and values it hands out
 * point into it and live until sweep_grid_release.
 */
#ifndef MODEL_SWEEP_H
#define MODEL_SWEEP_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"
#include "model/prices.h"
#include "model/scenario.h"

#define SWEEP_MAX_COLUMNS 64
#define SWEEP_MAX_POINTS 1000000

/* One scenario field the grid varies: a CSV column. */
struct sweep_column {
	const char *path;       /* dotted, as --set takes it */
	const cJSON *values;    /* the JSON array of its values */
	size_t axis;
	char where[48];         /* its JSON path in the grid file, without the key: "grid", "zip[1]" */
};

struct sweep_axis {
	size_t n_values;
	size_t stride;          /* points between two consecutive values of this axis */
};

struct sweep_grid {
	char origin[300];               /* the grid file, for messages */
	char scenario[300];             /* "": the embedded default */
	cJSON *root;
	char **base_sets;               /* "path=value", from "set" */
	size_t n_base_sets;
	struct sweep_column columns[SWEEP_MAX_COLUMNS];
	size_t n_columns;
	struct sweep_axis axes[SWEEP_MAX_COLUMNS];
	size_t n_axes;
	size_t n_points;
};

/*
 * Reads and checks the grid file's shape (keys, lists, zip lengths, point count). A relative
 * "scenario" is taken relative to the grid file's folder. Bad input: HC_EINPUT with
 * "<file>:<line>:<col>" or "<file>: <json.path>: got ...; allowed: ...".
 */
int sweep_grid_load(struct sweep_grid *g, const char *path, struct hc_err *err);
void sweep_grid_release(struct sweep_grid *g);

/*
 * Checks that the scenario takes every assignment: the base ones, each axis value on its own
 * (so a bad value is named by its JSON path in the grid file, "grid.iterations[2]"), then every
 * point, and that the price sheet prices every model a point uses. HC_EINPUT otherwise.
 */
int sweep_grid_check(const struct sweep_grid *g, const struct price_sheet *ps,
		     struct hc_err *err);

/* The value of column c at point p. */
const cJSON *sweep_point_value(const struct sweep_grid *g, size_t p, size_t c);

/* Loads point p's scenario (base assignments, then the point's); errors name the point. */
int sweep_point_load(const struct sweep_grid *g, size_t p, struct scenario *sc,
		     struct hc_err *err);

/* The grid as it is used: scenario, set, grid, zip, the axis order and the point count. */
cJSON *sweep_grid_to_json(const struct sweep_grid *g);

#endif
