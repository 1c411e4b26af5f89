/*
 * A guest's RAM as the device model sees it: one mapping of guest-physical
 * 0..size at base. Every pointer into guest memory comes from gmem_ptr, which
 * refuses ranges outside RAM or wrapping; tests and fuzzers use a buffer.
 */
#ifndef DM_GMEM_H
#define DM_GMEM_H

#include <stdint.h>

struct gmem {
	uint8_t *base;
	uint64_t size;
};

/* Host address of [gpa, gpa + len) if all of it is guest RAM, else NULL. */
static inline void *gmem_ptr(const struct gmem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return 0;
	return m->base + gpa;
}

#endif
