/* numfmt: numbers as a person reads them. Contracts in numfmt.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "reports/numfmt.h"

static const char *scaled(double n, const char *const *unit, int n_units, const char *sep,
			  char *buf, size_t size)
{
	int i = 0;
	if (!isfinite(n)) {
		snprintf(buf, size, "–");
		return buf;
	}
	while (fabs(n) >= 999.5 && i < n_units - 1) {
		n /= 1000;
		i++;
	}
	snprintf(buf, size, i ? "%.3g%s%s" : "%.0f%s%s", n, sep, unit[i]);
	return buf;
}

const char *numfmt_count(double n, char *buf, size_t size)
{
	static const char *const suffix[] = { "", "k", "M", "B", "T" };
	return scaled(n, suffix, 5, "", buf, size);
}

const char *numfmt_bytes(double n, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	return scaled(n, unit, 6, " ", buf, size);
}

const char *numfmt_usd(double usd, char *buf, size_t size)
{
	char digits[64], grouped[96];
	if (!isfinite(usd)) {
		snprintf(buf, size, "–");
		return buf;
	}
	/* below half a cent, two significant digits rather than "$0.00" */
	int cents = usd == 0 || fabs(usd) >= 0.005;
	int decimals = cents ? 2 : (int)ceil(-log10(fabs(usd))) + 1;
	snprintf(digits, sizeof(digits), "%.*f", decimals > 12 ? 12 : decimals, fabs(usd));
	size_t whole = strcspn(digits, "."), k = 0;
	for (size_t i = 0; digits[i] && k + 2 < sizeof(grouped); i++) {
		if (i && i < whole && (whole - i) % 3 == 0)
			grouped[k++] = ',';
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	snprintf(buf, size, "%s$%s", usd < 0 && digits[strspn(digits, "0.")] ? "-" : "",
		 grouped);
	return buf;
}
