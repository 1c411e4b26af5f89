/* Per physical CPU state, reached through GS (gs:0 holds the pointer). */
#ifndef BH_PERCPU_H
#define BH_PERCPU_H

#include "types.h"
#include "vm_config.h"

struct vcpu;

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct pcpu {
	struct pcpu *self;		/* must stay first: read as %gs:0 */
	unsigned id;			/* index in MADT order, 0 = BSP */
	u32 apic_id;
	u64 stack_top;
	struct vcpu *vcpu;		/* partitioned: at most one vCPU per pCPU */
	volatile bool online;
	u64 gdt[6] __aligned(16);
	struct tss64 tss __aligned(16);
	void *vmxon_region;
	volatile bool nmi_dump;		/* an NMI asks this CPU where it is */
	void *exit_stack;		/* VM-exit stack, kept across vCPUs */
	u32 last_vm_serial;		/* the VM whose vCPU ran here last (0: none) */
};

extern struct pcpu pcpus[CONFIG_MAX_CPUS];
extern unsigned nr_pcpus;

#ifdef UNIT_TEST
struct pcpu *this_cpu(void);		/* host unit tests say which CPU they run on */
#else
static inline struct pcpu *this_cpu(void)
{
	struct pcpu *p;

	asm volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

void cpu_setup(struct pcpu *p);		/* GDT, TSS, IDT, GS base, CR4 bits */
void __noreturn cpu_park(void);		/* stop this CPU for good */
/* Start the MADT's other CPUs; each runs entry (no return) after its own set-up. Online count. */
unsigned smp_start_aps(const u32 *apic_ids, unsigned n, void (*entry)(void));
/* Handle host interrupt vector (on a VM exit or while idle); EOIs it. */
void __noreturn panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
