/* textdist: "did you mean" suggestions for unknown names. Contracts in textdist.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "model/textdist.h"

#define TEXTDIST_MAX 127

size_t textdist_levenshtein(const char *a, const char *b)
{
	size_t la = strnlen(a, TEXTDIST_MAX), lb = strnlen(b, TEXTDIST_MAX);
	size_t row[TEXTDIST_MAX + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) !=
				      tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

void textdist_suggest(const char *name, const char *const *candidates, size_t n, char *buf,
		      size_t size)
{
	size_t best[3] = { 0 }, dist[3];
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		size_t d = textdist_levenshtein(name, candidates[i]);
		size_t len = strlen(name) > strlen(candidates[i]) ? strlen(name)
								  : strlen(candidates[i]);
		if (d * 3 > len && !(strlen(name) >= 3 && contains_ci(candidates[i], name)))
			continue;
		/* insertion into the three best, ties kept in candidate order */
		size_t k = found < 3 ? found++ : 3;
		while (k > 0 && dist[k - 1] > d) {
			if (k < 3) {
				best[k] = best[k - 1];
				dist[k] = dist[k - 1];
			}
			k--;
		}
		if (k < 3) {
			best[k] = i;
			dist[k] = d;
		}
	}
	if (!found) {
		snprintf(buf, size, "none");
		return;
	}
	size_t used = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < found && used < size; k++)
		used += (size_t)snprintf(buf + used, size - used, "%s'%s'", k ? ", " : "",
					 candidates[best[k]]);
}
