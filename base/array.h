/*
 * array: the one growth rule of every growable array in hypercap: capacities double, from a
 * minimum, and a capacity whose bytes would not fit in a size_t is refused rather than
 * wrapped.
 */
#ifndef BASE_ARRAY_H
#define BASE_ARRAY_H

#include <stddef.h>

/*
 * The capacity for at least need elements of size bytes: cap doubled (min when cap is 0)
 * until it holds need, or cap itself when it already does. 0 when need * size or the doubled
 * capacity would overflow. Arrays that grow together (parallel columns) take one capacity
 * from the largest element size.
 */
size_t array_capacity(size_t cap, size_t need, size_t min, size_t size);

/*
 * v (of *cap elements of size bytes, n of them used) with room for element n: v itself, or
 * grown by array_capacity (from 64), *cap updated and the new elements zeroed. NULL when out
 * of memory or too large, v left as it was.
 */
void *array_room(void *v, size_t n, size_t *cap, size_t size);

#endif
