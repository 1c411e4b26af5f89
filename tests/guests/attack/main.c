/*
 * attack guest: runs its attacks in order, then the one that stops it
 * (stack_in_mmio), which the scenario's .expect checks in the hypervisor's
 * log. vCPU 1 takes part in the races through ap_run().
 */
#include "attack.h"

#define LINE 160

static bool have_ap;		/* a post-launched attacker has one vCPU */
static void (*volatile ap_fn)(u32);
static volatile u32 ap_arg, ap_busy;
static volatile u32 *volatile ap_stop;

static void ap_loop(u32 apic_id)
{
	(void)apic_id;
	for (;;) {
		/*
		 * Idle with interrupts on: Bochs 2.7 does not exit to the hypervisor
		 * for a host interrupt while the guest has IF=0, despite
		 * external-interrupt exiting, so a vCPU spinning with IF=0 never sees
		 * the kick that stops its VM (an NMI would reach it).
		 */
		irq_enable();
		while (!ap_fn)
			cpu_relax();
		irq_disable();
		while (!*ap_stop)
			ap_fn(ap_arg);
		ap_fn = NULL;
		__atomic_store_n(&ap_busy, 0, __ATOMIC_RELEASE);
	}
}

void ap_run(void (*fn)(u32 arg), u32 arg, volatile u32 *stop)
{
	if (!have_ap)
		return;		/* the race runs one-sided */
	ap_arg = arg;
	ap_stop = stop;
	ap_busy = 1;
	__atomic_store_n(&ap_fn, fn, __ATOMIC_RELEASE);
}

bool ap_present(void)
{
	return have_ap;
}

bool ap_wait(void)
{
	u64 end = rdtsc() + tsc_ms(2000);

	while (__atomic_load_n(&ap_busy, __ATOMIC_ACQUIRE) && rdtsc() < end)
		cpu_relax();
	return !ap_busy;
}

void ap_setup(void)
{
	u32 n = smp_start_aps(2, ap_loop, 1000);

	have_ap = n == 1;
	test_diag("attack: %u AP(s) started", n);
}

static bool vresult(bool contained, const char *todo, const char *name, const char *fmt, va_list ap)
{
	char detail[LINE];

	vsnprintf(detail, sizeof(detail), fmt, ap);
	test_diag("%s: %s", name, detail);
	if (todo) {
		test_todo(contained, todo, "%s: %s", name, contained ? "contained" : "not contained yet");
		return contained;
	}
	return test_report(contained, "%s: %s", name, contained ? "contained" : "ESCAPE");
}

bool attack_result(bool contained, const char *name, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = vresult(contained, NULL, name, fmt, ap);
	va_end(ap);
	return r;
}

void attack_todo(bool contained, const char *why, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vresult(contained, why, name, fmt, ap);
	va_end(ap);
}

u32 e1000_bar0(void)
{
	return pci_read32(0, E1000_DEV, 0, PCI_BAR0) & ~0xFu;
}

u16 e1000_iobase(void)
{
	return (u16)(pci_read32(0, E1000_DEV, 0, PCI_BAR1) & ~0x3u);
}

int main(void)
{
	char role[8];

	if (mboot_arg("role", role, sizeof(role)) && !strcmp(role, "post"))
		post_main(mboot_arg_u32("run", 1));
	/* the plan first: a VM stopped midway then shows which attacks did not run */
	test_plan(CPU_ATTACKS + APIC_ATTACKS + IO_ATTACKS + PCI_ATTACKS);
	test_diag("attack: pre-launched attacker, %u attacks, then ins-outs (stops this VM)",
		  CPU_ATTACKS + APIC_ATTACKS + IO_ATTACKS + PCI_ATTACKS);
	apic_init_cpu();
	ap_setup();
	pci_attacks();
	cpu_attacks();
	io_attacks();
	apic_attacks();		/* INIT and NMI aimed elsewhere: last but one */
	test_plan_check();
	final_attack();
}
