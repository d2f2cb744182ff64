/*
 * array: room for one more element in a growable array (doubling, from 64), for the tables
 * that re-timing, fitting and tallying a trace build as they read it.
 */
#ifndef BASE_ARRAY_H
#define BASE_ARRAY_H

#include <stddef.h>

/*
 * v (of *cap elements of size bytes, n of them used) with room for element n: v itself, or
 * grown, *cap updated and the new elements zeroed. NULL when out of memory, v left as it was.
 */
void *array_room(void *v, size_t n, size_t *cap, size_t size);

#endif
