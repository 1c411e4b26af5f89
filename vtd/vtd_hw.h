/*
 * The thin hardware layer under vtd/: register access, cache flushes, time
 * and memory. vtd/hw.c implements it for the machine; unit tests link a
 * fake (tests/unit/test_vtd_fakehw.c) that models a remapping unit.
 */
#ifndef BH_VTD_HW_H
#define BH_VTD_HW_H

#include "types.h"

struct vtd_unit;

/* The unit's register page(s) at physical @base; NULL when not reachable. */
volatile u8 *vtd_hw_map_regs(u64 base);
u32 vtd_hw_read32(const struct vtd_unit *u, unsigned off);
u64 vtd_hw_read64(const struct vtd_unit *u, unsigned off);
void vtd_hw_write32(struct vtd_unit *u, unsigned off, u32 v);
void vtd_hw_write64(struct vtd_unit *u, unsigned off, u64 v);

/* Write back [p, p + len) from the CPU caches (clflush), ordered before later stores. */
void vtd_hw_clflush(const void *p, size_t len);
/* A zeroed 4 KiB page, physical = virtual; NULL when out of memory. */
void *vtd_hw_alloc_page(void);
void vtd_hw_free_page(void *p);
/* Monotonic microseconds (rate limits, time-outs). */
u64 vtd_hw_now_us(void);
/* Called between polls of a register. */
void vtd_hw_relax(void);
/* The board description built into the image (its IOMMU section); NULL: none. */
struct board_config;
const struct board_config *vtd_hw_board(void);

#endif
