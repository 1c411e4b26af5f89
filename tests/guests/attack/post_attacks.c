/*
 * The post-launched attacker (role=post run=N; atk64 creates, loads and
 * serves it, once per run). Its console, unknown ports and MMIO go to the
 * Service VM as I/O requests. Run 1 runs the attacks that need no second
 * vCPU and no device, its RAM taken away while it writes there, a write
 * across the end of its RAM, VMCALL and leaves markers in the pCPU's state
 * (MSRs VMX does not switch, CR2, DR0-3) that run 2 must not find; run 2
 * also reads a port whose request
 * atk64 rewrites under the hypervisor; every run ends with one attack
 * that stops the VM: REP INSB, the IDT in MMIO, the stack in MMIO (those two
 * fault while an event is delivered), CLI; HLT (the Service VM destroys it),
 * REP OUTSB, a triple fault.
 */
#include "attack.h"
#include "../atk64/atk64.h"
#include "../post/post_dev.h"

#define IDT_MMIO	0xD0100000u	/* nobody's: forwarded MMIO */
#define STACK_MMIO	0xD0201000u

static void phase(u32 n)
{
	outl(POSTDEV_PHASE, n);
}

/*
 * Writes at gpa while the Service VM takes it away; with interrupts on
 * (irqs) or off, which in Bochs keeps the kick that flushes our EPT
 * translations from reaching us (see ap_loop): the NMI that follows an
 * unanswered kick must.
 */
static void memory_taken(u32 gpa, bool irqs, u32 start, u32 done, const char *name)
{
	volatile u32 *p = (volatile u32 *)gpa;
	u64 end;
	u32 writes = 0, gone = 0;

	for (u32 i = 0; i < PATK_HAMMER_WORDS; i++)
		p[i] = 0x600D0000 | i;
	phase(start);				/* the Service VM takes the 2 MiB away now */
	if (irqs)
		irq_enable();
	end = rdtsc() + tsc_ms(100);
	while (rdtsc() < end && gone < 4) {
		p[writes % PATK_HAMMER_WORDS] = 0xBAD00000 | writes;
		gone += p[0] == 0xFFFFFFFF;	/* a forwarded read: nobody's memory now */
		writes++;
	}
	irq_disable();
	phase(done);
	/* the Service VM's verdict (its page untouched after the DEL) is its own TAP line */
	attack_result(gone > 0, name, "%u writes to 0x%x while the Service VM took it away; reads "
		      "there then gave all ones: %s", writes, gpa, gone ? "yes" : "no");
}

static void ram_end_straddle(void)
{
	u32 end = POST_RAM_SIZE, before = *(volatile u32 *)(end - 8), v;

	*(volatile u32 *)(end - 2) = 0xFFFFFFFF;	/* half RAM, half nobody's */
	v = *(volatile u32 *)(end - 2);
	attack_result(*(volatile u32 *)(end - 8) == before, "ram-to-mmio-straddle",
		      "4-byte write and read across the end of RAM at 0x%x: read %#x, RAM below intact", end - 2, v);
}

static void vmcall_from_post(void)
{
	int f = vmcall_safe();

	attack_result(f == X86_UD, "vmcall-from-post-vm", "VMCALL: fault %d (want #UD: no hypercalls)", f);
}

/*
 * State a VM leaves in its pCPU that VMX does not switch: run 1 plants
 * markers, run 2 (a new VM on the same pCPU) must not find them.
 */
static const u32 plant_msrs[] = {
	0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084,	/* STAR, LSTAR, CSTAR, FMASK */
	0xC0000102, 0xC0000103,				/* KERNEL_GS_BASE, TSC_AUX */
};
#define MARK(i)		(0x5EC0000000ULL | ((u64)(i) << 4))
#define MARK32(i)	(0x5EC00000u | ((u32)(i) << 4))

static void plant_state(void)
{
	u32 planted = 0;

	for (u32 i = 0; i < ARRAY_SIZE(plant_msrs); i++)
		planted += wrmsr_safe(plant_msrs[i], plant_msrs[i] == 0xC0000103 ? MARK32(i) : MARK(i)) ==
			   NO_FAULT;
	asm volatile("mov %0, %%cr2" : : "r"(MARK32(10)));
	asm volatile("mov %0, %%db0; mov %1, %%db1; mov %2, %%db2; mov %3, %%db3"
		     : : "r"(MARK32(11)), "r"(MARK32(12)), "r"(MARK32(13)), "r"(MARK32(14)));
	attack_result(planted > 0, "plant-state-for-next-vm",
		      "%u of %u syscall/TSC_AUX MSRs, CR2 and DR0-DR3 set to markers for the next VM on this pCPU",
		      planted, (u32)ARRAY_SIZE(plant_msrs));
}

static void find_state(void)
{
	u32 found = 0, first = 0, v;

	for (u32 i = 0; i < ARRAY_SIZE(plant_msrs); i++) {
		u64 val = 0;

		if (rdmsr_safe(plant_msrs[i], &val) == NO_FAULT && (val == MARK(i) || val == MARK32(i)) &&
		    !found++)
			first = plant_msrs[i];
	}
	asm volatile("mov %%cr2, %0" : "=r"(v));
	if (v == MARK32(10) && !found++)
		first = 2;
	asm volatile("mov %%db0, %0" : "=r"(v));
	if (v == MARK32(11) && !found++)
		first = 0xD0;
	asm volatile("mov %%db3, %0" : "=r"(v));
	if (v == MARK32(14) && !found++)
		first = 0xD3;
	attack_result(!found, "state-left-by-previous-vm",
		      "the previous post-launched VM's markers in syscall MSRs, TSC_AUX, CR2, DR0-DR3: %u found "
		      "(first %#x)", found, first);
}

/* atk64 rewrites the slot of these reads while the hypervisor reads it: only AL/AX may change. */
static void hostile_ioreq(void)
{
	u32 bad = 0, last = 0;

	for (u32 i = 0; i < PATK_HOSTILE_READS; i++) {
		u32 a = 0x12345600u | i, w = 0x9ABC0000u | i;

		asm volatile("inb %w1, %b0" : "+a"(a) : "Nd"((u16)PATK_HOSTILE_PORT));
		asm volatile("inw %w1, %w0" : "+a"(w) : "Nd"((u16)PATK_HOSTILE_PORT));
		if ((a & 0xFFFFFF00u) != 0x12345600u || (w & 0xFFFF0000u) != 0x9ABC0000u) {
			bad++;
			last = a;
		}
	}
	attack_result(!bad, "ioreq-slot-rewritten-under-hypervisor",
		      "%u INB/INW pairs answered by a slot rewritten after COMPLETE (size, type, value), "
		      "with notifications for idle vCPUs: %u clobbered more than AL/AX (last EAX %#x)",
		      PATK_HOSTILE_READS, bad, last);
}

static __noreturn void idt_in_mmio(void)
{
	struct { u16 limit; u32 base; } __packed idtr = { 0x7FF, IDT_MMIO };

	test_diag("idt-in-mmio: LIDT at 0x%x (forwarded MMIO), then INT3: the hypervisor stops this VM", IDT_MMIO);
	phase(PATK_PHASE_FINAL);
	asm volatile("lidt %0; int3" : : "m"(idtr) : "memory");
	test_fail_unnumbered("idt-in-mmio: INT3 came back");
	power_off();
}

static __noreturn void stack_in_mmio(void)
{
	test_diag("stack-in-mmio: ESP at 0x%x (forwarded MMIO), then INT3: the hypervisor stops this VM", STACK_MMIO);
	phase(PATK_PHASE_FINAL);
	asm volatile("mov %0, %%esp; int3" : : "r"(STACK_MMIO) : "memory");
	test_fail_unnumbered("stack-in-mmio: INT3 came back");
	power_off();
}

static __noreturn void halt_forever(void)
{
	test_diag("halted-with-interrupts-off: CLI; HLT: the Service VM must still pause and destroy this VM");
	phase(PATK_PHASE_FINAL);
	cpu_halt_forever();
}

static __noreturn void outs_final(void)
{
	static const char buf[16] = "outs";

	test_diag("outs: REP OUTSB to port 0x3F8: the hypervisor stops this VM");
	phase(PATK_PHASE_FINAL);
	asm volatile("cld; rep outsb" : : "S"(buf), "c"(sizeof(buf)), "d"(0x3F8) : "memory");
	test_fail_unnumbered("outs: REP OUTSB ran in a VM whose string I/O the hypervisor refuses");
	power_off();
}

static __noreturn void triple_fault(void)
{
	struct { u16 limit; u32 base; } __packed idtr = { 0, 0 };

	test_diag("triple-fault: an empty IDT, then INT3: the hypervisor stops this VM");
	phase(PATK_PHASE_FINAL);
	asm volatile("lidt %0; int3" : : "m"(idtr) : "memory");
	test_fail_unnumbered("triple-fault: INT3 came back");
	power_off();
}

void post_main(u32 run)
{
	if (run == PATK_RUN_HALT)
		halt_forever();
	if (run == 5)
		outs_final();
	if (run == 6)
		triple_fault();
	if (run == 2) {
		test_plan(2);
		find_state();
		hostile_ioreq();
		idt_in_mmio();
	}
	if (run == 3)
		stack_in_mmio();
	/* cpu, 2 IPI, 2 NMI/INIT, LVT/ICR modes, 2 port, 3 straddle, 2 config attacks, its own, x2APIC */
	test_plan(CPU_ATTACKS + 2 + 2 + 1 + 2 + 3 + 2 + POST_OWN_ATTACKS + 1);
	test_diag("attack: post-launched attacker, run %u", run);
	apic_init_cpu();
	cpu_attacks();
	fixed_ipis();
	nmi_init_sipi();
	lapic_hostile_modes();
	host_ports();
	foreign_ports();
	straddles();
	host_bridge_raw();
	foreign_functions();
	memory_taken(PATK_HAMMER_GPA, true, PATK_PHASE_HAMMER, PATK_PHASE_HAMMERED, "memory-taken-guest-side");
	memory_taken(PATK_HAMMER_CLI_GPA, false, PATK_PHASE_HAMMER_CLI, PATK_PHASE_HAMMERED_CLI,
		     "memory-taken-guest-side-irqs-off");
	ram_end_straddle();
	vmcall_from_post();
	plant_state();
	x2apic_foreign_ipis();	/* leaves this vCPU in x2APIC mode */
	test_plan_check();
	phase(PATK_PHASE_FINAL);
	final_attack();
}
