/*
 * Root and context entries (legacy, non-scalable mode): pure encode/decode.
 * One root entry per bus points at a context table of 256 entries (dev:fn).
 */
#ifndef BH_VTD_CTX_H
#define BH_VTD_CTX_H

#include "types.h"

#define VTD_ROOT_P		BIT(0)
#define VTD_CTX_P		BIT(0)
#define VTD_CTX_FPD		BIT(1)	/* fault processing disable: we never set it */
#define VTD_CTX_TT(t)		((u64)(t) << 2)	/* 0: untranslated via second level */
#define VTD_CTX_ADDR		0x000FFFFFFFFFF000ULL
#define VTD_CTX_AW(hi)		((unsigned)((hi) & 7))
#define VTD_CTX_DID(hi)		((u16)((hi) >> 8))

#define VTD_ENTRY_WORDS		2	/* root and context entries are 128 bits */
#define VTD_TABLE_ENTRIES	256

static inline u64 vtd_root_encode(u64 ctx_table_pa)
{
	return (ctx_table_pa & VTD_CTX_ADDR) | VTD_ROOT_P;
}

/* A present entry translating through the second-level tables at @slpt. */
static inline void vtd_ctx_encode(u64 slpt, unsigned levels, u16 did, u64 e[2])
{
	e[0] = (slpt & VTD_CTX_ADDR) | VTD_CTX_TT(0) | VTD_CTX_P;
	e[1] = (u64)(levels - 2) | ((u64)did << 8);
}

static inline bool vtd_ctx_present(const u64 e[2]) { return e[0] & VTD_CTX_P; }

#endif
