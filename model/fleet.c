/* fleet: self-hosted serving, its throughput and its cost per GPU-hour. Contracts in fleet.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/jsonfile.h"
#include "model/embedded.h"
#include "model/fleet.h"
#include "model/scenario.h"
#include "model/textdist.h"

#define HOURS_PER_YEAR 8760.0
#define HOURS_PER_MONTH 730.0
#define MIN_BATCH 8 /* a replica that holds fewer sequences is not a serving setup */

static const char *const pricing_names[] = { "on-demand", "spot", "reserved", "owned" };

const char *gpu_pricing_name(enum gpu_pricing p)
{
	return pricing_names[p];
}

int gpu_pricing_parse(const char *name)
{
	for (int i = 0; i < PRICING_COUNT; i++)
		if (!strcmp(name, pricing_names[i]))
			return i;
	return -1;
}

/* ---- shared parsing ---------------------------------------------------------------------- */

/* Parses item i of an array; ctx is the caller's (parse_array passes it on), so that no parser
 * state outlives a call or is shared between threads loading sheets at once. */
typedef int (*item_fn)(void *items, size_t i, const cJSON *obj, const void *ctx,
		       const char *origin, const char *path, struct hc_err *err);

static int parse_header(const cJSON *root, const char *version_key, char *date, char *source,
			const char *origin, struct hc_err *err)
{
	double version;
	if (!cJSON_IsObject(root) || !cJSON_GetObjectItemCaseSensitive(root, version_key))
		return hc_err_set(err, HC_EINPUT, "%s: not a %s file: the key \"%s\" is missing",
				  origin, version_key, version_key);
	if (json_number(root, version_key, 1, 1, 1, &version, origin, "", err) ||
	    json_string(root, "date", date, 32, 1, origin, "", err) ||
	    json_string(root, "source", source, 256, 1, origin, "", err))
		return HC_EINPUT;
	return 0;
}

static int parse_aliases(const cJSON *obj, char aliases[][FLEET_NAME_MAX], const char *origin,
			 const char *path, struct hc_err *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "aliases"), *a;
	size_t n = 0;
	if (!list)
		return 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > FLEET_ALIASES)
		return hc_err_set(err, HC_EINPUT, "%s: %s.aliases: allowed: an array of at most %d "
				  "strings", origin, path, FLEET_ALIASES);
	cJSON_ArrayForEach(a, list) {
		if (!cJSON_IsString(a) || strlen(a->valuestring) >= FLEET_NAME_MAX)
			return hc_err_set(err, HC_EINPUT, "%s: %s.aliases[%zu]: allowed: a string "
					  "of at most %d characters", origin, path, n,
					  FLEET_NAME_MAX - 1);
		strcpy(aliases[n++], a->valuestring);
	}
	return 0;
}

static int parse_array(const cJSON *root, const char *key, size_t elem, void **items, size_t *n,
		       item_fn parse, const void *ctx, const char *origin, struct hc_err *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, key), *obj;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return hc_err_set(err, HC_EINPUT, "%s: %s: got %s; allowed: a non-empty array",
				  origin, key, json_type_name(list));
	*items = calloc((size_t)cJSON_GetArraySize(list), elem);
	if (!*items)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	*n = 0;
	cJSON_ArrayForEach(obj, list) {
		char path[64];
		snprintf(path, sizeof(path), "%s[%zu]", key, *n);
		if (!cJSON_IsObject(obj))
			return hc_err_set(err, HC_EINPUT, "%s: %s: allowed: an object", origin, path);
		if (parse(*items, (*n)++, obj, ctx, origin, path, err))
			return HC_EINPUT;
	}
	return 0;
}

static const struct embedded_file *load_text(const char *path, const char *embedded, char **text,
					     size_t *len, char *origin, size_t origin_size,
					     struct hc_err *err)
{
	if (!path) {
		const struct embedded_file *f = embedded_find(embedded);
		snprintf(origin, origin_size, "embedded:%s", embedded);
		*text = (char *)f->data;
		*len = f->len;
		return f;
	}
	snprintf(origin, origin_size, "%s", path);
	if (jsonfile_read(path, text, len, err))
		*text = NULL;
	return NULL;
}

/* Parses the sheet at path (or embedded) with parse_root; owns and frees the text. */
static int load_sheet(const char *path, const char *embedded, char *origin, size_t origin_size,
		      int (*parse_root)(void *sheet, const cJSON *root, const char *origin,
					struct hc_err *err),
		      void *sheet, struct hc_err *err)
{
	char *text;
	size_t len;
	const struct embedded_file *f = load_text(path, embedded, &text, &len, origin,
						  origin_size, err);
	if (!text)
		return err ? err->code : HC_EINPUT;
	cJSON *root = jsonfile_parse(text, len, origin, err);
	if (!f)
		free(text);
	if (!root)
		return HC_EINPUT;
	int rc = parse_root(sheet, root, origin, err);
	cJSON_Delete(root);
	return rc;
}

static int name_matches(const char *name, const char aliases[][FLEET_NAME_MAX], const char *q)
{
	if (!strcasecmp(name, q))
		return 1;
	for (size_t i = 0; i < FLEET_ALIASES; i++)
		if (aliases[i][0] && !strcasecmp(aliases[i], q))
			return 1;
	return 0;
}

/* ---- GPUs ------------------------------------------------------------------------------ */

static int parse_gpu_prices(struct gpu *g, const cJSON *obj, const char *origin,
			    const char *path, struct hc_err *err)
{
	const cJSON *prices = cJSON_GetObjectItemCaseSensitive(obj, "prices");
	char p[128];
	for (int m = 0; m < PRICING_OWNED; m++) {
		const cJSON *entry = cJSON_GetObjectItemCaseSensitive(prices, pricing_names[m]);
		g->usd_per_gpu_hour[m] = NAN;
		if (!entry)
			continue;
		snprintf(p, sizeof(p), "%s.prices.%s", path, pricing_names[m]);
		if (json_number(entry, "usd_per_gpu_hour", 0, 1000, 1, &g->usd_per_gpu_hour[m],
				origin, p, err) ||
		    json_string(entry, "source", g->price_source[m], sizeof(g->price_source[m]),
				1, origin, p, err))
			return HC_EINPUT;
	}
	const cJSON *owned = cJSON_GetObjectItemCaseSensitive(obj, "owned");
	g->capex_usd_per_gpu = g->node_kw = g->gpus_per_node = NAN;
	if (!owned)
		return 0;
	snprintf(p, sizeof(p), "%s.owned", path);
	if (json_number(owned, "capex_usd_per_gpu", 0, 1e7, 1, &g->capex_usd_per_gpu, origin, p,
			err) ||
	    json_number(owned, "node_kw", 0, 1000, 1, &g->node_kw, origin, p, err) ||
	    json_number(owned, "gpus_per_node", 1, 1024, 1, &g->gpus_per_node, origin, p, err) ||
	    json_string(owned, "source", g->owned_source, sizeof(g->owned_source), 1, origin, p,
			err))
		return HC_EINPUT;
	return 0;
}

static int parse_gpu_offers(struct gpu *g, const cJSON *obj, const char *origin,
			    const char *path, struct hc_err *err)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "offers"), *o;
	g->n_offers = 0;
	if (!list)
		return 0;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > GPU_OFFERS_MAX)
		return hc_err_set(err, HC_EINPUT, "%s: %s.offers: got %s; allowed: an array of at "
				  "most %d objects", origin, path, json_type_name(list),
				  GPU_OFFERS_MAX);
	cJSON_ArrayForEach(o, list) {
		struct gpu_offer *of = &g->offers[g->n_offers];
		char p[128];
		snprintf(p, sizeof(p), "%s.offers[%zu]", path, g->n_offers++);
		if (json_string(o, "name", of->name, sizeof(of->name), 1, origin, p, err) ||
		    json_number(o, "usd_per_gpu_hour", 0, 1000, 1, &of->usd_per_gpu_hour, origin,
				p, err) ||
		    json_string(o, "source", of->source, sizeof(of->source), 1, origin, p, err))
			return HC_EINPUT;
	}
	return 0;
}

static int parse_gpu(void *items, size_t i, const cJSON *obj, const void *ctx,
		     const char *origin, const char *path, struct hc_err *err)
{
	struct gpu *g = (struct gpu *)items + i;
	(void)ctx;
	if (json_string(obj, "name", g->name, sizeof(g->name), 1, origin, path, err) ||
	    parse_aliases(obj, g->aliases, origin, path, err) ||
	    json_number(obj, "bf16_tflops", 1, 1e6, 1, &g->bf16_tflops, origin, path, err) ||
	    json_number(obj, "fp8_tflops", 1, 1e6, 0, &g->fp8_tflops, origin, path, err) ||
	    json_number(obj, "hbm_tb_per_s", 0.01, 1e3, 1, &g->hbm_tb_per_s, origin, path, err) ||
	    json_number(obj, "memory_gb", 1, 1e5, 1, &g->memory_gb, origin, path, err) ||
	    json_number(obj, "tdp_w", 1, 1e5, 1, &g->tdp_w, origin, path, err))
		return HC_EINPUT;
	return parse_gpu_prices(g, obj, origin, path, err) ||
	       parse_gpu_offers(g, obj, origin, path, err) ? HC_EINPUT : 0;
}

static int parse_gpu_root(void *sheet, const cJSON *root, const char *origin, struct hc_err *err)
{
	struct gpu_sheet *gs = sheet;
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "owned_defaults");
	struct owned_params *op = &gs->owned;
	const char *p = "owned_defaults";
	if (parse_header(root, "hypercap_gpus", gs->date, gs->source, origin, err))
		return HC_EINPUT;
	if (!cJSON_IsObject(o))
		return hc_err_set(err, HC_EINPUT, "%s: owned_defaults: missing", origin);
	if (json_number(o, "amortisation_years", 0.1, 50, 1, &op->amortisation_years, origin, p,
			err) ||
	    json_number(o, "pue", 1, 5, 1, &op->pue, origin, p, err) ||
	    json_number(o, "usd_per_kwh", 0, 10, 1, &op->usd_per_kwh, origin, p, err) ||
	    json_number(o, "colo_usd_per_kw_month", 0, 1e5, 1, &op->colo_usd_per_kw_month,
			origin, p, err) ||
	    json_number(o, "residual_fraction", 0, 1, 1, &op->residual_fraction, origin, p, err))
		return HC_EINPUT;
	return parse_array(root, "gpus", sizeof(struct gpu), (void **)&gs->gpus, &gs->n,
			   parse_gpu, NULL, origin, err);
}

int gpu_sheet_load(struct gpu_sheet *gs, const char *path, struct hc_err *err)
{
	memset(gs, 0, sizeof(*gs));
	int rc = load_sheet(path, EMBEDDED_GPUS, gs->origin, sizeof(gs->origin), parse_gpu_root,
			    gs, err);
	if (rc)
		gpu_sheet_release(gs);
	return rc;
}

void gpu_sheet_release(struct gpu_sheet *gs)
{
	free(gs->gpus);
	gs->gpus = NULL;
	gs->n = 0;
}

int gpu_sheet_lookup(const struct gpu_sheet *gs, const char *name, const struct gpu **out,
		     struct hc_err *err)
{
	const char *names[64];
	char near[256];
	size_t n = 0;
	for (size_t i = 0; i < gs->n; i++) {
		if (name_matches(gs->gpus[i].name, gs->gpus[i].aliases, name)) {
			*out = &gs->gpus[i];
			return 0;
		}
		if (n < 64)
			names[n++] = gs->gpus[i].name;
	}
	textdist_suggest(name, names, n, near, sizeof(near));
	return hc_err_set(err, HC_EINPUT, "unknown GPU '%s' in '%s'; close matches: %s", name,
			  gs->origin, near);
}

double gpu_hour_usd(const struct gpu *g, enum gpu_pricing mode, const struct owned_params *o)
{
	if (mode != PRICING_OWNED)
		return g->usd_per_gpu_hour[mode];
	double capital = g->capex_usd_per_gpu * (1 - o->residual_fraction) /
			 (o->amortisation_years * HOURS_PER_YEAR);
	double kw = g->node_kw / g->gpus_per_node;
	return capital + kw * (o->pue * o->usd_per_kwh + o->colo_usd_per_kw_month / HOURS_PER_MONTH);
}

/* ---- serving ----------------------------------------------------------------------------- */

static int parse_serving_model(void *items, size_t i, const cJSON *obj, const void *ctx,
			       const char *origin, const char *path, struct hc_err *err)
{
	struct serving_model *m = (struct serving_model *)items + i;
	(void)ctx;
	if (json_string(obj, "name", m->name, sizeof(m->name), 1, origin, path, err) ||
	    parse_aliases(obj, m->aliases, origin, path, err) ||
	    json_number(obj, "params_b", 0.01, 1e5, 1, &m->params_b, origin, path, err) ||
	    json_number(obj, "layers", 1, 1e4, 1, &m->layers, origin, path, err) ||
	    json_number(obj, "kv_heads", 1, 1e4, 1, &m->kv_heads, origin, path, err) ||
	    json_number(obj, "head_dim", 1, 1e5, 1, &m->head_dim, origin, path, err) ||
	    json_number(obj, "d_model", 1, 1e6, 1, &m->d_model, origin, path, err))
		return HC_EINPUT;
	return 0;
}

/* A measured point refers to a model of its own sheet, ctx, whose models are parsed already. */
static int parse_point(void *items, size_t i, const cJSON *obj, const void *ctx,
		       const char *origin, const char *path, struct hc_err *err)
{
	const struct serving_sheet *owner = ctx;
	struct serving_point *pt = (struct serving_point *)items + i;
	char model[FLEET_NAME_MAX], precision[16];
	const struct serving_model *m;
	if (json_string(obj, "model", model, sizeof(model), 1, origin, path, err) ||
	    json_string(obj, "precision", precision, sizeof(precision), 1, origin, path, err) ||
	    json_string(obj, "gpu", pt->gpu, sizeof(pt->gpu), 1, origin, path, err) ||
	    json_number(obj, "gpus", 1, 1024, 1, &pt->gpus, origin, path, err) ||
	    json_number(obj, "isl", 1, 1e7, 1, &pt->isl, origin, path, err) ||
	    json_number(obj, "osl", 1, 1e7, 1, &pt->osl, origin, path, err) ||
	    json_number(obj, "output_tokens_per_s", 1e-3, 1e9, 1, &pt->output_tokens_per_s,
			origin, path, err))
		return HC_EINPUT;
	if (strcmp(precision, "fp8") && strcmp(precision, "bf16"))
		return hc_err_set(err, HC_EINPUT, "%s: %s.precision: got \"%s\"; allowed: 'fp8', "
				  "'bf16'", origin, path, precision);
	pt->precision = strcmp(precision, "fp8") ? PRECISION_BF16 : PRECISION_FP8;
	if (serving_sheet_lookup(owner, model, &m, err))
		return hc_err_prefix(err, "%s: %s.model", origin, path);
	pt->model = (size_t)(m - owner->models);
	return 0;
}

static int parse_serving_root(void *sheet, const cJSON *root, const char *origin,
			      struct hc_err *err)
{
	struct serving_sheet *ss = sheet;
	struct roofline_params *rp = &ss->roofline;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "roofline");
	if (parse_header(root, "hypercap_serving", ss->date, ss->source, origin, err) ||
	    json_number(r, "bandwidth_efficiency", 0.01, 1, 1, &rp->bandwidth_efficiency, origin,
			"roofline", err) ||
	    json_number(r, "mfu", 0.01, 1, 1, &rp->mfu, origin, "roofline", err) ||
	    json_number(r, "memory_usable_fraction", 0.1, 1, 1, &rp->memory_usable_fraction,
			origin, "roofline", err) ||
	    json_number(r, "max_batch", 1, 1e5, 1, &rp->max_batch, origin, "roofline", err) ||
	    parse_array(root, "models", sizeof(struct serving_model), (void **)&ss->models,
			&ss->n_models, parse_serving_model, NULL, origin, err))
		return HC_EINPUT;
	return parse_array(root, "measured", sizeof(struct serving_point), (void **)&ss->points,
			   &ss->n_points, parse_point, ss, origin, err);
}

int serving_sheet_load(struct serving_sheet *ss, const char *path, struct hc_err *err)
{
	memset(ss, 0, sizeof(*ss));
	int rc = load_sheet(path, EMBEDDED_SERVING, ss->origin, sizeof(ss->origin),
			    parse_serving_root, ss, err);
	if (rc)
		serving_sheet_release(ss);
	return rc;
}

void serving_sheet_release(struct serving_sheet *ss)
{
	free(ss->models);
	free(ss->points);
	ss->models = NULL;
	ss->points = NULL;
	ss->n_models = ss->n_points = 0;
}

int serving_sheet_lookup(const struct serving_sheet *ss, const char *name,
			 const struct serving_model **out, struct hc_err *err)
{
	const char *names[64];
	char near[256];
	size_t n = 0;
	for (size_t i = 0; i < ss->n_models; i++) {
		if (name_matches(ss->models[i].name, ss->models[i].aliases, name)) {
			*out = &ss->models[i];
			return 0;
		}
		if (n < 64)
			names[n++] = ss->models[i].name;
	}
	textdist_suggest(name, names, n, near, sizeof(near));
	return hc_err_set(err, HC_EINPUT, "unknown model to serve '%s' in '%s'; close matches: "
			  "%s", name, ss->origin, near);
}

/* ---- throughput ------------------------------------------------------------------------ */

/* The roofline's pieces at one workload shape: batch, decode step time, prefill speed. */
struct shape {
	double batch, step_seconds, compute_flops;
};

static struct shape roofline_shape(const struct roofline_params *rp, const struct serving_model *m,
				   enum precision p, const struct gpu *g, unsigned gpus,
				   double isl, double osl)
{
	struct shape sh = { 0, 0, 0 };
	double b = p == PRECISION_FP8 ? 1 : 2;            /* bytes per weight and KV value */
	double flops = (p == PRECISION_FP8 ? g->fp8_tflops : g->bf16_tflops) * 1e12;
	double weights = m->params_b * 1e9 * b;
	double kv = 2 * m->layers * m->kv_heads * m->head_dim * b; /* bytes per token */
	double free_bytes = gpus * g->memory_gb * 1e9 * rp->memory_usable_fraction - weights;
	double fit = floor(free_bytes / ((isl + osl) * kv));
	sh.batch = fit < 0 ? 0 : fit < rp->max_batch ? fit : rp->max_batch;
	if (sh.batch < 1 || !isfinite(flops))
		return sh;
	sh.compute_flops = gpus * flops * rp->mfu;
	double context = isl + osl / 2;                   /* mean KV length while decoding */
	double step_memory = (weights + sh.batch * context * kv) /
			     (gpus * g->hbm_tb_per_s * 1e12 * rp->bandwidth_efficiency);
	double step_compute = sh.batch * 2 * m->params_b * 1e9 / sh.compute_flops;
	sh.step_seconds = step_memory > step_compute ? step_memory : step_compute;
	return sh;
}

/* Seconds of the whole replica to prefill `fresh` prompt tokens. */
static double prefill_seconds(const struct serving_model *m, double compute_flops, double fresh)
{
	return (2 * m->params_b * 1e9 * fresh + 2 * m->layers * fresh * fresh * m->d_model) /
	       compute_flops;
}

double fleet_roofline(const struct roofline_params *rp, const struct serving_model *m,
		      enum precision p, const struct gpu *g, unsigned gpus, double isl,
		      double isl_cached, double osl, unsigned *batch)
{
	struct shape sh = roofline_shape(rp, m, p, g, gpus, isl, osl);
	*batch = (unsigned)sh.batch;
	if (sh.step_seconds <= 0)
		return 0;
	double prefill = prefill_seconds(m, sh.compute_flops, isl - isl_cached);
	return osl / (prefill + osl * sh.step_seconds / sh.batch);
}

/* Weighted mean of log(measured / roofline) over the points for (m, p, g), weights falling
 * with the distance in log isl and log osl. Returns the number of points used. */
static size_t calibrate(const struct serving_sheet *ss, const struct serving_model *m,
			enum precision p, const struct gpu *g, double isl, double osl,
			double *factor)
{
	double sum_w = 0, sum = 0;
	size_t used = 0;
	for (size_t i = 0; i < ss->n_points; i++) {
		const struct serving_point *pt = &ss->points[i];
		unsigned batch;
		if (&ss->models[pt->model] != m || pt->precision != p ||
		    !name_matches(g->name, g->aliases, pt->gpu))
			continue;
		double roof = fleet_roofline(&ss->roofline, m, p, g, (unsigned)pt->gpus, pt->isl,
					     0, pt->osl, &batch);
		if (roof <= 0)
			continue;
		double d = hypot(log(isl / pt->isl), log(osl / pt->osl));
		double w = 1 / (d * d + 1e-9);
		sum += w * log(pt->output_tokens_per_s / roof);
		sum_w += w;
		used++;
	}
	*factor = used ? exp(sum / sum_w) : 1;
	return used;
}

int fleet_replica(const struct serving_sheet *ss, const struct serving_model *m,
		  enum precision p, const struct gpu *g, unsigned gpus, double isl,
		  double isl_cached, double osl, struct replica *out, struct hc_err *err)
{
	static const unsigned sizes[] = { 1, 2, 4, 8, 16 };
	if (p == PRECISION_FP8 && isnan(g->fp8_tflops))
		return hc_err_set(err, HC_EINPUT, "%s has no FP8 support in '%s'; allowed: "
				  "--precision bf16", g->name, "the GPU sheet");
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !out->gpus; i++) {
		unsigned n = gpus ? gpus : sizes[i];
		out->roofline_tokens_per_s = fleet_roofline(&ss->roofline, m, p, g, n, isl,
							    isl_cached, osl, &out->batch);
		if (out->batch >= MIN_BATCH || (gpus && out->batch >= 1))
			out->gpus = n;
		if (gpus)
			break;
	}
	if (!out->gpus)
		return hc_err_set(err, HC_EINPUT, "%s does not fit on %s%u %s with a batch of %d "
				  "sequences of %.0f tokens", m->name, gpus ? "" : "up to ",
				  gpus ? gpus : 16, g->name, MIN_BATCH, isl + osl);
	out->measured_points = calibrate(ss, m, p, g, isl, osl, &out->calibration);
	out->output_tokens_per_s = out->roofline_tokens_per_s * out->calibration;
	struct shape sh = roofline_shape(&ss->roofline, m, p, g, out->gpus, isl, osl);
	out->step_seconds = sh.step_seconds;
	out->compute_flops = sh.compute_flops;
	return 0;
}

double fleet_call_slot_seconds(const struct replica *r, const struct serving_model *m,
			       double fresh, double output)
{
	return (r->batch * prefill_seconds(m, r->compute_flops, fresh) +
		output * r->step_seconds) / r->calibration;
}

int fleet_size(struct fleet *fl, const struct fleet_spec *spec, const char *where, double isl,
	       double isl_cached, double osl, const struct gpu_sheet *gs,
	       const struct serving_sheet *ss, struct hc_err *err)
{
	const struct serving_model *sm;
	const struct gpu *g;
	fl->spec = spec;
	if (serving_sheet_lookup(ss, spec->serve_model, &sm, err) ||
	    gpu_sheet_lookup(gs, spec->gpu, &g, err))
		return hc_err_prefix(err, "%s", where);
	fl->model = *sm;
	fl->isl = spec->request_input_tokens > 0 ? spec->request_input_tokens : isl;
	fl->isl_cached = spec->request_input_tokens > 0 ? 0 : isl_cached;
	fl->osl = spec->request_output_tokens > 0 ? spec->request_output_tokens : osl;
	if (fl->osl < 1)
		fl->osl = 1;
	if (fleet_replica(ss, sm, (enum precision)spec->precision, g, spec->gpus_per_replica,
			  fl->isl, fl->isl_cached, fl->osl, &fl->replica, err))
		return hc_err_prefix(err, "%s", where);
	fl->gpu_hour_usd = spec->gpu_hour_usd > 0 ? spec->gpu_hour_usd
			   : gpu_hour_usd(g, (enum gpu_pricing)spec->pricing, &gs->owned);
	if (isnan(fl->gpu_hour_usd))
		return hc_err_set(err, HC_EINPUT, "%s.gpu_hour_usd: %s has no %s price in '%s'; "
				  "allowed: a price > 0 here", where, g->name,
				  gpu_pricing_name((enum gpu_pricing)spec->pricing), gs->origin);
	fl->slots = spec->replicas * fl->replica.batch;
	return 0;
}

double fleet_call_seconds(const struct fleet *fl, const struct usage *u)
{
	return fl->spec->ttft_seconds +
	       fleet_call_slot_seconds(&fl->replica, &fl->model, (double)(u->input - u->cache_read),
				       (double)u->output);
}

int fleet_sheets_load(struct gpu_sheet *gs, struct serving_sheet *ss, struct hc_err *err)
{
	if (gpu_sheet_load(gs, NULL, err))
		return HC_ERUNTIME;
	if (serving_sheet_load(ss, NULL, err)) {
		gpu_sheet_release(gs);
		return HC_ERUNTIME;
	}
	return 0;
}

void fleet_sheets_release(struct gpu_sheet *gs, struct serving_sheet *ss)
{
	serving_sheet_release(ss);
	gpu_sheet_release(gs);
}
