/*
 * PCI passthrough checks (pt=DEV: an e1000 expected at 00:DEV.0) and
 * isolation checks (nodev=DEV: nothing may answer at 00:DEV.0).
 */
#include "selftest.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100e
#define E1000_STATUS 0x08
#define E1000_EERD 0x14
#define EERD_START 0x1
#define EERD_DONE 0x10
#define PCI_COMMAND 0x04
#define PCI_BAR0 0x10
#define BAR_GPA 0xC0000000u	/* inside the VM's PCI window (0xC0000000-0xE0000000) */
#define ECAM_GPA 0xE0000000u
#define HV_EXIT_COUNT_LEAF 0x40000100	/* bulkhead: this vCPU's exits so far */

#define E1000_ICR 0xC0		/* interrupt cause, read to clear */
#define E1000_ICS 0xC8		/* interrupt cause set */
#define E1000_IMS 0xD0		/* interrupt mask set */
#define E1000_IMC 0xD8		/* interrupt mask clear */
#define E1000_INT_TXDW 0x1
#define INTX_GSI 11		/* the board routes the e1000's INTA there */
#define INTX_VECTOR 0x51

static volatile u32 intx_count, intx_cause;

static void intx_handler(u32 vector, struct isr_frame *frame)
{
	volatile u32 *regs = (volatile u32 *)BAR_GPA;

	(void)vector;
	(void)frame;
	intx_cause |= regs[E1000_ICR / 4];	/* reading clears it: the device drops INTx */
	intx_count++;
}

/* The e1000 raises its INTx on request (ICS); it must reach us through the vIOAPIC. */
static void intx_test(void)
{
	volatile u32 *regs = (volatile u32 *)BAR_GPA;

	irq_register(INTX_VECTOR, intx_handler);
	/* level, active low, physical destination 0 */
	ioapic_write(0x11 + 2 * INTX_GSI, 0);
	ioapic_write(0x10 + 2 * INTX_GSI, INTX_VECTOR | BIT(15) | BIT(13));
	(void)regs[E1000_ICR / 4];
	regs[E1000_IMS / 4] = E1000_INT_TXDW;
	regs[E1000_ICS / 4] = E1000_INT_TXDW;
	irq_enable();
	wait_for_count(&intx_count, 1, 1000);
	tsc_delay(2000000);		/* a storm would show as more interrupts */
	irq_disable();
	regs[E1000_IMC / 4] = ~0u;
	ioapic_write(0x10 + 2 * INTX_GSI, BIT(16));
	test_report(intx_count == 1 && (intx_cause & E1000_INT_TXDW),
		    "e1000 INTx (GSI %u) reached the guest through the vIOAPIC: %u interrupt(s), cause %#x",
		    INTX_GSI, intx_count, intx_cause);
}

static u32 exits_now(void)
{
	return cpuid(HV_EXIT_COUNT_LEAF).eax;
}

static unsigned scan_bus0(u32 *mask)
{
	unsigned n = 0;

	*mask = 0;
	for (u8 dev = 0; dev < 32; dev++)
		if (pci_read16(0, dev, 0, PCI_VENDOR_ID) != 0xFFFF) {
			*mask |= BIT(dev);
			n++;
		}
	return n;
}

static u16 eeprom_word(volatile u32 *regs, u8 word)
{
	regs[E1000_EERD / 4] = EERD_START | ((u32)word << 8);
	for (int i = 0; i < 100000; i++) {
		u32 v = regs[E1000_EERD / 4];

		if (v & EERD_DONE)
			return v >> 16;
	}
	return 0xFFFF;
}

void pt_tests(void)
{
	u8 dev = (u8)params.pt_dev;
	u32 mask, id, size, bar, v, e0, e1;
	volatile u32 *regs = (volatile u32 *)BAR_GPA;
	u64 t0, t1, t2;

	u32 n = scan_bus0(&mask);
	test_report(n == 2 && mask == (BIT(0) | BIT(dev)),
		    "PCI bus 0 shows exactly the host bridge and 00:%02x.0 (%u functions, mask %#x)",
		    dev, n, mask);
	id = pci_read32(0, dev, 0, PCI_VENDOR_ID);
	test_report(id == (E1000_VENDOR | (E1000_DEVICE << 16)), "00:%02x.0 is the e1000 (id %#x)", dev, id);

	pci_write32(0, dev, 0, PCI_BAR0, 0xFFFFFFFF);
	size = pci_read32(0, dev, 0, PCI_BAR0);
	test_report(size == 0xFFFE0000u, "BAR0 sizing reads %#x (128 KiB, 32-bit memory)", size);

	pci_write32(0, dev, 0, PCI_BAR0, BAR_GPA);
	pci_write16(0, dev, 0, PCI_COMMAND, pci_read16(0, dev, 0, PCI_COMMAND) | 0x6);
	bar = pci_read32(0, dev, 0, PCI_BAR0);
	v = regs[E1000_STATUS / 4];
	test_report(bar == BAR_GPA && v != 0xFFFFFFFF && v != 0,
		    "BAR0 moved to %#x, device STATUS reads %#x through it", bar, v);

	u16 w0 = eeprom_word(regs, 0), w1 = eeprom_word(regs, 1), w2 = eeprom_word(regs, 2);
	test_report(w0 == 0x5452 && w1 == 0x1200 && w2 == 0x5634,
		    "EEPROM MAC %02x:%02x:%02x:%02x:%02x:%02x read through EERD", w0 & 0xFF, w0 >> 8,
		    w1 & 0xFF, w1 >> 8, w2 & 0xFF, w2 >> 8);

	intx_test();

	e0 = exits_now();
	for (int i = 0; i < 1000; i++)
		v = regs[E1000_STATUS / 4];
	e1 = exits_now();
	test_report(e1 - e0 - 1 == 0, "1000 BAR reads caused %u VM exits", e1 - e0 - 1);
	printf("bench pt_bar_read_exits %u exits\n", e1 - e0 - 1);

	pci_write32(0, dev, 0, PCI_BAR0, 0x00100000);	/* the VM's own RAM */
	bar = pci_read32(0, dev, 0, PCI_BAR0);
	pci_write32(0, dev, 0, PCI_BAR0, 0x80000000);	/* outside the PCI window */
	u32 bar2 = pci_read32(0, dev, 0, PCI_BAR0);
	v = regs[E1000_STATUS / 4];
	test_report(bar == BAR_GPA && bar2 == BAR_GPA && v != 0xFFFFFFFF,
		    "BAR0 moves onto RAM and outside the window are refused (%#x, %#x), device still at %#x",
		    bar, bar2, BAR_GPA);

	/* config read costs: legacy ports and the virtual ECAM window */
	t0 = rdtsc();
	t1 = rdtsc();
	u64 ovh = t1 - t0;	/* an empty RDTSC pair */
	for (int i = 0; i < 64; i++)
		(void)pci_read32(0, dev, 0, PCI_VENDOR_ID);
	t2 = rdtsc();
	printf("bench vpci_cfg_read_pio %u insns\n", (u32)((t2 - t1 - ovh) >> 6));
	volatile u32 *ecam = (volatile u32 *)(ECAM_GPA + ((u32)dev << 15));
	t1 = rdtsc();
	for (int i = 0; i < 64; i++)
		v = ecam[0];
	t2 = rdtsc();
	test_report(v == id, "ECAM read of 00:%02x.0 agrees with 0xCF8/0xCFC (%#x)", dev, v);
	printf("bench vpci_cfg_read_ecam %u insns\n", (u32)((t2 - t1 - ovh) >> 6));
}

void nodev_tests(void)
{
	u8 dev = (u8)params.nodev;
	u32 mask;
	u32 n = scan_bus0(&mask);
	u32 id = pci_read32(0, dev, 0, PCI_VENDOR_ID);

	pci_write32(0, dev, 0, PCI_BAR0, BAR_GPA);	/* must change nothing anywhere */
	test_report(n == 1 && mask == BIT(0) && id == 0xFFFFFFFF &&
		    pci_read32(0, dev, 0, PCI_BAR0) == 0xFFFFFFFF,
		    "another VM's device 00:%02x.0 is invisible (bus mask %#x, id %#x)", dev, mask, id);
}
