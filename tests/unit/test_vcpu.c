/*
 * The run loop of a vCPU (vmm/vcpu.c) with the real vLAPIC and speculation
 * rules, a fake VMCS and fake entry paths (each entry or idle ends the run
 * back in the test): what the next entry delivers (a re-injection first,
 * then an exception, then an interrupt when RFLAGS.IF and no STI/MOV SS
 * blocking allow, else the interrupt window); the guest's timer on the
 * host deadline or the preemption timer; INIT and SIPI; a halted vCPU
 * woken by an interrupt it can take; a paused or stopped VM's vCPU parks
 * (the last one releases a boot VM's devices), a post-launched or removed
 * one leaves its pCPU; the plain entry; the first entry's start state and
 * IBPB between VMs; the CPU mode seen by the decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "irq.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "vcpu_boot.h"
#include "vmm_internal.h"
#include "x86.h"
#include "fake_vmcs.h"
#include "fake_pages.h"

enum { RESUMED = 1, LAUNCHED, IDLE };

struct vmx_caps vmx_caps;
bool lapic_tsc_deadline;
u64 tsc_khz = 1000000;		/* 1 ms = 1,000,000 ticks of the host's TSC */
const struct scenario_config scenario = { .nr_vms = 2 };
static struct pcpu cpu;
static struct vm vm;
static struct vcpu v;
static jmp_buf back;
static struct spec_caps caps;
static struct {
	unsigned ibpbs, spec_writes, releases, root_reports, flushes_acked, polls, first_entries;
	unsigned lapic_updates, lapic_leaves, apicv_syncs, deadline_releases, stops, waits;
	unsigned scrubs, inveps, invvpids, boot_loads, abi_loads, resets, sipis, vmcs_inits;
	unsigned pause_at;		/* the Service VM pauses the VM during this wait */
	unsigned poll_steps, irq_at_poll;	/* halt polling: an interrupt at this step */
	unsigned kick_at_ptirq;		/* a kick (no news yet) at this ptirq_poll, the IRR at the next */
	u64 sleep_ticks;		/* how long a sleep lasts */
	u64 cleared;			/* the VMCS VMCLEAR was given */
	int vmcs_err;
	u64 armed, spec_written;
	u8 sipi_vector;
	char stop[120];
	irq_handler_t timer;
} fk;

struct pcpu *this_cpu(void) { return &cpu; }
void vmx_launch(struct vcpu *vc) { assert_ptr_equal(vc, &v); longjmp(back, LAUNCHED); }
void vmx_resume_plain(struct vcpu *vc) { assert_ptr_equal(vc, &v); longjmp(back, RESUMED); }
void vmx_resume_verw(struct vcpu *vc) { (void)vc; longjmp(back, RESUMED); }
void vmx_resume_l1d_flush(struct vcpu *vc) { (void)vc; longjmp(back, RESUMED); }
void idle_loop_fresh(void) { longjmp(back, IDLE); }
void cpu_spec_caps_read(struct spec_caps *c) { *c = caps; }
void cpu_ibpb(void) { fk.ibpbs++; }
void cpu_spec_ctrl_write(u64 val) { fk.spec_writes++; fk.spec_written = val; }
void lapic_arm_deadline(u64 tsc) { fk.armed = tsc; }
void ptirq_poll(u64 now)
{
	(void)now;
	fk.polls++;
	/* another CPU's kick after the loop looked: its news lands one look later */
	if (fk.kick_at_ptirq && fk.polls == fk.kick_at_ptirq)
		__atomic_add_fetch(&v.kicks, 1, __ATOMIC_SEQ_CST);
	if (fk.kick_at_ptirq && fk.polls == fk.kick_at_ptirq + 1)
		vlapic_accept_irq(&v.vlapic, 0x31, false);
}
void vm_print_root_time(const struct vm *m) { (void)m; fk.root_reports++; }
void vm_release_devices(struct vm *m) { assert_ptr_equal(m, &vm); fk.releases++; }
void vcpu_ack_flush(struct vcpu *vc) { (void)vc; fk.flushes_acked++; }
void hv_report_first_entry(void) { fk.first_entries++; }
void vcpu_lapic_update(struct vcpu *vc) { (void)vc; fk.lapic_updates++; }
void vcpu_lapic_leave(struct vcpu *vc) { (void)vc; fk.lapic_leaves++; }
void vcpu_apicv_sync(struct vcpu *vc) { (void)vc; fk.apicv_syncs++; }
void vcpu_deadline_release(struct vcpu *vc) { vc->timer_armed = 0; fk.deadline_releases++; }
void cpu_scrub_guest_state(void) { fk.scrubs++; }
void invept_single(u64 eptp) { (void)eptp; fk.inveps++; }
void invvpid_single(u16 vpid) { (void)vpid; fk.invvpids++; }
int vmcs_init(struct vcpu *vc) { (void)vc; fk.vmcs_inits++; return fk.vmcs_err; }
void vmcs_load_boot_state(struct vcpu *vc, const struct vcpu_boot_state *st) { (void)vc; (void)st; fk.boot_loads++; }
void vmcs_load_abi_regs(struct vcpu *vc, const struct abi_regs *r) { (void)vc; (void)r; fk.abi_loads++; }
void vmcs_set_reset_state(struct vcpu *vc) { (void)vc; fk.resets++; }
int vmclear(u64 pa) { fk.cleared = pa; return 0; }
void vmcs_set_real_mode_start(struct vcpu *vc, u8 vector) { (void)vc; fk.sipis++; fk.sipi_vector = vector; }

int irq_register(enum irq_owner owner, irq_handler_t fn)
{
	assert_int_equal(owner, IRQ_OWNER_TIMER);
	fk.timer = fn;
	return 0;
}

void vm_stop(struct vm *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.stop, sizeof(fk.stop), fmt, ap);
	va_end(ap);
	m->state = VM_STOPPED;
	fk.stops++;
}

/* A halt-poll step: the interrupt may arrive at one. */
void cpu_poll_interrupts(void)
{
	if (++fk.poll_steps == fk.irq_at_poll)
		vlapic_accept_irq(&v.vlapic, 0x32, false);
}

/* A sleep until an interrupt: here, one arrives (the guest's timer, say), after sleep_ticks. */
void cpu_wait_for_interrupt(void)
{
	u64 until = rdtsc() + fk.sleep_ticks;

	assert_false(v.in_handler);		/* asleep, a kick must send its IPI */
	while (rdtsc() < until)
		;
	fk.waits++;
	vlapic_accept_irq(&v.vlapic, 0x30, false);
	if (fk.waits == fk.pause_at)
		vm.state = VM_PAUSED;
}

static u64 now_tsc(void) { return 1000; }
static void no_kick(struct vlapic *l) { (void)l; }

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	page_free(cpu.exit_stack, 4);
	memset(&cpu, 0, sizeof(cpu));
	memset(&caps, 0, sizeof(caps));
	/* a CPU that needs no entry work: no L1TF, no buffers that leak */
	caps.arch_caps = ARCH_CAP_RDCL_NO | ARCH_CAP_MDS_NO | ARCH_CAP_FBSDP_NO | ARCH_CAP_PSDP_NO |
			 ARCH_CAP_SBDR_SSDP_NO;
	memset(&vmx_caps, 0, sizeof(vmx_caps));
	fake_page_budget = -1;
	lapic_tsc_deadline = true;
	vm.name = "vm";
	vm.state = VM_RUNNING;
	vm.serial = 7;
	vm.nr_vcpus = vm.nr_active_vcpus = 1;
	vm.vcpus[0] = &v;
	vm.lapics.now = now_tsc;
	vm.lapics.kick = no_kick;
	v.vm = &vm;
	v.pcpu = &cpu;
	v.state = VCPU_RUNNING;
	v.launched = 1;
	cpu.vcpu = &v;
	vlapic_init(&v.vlapic, &vm.lapics, 0, true);
	vlapic_mmio_write(&v.vlapic, APIC_SVR, 0x1FF);
	v.vlapic.irr_hint = 0;
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_GUEST_RFLAGS, X86_RFLAGS_IF);
	vcpu_spec_init();			/* this machine: no entry work */
	return 0;
}

/* One exit's end (vcpu_enter): how it ended. */
static int enter(void)
{
	int r = setjmp(back);

	if (!r)
		vcpu_enter(&v);
	return r;
}

static int first_entry(void)
{
	int r = setjmp(back);

	if (!r)
		vcpu_run_loop(&v);
	return r;
}

static u64 injected(void)
{
	u64 info = fake_vmcs_get(VMCS_ENTRY_INTR_INFO);

	fake_vmcs_set(VMCS_ENTRY_INTR_INFO, 0);
	return info;
}

static void test_plain_entry(void **state)
{
	(void)state;
	assert_int_equal(enter(), RESUMED);
	assert_true(v.entry_plain);
	assert_int_equal(fk.polls, 0);			/* nothing looked at */
	assert_false(fake_vmcs_written(VMCS_ENTRY_INTR_INFO));
	/* an interrupt for it: the full entry */
	vlapic_accept_irq(&v.vlapic, 0x41, false);
	assert_int_equal(enter(), RESUMED);
	assert_false(v.entry_plain);
	assert_int_equal(fk.polls, 1);
	assert_int_equal(fk.flushes_acked, 1);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_EXT | 0x41);
	/* a VMCS not launched yet: VMLAUNCH */
	v.launched = 0;
	v.pending_exc = true;
	assert_int_equal(enter(), LAUNCHED);
}

static void test_injection_order(void **state)
{
	(void)state;
	vlapic_accept_irq(&v.vlapic, 0x41, false);
	v.pending_exc = true;
	v.exc_vector = 13;
	v.exc_has_error = true;
	v.exc_error = 0x18;
	/* an event the last entry did not deliver comes first, as it was (without bit 12) */
	v.idt_vectoring = INTR_INFO_VALID | INTR_TYPE_HW_EXC | INTR_INFO_ERROR_CODE | BIT(12) | 14;
	fake_vmcs_set(VMCS_IDT_VECTORING_ERR, 0x2);
	fake_vmcs_set(VMCS_EXIT_INSN_LEN, 3);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_HW_EXC | INTR_INFO_ERROR_CODE | 14);
	assert_int_equal(fake_vmcs_get(VMCS_ENTRY_EXC_ERROR), 0x2);
	assert_int_equal(fake_vmcs_get(VMCS_ENTRY_INSN_LEN), 3);
	assert_int_equal(v.idt_vectoring, 0);
	assert_true(v.pending_exc);
	/* then the exception */
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_HW_EXC | INTR_INFO_ERROR_CODE | 13);
	assert_int_equal(fake_vmcs_get(VMCS_ENTRY_EXC_ERROR), 0x18);
	assert_false(v.pending_exc);
	/* then the interrupt, acknowledged in the vLAPIC */
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_EXT | 0x41);
	assert_int_equal(vlapic_pending_vector(&v.vlapic), -1);
	/* an exception without error code */
	v.pending_exc = true;
	v.exc_vector = 6;
	v.exc_has_error = false;
	fake_vmcs_set(VMCS_ENTRY_EXC_ERROR, 0);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_HW_EXC | 6);
}

static void test_interrupt_window(void **state)
{
	(void)state;
	vlapic_accept_irq(&v.vlapic, 0x51, false);
	/* IF clear: not now, an exit when it can be taken */
	fake_vmcs_set(VMCS_GUEST_RFLAGS, 0);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), 0);
	assert_true(v.intr_window);
	assert_true(fake_vmcs_get(VMCS_PROC_CTLS) & PROC_INTR_WINDOW);
	/* STI blocking: the same */
	fake_vmcs_set(VMCS_GUEST_RFLAGS, X86_RFLAGS_IF);
	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), 0);
	assert_true(v.intr_window);
	/* the window exit: delivered, the window closed */
	fake_vmcs_set(VMCS_GUEST_INTERRUPTIBILITY, 0);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_EXT | 0x51);
	assert_false(v.intr_window);
	assert_false(fake_vmcs_get(VMCS_PROC_CTLS) & PROC_INTR_WINDOW);
	/* under APICv the CPU delivers: RVI is synced, nothing injected */
	v.apicv = true;
	vlapic_accept_irq(&v.vlapic, 0x52, false);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected(), 0);
	assert_int_equal(fk.apicv_syncs, 1);
}

static void test_guest_timer(void **state)
{
	(void)state;
	/* the host's deadline timer, armed only when the next event changes */
	v.vlapic.timer_next = 5000;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.armed, 5000);
	assert_int_equal(v.timer_armed, 5000);
	fk.armed = 1;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.armed, 1);			/* not written again */
	v.vlapic.timer_next = ~0ULL;			/* disarmed */
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.armed, 0);
	assert_int_equal(v.timer_armed, 0);
	/* the guest's own deadline in the MSR: an ioreq's hold is given back, nothing armed here */
	v.deadline_pt = true;
	v.timer_armed = 99;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.deadline_releases, 1);
	/* without the deadline timer: the preemption timer, in its ticks */
	v.deadline_pt = false;
	lapic_tsc_deadline = false;
	vmx_caps.preempt_shift = 5;
	fake_vmcs_set(VMCS_PIN_CTLS, PIN_PREEMPT_TIMER);
	v.vlapic.timer_next = ~0ULL;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fake_vmcs_get(VMCS_PREEMPTION_TIMER), 0xffffffff);
	v.vlapic.timer_next = 2000;			/* not due for the vLAPIC's clock, past on the TSC */
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fake_vmcs_get(VMCS_PREEMPTION_TIMER), 0);
	v.vlapic.timer_next = ~0ULL - 1;		/* far: the most the field holds */
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fake_vmcs_get(VMCS_PREEMPTION_TIMER), 0xffffffff);
	/* neither timer: nothing written */
	fake_vmcs_set(VMCS_PIN_CTLS, 0);
	fake_vmcs_set(VMCS_PREEMPTION_TIMER, 123);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fake_vmcs_get(VMCS_PREEMPTION_TIMER), 123);
}

static void test_timer_irq(void **state)
{
	(void)state;
	assert_int_equal(vcpu_irq_init(), 0);
	assert_non_null(fk.timer);
	v.timer_armed = 5000;
	fk.timer(TIMER_VECTOR);
	assert_int_equal(v.timer_armed, 0);		/* it fired: re-armed at the next entry */
	/* the guest's own deadline fired: its timer interrupt */
	v.deadline_pt = true;
	v.held_deadline = 77;
	vlapic_msr_write(&v.vlapic, MSR_IA32_APIC_BASE, VLAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD);
	vlapic_msr_write(&v.vlapic, 0x832, (2u << 17) | 0xEC);	/* LVT timer: TSC deadline */
	fk.timer(TIMER_VECTOR);
	assert_int_equal(v.held_deadline, 0);
	assert_int_equal(vlapic_pending_vector(&v.vlapic), 0xEC);
	/* no vCPU here (idle pCPU): nothing */
	cpu.vcpu = NULL;
	fk.timer(TIMER_VECTOR);
}

static void test_init_sipi(void **state)
{
	(void)state;
	/* INIT: reset to wait-for-SIPI, then it waits */
	vlapic_deliver(&vm.lapics, 0, false, APIC_DM_INIT, 0, false, APIC_SH_NONE, NULL);
	vlapic_deliver(&vm.lapics, 0, false, APIC_DM_SIPI, 0x9A, false, APIC_SH_NONE, NULL);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.lapic_updates, 1);		/* the page was reset */
	/* the SIPI after it starts the vCPU in real mode at its vector */
	assert_int_equal(v.state, VCPU_RUNNING);
	assert_int_equal(fk.sipis, 1);
	assert_int_equal(fk.sipi_vector, 0x9A);
}

/* A halted vCPU sleeps until an interrupt it can take. */
static void test_halted(void **state)
{
	(void)state;
	v.state = VCPU_HALTED;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.waits, 1);			/* slept; the interrupt woke it */
	assert_int_equal(v.state, VCPU_RUNNING);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_EXT | 0x30);
	/* HLT with IF clear: interrupts do not wake it; it sleeps on until the VM is paused */
	v.state = VCPU_HALTED;
	fake_vmcs_set(VMCS_GUEST_RFLAGS, 0);
	vm.post = true;
	fk.waits = 0;
	fk.pause_at = 3;
	assert_int_equal(enter(), IDLE);
	assert_int_equal(fk.waits, 3);
	assert_int_equal(v.state, VCPU_STOPPED);
	assert_int_equal(injected(), 0);
}

/*
 * Halt polling: no window at first (it sleeps at once), a short sleep grows
 * it, an interrupt while polling needs no sleep, a sleep longer than the
 * most it may poll (200 us) halves it; halt_poll_us=0 never polls.
 */
static void halt_again(void)
{
	/* the guest took the last interrupts: nothing in service holds the next back */
	for (int i = 0; i < 4; i++)
		vlapic_mmio_write(&v.vlapic, APIC_EOI, 0);
	v.state = VCPU_HALTED;
}

static void test_halt_poll(void **state)
{
	u64 step = 10 * tsc_khz / 1000;

	(void)state;
	vcpu_poll_init(200);
	halt_again();
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.waits, 1);
	assert_int_equal(fk.poll_steps, 0);
	assert_int_equal(v.halt_poll, step);
	/* polls now: the interrupt comes at the third step, no sleep */
	halt_again();
	fk.irq_at_poll = 3;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.waits, 1);
	assert_int_equal(fk.poll_steps, 3);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_EXT | 0x32);
	assert_int_equal(v.halt_poll, step);
	assert_true(v.idle_ticks > 0);			/* polling is idle time */
	assert_false(v.in_handler);			/* kicks send IPIs again once it runs */
	/* nothing while polling, a short sleep: doubled */
	halt_again();
	fk.irq_at_poll = 0;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.waits, 2);
	assert_int_equal(v.halt_poll, 2 * step);
	/* a sleep longer than 200 us: halved */
	halt_again();
	fk.sleep_ticks = 400 * tsc_khz / 1000;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.waits, 3);
	assert_int_equal(v.halt_poll, step);
	/* halt_poll_us=0: no window grows, it never polls */
	vcpu_poll_init(0);
	v.halt_poll = 0;
	fk.sleep_ticks = 0;
	fk.poll_steps = 0;
	for (int i = 0; i < 3; i++) {
		halt_again();
		assert_int_equal(enter(), RESUMED);
	}
	assert_int_equal(fk.poll_steps, 0);
	assert_int_equal(v.halt_poll, 0);
	vcpu_poll_init(200);
}

/* A kick the loop had not seen when it decided to sleep: it looks again instead. */
static void test_kick_before_sleep(void **state)
{
	(void)state;
	vcpu_poll_init(0);
	v.state = VCPU_HALTED;
	fk.kick_at_ptirq = 1;
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(fk.waits, 0);
	assert_int_equal(injected(), INTR_INFO_VALID | INTR_TYPE_EXT | 0x31);
	vcpu_poll_init(200);
}

/* An interrupt behind a re-injected event opens the interrupt window. */
static void test_interrupt_behind_reinjection(void **state)
{
	(void)state;
	v.idt_vectoring = INTR_INFO_VALID | INTR_TYPE_HW_EXC | 14 | INTR_INFO_ERROR_CODE;
	vlapic_accept_irq(&v.vlapic, 0x40, false);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected() & 0xff, 14);
	assert_true(v.intr_window);
	assert_true(fake_vmcs_get(VMCS_PROC_CTLS) & PROC_INTR_WINDOW);
	/* the same for an exception the hypervisor injects */
	setup(NULL);
	vcpu_inject_gp(&v);
	vlapic_accept_irq(&v.vlapic, 0x41, false);
	assert_int_equal(enter(), RESUMED);
	assert_int_equal(injected() & 0xff, 13);
	assert_true(v.intr_window);
}

static void test_park(void **state)
{
	(void)state;
	/* a stopped boot VM: the last vCPU to park releases its devices and reports */
	vm.state = VM_STOPPED;
	assert_int_equal(enter(), IDLE);
	assert_int_equal(v.state, VCPU_STOPPED);
	assert_int_equal(vm.nr_active_vcpus, 0);
	assert_int_equal(fk.releases, 1);
	assert_ptr_equal(cpu.vcpu, &v);			/* a boot VM's pCPU stays its own */
	/* a post-launched VM's vCPU leaves its pCPU instead; its devices are the Service VM's call */
	setup(NULL);
	vm.post = true;
	vm.state = VM_PAUSED;
	v.timer_armed = 5;
	v.run_since = 1;
	v.vmcs = &cpu;					/* any address: its VMCS */
	assert_int_equal(enter(), IDLE);
	assert_int_equal(fk.cleared, (u64)(uintptr_t)&cpu);	/* not left current on this CPU */
	v.vmcs = NULL;
	assert_null(cpu.vcpu);
	assert_int_equal(fk.releases, 0);
	assert_int_equal(fk.lapic_leaves, 1);
	assert_int_equal(fk.inveps, 1);
	assert_int_equal(v.timer_armed, 0);
	assert_int_equal(vm.nr_active_vcpus, 0);
	assert_int_equal(fk.root_reports, 0);		/* paused, not stopped */
	assert_true(v.run_ticks > 0);
}

/* SOS_REMOVE_CPU asked: the vCPU claims it and leaves its pCPU. */
static void test_removed(void **state)
{
	(void)state;
	v.state = VCPU_HALTED;
	fake_vmcs_set(VMCS_GUEST_RFLAGS, 0);
	v.removed = VCPU_REMOVE_ASKED;
	assert_int_equal(enter(), IDLE);
	assert_int_equal(v.removed, VCPU_REMOVE_LEAVING);
	assert_null(cpu.vcpu);
}

static void test_entry_failed(void **state)
{
	int r;

	(void)state;
	cpu.vcpu = &v;
	fake_vmcs_set(VMCS_INSN_ERROR, 7);
	r = setjmp(back);
	if (!r)
		vmx_entry_failed();
	assert_int_equal(r, IDLE);
	assert_string_equal(fk.stop, "vCPU 0: VM entry failed, VM-instruction error 7");
	assert_int_equal(fk.releases, 1);
	assert_int_equal(fk.root_reports, 1);		/* the last one out of a stopped VM */
}

static void test_first_entry(void **state)
{
	(void)state;
	/* a boot VM's BSP: the loader's state, launched */
	v.launched = 1;
	assert_int_equal(first_entry(), LAUNCHED);
	assert_int_equal(fk.boot_loads, 1);
	assert_int_equal(fk.first_entries, 1);
	assert_int_equal(fake_vmcs_get(VMCS_HOST_RSP) % 16, 0);
	assert_ptr_equal(*(struct vcpu **)fake_vmcs_get(VMCS_HOST_RSP), &v);
	assert_int_equal(cpu.last_vm_serial, 7);
	assert_int_equal(fk.ibpbs, 0);			/* the pCPU's first guest */
	/* a post-launched VM's vCPU 0 after another VM ran here: scrubbed, IBPB, its SPEC_CTRL */
	caps.cpuid7_edx = CPUID7_EDX_IBRS_IBPB;
	vcpu_spec_init();
	vm.post = true;
	vm.serial = 8;
	v.spec_ctrl = 1;
	assert_int_equal(first_entry(), LAUNCHED);
	assert_int_equal(fk.resets, 1);			/* no registers given: reset state */
	assert_int_equal(fk.scrubs, 1);
	assert_int_equal(fk.invvpids, 1);
	assert_int_equal(fk.ibpbs, 1);
	assert_int_equal(fk.spec_written, 1);
	/* SET_VCPU_REGS given */
	v.has_start_regs = true;
	assert_int_equal(first_entry(), LAUNCHED);
	assert_int_equal(fk.abi_loads, 1);
	/* an AP: waits for its SIPI, not reported as entering */
	v.has_start_regs = false;
	v.id = 1;
	fk.first_entries = 0;
	lapic_tsc_deadline = false;
	vm.state = VM_PAUSED;				/* so that the wait ends */
	assert_int_equal(first_entry(), IDLE);
	assert_int_equal(fk.first_entries, 0);
	/* no VMCS: the VM stops */
	vm.state = VM_RUNNING;
	vm.post = false;
	fk.vmcs_err = -EIO;
	assert_int_equal(first_entry(), IDLE);
	assert_string_equal(fk.stop, "vCPU 1: VMCS setup failed");
}

static void test_cpu_mode(void **state)
{
	(void)state;
	v.cr0_shadow = 0;
	assert_int_equal(vcpu_cpu_mode(&v), 16);
	v.cr0_shadow = X86_CR0_PE;
	fake_vmcs_set(VMCS_GUEST_ES_AR + 2 * SEG_CS, BIT(14));		/* D */
	assert_int_equal(vcpu_cpu_mode(&v), 32);
	fake_vmcs_set(VMCS_GUEST_ES_AR + 2 * SEG_CS, 0);
	assert_int_equal(vcpu_cpu_mode(&v), 16);
	v.efer = X86_EFER_LMA;
	fake_vmcs_set(VMCS_GUEST_ES_AR + 2 * SEG_CS, BIT(13));		/* L */
	assert_int_equal(vcpu_cpu_mode(&v), 64);
	fake_vmcs_set(VMCS_GUEST_ES_AR + 2 * SEG_CS, BIT(14));		/* compatibility mode */
	assert_int_equal(vcpu_cpu_mode(&v), 32);
}

/* The resume path follows the machine's entry work, picked once. */
static void test_spec_init(void **state)
{
	(void)state;
	assert_ptr_equal(vcpu_resume, vmx_resume_plain);
	caps.arch_caps = ARCH_CAP_RDCL_NO;
	caps.cpuid7_edx = CPUID7_EDX_MD_CLEAR;		/* MDS: VERW */
	vcpu_spec_init();
	assert_ptr_equal(vcpu_resume, vmx_resume_verw);
	caps.arch_caps = 0;
	caps.cpuid7_edx |= CPUID7_EDX_L1D_FLUSH;	/* L1TF: flush L1D */
	vcpu_spec_init();
	assert_ptr_equal(vcpu_resume, vmx_resume_l1d_flush);
	assert_int_equal(spec_entry_kind, SPEC_ENTRY_L1D_FLUSH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plain_entry, setup),
		cmocka_unit_test_setup(test_injection_order, setup),
		cmocka_unit_test_setup(test_interrupt_window, setup),
		cmocka_unit_test_setup(test_guest_timer, setup),
		cmocka_unit_test_setup(test_timer_irq, setup),
		cmocka_unit_test_setup(test_init_sipi, setup),
		cmocka_unit_test_setup(test_halted, setup),
		cmocka_unit_test_setup(test_halt_poll, setup),
		cmocka_unit_test_setup(test_kick_before_sleep, setup),
		cmocka_unit_test_setup(test_interrupt_behind_reinjection, setup),
		cmocka_unit_test_setup(test_park, setup),
		cmocka_unit_test_setup(test_removed, setup),
		cmocka_unit_test_setup(test_entry_failed, setup),
		cmocka_unit_test_setup(test_first_entry, setup),
		cmocka_unit_test_setup(test_cpu_mode, setup),
		cmocka_unit_test_setup(test_spec_init, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
