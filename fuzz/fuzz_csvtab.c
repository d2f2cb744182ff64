/* A results CSV read back by `report` and the plots (reports/csvtab): every cell as a number. */
#include "fuzz/fuzz.h"
#include "reports/csvtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvtab t;
	struct hc_err err = HC_ERR_INIT;
	if (csvtab_load(&t, fuzz_file("table.csv", data, size), &err))
		return 0;
	int col;
	csvtab_need(&t, "iteration", &col, &err);
	for (size_t row = 0; row < t.n_rows; row++)
		for (size_t c = 0; c < t.n_cols; c++) {
			double v;
			csvtab_num(&t, row, (int)c, &v, &err);
		}
	csvtab_release(&t);
	return 0;
}
