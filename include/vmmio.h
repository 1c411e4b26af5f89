/* MMIO device passthrough helpers (dm/vmmio/). */
#ifndef BH_VMMIO_H
#define BH_VMMIO_H

#include "types.h"

struct vm;
struct board_acpi_dev;

typedef u32 (*vmmio_read32_fn)(u64 hpa);

/* Can the board device at hpa send MSIs of its own (an HPET with FSB-capable timers)? */
bool vmmio_dev_sends_msi(const struct board_acpi_dev *dev, u64 hpa, vmmio_read32_fn rd);
/* 0 when vm may have it: no MSIs, interrupt remapping on, or vm trusted (logged); else -EPERM. */
int vmmio_msi_check(const struct vm *vm, const struct board_acpi_dev *dev, u64 hpa);

#endif
