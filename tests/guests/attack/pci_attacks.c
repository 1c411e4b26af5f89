/*
 * PCI attacks: raw config writes to the host bridge, to functions that are
 * not ours and past the passed-through e1000's header (extended space, where
 * SR-IOV and Resizable BAR capabilities live), BAR0 moved onto our RAM and
 * the hypervisor's emulated pages, and BAR moves and Command toggles by one
 * vCPU while the other uses the device.
 */
#include "attack.h"

#define E1000_IOADDR	0
#define E1000_IODATA	4
#define RAM_PROBE	0x1800000u	/* our RAM, away from the image */
#define BAR_ALT_OFFSET	0x100000u	/* a second place inside the PCI window */

static u32 ecam(u8 dev, u16 reg)
{
	return ECAM_BASE + ((u32)dev << 15) + reg;
}

void host_bridge_raw(void)
{
	u32 before[48], changed = 0;

	for (u32 i = 0; i < 48; i++)
		before[i] = pci_read32(0, 0, 0, 0x40 + i * 4);
	for (u32 off = 0x40; off < 0x100; off += 4)
		pci_write32(0, 0, 0, off, 0xFFFFFFFF);	/* PAM 0x59-0x5F, SMRAM 0x72, ... */
	pci_write8(0, 0, 0, 0x72, 0x4A);			/* D_OPEN | G_SMRAME */
	for (u32 i = 0; i < 48; i++)
		changed += pci_read32(0, 0, 0, 0x40 + i * 4) != before[i];
	attack_result(!changed, "host-bridge-raw-config",
		      "all ones over 00:00.0's 0x40-0xFF (PAM, SMRAM), SMRAM opened: %u dwords changed", changed);
}

void foreign_functions(void)
{
	u32 answered = 0;

	for (u8 fn = 0; fn < 4; fn++) {
		pci_write32(0, 1, fn, 0x40, 0xB001);	/* PIIX4 PM base */
		pci_write8(0, 1, fn, 0x80, 0x01);		/* PMREGMISC: PM I/O on */
		pci_write16(0, 1, fn, PCI_COMMAND, 0x7);
		answered += pci_read32(0, 1, fn, 0) != 0xFFFFFFFF;
	}
	for (u16 off = 0; off < 0x100; off += 4)
		*(volatile u32 *)ecam(1, off) = 0xFFFFFFFF;
	attack_result(!answered, "foreign-function-config-writes",
		      "writes to the Service VM's PIIX3/IDE/USB/PM (00:01.x, PM base moved, I/O on): "
		      "%u functions answered", answered);
}

static void e1000_ext_config(void)
{
	u32 not_ones = 0;

	for (u16 off = 0x100; off < 0x1000; off += 4) {
		*(volatile u32 *)ecam(E1000_DEV, off) = 0xFFFFFFFF;	/* SR-IOV / ReBAR would be here */
		not_ones += *(volatile u32 *)ecam(E1000_DEV, off) != 0xFFFFFFFF;
	}
	attack_result(!not_ones && pci_read16(0, E1000_DEV, 0, 0) == 0x8086, "ext-config-sriov-rebar-writes",
		      "all ones over the e1000's 0x100-0xFFF: %u dwords read back otherwise", not_ones);
}

static void e1000_config_past_header(void)
{
	u32 cmd = pci_read32(0, E1000_DEV, 0, PCI_COMMAND), bar0 = e1000_bar0();

	for (u16 off = 0x40; off < 0x100; off += 4)
		pci_write32(0, E1000_DEV, 0, off, 0xFFFFFFFF);
	attack_result(pci_read16(0, E1000_DEV, 0, 0) == 0x8086 && e1000_bar0() == bar0 &&
		      pci_read32(0, E1000_DEV, 0, PCI_COMMAND) == cmd, "passthrough-config-0x40-plus",
		      "all ones over the e1000's 0x40-0xFF: still the e1000, BAR0 %#x, Command %#x", e1000_bar0(),
		      pci_read32(0, E1000_DEV, 0, PCI_COMMAND) & 0xFFFF);
}

static u32 e1000_status_io(void)
{
	u16 io = e1000_iobase();

	outl(io + E1000_IOADDR, E1000_STATUS);
	return inl(io + E1000_IODATA);
}

static void bar_onto_forbidden(void)
{
	static const u32 targets[] = { RAM_PROBE, 0x1000000, XAPIC_BASE, IOAPIC_BASE, ECAM_BASE, 0xF0000000 };
	u32 bar0 = e1000_bar0(), lost = 0, status = mmio_read32(bar0 + E1000_STATUS);
	u32 id = apic_id();

	*(volatile u32 *)RAM_PROBE = 0x5AFE5AFE;
	*(volatile u32 *)0x1000000 = 0xA5A5A5A5;
	for (u32 i = 0; i < ARRAY_SIZE(targets); i++) {
		pci_write32(0, E1000_DEV, 0, PCI_BAR0, targets[i]);
		lost += *(volatile u32 *)RAM_PROBE != 0x5AFE5AFE;
		lost += *(volatile u32 *)0x1000000 != 0xA5A5A5A5;
		lost += apic_id() != id;
		lost += ioapic_read(IOAPIC_REG_VERSION) == 0xFFFFFFFF;
	}
	pci_write32(0, E1000_DEV, 0, PCI_BAR0, bar0);
	attack_result(!lost && mmio_read32(bar0 + E1000_STATUS) == status, "bar-onto-ram-and-emulated-pages",
		      "BAR0 written onto our RAM, the vLAPIC, vIOAPIC, vECAM and above the window: %u losses; "
		      "BAR0 back at %#x answers %#x", lost, bar0, mmio_read32(bar0 + E1000_STATUS));
}

/* vCPU 1 moves BAR0 and toggles Command.MEM through vECAM while vCPU 0 uses the I/O BAR. */
static volatile u32 move_stop, moves;
static u32 move_home;

static void ap_move_bar(u32 arg)
{
	(void)arg;
	*(volatile u32 *)ecam(E1000_DEV, PCI_BAR0) = move_home + BAR_ALT_OFFSET;
	*(volatile u16 *)ecam(E1000_DEV, PCI_COMMAND) = PCI_CMD_IO;
	*(volatile u32 *)ecam(E1000_DEV, PCI_BAR0) = move_home;
	*(volatile u16 *)ecam(E1000_DEV, PCI_COMMAND) = PCI_CMD_IO | PCI_CMD_MEM;
	moves++;
}

static void bar_move_race(void)
{
	u64 end = rdtsc() + tsc_ms(150);
	u32 reads = 0, io_want = e1000_status_io(), odd = 0, bar, cmd;
	u32 want = mmio_read32(e1000_bar0() + E1000_STATUS);
	bool back;

	move_home = e1000_bar0();
	move_stop = 0;
	moves = 0;
	ap_run(ap_move_bar, 0, &move_stop);
	while (rdtsc() < end) {
		odd += e1000_status_io() != io_want;
		reads++;
	}
	move_stop = 1;
	back = ap_wait();
	bar = e1000_bar0();
	cmd = pci_read16(0, E1000_DEV, 0, PCI_COMMAND);
	attack_result(back && bar == move_home && (cmd & PCI_CMD_MEM) &&
		      mmio_read32(move_home + E1000_STATUS) == want, "bar-move-command-race",
		      "%u BAR0 moves + MEM toggles by vCPU 1, %u I/O-BAR reads (%u odd); back %u BAR0 %#x cmd %#x "
		      "status %#x/%#x", moves, reads, odd, back, bar, cmd, mmio_read32(move_home + E1000_STATUS),
		      want);
}

/* Both vCPUs write BAR0 through 0xCF8/0xCFC (one latch per VM) at once. */
static void ap_cf8_bar(u32 arg)
{
	pci_write32(0, E1000_DEV, 0, PCI_BAR0, arg);
	(void)pci_read32(0, 0, 0, 0);
}

static void cf8_race(void)
{
	u32 home = e1000_bar0(), reads = 0, status = mmio_read32(home + E1000_STATUS);
	u64 end = rdtsc() + tsc_ms(100);
	bool back;

	move_stop = 0;
	ap_run(ap_cf8_bar, home + BAR_ALT_OFFSET, &move_stop);
	while (rdtsc() < end) {
		pci_write32(0, E1000_DEV, 0, PCI_BAR0, home);
		(void)pci_read32(0, 1, 0, 0);
		reads++;
	}
	move_stop = 1;
	back = ap_wait();
	pci_write32(0, E1000_DEV, 0, PCI_BAR0, home);
	attack_result(back && e1000_bar0() == home && mmio_read32(home + E1000_STATUS) == status,
		      "cf8-latch-race", "%u 0xCF8/0xCFC pairs raced vCPU 1's; back %u; BAR0 %#x status %#x/%#x",
		      reads, back, e1000_bar0(), mmio_read32(home + E1000_STATUS), status);
}

bool have_e1000(void)
{
	return pci_read16(0, E1000_DEV, 0, PCI_VENDOR_ID) == 0x8086;
}

void pci_attacks(void)
{
	pci_write16(0, E1000_DEV, 0, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEM);
	host_bridge_raw();
	foreign_functions();
	e1000_ext_config();
	e1000_config_past_header();
	bar_onto_forbidden();
	bar_move_race();
	cf8_race();
}
