/*
 * The contract between the post-launched test guest (post/) and the device
 * models that emulate its devices in the Service VM (dm64/, and hsmtest in
 * tests/sos/). Macros and what a device model answers, in plain C types:
 * the 32-bit guest, the 64-bit freestanding dm64 and the Linux program all
 * include it.
 */
#ifndef GUEST_POST_DEV_H
#define GUEST_POST_DEV_H

/* Test device, port I/O (32-bit registers). */
#define POSTDEV_PORT_BASE	0x5000
#define POSTDEV_PORT_SIZE	0x10
#define POSTDEV_COUNTER		0x5000	/* read: POSTDEV_COUNTER_MAGIC + n for the n-th read */
#define POSTDEV_COUNTER_MAGIC	0x5EED0000u
#define POSTDEV_SCRATCH		0x5004	/* read/write */
#define POSTDEV_PHASE		0x5008	/* read: the phase (1, 2, 3); write n: phase n done */
#define POSTDEV_BENCH		0x500C	/* read: 0 at once (round-trip benchmark); write: the
					 * guest's average round trip in TSC ticks */
#define POSTDEV_SILENT		0x5010	/* read: never answered (the hypervisor must time out) */
#define POSTDEV_BENCH_SHIFT	6
#define POSTDEV_IRQ		0x5014	/* write: the device model injects POSTDEV_MSI_VECTOR
					 * (INJECT_MSI) and pulses POSTDEV_IRQ_GSI (SET_IRQLINE) */
#define POSTDEV_MSI_VECTOR	0x52
#define POSTDEV_IRQ_GSI		5
#define POSTDEV_IRQ_VECTOR	0x53	/* 64 timed reads (no 64-bit division in the guest) */
/*
 * With "evfd=1" on the command line (Linux's HSM as the device model): a write
 * here is completed in the Service VM's kernel (an ioeventfd), and the device
 * model answers it with POSTDEV_EVFD_VECTOR through an irqfd.
 */
#define POSTDEV_EVFD		0x5018
#define POSTDEV_EVFD_VALUE	0xE7Fu
#define POSTDEV_EVFD_VECTOR	0x54

/* Test device, MMIO: not RAM in the post VM, so every access is forwarded. */
#define POSTDEV_MMIO_BASE	0xD0000000u
#define POSTDEV_MMIO_SIZE	0x1000u
#define POSTDEV_MMIO_ID		0x0	/* read: POSTDEV_MMIO_ID_VALUE */
#define POSTDEV_MMIO_ID_VALUE	0xB0CC0DE5u
#define POSTDEV_MMIO_SCRATCH	0x4	/* read/write */

/* PCI function the device model emulates through forwarded PCICFG requests. */
#define POSTDEV_PCI_DEV		5	/* 00:05.0 */
#define POSTDEV_PCI_ID		0x10F01AF4u	/* device 0x10f0, vendor 0x1af4 */
#define POSTDEV_PCI_SUBSYS	0x00051AF4u	/* offset 0x2C: subsystem 0x0005, vendor 0x1af4 */
#define POSTDEV_PCI_CLASS	0x00FF0000u	/* offset 0x08: class ff (unassigned), rev 0 */
#define POSTDEV_PCI_ABSENT_DEV	7	/* 00:07.0: nobody; the device model answers ~0 */

/* The e1000 the Service VM assigns to the post VM (Bochs's slot 2 = 00:03.0). */
#define POST_E1000_DEV		3
#define POST_E1000_ID		0x100E8086u
#define POST_E1000_BAR0		0xC0000000u	/* the GPA the device model chose */
#define POST_E1000_STATUS	0x8	/* STATUS register offset in BAR0 */
#define POST_E1000_GSI		11	/* its INTx: the same pin in the post VM (SET_PTDEV_INTR) */
#define POST_E1000_ICR		0xC0	/* interrupt cause, read-to-clear: phase 1 ends with */
#define POST_E1000_ICR_LEFT	0x80000001u	/* TXDW and INT_ASSERTED (ICS), INTx up */

/*
 * Whether a function has a reset the hypervisor uses when it changes hands
 * (dm/vpci/vpci_reset.c): PCI PM without No_Soft_Reset, or PCIe FLR.
 * cfg(off) reads a config dword. Then the e1000 comes back with ICR 0,
 * else with what the guest left there.
 */
static inline int post_pci_has_reset(unsigned int (*cfg)(unsigned int off))
{
	unsigned int at, guard;

	if (!(cfg(0x04) >> 16 & 0x10))		/* Status: no capability list */
		return 0;
	for (at = cfg(0x34) & 0xFC, guard = 0; at && guard < 48; guard++) {
		unsigned int hdr = cfg(at);

		if ((hdr & 0xFF) == 0x01 && !(cfg(at + 4) & 0x8))	/* PM, No_Soft_Reset clear */
			return 1;
		if ((hdr & 0xFF) == 0x10 && (cfg(at + 4) & 0x10000000))	/* PCIe DevCap FLR */
			return 1;
		at = hdr >> 8 & 0xFC;
	}
	return 0;
}

/* The HPET (an ACPI MMIO device of the board) the Service VM moves into the post VM. */
#define POST_HPET_GPA		0xFED00000u	/* where the device model puts it for us */
#define POST_HPET_ID		0x8086A201u	/* Bochs's HPET capabilities, low dword */

/*
 * "hpet=0" on the command line: the device model has no HPET to give (a Linux
 * Service VM keeps its own), and the HPET checks are skipped.
 */

/* The post VM's multiboot info, command line and boot GDT (user GPAs). */
#define POST_MBINFO_GPA		0x6000u
#define POST_CMDLINE_GPA	0x6800u
#define POST_GDT_GPA		0x7000u
#define POST_RAM_SIZE		0x1000000u	/* 16 MiB from GPA 0 */
#define POST_CMDLINE		"name=post"

/* Tests per phase (the device model relays both plans). */
#define POST_PHASE1_TESTS	18
#define POST_PHASE2_TESTS	6
#define POST_PHASE3_TESTS	1

/* 00:05.0's config space as a device model shows it: IDs, class, subsystem; the rest reads 0. */
static inline unsigned int postdev_pci_dword(unsigned int bus, unsigned int dev, unsigned int func,
					     unsigned int reg)
{
	if (bus != 0 || dev != POSTDEV_PCI_DEV || func != 0)
		return ~0U;
	switch (reg & ~3U) {
	case 0x00:
		return POSTDEV_PCI_ID;
	case 0x08:
		return POSTDEV_PCI_CLASS;
	case 0x2C:
		return POSTDEV_PCI_SUBSYS;
	default:
		return 0;
	}
}

/* A read of the test device's MMIO page (scratch: what the guest last wrote there). */
static inline unsigned long long postdev_mmio_read(unsigned long long addr,
						   unsigned long long scratch)
{
	if (addr < POSTDEV_MMIO_BASE || addr >= POSTDEV_MMIO_BASE + POSTDEV_MMIO_SIZE)
		return ~0ULL;
	switch (addr - POSTDEV_MMIO_BASE) {
	case POSTDEV_MMIO_ID:
		return POSTDEV_MMIO_ID_VALUE;
	case POSTDEV_MMIO_SCRATCH:
		return scratch;
	default:
		return 0;
	}
}

#endif
