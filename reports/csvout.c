/* csvout: one CSV cell at a time, with its separator. Contracts in csvout.h. */
#include <csv.h>
#include <math.h>
#include <string.h>
#include "reports/csvout.h"

/* OWASP's CSV injection rule: a spreadsheet runs a cell starting with one of these. */
static int formula_start(char c)
{
	return c && strchr("=+-@\t\r", c) != NULL;
}

void csvout_text(FILE *out, const char *s)
{
	fputc(',', out);
	if (!s)
		return;
	if (!formula_start(s[0])) {
		csv_fwrite(out, s, strlen(s));
		return;
	}
	/* csv_fwrite's quoting, with the quote mark that makes the cell text */
	fputs("\"'", out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void csvout_num(FILE *out, double v, const char *fmt)
{
	char buf[64];
	fputc(',', out);
	if (!isfinite(v))
		return;
	snprintf(buf, sizeof(buf), fmt, v);
	/* 1.723456789e+10: a count with its last digits gone; its digits instead */
	if (fabs(v) >= 1 && strpbrk(buf, "eE"))
		fprintf(out, "%.0f", v);
	else
		fputs(buf, out);
}
