/*
 * hc_err: see hc_err.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/hc_err.h"

int hc_err_set(struct hc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int hc_err_prefix(struct hc_err *err, const char *fmt, ...)
{
	char joined[HC_ERR_MSG_MAX];
	size_t len;
	int n;
	va_list ap;

	/*
	 * Callers write `return hc_err_prefix(err, ...)` on a failure path; without an err
	 * there is no code to return, and 0 would turn the failure into a success.
	 */
	if (!err)
		return HC_ERUNTIME;
	va_start(ap, fmt);
	n = vsnprintf(joined, sizeof(joined), fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : (size_t)n < sizeof(joined) ? (size_t)n : sizeof(joined) - 1;
	joined[len] = '\0';
	/* Append by hand: snprintf("%s: %s") of two full buffers trips -Wformat-truncation. */
	if (err->msg[0] && len + 2 < sizeof(joined)) {
		size_t room = sizeof(joined) - len - 2 - 1;
		size_t mlen = strlen(err->msg);

		if (mlen > room)
			mlen = room;
		memcpy(joined + len, ": ", 2);
		memcpy(joined + len + 2, err->msg, mlen);
		joined[len + 2 + mlen] = '\0';
	}
	memcpy(err->msg, joined, sizeof(joined));
	return err->code;
}
