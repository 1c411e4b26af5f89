/* Application processor bring-up: INIT-SIPI-SIPI to each CPU of the MADT. */
#include "lib.h"
#include "acpi.h"
#include "asm_defs.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "x86.h"

extern u8 ap_tramp_start[], ap_tramp_end[];
extern u8 ap_tramp_cr3[], ap_tramp_stack[], ap_tramp_entry[];

static u8 cpu_stacks[CONFIG_MAX_CPUS][HV_STACK_SIZE] __aligned(16);
static volatile unsigned ap_starting;
static void (*ap_continue)(void);

static void __noreturn ap_entry(void)
{
	struct pcpu *p = &pcpus[ap_starting];

	cpu_setup(p);
	lapic_init();
	p->online = true;
	ap_continue();
	panic("CPU %u: AP entry returned", p->id);
}

static void tramp_set(u8 *off_sym, u64 v)
{
	*(u64 *)phys_to_virt(AP_TRAMPOLINE_ADDR + (u64)off_sym) = v;
}

/* Start every enabled CPU the MADT lists; returns how many are online. */
unsigned smp_start_aps(const u32 *apic_ids, unsigned n, void (*entry)(void))
{
	u32 self = lapic_id();
	unsigned online = 1;

	memcpy(phys_to_virt(AP_TRAMPOLINE_ADDR), ap_tramp_start, ap_tramp_end - ap_tramp_start);
	tramp_set(ap_tramp_cr3, read_cr3());
	ap_continue = entry;
	tramp_set(ap_tramp_entry, (u64)ap_entry);

	for (unsigned i = 0; i < n && online < CONFIG_MAX_CPUS; i++) {
		struct pcpu *p;
		u64 deadline;

		if (apic_ids[i] == self)
			continue;
		p = &pcpus[online];
		p->id = online;
		p->apic_id = apic_ids[i];
		p->stack_top = (u64)&cpu_stacks[online][HV_STACK_SIZE];
		ap_starting = online;
		tramp_set(ap_tramp_stack, p->stack_top);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);

		lapic_send_init(p->apic_id);
		udelay(10000);
		lapic_send_sipi(p->apic_id, AP_TRAMPOLINE_ADDR >> 12);
		udelay(200);
		if (!p->online)
			lapic_send_sipi(p->apic_id, AP_TRAMPOLINE_ADDR >> 12);
		deadline = rdtsc() + tsc_khz * 100;	/* 100 ms */
		while (!p->online && rdtsc() < deadline)
			cpu_relax();
		if (!p->online) {
			printk("SMP: CPU with APIC id %u did not start, left out\n", p->apic_id);
			memset(p, 0, sizeof(*p));
			continue;
		}
		online++;
	}
	nr_pcpus = online;
	return online;
}
