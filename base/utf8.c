/* utf8: checking and repairing UTF-8 text. Contracts in utf8.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/utf8.h"

/*
 * Returns the first byte that is not part of well-formed UTF-8 (Unicode Table 3-7), or NULL.
 * The second byte's range rules out overlong forms (C0, C1, E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF).
 */
const char *utf8_invalid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		uint64_t word;
		/* ASCII, the common case, eight bytes at a time: no byte with its high bit set */
		if (end - p >= 8 && (memcpy(&word, p, 8), !(word & 0x8080808080808080u))) {
			p += 8;
			continue;
		}
		unsigned c = *p;
		size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : (c >> 4) == 0xe ? 3 :
			   c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!n || (size_t)(end - p) < n)
			return (const char *)p;
		unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
		unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
		if (n > 1 && (p[1] < lo || p[1] > hi))
			return (const char *)p;
		for (size_t i = 2; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return (const char *)p;
		p += n;
	}
	return NULL;
}

char *utf8_repair(const char *src, size_t len, size_t *out_len)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const char *end = src + len, *bad;
	char *out = malloc(3 * len + 1), *o = out; /* each byte at most U+FFFD's three */
	if (!out)
		return NULL;
	while ((bad = utf8_invalid(src, (size_t)(end - src))) != NULL) {
		memcpy(o, src, (size_t)(bad - src));
		o += bad - src;
		memcpy(o, fffd, 3);
		o += 3;
		src = bad + 1;
	}
	memcpy(o, src, (size_t)(end - src));
	o += end - src;
	*o = '\0';
	if (out_len)
		*out_len = (size_t)(o - out);
	return out;
}
