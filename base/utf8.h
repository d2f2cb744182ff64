/*
 * utf8: checking and repairing UTF-8 text, for everything that goes into or comes out of JSON
 * (which must be UTF-8): traces, provider logs, the meter's records.
 */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H

#include <stddef.h>

/*
 * The first byte of s[0..len) that is not part of well-formed UTF-8 (Unicode Table 3-7), or
 * NULL. Overlong forms, surrogates and code points above U+10FFFF are not well-formed.
 */
const char *utf8_invalid(const char *s, size_t len);

/*
 * src[0..len) as UTF-8 text: each byte that is not part of well-formed UTF-8 becomes U+FFFD,
 * so that what a provider sent can go into a trace as it was, minus the bad bytes. A
 * NUL-terminated copy the caller frees, its length in *out_len (may be NULL); NULL when out of
 * memory.
 */
char *utf8_repair(const char *src, size_t len, size_t *out_len);

#endif
