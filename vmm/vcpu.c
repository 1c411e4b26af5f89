/* The per-pCPU loop that runs one vCPU: event injection, entry, exit dispatch. */
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "x86.h"
#include "mm.h"

_Static_assert(offsetof(struct vcpu, gpr) == 0, "vcpu_entry.S layout");
_Static_assert(offsetof(struct vcpu, launched) == 128, "vcpu_entry.S layout");
_Static_assert(offsetof(struct vcpu, tsc_exit_lo) == 136 && offsetof(struct vcpu, tsc_exit_hi) == 144 &&
	       offsetof(struct vcpu, tsc_entry_lo) == 152 && offsetof(struct vcpu, tsc_entry_hi) == 160,
	       "vcpu_entry.S layout");

#define EXIT_STACK_PAGES 4
#define HALT_POLL_STEP_US	10	/* the window's first size when it grows from 0 */

/* A TSC value into one of the vCPU's sums as vcpu_entry.S adds them: halves apart. */
static inline void tsc_sum_add(u64 *lo, u64 *hi, u64 t)
{
	*lo += (u32)t;
	*hi += t >> 32;
}

/* It takes its pCPU: a pseudo-exit, so the set-up before the first entry is root time. */
static void vcpu_time_start(struct vcpu *v)
{
	u64 t = rdtsc();

	v->run_since = t;
	tsc_sum_add(&v->tsc_exit_lo, &v->tsc_exit_hi, t);
}

/*
 * It parks or leaves its pCPU: a pseudo-entry closes the last exit's root
 * time. The last vCPU of a stopped VM to do so prints the VM's shares.
 */
static void vcpu_time_stop(struct vcpu *v)
{
	u64 t = rdtsc();

	if (!v->run_since)
		return;		/* never took the pCPU (its VMCS set-up failed) */
	tsc_sum_add(&v->tsc_entry_lo, &v->tsc_entry_hi, t);
	v->run_ticks += t - v->run_since;
	v->run_since = 0;
}

/* After the nr_active_vcpus decrement: the last one out of a stopped VM reports. */
static void vcpu_time_report(struct vcpu *v, unsigned left)
{
	if (!left && v->vm->state == VM_STOPPED)
		vm_print_root_time(v->vm);
}

struct spec_caps spec_host;
u8 spec_entry_kind;
/* the resume path of this machine's entry work: chosen once, no test on the way in */
vcpu_resume_fn *vcpu_resume = vmx_resume_plain;

/* Boot: what the CPU needs on VM entry (the CPUs of one machine are alike). */
void vcpu_spec_init(void)
{
	static vcpu_resume_fn *const paths[] = {
		[SPEC_ENTRY_NONE] = vmx_resume_plain,
		[SPEC_ENTRY_VERW] = vmx_resume_verw,
		[SPEC_ENTRY_L1D_FLUSH] = vmx_resume_l1d_flush,
	};
	static const char *const names[] = {
		[SPEC_ENTRY_NONE] = "nothing", [SPEC_ENTRY_VERW] = "VERW",
		[SPEC_ENTRY_L1D_FLUSH] = "L1D flush",
	};
	enum spec_entry work;

	cpu_spec_caps_read(&spec_host);
	work = spec_entry_work(&spec_host);
	spec_entry_kind = (u8)work;
	vcpu_resume = paths[work];
	pr_debug("speculation: guest SPEC_CTRL bits 0x%lx, IBPB between VMs %s, on VM entry %s "
		"(ARCH_CAPABILITIES 0x%lx)\n", spec_ctrl_valid_bits(&spec_host),
		(spec_host.cpuid7_edx & CPUID7_EDX_IBRS_IBPB) ? "yes" : "not available",
		names[work], spec_host.arch_caps);
	/* said where there is another VM to read from (one VM alone leaks to nobody) */
	if (scenario.nr_vms > 1 && spec_l1tf_unmitigated(&spec_host))
		pr_warn("speculation: this CPU needs an L1D flush on VM entry (L1TF) but has no "
			"IA32_FLUSH_CMD: update its microcode; guests can read each other's L1D data\n");
}

/*
 * This pCPU takes v: an IBPB if it last ran another VM (its branch
 * predictions must not steer this one), and v's own SPEC_CTRL, which stays
 * in the hardware while v runs here (only v writes it, through its exits).
 * A pCPU's first guest finds nothing of another guest's: no IBPB, and
 * SPEC_CTRL as firmware left it (bits set there only add protection).
 */
static void spec_enter_pcpu(struct pcpu *p, struct vcpu *v)
{
	u32 last = p->last_vm_serial;

	p->last_vm_serial = v->vm->serial;
	if (!last)
		return;
	if (spec_switch_needs_ibpb(&spec_host, last, v->vm->serial))
		cpu_ibpb();
	if (spec_ctrl_valid_bits(&spec_host))
		cpu_spec_ctrl_write(v->spec_ctrl);	/* the last vCPU's bits may be set */
}

int vcpu_cpu_mode(struct vcpu *v)
{
	if (!(v->cr0_shadow & X86_CR0_PE))
		return 16;
	if ((v->efer & X86_EFER_LMA) && (vmread(VMCS_GUEST_ES_AR + 2 * SEG_CS) & BIT(13)))
		return 64;
	return (vmread(VMCS_GUEST_ES_AR + 2 * SEG_CS) & BIT(14)) ? 32 : 16;
}

/* The host deadline timer fired: the MSR cleared itself. */
static void timer_irq(u8 vector)
{
	struct vcpu *v = this_cpu()->vcpu;

	(void)vector;
	if (!v)
		return;
	if (v->deadline_pt) {
		/* the guest's deadline (an ioreq wait armed it if held: now gone) */
		v->held_deadline = 0;
		vlapic_timer_deadline_fired(&v->vlapic);
		return;
	}
	v->timer_armed = 0;
}

/* Boot: the timer vector is the vCPUs' (kicks need no handler: they only wake). */
int vcpu_irq_init(void)
{
	return irq_register(IRQ_OWNER_TIMER, timer_irq);
}


static void set_intr_window(struct vcpu *v, bool on)
{
	if (on == v->intr_window)
		return;
	v->intr_window = on;
	vmwrite(VMCS_PROC_CTLS, on ? vmread(VMCS_PROC_CTLS) | PROC_INTR_WINDOW
				   : vmread(VMCS_PROC_CTLS) & ~(u64)PROC_INTR_WINDOW);
}

/*
 * Pick what the next VM entry delivers: re-injection, exception, interrupt
 * (under APIC virtualization the CPU delivers interrupts: RVI is set here).
 */
static void inject_events(struct vcpu *v)
{
	int vec;

	if (v->apicv)
		vcpu_apicv_sync(v);
	if (v->idt_vectoring & INTR_INFO_VALID) {
		u32 info = v->idt_vectoring & ~BIT(12);

		vmwrite(VMCS_ENTRY_INTR_INFO, info);
		if (info & INTR_INFO_ERROR_CODE)
			vmwrite(VMCS_ENTRY_EXC_ERROR, vmread(VMCS_IDT_VECTORING_ERR));
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
		v->idt_vectoring = 0;
		goto behind;
	}
	if (v->pending_exc) {
		vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXC | v->exc_vector |
			(v->exc_has_error ? INTR_INFO_ERROR_CODE : 0));
		if (v->exc_has_error)
			vmwrite(VMCS_ENTRY_EXC_ERROR, v->exc_error);
		v->pending_exc = false;
		goto behind;
	}
	if (v->apicv)
		return;
	vec = vlapic_pending_vector(&v->vlapic);
	if (vec < 0) {
		set_intr_window(v, false);
		return;
	}
	if ((vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF) &&
	    !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))) {
		vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_EXT | (u32)vec);
		vlapic_ack(&v->vlapic, (u8)vec);
		set_intr_window(v, false);
	} else {
		set_intr_window(v, true);
	}
	return;
behind:
	/* an interrupt waiting behind the event: an exit as soon as the guest can take it */
	if (!v->apicv && vlapic_pending_vector(&v->vlapic) >= 0)
		set_intr_window(v, true);
}

/* Make sure the vCPU leaves the guest when its next timer event is due. */
static inline __attribute__((always_inline)) void arm_guest_timer(struct vcpu *v)
{
	u64 next = vlapic_next_event(&v->vlapic), now, ticks = 0xffffffff;

	if (lapic_tsc_deadline) {
		/* the deadline MSR is written only when the next event changes */
		if (next == ~0ULL)
			next = 0;
		if (next != v->timer_armed) {
			/*
			 * The guest's own deadline is in the MSR (nothing armed
			 * here then), unless an ioreq wait armed its time-out
			 */
			if (v->deadline_pt) {
				vcpu_deadline_release(v);
				return;
			}
			lapic_arm_deadline(next);
			v->timer_armed = next;
		}
		return;
	}
	if (!(vmread(VMCS_PIN_CTLS) & PIN_PREEMPT_TIMER))
		return;
	if (next != ~0ULL) {
		now = rdtsc();
		ticks = next > now ? (next - now) >> vmx_caps.preempt_shift : 0;
		if (ticks > 0xffffffff)
			ticks = 0xffffffff;
	}
	vmwrite(VMCS_PREEMPTION_TIMER, ticks);
}

/* INIT resets an AP to wait-for-SIPI; a SIPI then starts it in real mode. */
static void handle_init_sipi(struct vcpu *v)
{
	int sipi;

	if (v->state != VCPU_WAIT_SIPI && !__atomic_load_n(&v->vlapic.init_pending, __ATOMIC_ACQUIRE))
		return;		/* the common case, kept cheap */
	if (vlapic_take_init(&v->vlapic)) {
		v->state = VCPU_WAIT_SIPI;
		vcpu_lapic_update(v);	/* the page was reset */
	}
	if (v->state != VCPU_WAIT_SIPI)
		return;
	sipi = vlapic_take_sipi(&v->vlapic);
	if (sipi >= 0) {
		vmcs_set_real_mode_start(v, (u8)sipi);
		v->state = VCPU_RUNNING;
		pr_debug("VM %s: vCPU %u started at 0x%x\n", v->vm->name, v->id, sipi << 12);
	}
}

static bool halted_can_wake(struct vcpu *v)
{
	ptirq_poll(rdtsc());		/* a storm-masked line may speak again */
	vlapic_timer_check(&v->vlapic);
	if (v->apicv) {
		/* RVI set, and IRR against the PPR the CPU keeps in the page */
		vcpu_apicv_sync(v);
		return vlapic_pending_vector_scan(&v->vlapic) >= 0 &&
		       (vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF);
	}
	return vlapic_pending_vector(&v->vlapic) >= 0 &&
	       (vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF);
}

/* One pass of vcpu_prepare_entry's wait: the kicks it has seen, when its polling began. */
struct entry_wait {
	u32 kicks;
	u64 poll_start;		/* 0: not polling */
};

/* Halt polling's limits (poll_window_after_sleep), in TSC ticks. */
static u64 halt_poll_max, halt_poll_step;

/* max_us: the boot option halt_poll_us (0: a halted vCPU sleeps at once). */
void vcpu_poll_init(unsigned max_us)
{
	halt_poll_max = max_us * tsc_khz / 1000;
	halt_poll_step = MIN(HALT_POLL_STEP_US * tsc_khz / 1000, halt_poll_max);
}

/*
 * A halted vCPU (or an AP waiting for its SIPI) of a running VM first
 * polls, for its halt-poll window (its pCPU is its own: nothing else would
 * run there, and a wake-up meanwhile costs no IPI: the loop is looking,
 * in_handler), then sleeps until an interrupt: a sender's kick, or the
 * host timer armed for the guest's next timer event. Taken here, such an
 * interrupt does not stay pending until the next entry, where it would
 * cost an exit at once. Everything that changes what this loop waits for
 * kicks (vm_stop, pause, INIT/SIPI, SOS_REMOVE_CPU, EPT flushes); anything
 * else polls. Polling and sleeping count as the vCPU's idle time.
 */
static void wait_for_event(struct vcpu *v, struct entry_wait *w)
{
	u64 t;

	if (!lapic_tsc_deadline || v->vm->state != VM_RUNNING ||
	    (v->state != VCPU_HALTED && v->state != VCPU_WAIT_SIPI)) {
		cpu_relax();
		return;
	}
	if (v->halt_poll) {
		t = rdtsc();
		if (!w->poll_start)
			w->poll_start = t;
		if (t - w->poll_start < v->halt_poll) {
			cpu_poll_interrupts();	/* the host timer of a deadline_pt guest, say */
			return;
		}
		v->idle_ticks += t - w->poll_start;
		w->poll_start = 0;
	}
	vcpu_handler_done(v);
	/* a kick since the loop looked sent no IPI: look again instead of sleeping */
	if (__atomic_load_n(&v->kicks, __ATOMIC_RELAXED) == w->kicks) {
		arm_guest_timer(v);
		t = rdtsc();
		cpu_wait_for_interrupt();
		t = rdtsc() - t;
		v->idle_ticks += t;	/* asleep: not the hypervisor's work */
		poll_window_after_sleep(&v->halt_poll, t, halt_poll_step, halt_poll_max);
	}
	v->in_handler = 1;
	w->kicks = __atomic_load_n(&v->kicks, __ATOMIC_ACQUIRE);
}

_Static_assert(__builtin_offsetof(struct pcpu, stack_top) == 16, "PCPU_STACK_TOP in vcpu_entry.S");

/*
 * Give this pCPU up: a post-launched VM paused, stopped or reset, or a
 * Service VM vCPU removed by SOS_REMOVE_CPU. The VMCS and the VM's
 * translations are dropped from this CPU, which then idles (a CPU a
 * post-launched VM may use waits there for its next vCPU).
 */
void __noreturn vcpu_leave_pcpu(struct vcpu *v)
{
	struct pcpu *p = this_cpu();

	vcpu_lapic_leave(v);
	if (v->vmcs)
		vmclear(virt_to_phys(v->vmcs));
	invept_single(v->vm->eptp);
	lapic_arm_deadline(0);
	v->timer_armed = 0;
	v->state = VCPU_STOPPED;
	vcpu_time_stop(v);
	__atomic_store_n(&p->vcpu, NULL, __ATOMIC_RELEASE);
	vcpu_time_report(v, __atomic_sub_fetch(&v->vm->nr_active_vcpus, 1, __ATOMIC_SEQ_CST));
	idle_loop_fresh();
}

static void __noreturn vcpu_park(struct vcpu *v)
{
	unsigned left;

	if (v->vm->post)
		vcpu_leave_pcpu(v);	/* the Service VM decides what comes next */
	v->state = VCPU_STOPPED;
	vcpu_time_stop(v);
	left = __atomic_sub_fetch(&v->vm->nr_active_vcpus, 1, __ATOMIC_SEQ_CST);
	vcpu_time_report(v, left);
	if (!left)
		vm_release_devices(v->vm);
	idle_loop_fresh();
}

/* Wait until the vCPU has something to run, prepare the entry, enter. */
static __noinline void __noreturn vcpu_prepare_entry(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct entry_wait w = { 0 };

	v->entry_plain = false;		/* this entry may do something: vcpu_resume_if_plain */
again:
	/* kicks meanwhile send no IPI: what they announce is looked at below */
	v->in_handler = 1;
	w.kicks = __atomic_load_n(&v->kicks, __ATOMIC_ACQUIRE);
	/* common case first: a running vCPU of a running VM, no INIT pending */
	while (vm->state != VM_RUNNING || v->state != VCPU_RUNNING || v->vlapic.init_pending) {
		if (vm->state == VM_STOPPED || vm->state == VM_PAUSED)
			vcpu_park(v);
		if (__atomic_load_n(&v->removed, __ATOMIC_ACQUIRE) == VCPU_REMOVE_ASKED) {
			u8 asked = VCPU_REMOVE_ASKED;

			if (__atomic_compare_exchange_n(&v->removed, &asked, VCPU_REMOVE_LEAVING, false,
							__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				vcpu_leave_pcpu(v);
		}
		handle_init_sipi(v);
		if (v->state == VCPU_RUNNING)
			break;
		if (v->state == VCPU_HALTED && halted_can_wake(v)) {
			v->state = VCPU_RUNNING;
			break;
		}
		wait_for_event(v, &w);
	}
	if (w.poll_start) {
		v->idle_ticks += rdtsc() - w.poll_start;	/* woken while polling */
		w.poll_start = 0;
	}
	vcpu_ack_flush(v);	/* memory of this running VM was unmapped */
	ptirq_poll(rdtsc());
	vlapic_timer_check(&v->vlapic);
	/*
	 * From here a kick comes with its IPI. What one announced before is
	 * looked at now: an INIT here, interrupts by inject_events.
	 */
	vcpu_handler_done(v);
	if (__atomic_load_n(&v->vlapic.init_pending, __ATOMIC_ACQUIRE))
		goto again;
	inject_events(v);
	arm_guest_timer(v);
	if (unlikely(!v->launched))
		vmx_launch(v);
	vcpu_resume(v);
	__builtin_unreachable();
}

/*
 * The host's deadline is already what arm_guest_timer would program: none
 * for no guest timer, else the guest timer's next event (due, it brings
 * the vCPU out again; with deadline_pt the guest's own deadline is in the
 * MSR and an ioreq wait's hold must be given back first).
 */
static inline bool guest_timer_armed_as_is(const struct vcpu *v)
{
	u64 next = v->vlapic.timer_next;

	if (next == ~0ULL)
		return !v->timer_armed;
	return next == v->timer_armed && !v->deadline_pt;
}

/*
 * Nothing for vcpu_prepare_entry to do: VM and vCPU running, no INIT, no
 * EPT flush, no event to (re-)inject or window to close, the host timer
 * armed for the guest's as it should be (with the deadline timer), VMCS launched. Most exits end
 * this way; a condition added there must be added here. The VMCS is always
 * launched here: vcpu_run_loop's first entry goes through
 * vcpu_prepare_entry, and an exit comes only after a launch.
 */
static inline bool entry_is_plain(struct vcpu *v)
{
	/*
	 * Plain loads of the flags other CPUs set: one look suffices, a flag
	 * set after it comes with a kick that exits the guest again. Paired
	 * flags are tested as one word: init_pending and irr_hint
	 * (vlapic.entry_flags), intr_window and pending_exc (entry_local).
	 */
	return v->vm->state == VM_RUNNING && v->state == VCPU_RUNNING &&
	       !v->vlapic.entry_flags && v->flushed_gen == v->vm->flush_gen &&
	       !(v->idt_vectoring & INTR_INFO_VALID) && !v->entry_local &&
	       lapic_tsc_deadline && guest_timer_armed_as_is(v);
}

/* After every exit (vcpu_entry.S calls it, after the handler). */
void __noreturn vcpu_enter(struct vcpu *v)
{
	vcpu_handler_done(v);
	if (likely(entry_is_plain(v))) {
		v->entry_plain = true;
		vcpu_resume(v);
		__builtin_unreachable();
	}
	v->entry_plain = false;
	vcpu_prepare_entry(v);
}

void __noreturn vmx_entry_failed(void)
{
	struct vcpu *v = this_cpu()->vcpu;

	vm_stop(v->vm, "vCPU %u: VM entry failed, VM-instruction error %lu",
		v->id, vmread(VMCS_INSN_ERROR));
	vcpu_park(v);
}

/* The vCPU's first state: the loader's (boot VMs) or SET_VCPU_REGS' (post-launched). */
static void load_start_state(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (!vm->post) {
		if (v->id == 0) {
			vmcs_load_boot_state(v, &vm->boot);
			v->state = VCPU_RUNNING;
		} else {
			v->state = VCPU_WAIT_SIPI;
		}
		return;
	}
	/* this pCPU ran another VM before: nothing of it may show */
	cpu_scrub_guest_state();
	/* EPT roots and VPIDs are reused after a destroy: no stale translations */
	invept_single(vm->eptp);
	invvpid_single((u16)vmread(VMCS_VPID));
	if (v->has_start_regs) {
		vmcs_load_abi_regs(v, &v->start_regs);
		v->state = VCPU_RUNNING;
	} else if (v->id == 0) {
		vmcs_set_reset_state(v);
		v->state = VCPU_RUNNING;
	} else {
		v->state = VCPU_WAIT_SIPI;
	}
}

/* First entry on this pCPU: VMCS, the exit stack (one per pCPU, kept), the start state. */
void __noreturn vcpu_run_loop(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct pcpu *p = this_cpu();
	u64 *top;

	if (!p->exit_stack)
		p->exit_stack = page_alloc(EXIT_STACK_PAGES);
	if (!p->exit_stack || vmcs_init(v)) {
		vm_stop(vm, "vCPU %u: VMCS setup failed", v->id);
		vcpu_park(v);
	}
	v->apicv = v->deadline_pt = false;	/* a fresh VMCS: the emulated path, until */
	vcpu_lapic_update(v);
	top = (u64 *)((u8 *)p->exit_stack + EXIT_STACK_PAGES * PAGE_SIZE) - 2;
	*top = (u64)v;
	vmwrite(VMCS_HOST_RSP, (u64)top);
	v->launched = 0;		/* a fresh VMCS: VMLAUNCH first */
	spec_enter_pcpu(p, v);
	load_start_state(v);
	if (v->state == VCPU_RUNNING)
		hv_report_first_entry();	/* entering now, not waiting for a SIPI */
	vcpu_time_start(v);
	vcpu_prepare_entry(v);
}
