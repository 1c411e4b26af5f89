/*
 * Port and MMIO attacks: the host's reset, power and emulator-exit ports,
 * other VMs' ports, accesses straddling the end of an emulated MMIO range
 * (vLAPIC, vIOAPIC, vECAM), an instruction rewritten by vCPU 1 while vCPU 0
 * has it decoded for MMIO, and (last, it stops this VM) string I/O.
 */
#include "attack.h"

#define IOAPIC_IOWIN	(IOAPIC_BASE + 0x10)
#define BOCHS_EXIT	0x8900
#define HOST_PM1A_CNT	0xB004		/* the PIIX4's PM block (the board's, not our 0x404) */

void host_ports(void)
{
	static const char shutdown[] = "Shutdown";

	outb(0x92, 0x01);		/* fast reset */
	outb(0x64, 0xFE);		/* keyboard controller pulse reset */
	outw(HOST_PM1A_CNT, 0x3400);	/* host S5 */
	for (const char *c = shutdown; *c; c++)
		outb(BOCHS_EXIT, (u8)*c);	/* Bochs ends the emulation */
	outb(0x70, 0x0F);		/* CMOS shutdown status: the VM's own vRTC (pre-launched) */
	outb(0x71, 0x0A);
	outb(0x43, 0x30);		/* PIT channel 0 reprogrammed */
	outb(0x40, 0x01);
	outb(0x40, 0x00);
	outb(0x20, 0x11);		/* PIC re-initialised */
	attack_result(true, "host-reset-and-exit-ports",
		      "port 0x92, 8042 reset, host PM1a S5, Bochs 'Shutdown', CMOS, PIT, PIC "
		      "written; this VM, the victim and the hypervisor still run");
}

void foreign_ports(void)
{
	/* not 0x70/0x71: a pre-launched VM has a CMOS RTC of its own there (dm/vrtc.c) */
	static const u16 ports[] = { 0x1F7, 0x177, 0x2FD, 0xB000, 0xB100, 0xC000, 0xC020, 0x60, 0x61 };
	u32 bad = 0, first = 0;

	for (u32 i = 0; i < ARRAY_SIZE(ports); i++) {
		u8 v = inb(ports[i]);

		if (v != 0xFF && !bad++)
			first = ports[i] | (u32)v << 16;
	}
	attack_result(!bad, "foreign-ports-read-ones",
		      "IDE, COM2, host PM/SMBus, other VMs' device BARs, 8042, port 0x61: %u answered "
		      "something other than all ones (first port|value<<16 %#x)", bad, first);
}

static u32 read32_at(u32 addr)
{
	return *(volatile u32 *)addr;
}

static void write32_at(u32 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}

void straddles(void)
{
	u32 id0 = apic_id(), l, i, e, e2;

	l = read32_at(XAPIC_BASE + 0xFFE);
	write32_at(XAPIC_BASE + 0xFFE, 0xFFFFFFFF);
	write32_at(XAPIC_BASE + 0x2E, 0x00000000);	/* across the ID register's end */
	attack_result(apic_id() == id0, "mmio-straddle-lapic-end",
		      "4-byte read (%#x) and write at vLAPIC+0xFFE, write at +0x2E: APIC id %u -> %u", l, id0,
		      apic_id());

	ioapic_write(IOAPIC_REG_ID, 0);
	i = read32_at(IOAPIC_BASE + 0xFFE);
	write32_at(IOAPIC_BASE + 0xFFE, 0xFFFFFFFF);
	write32_at(IOAPIC_BASE + 0x0E, 0xFFFFFFFF);	/* IOREGSEL/IOWIN gap */
	attack_result((ioapic_read(IOAPIC_REG_VERSION) & 0xFF) != 0xFF, "mmio-straddle-ioapic-end",
		      "4-byte read (%#x) and write at vIOAPIC+0xFFE and +0x0E: version %#x", i,
		      ioapic_read(IOAPIC_REG_VERSION));

	e = read32_at(ECAM_BASE + 0xFFFFE);
	write32_at(ECAM_BASE + 0xFFFFE, 0xFFFFFFFF);	/* bus 0's last page, into bus 1 */
	e2 = read32_at(ECAM_BASE + (E1000_DEV << 15) + 0xFFE);
	write32_at(ECAM_BASE + (E1000_DEV << 15) + 0xFFE, 0xFFFFFFFF);
	write32_at(ECAM_BASE + (E1000_DEV << 15) + PCI_BAR0 - 2, 0xFFFFFFFF);	/* across into BAR0 */
	write32_at(ECAM_BASE + 0x0E, 0xFFFFFFFF);	/* the host bridge's header type into BAR0 */
	attack_result(pci_read16(0, 0, 0, PCI_VENDOR_ID) != 0xFFFF &&
		      (!have_e1000() || e1000_bar0() != 0xFFFFFFF0u), "mmio-straddle-ecam-ends",
		      "4-byte accesses at vECAM 0xFFFFE (read %#x), 00:03.0's +0xFFE (read %#x), +0x0E of "
		      "00:00.0 and 00:03.0: host bridge %#x, BAR0 %#x", e, e2, pci_read16(0, 0, 0, 0),
		      e1000_bar0());
}

/*
 * vCPU 0 reads the vIOAPIC's IOWIN at `site` in a loop; vCPU 1 rewrites the
 * opcode byte meanwhile (MOV load/store, dword/byte: same length), so the
 * hypervisor may decode something other than what the CPU ran.
 */
extern u8 race_site[];
static volatile u32 race_stop, race_flips;

static void ap_flip(u32 arg)
{
	static const u8 ops[] = { 0x8B, 0x89, 0x8A, 0x88 };

	(void)arg;
	for (u32 i = 0; i < ARRAY_SIZE(ops) && !race_stop; i++) {
		*(volatile u8 *)race_site = ops[i];
		race_flips++;
	}
}

static void decode_race(void)
{
	u64 end = rdtsc() + tsc_ms(150);
	u32 runs = 0, v = 0;

	ioapic_write(IOAPIC_REG_ID, 0);
	mmio_write32(IOAPIC_BASE, IOAPIC_REG_VERSION);
	race_stop = 0;
	race_flips = 0;
	ap_run(ap_flip, 0, &race_stop);
	while (rdtsc() < end) {
		asm volatile(".global race_site\nrace_site: .byte 0x8B, 0x03\n"	/* mov (%ebx), %eax */
			     : "+a"(v) : "b"(IOAPIC_IOWIN) : "memory");
		runs++;
	}
	race_stop = 1;
	ap_wait();
	*(volatile u8 *)race_site = 0x8B;
	attack_result((ioapic_read(IOAPIC_REG_VERSION) & 0xFF) != 0xFF, "mmio-decode-rewrite-race",
		      "%u vIOAPIC accesses while vCPU 1 rewrote the opcode %u times; vIOAPIC still answers",
		      runs, race_flips);
}

void io_attacks(void)
{
	host_ports();
	foreign_ports();
	straddles();
	decode_race();
}

/* String I/O: the hypervisor stops this VM ("string I/O ... is not supported"). */
void final_attack(void)
{
	static u8 buf[64];

	test_diag("ins-outs: REP INSB from port 0x1F0, last: the hypervisor stops this VM");
	console_flush();
	asm volatile("cld; rep insb" : : "D"(buf), "c"(sizeof(buf)), "d"(0x1F0) : "memory");
	test_fail_unnumbered("ins-outs: REP INSB ran in a VM whose string I/O the hypervisor refuses");
	power_off();
}
