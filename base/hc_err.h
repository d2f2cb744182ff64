/*
 * hc_err: error values shared by every layer.
 *
 * Library functions return 0 on success or a negative HC_E* code, and may fill an optional
 * struct hc_err with the code and a message (which names the file, line or JSON path, the bad
 * value and what is allowed). Only cli/ prints messages or maps codes to exit statuses.
 */
#ifndef HC_ERR_H
#define HC_ERR_H

enum hc_code {
	HC_OK = 0,
	HC_ERUNTIME = -1, /* I/O, memory, a failed library call: exit 1 */
	HC_EUSAGE = -2,   /* bad command line: exit 2 */
	HC_EINPUT = -3,   /* bad input data: exit 3 */
};

#define HC_ERR_MSG_MAX 1024

struct hc_err {
	int code;
	char msg[HC_ERR_MSG_MAX];
};

#define HC_ERR_INIT { HC_OK, "" }

/*
 * Records code and a printf-style message in err (which may be NULL) and returns code, so
 * that `return hc_err_set(err, HC_EINPUT, "...", ...);` reads as one statement. The message
 * starts lowercase and has no final full stop.
 */
int hc_err_set(struct hc_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prepends "prefix: " to the message already in err. Returns err->code; when err is NULL it
 * does nothing and returns HC_ERUNTIME, so that a failure path never returns 0.
 */
int hc_err_prefix(struct hc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
