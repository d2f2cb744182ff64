/* array: growable arrays. Contracts in array.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/array.h"

size_t array_capacity(size_t cap, size_t need, size_t min, size_t size)
{
	size_t c = cap ? cap : (min ? min : 1);
	size_t most = size ? SIZE_MAX / size : SIZE_MAX;
	while (c < need) {
		if (c > most / 2)
			return 0;
		c *= 2;
	}
	return c <= most ? c : 0;
}

void *array_room(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	size_t c = array_capacity(*cap, n + 1, 64, size);
	if (!c)
		return NULL;
	char *grown = realloc(v, c * size);
	if (!grown)
		return NULL;
	memset(grown + *cap * size, 0, (c - *cap) * size);
	*cap = c;
	return grown;
}
