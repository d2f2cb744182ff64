/* sweep: a grid of scenario variants, read from a grid file. Contracts in sweep.h. */
#include <stdlib.h>
#include <string.h>
#include "base/jsonfile.h"
#include "model/assignment.h"
#include "model/embedded.h"
#include "model/loop.h"
#include "model/sweep.h"

static int bad(struct hc_err *err, const char *origin, const char *where, const cJSON *v,
	       const char *allowed)
{
	char got[80];
	return hc_err_set(err, HC_EINPUT, "%s: %s: got %s; allowed: %s", origin, where,
			  json_describe(v, got, sizeof(got)), allowed);
}

static int load_scenario_name(struct sweep_grid *g, const cJSON *v, struct hc_err *err)
{
	if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > 200)
		return bad(err, g->origin, "scenario", v, "a scenario file's path of 1 to 200 "
			   "characters, relative to the grid file's folder");
	const char *slash = strrchr(g->origin, '/');
	if (v->valuestring[0] == '/' || !slash)
		snprintf(g->scenario, sizeof(g->scenario), "%s", v->valuestring);
	else
		snprintf(g->scenario, sizeof(g->scenario), "%.*s/%s", (int)(slash - g->origin),
			 g->origin, v->valuestring);
	return 0;
}

static int load_sets(struct sweep_grid *g, const cJSON *set, struct hc_err *err)
{
	if (!cJSON_IsObject(set))
		return bad(err, g->origin, "set", set, "an object of scenario paths and values, "
			   "e.g. {\"iterations\": 20}");
	g->base_sets = calloc((size_t)cJSON_GetArraySize(set) + 1, sizeof(char *));
	if (!g->base_sets)
		return hc_err_set(err, HC_ERUNTIME, "out of memory");
	const cJSON *item;
	cJSON_ArrayForEach(item, set) {
		char where[300];
		snprintf(where, sizeof(where), "set.%s", item->string);
		if (assignment_check_path(g->origin, where, item->string, err))
			return HC_EINPUT;
		g->base_sets[g->n_base_sets] = assignment_text(item->string, item);
		if (!g->base_sets[g->n_base_sets++])
			return hc_err_set(err, HC_ERUNTIME, "out of memory");
	}
	return 0;
}

/* Adds a column to axis (the last one added, or a new one when new_axis). */
static int add_column(struct sweep_grid *g, const char *where, const cJSON *list, int new_axis,
		      struct hc_err *err)
{
	char at[300];
	snprintf(at, sizeof(at), "%s.%s", where, list->string);
	if (assignment_check_path(g->origin, at, list->string, err))
		return HC_EINPUT;
	if (!cJSON_IsArray(list) || !cJSON_GetArraySize(list))
		return bad(err, g->origin, at, list, "a non-empty list of values");
	for (size_t c = 0; c < g->n_columns; c++)
		if (!strcmp(g->columns[c].path, list->string))
			return hc_err_set(err, HC_EINPUT, "%s: %s: the path is also in %s; allowed: "
					  "each path once", g->origin, at, g->columns[c].where);
	if (g->n_columns == SWEEP_MAX_COLUMNS)
		return hc_err_set(err, HC_EINPUT, "%s: %s: more than %d paths; allowed: at most "
				  "%d", g->origin, at, SWEEP_MAX_COLUMNS, SWEEP_MAX_COLUMNS);
	size_t n = (size_t)cJSON_GetArraySize(list);
	if (new_axis) {
		g->axes[g->n_axes++].n_values = n;
	} else if (g->axes[g->n_axes - 1].n_values != n) {
		return hc_err_set(err, HC_EINPUT, "%s: %s: got %zu values; allowed: as many as "
				  "%s.%s (%zu): a zip group's lists advance together", g->origin, at,
				  n, where, g->columns[g->n_columns - 1].path,
				  g->axes[g->n_axes - 1].n_values);
	}
	struct sweep_column *col = &g->columns[g->n_columns++];
	col->path = list->string;
	col->values = list;
	col->axis = g->n_axes - 1;
	snprintf(col->where, sizeof(col->where), "%s", where);
	return 0;
}

static int load_grid(struct sweep_grid *g, const cJSON *grid, struct hc_err *err)
{
	if (!cJSON_IsObject(grid))
		return bad(err, g->origin, "grid", grid, "an object of scenario paths and lists of "
			   "values, e.g. {\"iterations\": [50, 100]}");
	const cJSON *list;
	cJSON_ArrayForEach(list, grid)
		if (add_column(g, "grid", list, 1, err))
			return HC_EINPUT;
	return 0;
}

static int load_zip(struct sweep_grid *g, const cJSON *zip, struct hc_err *err)
{
	if (!cJSON_IsArray(zip))
		return bad(err, g->origin, "zip", zip, "a list of objects of paths and lists of "
			   "values that advance together");
	int k = 0;
	const cJSON *group;
	cJSON_ArrayForEach(group, zip) {
		char where[48];
		snprintf(where, sizeof(where), "zip[%d]", k++);
		if (!cJSON_IsObject(group) || !cJSON_GetArraySize(group))
			return bad(err, g->origin, where, group, "an object of paths and lists of "
				   "values of one length, e.g. {\"a\": [1, 2], \"b\": [3, 4]}");
		int first = 1;
		const cJSON *list;
		cJSON_ArrayForEach(list, group) {
			if (add_column(g, where, list, first, err))
				return HC_EINPUT;
			first = 0;
		}
	}
	return 0;
}

/* Strides of the row-major order (last axis fastest) and the point count, capped. */
static int count_points(struct sweep_grid *g, struct hc_err *err)
{
	if (!g->n_axes)
		return hc_err_set(err, HC_EINPUT, "%s: got no list of values under \"grid\" or "
				  "\"zip\"; allowed: at least one, e.g. \"grid\": {\"iterations\": "
				  "[50, 100]}", g->origin);
	size_t n = 1;
	for (size_t a = g->n_axes; a-- > 0;) {
		g->axes[a].stride = n;
		n *= g->axes[a].n_values;
		if (n > SWEEP_MAX_POINTS)
			return hc_err_set(err, HC_EINPUT, "%s: the grid has more than %d points; "
					  "allowed: at most %d", g->origin, SWEEP_MAX_POINTS,
					  SWEEP_MAX_POINTS);
	}
	g->n_points = n;
	return 0;
}

static int load_keys(struct sweep_grid *g, struct hc_err *err)
{
	static const char allowed[] = "scenario, set, grid, zip (and comments: keys starting "
				      "with _)";
	if (!cJSON_IsObject(g->root))
		return bad(err, g->origin, "the top level", g->root, "an object with scenario, set, "
			   "grid and zip");
	const cJSON *item;
	cJSON_ArrayForEach(item, g->root) {
		const char *k = item->string;
		int rc = 0;
		if (!strcmp(k, "scenario"))
			rc = load_scenario_name(g, item, err);
		else if (!strcmp(k, "set"))
			rc = load_sets(g, item, err);
		else if (!strcmp(k, "grid"))
			rc = load_grid(g, item, err);
		else if (!strcmp(k, "zip"))
			rc = load_zip(g, item, err);
		else if (k[0] != '_')
			rc = hc_err_set(err, HC_EINPUT, "%s: %s: unknown key; allowed: %s",
					g->origin, k, allowed);
		if (rc)
			return rc;
	}
	return count_points(g, err);
}

int sweep_grid_load(struct sweep_grid *g, const char *path, struct hc_err *err)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->origin, sizeof(g->origin), "%s", path);
	g->root = jsonfile_load(path, err);
	if (!g->root)
		return err ? err->code : HC_EINPUT;
	/* "grid" before "zip" whatever the file's order, as sweep.h promises */
	cJSON *zip = cJSON_DetachItemFromObjectCaseSensitive(g->root, "zip");
	if (zip)
		cJSON_AddItemToObject(g->root, "zip", zip);
	int rc = load_keys(g, err);
	if (rc)
		sweep_grid_release(g);
	return rc;
}

void sweep_grid_release(struct sweep_grid *g)
{
	for (size_t i = 0; i < g->n_base_sets; i++)
		free(g->base_sets[i]);
	free(g->base_sets);
	cJSON_Delete(g->root);
	memset(g, 0, sizeof(*g));
}

const cJSON *sweep_point_value(const struct sweep_grid *g, size_t p, size_t c)
{
	const struct sweep_axis *a = &g->axes[g->columns[c].axis];
	return cJSON_GetArrayItem(g->columns[c].values, (int)(p / a->stride % a->n_values));
}

/* Loads the scenario with the base assignments and those of the columns in mask. */
static int load_with(const struct sweep_grid *g, size_t p, const int *mask, struct scenario *sc,
		     struct hc_err *err)
{
	char *own[SWEEP_MAX_COLUMNS] = { 0 };
	const char **all = calloc(g->n_base_sets + SWEEP_MAX_COLUMNS, sizeof(*all));
	size_t n = 0, n_own = 0;
	int rc = all ? 0 : hc_err_set(err, HC_ERUNTIME, "out of memory");
	for (size_t i = 0; !rc && i < g->n_base_sets; i++)
		all[n++] = g->base_sets[i];
	for (size_t c = 0; !rc && c < g->n_columns; c++) {
		if (mask && !mask[c])
			continue;
		own[n_own] = assignment_text(g->columns[c].path, sweep_point_value(g, p, c));
		if (!own[n_own])
			rc = hc_err_set(err, HC_ERUNTIME, "out of memory");
		else
			all[n++] = own[n_own++];
	}
	if (!rc)
		rc = scenario_load(sc, g->scenario[0] ? g->scenario : NULL, all, n, err);
	for (size_t i = 0; i < n_own; i++)
		free(own[i]);
	free(all);
	/* a bad path inside a grid file is bad input, not a bad command line */
	if (rc == HC_EUSAGE && err)
		err->code = HC_EINPUT;
	return rc == HC_EUSAGE ? HC_EINPUT : rc;
}

/* "point 5 (iterations=10, domains.x.model="gpt-4o")" */
static void describe_point(const struct sweep_grid *g, size_t p, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "point %zu (", p);
	for (size_t c = 0; c < g->n_columns && len < size; c++) {
		char v[80];
		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", c ? ", " : "",
					g->columns[c].path,
					json_describe(sweep_point_value(g, p, c), v, sizeof(v)));
	}
	if (len < size)
		snprintf(buf + len, size - len, ")");
}

int sweep_point_load(const struct sweep_grid *g, size_t p, struct scenario *sc,
		     struct hc_err *err)
{
	int rc = load_with(g, p, NULL, sc, err);
	if (rc) {
		char what[400];
		describe_point(g, p, what, sizeof(what));
		hc_err_prefix(err, "%s: %s", g->origin, what);
	}
	return rc;
}

/* Loads a scenario and resolves its models against the price sheet. */
static int try_load(const struct sweep_grid *g, size_t p, const int *mask,
		    const struct price_sheet *ps, struct hc_err *err)
{
	struct scenario sc;
	struct loop_models models;
	int rc = load_with(g, p, mask, &sc, err);
	if (rc)
		return rc;
	rc = loop_resolve_models(&sc, ps, &models, err);
	scenario_release(&sc);
	return rc;
}

/* Each axis value with the other axes at their first value: a real point, named precisely. */
static int check_axes(const struct sweep_grid *g, const struct price_sheet *ps,
		      struct hc_err *err)
{
	int mask[SWEEP_MAX_COLUMNS];
	for (size_t a = 0; a < g->n_axes; a++) {
		for (size_t c = 0; c < g->n_columns; c++)
			mask[c] = g->columns[c].axis == a;
		for (size_t i = 0; i < g->axes[a].n_values; i++) {
			int rc = try_load(g, i * g->axes[a].stride, mask, ps, err);
			if (!rc)
				continue;
			size_t c = 0;
			while (!mask[c])
				c++;
			if (!strcmp(g->columns[c].where, "grid"))
				return hc_err_prefix(err, "%s: grid.%s[%zu]", g->origin,
						     g->columns[c].path, i);
			return hc_err_prefix(err, "%s: %s, value [%zu] of each list", g->origin,
					     g->columns[c].where, i);
		}
	}
	return 0;
}

int sweep_grid_check(const struct sweep_grid *g, const struct price_sheet *ps,
		     struct hc_err *err)
{
	struct scenario sc;
	const char *where = g->scenario[0] ? "scenario" : "the embedded scenario";
	int rc = scenario_load(&sc, g->scenario[0] ? g->scenario : NULL, NULL, 0, err);
	if (rc)
		return hc_err_prefix(err, "%s: %s", g->origin, where);
	scenario_release(&sc);
	int none[SWEEP_MAX_COLUMNS] = { 0 };
	if (g->n_base_sets && try_load(g, 0, none, ps, err))
		return hc_err_prefix(err, "%s: set", g->origin);
	rc = check_axes(g, ps, err);
	for (size_t p = 0; !rc && p < g->n_points; p++) {
		rc = try_load(g, p, NULL, ps, err);
		if (rc) {
			char what[400];
			describe_point(g, p, what, sizeof(what));
			hc_err_prefix(err, "%s: %s", g->origin, what);
		}
	}
	return rc;
}

cJSON *sweep_grid_to_json(const struct sweep_grid *g)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "grid_file", g->origin);
	cJSON_AddStringToObject(o, "scenario", g->scenario[0] ? g->scenario
							      : "embedded:" EMBEDDED_SCENARIO);
	static const char *const keys[] = { "set", "grid", "zip" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(g->root, keys[i]);
		if (v)
			cJSON_AddItemToObject(o, keys[i], cJSON_Duplicate(v, 1));
	}
	cJSON *axes = cJSON_AddArrayToObject(o, "axes");
	for (size_t a = 0; a < g->n_axes; a++) {
		cJSON *axis = cJSON_CreateObject();
		cJSON *paths = cJSON_AddArrayToObject(axis, "paths");
		for (size_t c = 0; c < g->n_columns; c++)
			if (g->columns[c].axis == a)
				cJSON_AddItemToArray(paths, cJSON_CreateString(g->columns[c].path));
		cJSON_AddNumberToObject(axis, "values", (double)g->axes[a].n_values);
		cJSON_AddNumberToObject(axis, "stride", (double)g->axes[a].stride);
		cJSON_AddItemToArray(axes, axis);
	}
	cJSON_AddStringToObject(o, "order", "row-major: grid keys, then zip groups, as written; "
				"the last axis varies fastest");
	cJSON_AddNumberToObject(o, "points", (double)g->n_points);
	return o;
}
