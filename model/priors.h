/*
 * priors: uncertain scenario fields (docs/scenario.md, "Priors"; docs/model.md, "Priors and
 * sensitivity").
 *
 * In a scenario file a number field, a distribution's parameter or an enumeration may be an
 * object {"prior": KIND, ...} instead of a value: uniform (low, high), triangular (low, mode,
 * high), lognormal (p10, p90; draws kept within its 0.1% and 99.9% quantiles), choice
 * (values: {VALUE: weight, ...}); {"assumed": true, "value": V} marks a fixed value as
 * assumed (a prior of zero width, listed but not drawn apart). Parsing replaces each with its median (a choice: its
 * likeliest value, the first of equals) and keeps the list; each replication draws every
 * prior once, each from a stream of its own derived from (seed, "priors", its path,
 * replication), so the per-call streams are untouched (parameter uncertainty apart from
 * per-call variability) and one prior's draws do not depend on the others.
 */
#ifndef MODEL_PRIORS_H
#define MODEL_PRIORS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "base/hc_err.h"

struct scenario;

enum prior_kind { PRIOR_UNIFORM, PRIOR_TRIANGULAR, PRIOR_LOGNORMAL, PRIOR_CHOICE };

#define PRIOR_MAX_VALUES 8
#define PRIOR_VALUE_MAX 40
/* a value as JSON text: a number, or a choice's value in quotes */
#define PRIOR_JSON_MAX (PRIOR_VALUE_MAX + 2)
#define PRIOR_PATH_MAX 200
/* the stream index the priors' master seed is derived with: "priors" in ASCII */
#define PRIOR_STREAM 0x7072696f7273ull

struct prior {
	char path[PRIOR_PATH_MAX];   /* as --set names it: domains.robotics_reward.task.calls */
	enum prior_kind kind;
	double low, mode, high;      /* uniform, triangular; lognormal: p10 in low, p90 in high */
	char values[PRIOR_MAX_VALUES][PRIOR_VALUE_MAX]; /* choice */
	double weights[PRIOR_MAX_VALUES];
	size_t n_values;
	int fixed;                   /* {"assumed": true, "value": V}: no spread */
};

const char *prior_kind_name(enum prior_kind k);

/*
 * Finds every prior object in tree, checks it (kind, parameters in order, weights summing to
 * 1, a field that may take a prior: scenario_prior_slot) and replaces it with its median,
 * adding a copy of the object as given (comments included) to the object given under its
 * path. *out (caller frees, NULL when none) gets the list. HC_EINPUT naming origin and the
 * path.
 */
int priors_extract(cJSON *tree, const char *origin, cJSON *given, struct prior **out, size_t *n,
		   struct hc_err *err);

/* 1 for a prior object, or an assumed value ({"assumed": true, "value": V}, no "dist"). */
int prior_is_object(const cJSON *o);

/*
 * The prior in a few words: "lognormal P10 1 P90 4", "uniform 0.6 to 1", "triangular 1, mode
 * 2, 3", "choice off 0.9, explicit 0.1", "assumed 1".
 */
void prior_describe(const struct prior *p, char *buf, size_t size);

/*
 * Puts p, a prior of sc, back into tree as sc's file gave it (sc->given: the object, comments
 * included) in place of the value at path (p's own path, or the same field of a copy of its
 * element). HC_EINPUT when tree has no value at path.
 */
int prior_restore(cJSON *tree, const char *path, const struct scenario *sc,
		  const struct prior *p, struct hc_err *err);

/* The prior's value at quantile u in [0, 1] (a choice's value by cumulative weight), as JSON. */
void prior_value_at(const struct prior *p, double u, char out[PRIOR_JSON_MAX]);

/* The values parsing checks: a numeric prior's lowest and highest draws, each choice value. */
size_t prior_ends(const struct prior *p, char out[][PRIOR_JSON_MAX]);

/* Sets the field at path (a --set path) in tree to the JSON value text. */
int prior_set(cJSON *tree, const char *path, const char *value, struct hc_err *err);

/*
 * Replication rep's scenario: every prior of sc drawn from its stream (seed, "priors", its
 * path, rep), a scenario without priors. The caller releases *out (empty on error).
 * It re-reads sc's JSON tree: a change made to sc's parsed fields alone is lost in every
 * draw, so change a scenario with priors through its tree (prior_set, or --set on load).
 */
int scenario_draw(const struct scenario *sc, uint64_t seed, unsigned rep, struct scenario *out,
		  struct hc_err *err);

/* sc with every prior at its median: the scenario without priors (calibration checks it). */
int scenario_at_medians(const struct scenario *sc, struct scenario *out, struct hc_err *err);

/* sc with one field set to value and every other prior at its median (a plain scenario). */
int scenario_with_value(const struct scenario *sc, const char *path, const char *value,
			struct scenario *out, struct hc_err *err);

#endif
