/* A guest RAM buffer with one split queue laid out in it, for the queue tests. */
#ifndef VQ_FIXTURE_H
#define VQ_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "virtq.h"

#define FX_RAM		(1u << 20)
#define FX_DESC		0x1000u
#define FX_AVAIL	0x3000u
#define FX_USED		0x4000u
#define FX_BUF		0x10000u	/* buffers from here */

struct fx {
	struct gmem mem;
	struct virtq q;
	uint16_t size;
	uint16_t avail_idx;
	struct iovec iov[64];
	struct virtq_chain c;
};

static inline int fx_init(struct fx *f, uint16_t size, uint64_t features)
{
	if (!f->mem.base) {
		f->mem.base = calloc(1, FX_RAM);
		f->mem.size = FX_RAM;
	}
	memset(f->mem.base, 0, FX_RAM);
	f->size = size;
	f->avail_idx = 0;
	return virtq_init(&f->q, &f->mem, size, FX_DESC, FX_AVAIL, FX_USED, features);
}

static inline void fx_free(struct fx *f)
{
	free(f->mem.base);
	f->mem.base = NULL;
}

static inline struct virtq_desc *fx_desc(struct fx *f, unsigned i)
{
	return (struct virtq_desc *)(f->mem.base + FX_DESC) + i;
}

static inline void fx_set(struct fx *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc d = { addr, len, flags, next };

	memcpy(fx_desc(f, i), &d, sizeof(d));
}

static inline uint16_t *fx_avail(struct fx *f) { return (uint16_t *)(f->mem.base + FX_AVAIL); }

/* Make head available (ring entry, then the index, as a driver does). */
static inline void fx_offer(struct fx *f, uint16_t head)
{
	fx_avail(f)[2 + (f->avail_idx % f->size)] = head;
	fx_avail(f)[1] = ++f->avail_idx;
}

static inline uint16_t fx_used_idx(struct fx *f) { return *(uint16_t *)(f->mem.base + FX_USED + 2); }

static inline struct virtq_used_elem fx_used(struct fx *f, unsigned slot)
{
	struct virtq_used_elem e;

	memcpy(&e, f->mem.base + FX_USED + 4 + 8 * slot, sizeof(e));
	return e;
}

static inline int fx_pop(struct fx *f)
{
	return virtq_pop(&f->q, &f->c, f->iov, 64);
}

#endif
