/* profiles: model profiles and the move of a session to another model. Contracts in profiles.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "model/embedded.h"
#include "model/profiles.h"

static double number(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "value"));
}

static int names_model(const cJSON *m, const char *model)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
	if (cJSON_IsString(name) && !strcasecmp(name->valuestring, model))
		return 1;
	const cJSON *alias;
	cJSON_ArrayForEach(alias, cJSON_GetObjectItemCaseSensitive(m, "aliases"))
		if (cJSON_IsString(alias) && !strcasecmp(alias->valuestring, model))
			return 1;
	return 0;
}

static void fill(const cJSON *m, struct model_profile *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s",
		 cJSON_GetObjectItemCaseSensitive(m, "name")->valuestring);
	p->reasoning_share = number(m, "reasoning_share");
	p->output_length = number(m, "output_length");
	p->ttft_seconds = number(m, "ttft_seconds");
	p->decode_tokens_per_second = number(m, "decode_tokens_per_second");
	p->context_window = number(m, "context_window");
	p->improvement_scale = number(m, "improvement_scale");
	if (isnan(p->improvement_scale)) /* optional: the calibration model's improvement */
		p->improvement_scale = 1;
}

int model_profile_find(const char *model, struct model_profile *p)
{
	const struct embedded_file *f = embedded_find(EMBEDDED_MODELS);
	cJSON *root = f ? cJSON_ParseWithLength(f->data, f->len) : NULL;
	const cJSON *m;
	int found = 0;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(root, "models"))
		if (names_model(m, model)) {
			fill(m, p);
			found = 1;
			break;
		}
	cJSON_Delete(root);
	return found;
}

double profile_output_factor(const struct model_profile *from, const struct model_profile *to,
			     double f)
{
	return (1 - f) * to->output_length / (from->output_length * (1 - to->reasoning_share));
}

double profile_improvement_factor(const struct model_profile *from,
				  const struct model_profile *to)
{
	return to->improvement_scale / from->improvement_scale;
}

/* Multiplies every draw of d by k (the scenario owns an empirical one's values). */
static void scale_dist(struct dist *d, double k)
{
	d->a *= k;
	if (d->kind == DIST_UNIFORM || d->kind == DIST_NORMAL)
		d->b *= k;
	for (size_t i = 0; i < d->n; i++)
		((double *)d->values)[i] *= k;
}

void profile_scale_improvement(struct domain *d, double k)
{
	if (k != 1)
		scale_dist(&d->improvement, k);
}

/*
 * The rule of profiles.h for one session of a role on model; 0 when it could not be moved.
 * *improvement gets the factor the role's domains' improvement takes (1: none).
 */
static int move_session(struct session_params *s, const char *model, double *improvement)
{
	struct model_profile from, to;
	*improvement = 1;
	if (!s->calibrated_for[0] || !strcmp(s->calibrated_for, model))
		return 1;
	if (!model_profile_find(s->calibrated_for, &from) || !model_profile_find(model, &to))
		return 0;
	scale_dist(&s->output_tokens, profile_output_factor(&from, &to, s->reasoning_fraction));
	s->reasoning_fraction = to.reasoning_share;
	*improvement = profile_improvement_factor(&from, &to);
	return 1;
}

/* Moves one session; returns the factor of its role's domains' improvement. */
static double apply_one(struct session_params *s, const char *model)
{
	double improvement;
	if (move_session(s, model, &improvement))
		snprintf(s->calibrated_for, sizeof(s->calibrated_for), "%s", model);
	return improvement;
}

void profiles_apply(struct scenario *sc)
{
	double meta = apply_one(&sc->self_modification.session, sc->self_modification.model);
	for (size_t d = 0; d < sc->n_domains; d++) {
		double task = apply_one(&sc->domains[d].task, sc->domains[d].model);
		profile_scale_improvement(&sc->domains[d], meta * task);
	}
}

static int listed(const struct scenario *sc, const char *model)
{
	for (size_t i = 0; i < sc->n_models; i++)
		if (!strcmp(sc->models[i].name, model))
			return 1;
	return 0;
}

/* Appends "text" to msg (of size) after a "; " when msg is not empty. */
static void append(char *msg, size_t size, const char *text)
{
	size_t n = strlen(msg);
	snprintf(msg + n, size - n, "%s%s", n ? "; " : "", text);
}

/* Warns once per model with no profile and no models[] entry. */
static void check_model(const struct scenario *sc, const char *model, char *msg, size_t size)
{
	struct model_profile p;
	char text[300];
	if (model_profile_find(model, &p) || listed(sc, model))
		return;
	struct endpoint e = scenario_endpoint(sc, model);
	snprintf(text, sizeof(text), "model '%s' has no profile in data/models and no models[] "
		 "entry: its calls take the defaults, TTFT %g s and %g tokens/s", model,
		 e.ttft_seconds, e.decode_tokens_per_second);
	append(msg, size, text);
}

static void check_session(const struct session_params *s, const char *model, char *msg,
			  size_t size)
{
	char text[300];
	if (!s->calibrated_for[0] || !strcmp(s->calibrated_for, model))
		return;
	snprintf(text, sizeof(text), "a session calibrated for '%s' runs on '%s' with its sizes "
		 "unchanged: the two have no profiles to move it by", s->calibrated_for, model);
	append(msg, size, text);
}

/* Whether domain d calls its model's API and no earlier role calls that model's API. */
static int first_api_use(const struct scenario *sc, size_t d)
{
	const char *model = sc->domains[d].model;
	if (sc->domains[d].route.fleet[0])
		return 0;
	if (!sc->self_modification.route.fleet[0] && !strcmp(model, sc->self_modification.model))
		return 0;
	for (size_t i = 0; i < d; i++)
		if (!sc->domains[i].route.fleet[0] && !strcmp(model, sc->domains[i].model))
			return 0;
	return 1;
}

/* The mean input of a session's last call: P + (E[K] − 1) · ((1 − f) · E[o] + E[r]). */
static double last_input(const struct session_params *s)
{
	double calls = fmin(fmax(dist_mean(&s->calls), 1), s->max_calls);
	double out = fmin(dist_mean(&s->output_tokens), s->max_output_tokens);
	double added = (1 - s->reasoning_fraction) * out + dist_mean(&s->tool_result_tokens);
	return dist_mean(&s->prompt_tokens) + (calls - 1) * added;
}

/* Warns when a session's last call holds, on average, more than its model's context. */
static void check_context(const struct session_params *s, const char *model, char *msg,
			  size_t size)
{
	struct model_profile p;
	char text[300];
	double input = last_input(s);
	if (!model_profile_find(model, &p) || input <= p.context_window)
		return;
	snprintf(text, sizeof(text), "sessions on '%s' reach %.0f input tokens by their last call "
		 "on average, over its context window of %.0f (data/models): the provider would "
		 "refuse those calls", model, input, p.context_window);
	append(msg, size, text);
}

int profiles_warning(const struct scenario *sc, char *msg, size_t size)
{
	msg[0] = 0;
	/* a role served by a fleet takes its latency from the fleet, not the endpoint */
	if (!sc->self_modification.route.fleet[0])
		check_model(sc, sc->self_modification.model, msg, size);
	check_session(&sc->self_modification.session, sc->self_modification.model, msg, size);
	check_context(&sc->self_modification.session, sc->self_modification.model, msg, size);
	for (size_t d = 0; d < sc->n_domains; d++) {
		if (first_api_use(sc, d))
			check_model(sc, sc->domains[d].model, msg, size);
		check_session(&sc->domains[d].task, sc->domains[d].model, msg, size);
		check_context(&sc->domains[d].task, sc->domains[d].model, msg, size);
	}
	return msg[0] != 0;
}
