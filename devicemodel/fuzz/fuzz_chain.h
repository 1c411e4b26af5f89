/*
 * The descriptor chain a valid queue could hand over, built from fuzz
 * input for the request parsers' harnesses: per segment a writable flag, a
 * 16-bit length and its bytes (what the input lacks reads zero), each its
 * own heap block so ASan sees any byte taken out of bounds; readable
 * segments first, as the walker guarantees. fuzz_chain_free gives them back.
 */
#ifndef DM_FUZZ_CHAIN_H
#define DM_FUZZ_CHAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtq.h"

#define FUZZ_MAX_SEGS		8
#define FUZZ_MAX_SEG_LEN	4096

/* c->iov must have FUZZ_MAX_SEGS entries; at most nsegs segments are taken. */
static inline void fuzz_chain_build(const uint8_t *data, size_t len, unsigned nsegs,
				    struct virtq_chain *c)
{
	struct { bool w; size_t len; const uint8_t *src; size_t have; } seg[FUZZ_MAX_SEGS];
	struct iovec *iov = c->iov;
	unsigned n = 0;

	for (unsigned i = 0; i < nsegs && i < FUZZ_MAX_SEGS && len >= 3; i++) {
		uint16_t l;

		seg[n].w = data[0] & 1;
		memcpy(&l, data + 1, 2);
		seg[n].len = l % (FUZZ_MAX_SEG_LEN + 1);
		data += 3;
		len -= 3;
		seg[n].src = data;
		seg[n].have = seg[n].len < len ? seg[n].len : len;
		data += seg[n].have;
		len -= seg[n].have;
		n++;
	}
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < n; i++) {
			uint8_t *p;

			if (seg[i].w != (pass == 1))
				continue;
			p = malloc(seg[i].len ? seg[i].len : 1);
			memset(p, 0, seg[i].len);
			memcpy(p, seg[i].src, seg[i].have);
			iov[c->n_read + c->n_write] = (struct iovec){ p, seg[i].len };
			if (pass) {
				c->n_write++;
				c->write_len += (uint32_t)seg[i].len;
			} else {
				c->n_read++;
				c->read_len += (uint32_t)seg[i].len;
			}
		}
}

static inline void fuzz_chain_free(struct virtq_chain *c)
{
	for (unsigned i = 0; i < c->n_read + c->n_write; i++)
		free(c->iov[i].iov_base);
}

#endif
