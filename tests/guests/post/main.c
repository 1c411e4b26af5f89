/*
 * post: the post-launched test guest. Its VM has no UART of the hypervisor's:
 * COM1, the test device (ports 0x5000.., MMIO 0xD0000000) and unknown PCI
 * functions are emulated by the Service VM's device model (dm64) through
 * forwarded I/O requests, and the dm64 relays its console as "post: ..." lines.
 * The device model runs it twice: phase 1 with the e1000 assigned (which it
 * ends with the e1000's INTx asserted), then (after PAUSE, RESET, DEASSIGN
 * and a fresh load) phase 2 without it. Each phase
 * prints its own plan, tells the device model it is done and halts.
 */
#include "guest.h"
#include "post_dev.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEM 0x2
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM 0x2C
#define PORT_SCRATCH_VALUE 0xA5A55A5Au
#define MMIO_SCRATCH_VALUE 0x12345678u
#define HOST_BRIDGE_ID 0x12378086u

#define E1000_ICR	0xC0
#define E1000_ICS	0xC8
#define E1000_IMS	0xD0
#define E1000_IMC	0xD8
#define E1000_INT_TXDW	0x1
#define INTX_VECTOR	0x51
#define RTE_LO(pin)	(0x10 + 2 * (pin))
#define RTE_HI(pin)	(0x11 + 2 * (pin))
#define RTE_MASKED	(1u << 16)
#define RTE_LEVEL	(1u << 15)
#define RTE_ACTIVE_LOW	(1u << 13)

static volatile u32 intx_count, intx_cause, msi_count, line_count, evfd_count;

static void intx_handler(u32 vector, struct isr_frame *frame)
{
	(void)vector;
	(void)frame;
	/* reading ICR clears it: the device drops INTx */
	intx_cause |= mmio_read32(POST_E1000_BAR0 + E1000_ICR);
	intx_count++;
}

static void msi_handler(u32 vector, struct isr_frame *frame)
{
	(void)vector;
	(void)frame;
	msi_count++;
}

static void line_handler(u32 vector, struct isr_frame *frame)
{
	(void)vector;
	(void)frame;
	line_count++;
}

/* The assigned e1000's INTx, routed to us by SET_PTDEV_INTR, raised on request (ICS). */
static void intx_test(void)
{
	irq_register(INTX_VECTOR, intx_handler);
	ioapic_write(RTE_HI(POST_E1000_GSI), 0);
	ioapic_write(RTE_LO(POST_E1000_GSI), INTX_VECTOR | RTE_LEVEL | RTE_ACTIVE_LOW);
	(void)mmio_read32(POST_E1000_BAR0 + E1000_ICR);
	mmio_write32(POST_E1000_BAR0 + E1000_IMS, E1000_INT_TXDW);
	mmio_write32(POST_E1000_BAR0 + E1000_ICS, E1000_INT_TXDW);
	irq_enable();
	wait_for_count(&intx_count, 1, 1000);
	tsc_delay(2000000);		/* a storm would show as more interrupts */
	irq_disable();
	mmio_write32(POST_E1000_BAR0 + E1000_IMC, ~0u);
	ioapic_write(RTE_LO(POST_E1000_GSI), RTE_MASKED);
	test_report(intx_count == 1 && (intx_cause & E1000_INT_TXDW),
		    "e1000 INTx (GSI %u) reached us: %u interrupt(s), cause %#x", POST_E1000_GSI,
		    intx_count, intx_cause);
}

static void evfd_handler(u32 vector, struct isr_frame *frame)
{
	(void)vector;
	(void)frame;
	evfd_count++;
}

/* evfd=1: a write the Service VM's kernel completes (ioeventfd), answered by an irqfd MSI. */
static void evfd_test(void)
{
	irq_register(POSTDEV_EVFD_VECTOR, evfd_handler);
	outl(POSTDEV_EVFD, POSTDEV_EVFD_VALUE);
	irq_enable();
	wait_for_count(&evfd_count, 1, 1000);
	irq_disable();
	test_report(evfd_count == 1, "write of port %#x (an ioeventfd) answered by an irqfd MSI "
		    "(vector %#x): %u interrupt(s)", POSTDEV_EVFD, POSTDEV_EVFD_VECTOR, evfd_count);
}

/* Interrupts the device model raises: an MSI and a pulse on a vIOAPIC line. */
static void injected_irq_test(void)
{
	irq_register(POSTDEV_MSI_VECTOR, msi_handler);
	irq_register(POSTDEV_IRQ_VECTOR, line_handler);
	ioapic_write(RTE_HI(POSTDEV_IRQ_GSI), 0);
	ioapic_write(RTE_LO(POSTDEV_IRQ_GSI), POSTDEV_IRQ_VECTOR);	/* edge, active high */
	outl(POSTDEV_IRQ, 1);
	irq_enable();
	wait_for_count(&msi_count, 1, 1000);
	wait_for_count(&line_count, 1, 1000);
	irq_disable();
	ioapic_write(RTE_LO(POSTDEV_IRQ_GSI), RTE_MASKED);
	test_report(msi_count == 1 && line_count == 1,
		    "device model's INJECT_MSI (vector %#x) and SET_IRQLINE (GSI %u): %u and %u "
		    "interrupt(s)", POSTDEV_MSI_VECTOR, POSTDEV_IRQ_GSI, msi_count, line_count);
}

static u32 post_mmio(u32 off)
{
	return mmio_read32(POSTDEV_MMIO_BASE + off);
}

static void phase1(void)
{
	u32 a, b, v;

	test_report(true, "device model answers port 0x%x: phase 1", POSTDEV_PHASE);
	a = inl(POSTDEV_COUNTER);
	b = inl(POSTDEV_COUNTER);
	test_report(a == POSTDEV_COUNTER_MAGIC + 1, "test device port 0x%x, first read: %#x (want %#x)",
		    POSTDEV_COUNTER, a, POSTDEV_COUNTER_MAGIC + 1);
	test_report(b == POSTDEV_COUNTER_MAGIC + 2, "test device port 0x%x counts: %#x (want %#x)",
		    POSTDEV_COUNTER, b, POSTDEV_COUNTER_MAGIC + 2);
	outl(POSTDEV_SCRATCH, PORT_SCRATCH_VALUE);
	v = inl(POSTDEV_SCRATCH);
	test_report(v == PORT_SCRATCH_VALUE, "test device port 0x%x keeps what was written: %#x",
		    POSTDEV_SCRATCH, v);

	/* GPA 0xD0000000 is not RAM here: each access becomes an MMIO request */
	v = post_mmio(POSTDEV_MMIO_ID);
	test_report(v == POSTDEV_MMIO_ID_VALUE, "test device MMIO %#x reads %#x (want %#x)",
		    POSTDEV_MMIO_BASE + POSTDEV_MMIO_ID, v, POSTDEV_MMIO_ID_VALUE);
	mmio_write32(POSTDEV_MMIO_BASE + POSTDEV_MMIO_SCRATCH, MMIO_SCRATCH_VALUE);
	v = post_mmio(POSTDEV_MMIO_SCRATCH);
	test_report(v == MMIO_SCRATCH_VALUE, "test device MMIO %#x keeps what was written: %#x",
		    POSTDEV_MMIO_BASE + POSTDEV_MMIO_SCRATCH, v);

	/* the host bridge is the hypervisor's vPCI; 00:05.0 and 00:07.0 the device model's */
	v = pci_read32(0, 0, 0, PCI_VENDOR_ID);
	test_report(v == HOST_BRIDGE_ID, "00:00.0 (hypervisor's host bridge) is %04x:%04x",
		    v & 0xFFFF, v >> 16);
	v = pci_read32(0, POSTDEV_PCI_DEV, 0, PCI_VENDOR_ID);
	test_report(v == POSTDEV_PCI_ID, "00:05.0 (device model's) is %04x:%04x (want 1af4:10f0)",
		    v & 0xFFFF, v >> 16);
	v = pci_read16(0, POSTDEV_PCI_DEV, 0, PCI_DEVICE_ID);
	test_report(v == (POSTDEV_PCI_ID >> 16), "00:05.0 16-bit read at offset 2: %#x", v);
	v = pci_read32(0, POSTDEV_PCI_DEV, 0, PCI_SUBSYSTEM);
	test_report(v == POSTDEV_PCI_SUBSYS, "00:05.0 subsystem (offset 0x2c): %#x (want %#x)",
		    v, POSTDEV_PCI_SUBSYS);
	v = pci_read32(0, POSTDEV_PCI_ABSENT_DEV, 0, PCI_VENDOR_ID);
	test_report(v == 0xFFFFFFFFu, "00:07.0 (nobody's) reads %#x", v);

	/* the assigned e1000: config space through vPCI, BAR0 mapped straight through EPT */
	v = pci_read32(0, POST_E1000_DEV, 0, PCI_VENDOR_ID);
	test_report(v == POST_E1000_ID, "00:03.0 (assigned e1000) is %04x:%04x", v & 0xFFFF, v >> 16);
	v = pci_read32(0, POST_E1000_DEV, 0, PCI_BAR0);
	test_report(v == POST_E1000_BAR0, "e1000 BAR0 is %#x (want the device model's %#x)",
		    v, POST_E1000_BAR0);
	pci_write16(0, POST_E1000_DEV, 0, PCI_COMMAND,
		    pci_read16(0, POST_E1000_DEV, 0, PCI_COMMAND) | PCI_COMMAND_MEM);
	v = pci_read16(0, POST_E1000_DEV, 0, PCI_COMMAND);
	test_report(v & PCI_COMMAND_MEM, "e1000 Command.MEM set (command %#x)", v);
	v = mmio_read32(POST_E1000_BAR0 + POST_E1000_STATUS);
	test_report(v != 0 && v != 0xFFFFFFFFu, "e1000 STATUS through BAR0: %#x", v);
	/* the assigned HPET: mapped straight through EPT, no request */
	if (mboot_arg_u32("hpet", 1)) {
		v = mmio_read32(POST_HPET_GPA);
		test_report(v == POST_HPET_ID, "assigned HPET at %#x reads %#x (want %#x)",
			    POST_HPET_GPA, v, POST_HPET_ID);
	} else {
		test_skip("hpet=0: the device model has no HPET to give", "assigned HPET");
	}
	apic_init_cpu();
	intx_test();
	injected_irq_test();
	if (mboot_arg_u32("evfd", 0))
		evfd_test();
}

/* The round trip of one forwarded read as this guest sees it; the device model reports it. */
static void bench_round_trip(void)
{
	u32 n = 1u << POSTDEV_BENCH_SHIFT, bad = 0;
	u64 t0, t1;

	t0 = rdtsc();
	for (u32 i = 0; i < n; i++)
		bad += inl(POSTDEV_BENCH) != 0;
	t1 = rdtsc();
	outl(POSTDEV_BENCH, (u32)((t1 - t0) >> POSTDEV_BENCH_SHIFT));
	test_report(!bad, "%u forwarded reads of port 0x%x timed: %u ticks each", n, POSTDEV_BENCH,
		    (u32)((t1 - t0) >> POSTDEV_BENCH_SHIFT));
}

static void phase2(void)
{
	u32 v;

	test_report(true, "device model answers port 0x%x: phase 2", POSTDEV_PHASE);
	v = pci_read32(0, POST_E1000_DEV, 0, PCI_VENDOR_ID);
	test_report(v == 0xFFFFFFFFu, "00:03.0 is gone after the device model took it back: %#x", v);
	/* taken back: now an ordinary forwarded access, which the device model answers ~0 */
	if (mboot_arg_u32("hpet", 1)) {
		v = mmio_read32(POST_HPET_GPA);
		test_report(v == 0xFFFFFFFFu, "the HPET is gone after the device model took it back: "
			    "%#x", v);
	} else {
		test_skip("hpet=0: the device model has no HPET to give", "HPET gone");
	}
	v = inl(POSTDEV_COUNTER);
	test_report(v == POSTDEV_COUNTER_MAGIC + 3, "test device counter goes on across the reset: %#x",
		    v);
	v = post_mmio(POSTDEV_MMIO_SCRATCH);
	test_report(v == MMIO_SCRATCH_VALUE, "test device MMIO scratch kept across the reset: %#x", v);
	bench_round_trip();
}

/*
 * Phase 3: a device model that never answers. The hypervisor must stop this
 * VM after its time-out; the read below never returns.
 */
static void phase3(void)
{
	u32 v;

	test_report(true, "reading port 0x%x, which the device model never answers", POSTDEV_SILENT);
	v = inl(POSTDEV_SILENT);
	test_report(false, "the unanswered read returned %#x", v);
}

int main(void)
{
	u32 phase = inl(POSTDEV_PHASE);

	if (phase < 1 || phase > 3) {
		/* no device model (a bare run): say so and power off */
		test_plan(1);
		test_report(false, "device model phase on port 0x%x: %#x", POSTDEV_PHASE, phase);
		return 0;
	}
	test_plan(phase == 1 ? POST_PHASE1_TESTS + (mboot_arg_u32("evfd", 0) ? 1 : 0) :
		  phase == 2 ? POST_PHASE2_TESTS : POST_PHASE3_TESTS);
	if (phase == 1)
		phase1();
	else if (phase == 2)
		phase2();
	else
		phase3();
	test_plan_check();
	if (phase == 1) {
		/*
		 * Leave the e1000's INTx asserted (our RTE masked, ICR not read):
		 * the device model pauses, resets and takes the device back
		 * while the line is up, and must find the cause still pending.
		 */
		mmio_write32(POST_E1000_BAR0 + E1000_IMS, E1000_INT_TXDW);
		mmio_write32(POST_E1000_BAR0 + E1000_ICS, E1000_INT_TXDW);
	}
	/* the device model pauses us on this write, and reloads us for the next phase */
	outl(POSTDEV_PHASE, phase);
	cpu_halt_forever();
}
