/* array: growable arrays. Contracts in array.h. */
#include <stdlib.h>
#include <string.h>
#include "base/array.h"

void *array_room(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t c = *cap ? *cap * 2 : 64;
	while (c <= n)
		c *= 2;
	char *grown = realloc(v, c * size);
	if (!grown)
		return NULL;
	memset(grown + *cap * size, 0, (c - *cap) * size);
	*cap = c;
	return grown;
}
