/* VM-exit dispatch: one handler per exit reason; anything else stops the VM. */
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "x86.h"
#include "irq.h"

static void dump_guest(struct vcpu *v)
{
	printk("  RIP %016lx RSP %016lx RFLAGS %08lx CR0 %08lx CR3 %016lx CR4 %08lx EFER %lx\n",
	       vmread(VMCS_GUEST_RIP), vmread(VMCS_GUEST_RSP), vmread(VMCS_GUEST_RFLAGS),
	       v->cr0_shadow, vmread(VMCS_GUEST_CR3), v->cr4_shadow, v->efer);
	printk("  RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n",
	       v->gpr[GPR_RAX], v->gpr[GPR_RBX], v->gpr[GPR_RCX], v->gpr[GPR_RDX]);
	printk("  RSI %016lx RDI %016lx RBP %016lx CS %04lx\n",
	       v->gpr[GPR_RSI], v->gpr[GPR_RDI], v->gpr[GPR_RBP],
	       vmread(VMCS_GUEST_ES_SEL + 2 * SEG_CS));
}

static int exit_ext_intr(struct vcpu *v)
{
	u32 info = (u32)vmread(VMCS_EXIT_INTR_INFO);

	if (!(info & INTR_INFO_VALID))
		return 0;
	if ((info & 0xff) == KICK_VECTOR)
		v->sampled_rip = vmread(VMCS_GUEST_RIP);	/* where the guest was, for stats */
	irq_dispatch(info & 0xff);
	return 0;
}

/*
 * Exceptions are not intercepted: this is an NMI (NMI exiting), a kick
 * (vm_flush_wait; the entry path flushes). It was in the guest, not stuck
 * here. The NMI was the host's, never delivered to the guest: neither side
 * may stay NMI-blocked by it, or the next NMI kick would not get through
 * (Bochs saves the guest as blocked; an IRET ends any host blocking).
 */
static int exit_exception_nmi(struct vcpu *v)
{
	v->sampled_rip = vmread(VMCS_GUEST_RIP);
	this_cpu()->nmi_dump = false;
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
		vmread(VMCS_GUEST_INTERRUPTIBILITY) & ~(u64)INTERRUPTIBILITY_NMI);
	nmi_unblock();
	return 0;
}

static int exit_hlt(struct vcpu *v)
{
	vcpu_advance_rip(v);
	v->state = VCPU_HALTED;
	return 0;
}

static int exit_triple_fault(struct vcpu *v)
{
	vm_stop(v->vm, "triple fault on vCPU %u", v->id);
	dump_guest(v);
	return -1;
}

/* VMX instructions are hidden from guests: they raise #UD as on a CPU without VMX. */
static int exit_vmx_insn(struct vcpu *v)
{
	vcpu_inject_ud(v);
	return 0;
}

/*
 * XSAVES/XRSTORS exit only for components in the XSS-exiting bitmap, none
 * of which the guest can have enabled (IA32_XSS is 0 for it): the CPU would
 * raise #GP, so does the guest.
 */
static int exit_xsaves(struct vcpu *v)
{
	vcpu_inject_gp(v);
	return 0;
}

/* VMCALL: the hypercall layer's entry once it is plugged in (hcall_init), else #UD. */
static exit_handler_t vmcall_handler;

void vmexit_set_vmcall(exit_handler_t fn)
{
	vmcall_handler = fn;
}

static int exit_vmcall(struct vcpu *v)
{
	if (!vmcall_handler) {
		vcpu_inject_ud(v);
		return 0;
	}
	return vmcall_handler(v);
}

static int exit_nothing(struct vcpu *v)
{
	(void)v;
	return 0;
}

static int exit_init(struct vcpu *v)
{
	/* a physical INIT is never sent to a running pCPU; ignore it */
	(void)v;
	return 0;
}

static __noinline void exit_failed_or_unknown(struct vcpu *v, u32 raw)
{
	u32 reason = raw & 0xffff;

	v->exit_qual = vmread(VMCS_EXIT_QUAL);
	if (raw & BIT(31))
		vm_stop(v->vm, "VM entry failed on vCPU %u: %s (reason %u, qualification 0x%lx)",
			v->id, vmx_exit_name(reason), reason, v->exit_qual);
	else
		vm_stop(v->vm, "unhandled VM exit on vCPU %u: %s (reason %u, qualification 0x%lx)",
			v->id, vmx_exit_name(reason), reason, v->exit_qual);
	dump_guest(v);
}

/* A reason the table has no handler for (the raw reason is below NR_EXIT_REASONS). */
static int exit_unknown(struct vcpu *v)
{
	exit_failed_or_unknown(v, v->exit_reason);
	return -1;
}

/* Every slot filled (no NULL test on each exit): exit_unknown, then the handled ones. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const exit_handler_t handlers[NR_EXIT_REASONS] = {
	[0 ... NR_EXIT_REASONS - 1] = exit_unknown,
	[EXIT_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_EXT_INTR] = exit_ext_intr,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_INIT] = exit_init,
	[EXIT_INTR_WINDOW] = exit_nothing,
	[EXIT_PREEMPT_TIMER] = exit_nothing,
	[EXIT_CPUID] = vmx_exit_cpuid,
	[EXIT_HLT] = exit_hlt,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = exit_vmx_insn,
	[EXIT_VMLAUNCH] = exit_vmx_insn,
	[EXIT_VMPTRLD] = exit_vmx_insn,
	[EXIT_VMPTRST] = exit_vmx_insn,
	[EXIT_VMREAD] = exit_vmx_insn,
	[EXIT_VMRESUME] = exit_vmx_insn,
	[EXIT_VMWRITE] = exit_vmx_insn,
	[EXIT_VMXOFF] = exit_vmx_insn,
	[EXIT_VMXON] = exit_vmx_insn,
	[EXIT_INVEPT] = exit_vmx_insn,
	[EXIT_INVVPID] = exit_vmx_insn,
	[EXIT_VMFUNC] = exit_vmx_insn,
	[EXIT_CR_ACCESS] = vmx_exit_cr_access,
	[EXIT_IO] = vmx_exit_io,
	[EXIT_RDMSR] = vmx_exit_rdmsr,
	[EXIT_WRMSR] = vmx_exit_wrmsr,
	[EXIT_EPT_VIOLATION] = vmx_exit_ept_violation,
	[EXIT_XSETBV] = vmx_exit_xsetbv,
	[EXIT_WBINVD] = vmx_exit_wbinvd,
	[EXIT_VIRT_EOI] = vmx_exit_virt_eoi,
	[EXIT_XSAVES] = exit_xsaves,
	[EXIT_XRSTORS] = exit_xsaves,
};
#pragma GCC diagnostic pop

/*
 * Called by vcpu_entry.S on the vCPU's exit stack after every VM exit; it
 * calls vcpu_enter afterwards, so the common case ends in a tail call to the
 * handler. A raw exit reason below NR_EXIT_REASONS is an ordinary exit (no
 * entry failure bit, no flags in bits 16-30); anything else stops the VM.
 * The flag bits (26 bus lock, 27 enclave, 28 pending MTF) need controls we
 * do not enable; one that is enabled later must be masked off here first.
 */
void vmx_exit_handler(struct vcpu *v)
{
	u64 raw = vmread(VMCS_EXIT_REASON);	/* a 32-bit field: the upper half is 0 */

	v->in_handler = 1;	/* kicks wait for vcpu_enter's look (vcpu_handler_done) */
	/* the qualification is read by the handlers that use it */
	v->idt_vectoring = (u32)vmread(VMCS_IDT_VECTORING_INFO);
	if (likely(raw < NR_EXIT_REASONS)) {
		v->exit_reason = (u32)raw;
		v->exit_count[raw]++;
		handlers[raw](v);
		return;
	}
	v->exit_reason = raw & 0xffff;
	if (v->exit_reason < NR_EXIT_REASONS)
		v->exit_count[v->exit_reason]++;
	exit_failed_or_unknown(v, (u32)raw);
}
