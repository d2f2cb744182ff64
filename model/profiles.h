/*
 * profiles: what changes with a model besides its price (docs/model.md, "Model profiles"),
 * read from the embedded sheet data/models/ (EMBEDDED_MODELS), where every number has a
 * source and a date.
 *
 * A session's sizes are calibrated for one model (`calibrated_for`, "" = the role's own).
 * When the role's model differs and both have profiles, the session is moved to the new
 * model: with f the session's reasoning_fraction, L the profiles' output_length and s the new
 * model's reasoning_share,
 *
 *     visible' = visible · L(new) / L(calibrated)      where visible = output · (1 − f)
 *     reasoning' = visible' · s / (1 − s)
 *     output' = visible' + reasoning' = output · (1 − f) · L(new) / (L(calibrated) · (1 − s))
 *
 * so output_tokens is scaled by that factor and reasoning_fraction becomes s. The move also
 * scales the `improvement` of the domains the session's role works on (every domain for the
 * meta agent, its own for a domain's task model) by I(new) / I(calibrated), I the profiles'
 * improvement_scale (1 when a profile does not give it; an assumption, docs/model.md). Latency
 * of a model with no models[] entry comes from its profile (ttft_seconds,
 * decode_tokens_per_second).
 */
#ifndef MODEL_PROFILES_H
#define MODEL_PROFILES_H

#include <stddef.h>
#include "model/scenario.h"

struct model_profile {
	char name[SCENARIO_NAME_MAX];
	double reasoning_share;          /* reasoning / output at the default effort */
	double output_length;            /* visible output relative to the reference model */
	double ttft_seconds;
	double decode_tokens_per_second;
	double context_window;           /* input tokens */
	double improvement_scale;        /* improvement per iteration relative; 1 when not given */
};

/*
 * Fills p with the profile of model (its name or an alias, case-insensitively) and returns 1;
 * 0 when the sheet has none.
 */
int model_profile_find(const char *model, struct model_profile *p);

/* The factor output_tokens is scaled by when a session of reasoning fraction f moves from
 * profile `from` to profile `to` (the formula above). */
double profile_output_factor(const struct model_profile *from, const struct model_profile *to,
			     double f);

/* The factor a domain's improvement is scaled by when a session moves from `from` to `to`:
 * to->improvement_scale / from->improvement_scale. */
double profile_improvement_factor(const struct model_profile *from,
				  const struct model_profile *to);

/* Multiplies every draw of d's improvement by k (its mean and spread: a step k times as large). */
void profile_scale_improvement(struct domain *d, double k);

/*
 * Moves every session whose calibrated_for names another model than its role's onto the
 * role's model (the rule above, improvement included), and then sets calibrated_for to that
 * model. A session whose
 * models lack a profile is left as it is, calibrated_for unchanged (profiles_warning says so).
 */
void profiles_apply(struct scenario *sc);

/*
 * One sentence for a person when a model sc calls through its API has no profile and no
 * models[] entry (its latency takes the table defaults), when a session could not be moved to
 * its role's model, or when a session's last call holds on average more input than its
 * model's context window (P + (E[K] − 1) · ((1 − f) · E[o] + E[r]), docs/model.md,
 * "Sessions"); returns 0 and leaves msg empty when there is nothing to say.
 */
int profiles_warning(const struct scenario *sc, char *msg, size_t size);

#endif
