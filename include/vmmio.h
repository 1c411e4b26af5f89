/* MMIO device passthrough helpers (dm/vmmio/). */
#ifndef BH_VMMIO_H
#define BH_VMMIO_H

#include "types.h"

struct vm;
struct board_acpi_dev;

/* EPT maps whole pages: a small region (an HPET's 1 KiB) takes its page. */
struct page_span {
	u64 gpa, hpa, size;
};

/* [hpa, +size), seen at gpa (same page offset), rounded out to the pages that hold it. */
static inline struct page_span vmmio_page_span(u64 gpa, u64 hpa, u64 size)
{
	u64 off = hpa & (PAGE_SIZE - 1);

	return (struct page_span){ gpa - off, hpa - off, ALIGN_UP(off + size, PAGE_SIZE) };
}

typedef u32 (*vmmio_read32_fn)(u64 hpa);

/* A board device's register (vmmio_hw.c; unit tests supply their own). */
u32 vmmio_hw_read32(u64 hpa);

/*
 * Can the board device whose MMIO range is [base, +size) send MSIs of its
 * own (an HPET with FSB-capable timers)? Reads only inside that range.
 */
bool vmmio_dev_sends_msi(const struct board_acpi_dev *dev, u64 base, u64 size,
			 vmmio_read32_fn rd);
/*
 * May vm have host range [hpa, +size) (the pages EPT maps)? Every board
 * device with a range in it counts. 0 when none of them sends MSIs,
 * interrupt remapping is on, or vm is trusted (logged); else -EPERM.
 */
int vmmio_msi_check(const struct vm *vm, u64 hpa, u64 size);

#endif
