/* csvout: one CSV cell at a time, with its separator. Contracts in csvout.h. */
#include <csv.h>
#include <math.h>
#include <string.h>
#include "reports/csvout.h"

void csvout_text(FILE *out, const char *s)
{
	fputc(',', out);
	if (s)
		csv_fwrite(out, s, strlen(s));
}

void csvout_num(FILE *out, double v, const char *fmt)
{
	fputc(',', out);
	if (isfinite(v))
		fprintf(out, fmt, v);
}
