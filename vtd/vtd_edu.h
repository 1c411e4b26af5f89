/* The QEMU "edu" PCI device (1234:11e8), driven by the VT-d self-checks. */
#ifndef BH_VTD_EDU_H
#define BH_VTD_EDU_H

#include "types.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_BUF			0x40000	/* its 4 KiB DMA buffer, as a device address */
#define EDU_BUF_SIZE		4096
/* QEMU 7.2 aborts on a transfer that reaches the buffer's last byte: stay below */
#define EDU_DMA_MAX		2048

struct edu {
	u16 bdf;
	volatile u8 *bar;	/* BAR0, 1 MiB of registers */
	u8 msi_cap;
	bool msi64;
};

/* Scan every bus for the first edu; enable memory decode and bus mastering. */
int edu_find(struct edu *e);
/* DMA @count bytes: RAM (@iova) to the buffer or back; waits up to @ms for completion. */
int edu_dma(const struct edu *e, u64 iova, u32 count, bool to_ram, unsigned ms);
/* Program and enable its single MSI vector (INTx off). */
void edu_msi_enable(const struct edu *e, u32 addr_lo, u32 addr_hi, u16 data);
void edu_irq_raise(const struct edu *e);
void edu_irq_ack(const struct edu *e);
u32 edu_read32(const struct edu *e, unsigned off);

#endif
