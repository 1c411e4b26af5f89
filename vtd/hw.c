/* The machine side of vtd_hw.h: MMIO registers, clflush, TSC time, the page allocator. */
#include "lib.h"
#include "lapic.h"
#include "mm.h"
#include "vm_config.h"
#include "vtd_hw.h"
#include "vtd_unit.h"
#include "x86.h"

/* Only the low 4 GiB are mapped (identity, the top GiB uncached). */
volatile u8 *vtd_hw_map_regs(u64 base)
{
	return base && base < (4ULL << 30) - PAGE_SIZE ? phys_to_virt(base) : NULL;
}

u32 vtd_hw_read32(const struct vtd_unit *u, unsigned off)
{
	return *(volatile u32 *)(u->regs + off);
}

u64 vtd_hw_read64(const struct vtd_unit *u, unsigned off)
{
	return *(volatile u64 *)(u->regs + off);
}

void vtd_hw_write32(struct vtd_unit *u, unsigned off, u32 v)
{
	asm volatile("" ::: "memory");	/* table stores before the command */
	*(volatile u32 *)(u->regs + off) = v;
}

void vtd_hw_write64(struct vtd_unit *u, unsigned off, u64 v)
{
	asm volatile("" ::: "memory");
	*(volatile u64 *)(u->regs + off) = v;
}

void vtd_hw_clflush(const void *p, size_t len)
{
	uintptr_t a = ALIGN_DOWN((uintptr_t)p, 64), end = (uintptr_t)p + len;

	asm volatile("mfence" ::: "memory");
	for (; a < end; a += 64)
		asm volatile("clflush (%0)" :: "r"(a) : "memory");
	asm volatile("mfence" ::: "memory");
}

void *vtd_hw_alloc_page(void)
{
	return page_alloc(1);
}

void vtd_hw_free_page(void *p)
{
	page_free(p, 1);
}

u64 vtd_hw_now_us(void)
{
	return tsc_khz ? rdtsc() / (tsc_khz / 1000 ? tsc_khz / 1000 : 1) : rdtsc() >> 10;
}

void vtd_hw_relax(void)
{
	udelay(1);
}

const struct board_config *vtd_hw_board(void)
{
	return scenario.board_info;
}
