/* vCPUs as the hypervisor tracks them, and what every layer may ask of one. */
#ifndef BH_VCPU_H
#define BH_VCPU_H

#include "types.h"
#include "vlapic.h"
#include "vmx.h"
#include "x86.h"
#include "public/acrn_abi.h"

struct vm;
struct pcpu;

/* GPR slots in x86 register-number order (the instruction decoder uses it). */
enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
       GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15, NR_GPRS };

/* SOS_REMOVE_CPU handshake: the hypercall asks, the vCPU claims it as it leaves. */
enum { VCPU_REMOVE_NONE, VCPU_REMOVE_ASKED, VCPU_REMOVE_LEAVING };

enum vcpu_state {
	VCPU_WAIT_SIPI,		/* AP not started by its BSP yet */
	VCPU_RUNNING,
	VCPU_HALTED,
	VCPU_STOPPED,
};

struct vcpu {
	u64 gpr[NR_GPRS];	/* keep first: vcpu_entry.S addresses it at offset 0 */
	u8 launched;		/* its VMCS was launched: VMRESUME from now on */
	/*
	 * TSC sums for the share of time in VMX root (vcpu_entry.S adds each
	 * exit's and each entry's TSC, halves apart: no shift on the way; C adds
	 * a pseudo-exit when the vCPU takes its pCPU and a pseudo-entry when it
	 * parks, so root = entries - exits and every interval pairs up).
	 */
	u64 tsc_exit_lo, tsc_exit_hi, tsc_entry_lo, tsc_entry_hi;
	u64 idle_ticks;		/* of the root time: waiting halted, not working */
	u64 run_ticks;		/* pCPU taken .. parked, summed */
	u64 run_since;		/* TSC when it took its pCPU */
	struct vm *vm;
	unsigned id;		/* index in the VM = virtual LAPIC id */
	struct pcpu *pcpu;
	volatile enum vcpu_state state;
	void *vmcs;
	struct vlapic vlapic;
	u64 exit_count[NR_EXIT_REASONS];
	/* current exit */
	u32 exit_reason;
	u32 idt_vectoring;
	u64 exit_qual;
	/* guest CR0/CR4 as the guest wrote them: exact for the host-owned bits */
	u64 cr0_shadow, cr4_shadow, efer;
	u64 xcr0;
	u64 spec_ctrl;		/* its IA32_SPEC_CTRL (in the hardware while it runs) */
	u64 timer_armed;	/* host TSC deadline programmed for this vCPU */
	bool entry_plain;	/* the last entry had nothing to do (vcpu_resume_if_plain) */
	/*
	 * An exit's handler is running on its pCPU: it looks at everything a
	 * kick announces before it enters or sleeps, so vcpu_kick sends no IPI
	 * (one would only bring it straight back out after the entry). Cleared,
	 * with a full barrier, before that look (vcpu_handler_done).
	 */
	volatile u8 in_handler;
	u32 kicks;		/* vcpu_kicks so far: what the entry path saw before it looked */
	u64 halt_poll;		/* TSC ticks a halted vCPU polls before it sleeps (vcpu.c) */
	/* two local reasons for a full entry, tested as one word by entry_is_plain */
	union {
		struct {
			bool intr_window;	/* interrupt-window exiting is on */
			bool pending_exc;	/* exc_* below to inject */
		};
		u16 entry_local;
	};
	bool apicv;		/* APIC virtualization runs its vLAPIC (vmm/vcpu_lapic.c) */
	bool deadline_pt;	/* its IA32_TSC_DEADLINE writes arm the host timer (ditto) */
	bool deadline_held;	/* an ioreq wait holds the guest's deadline: held_deadline */
	u64 held_deadline;
	u64 sampled_rip;	/* guest RIP at the last kick, for statistics */
	u8 exc_vector;
	bool exc_has_error;
	u32 exc_error;
	/* post-launched VMs */
	bool has_start_regs;		/* SET_VCPU_REGS was given: start from start_regs */
	struct abi_regs start_regs;
	volatile bool ioreq_finished;	/* NOTIFY_REQUEST_FINISH arrived for its request */
	volatile bool ioreq_asleep;	/* its ioreq wait sleeps: the notify sends an IPI */
	u64 ioreq_poll;			/* TSC ticks its ioreq wait polls before it sleeps */
	u64 flushed_gen;		/* the VM's flush_gen this vCPU has flushed up to */
	u8 removed;			/* SOS_REMOVE_CPU: VCPU_REMOVE_* */
	u8 *msr_bitmap;		/* the VM's with this vCPU's additions; NULL until needed */
};

/* Deliver exception vector at the next entry (replacing one not yet delivered). */
static inline void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	v->pending_exc = true;
	v->exc_vector = vector;
	v->exc_has_error = has_error;
	v->exc_error = error;
}
static inline void vcpu_inject_gp(struct vcpu *v) { vcpu_inject_exception(v, 13, true, 0); }
static inline void vcpu_inject_ud(struct vcpu *v) { vcpu_inject_exception(v, 6, false, 0); }
/* Skip the exiting instruction; v's VMCS is the current one (exits run on the vCPU's pCPU). */
static inline void vcpu_advance_rip(struct vcpu *v)
{
	u64 intr;

	(void)v;
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSN_LEN));
	/* the instruction completed: STI/MOV SS blocking ends with it */
	intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			intr & ~(u64)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}
int vcpu_cpu_mode(struct vcpu *v);		/* 16, 32 or 64 */
int vcpu_cpl(struct vcpu *v);			/* current privilege level */
void vcpu_kick(struct vcpu *v);			/* out of guest mode, to see new events */

/*
 * The handler is done with the exit, or about to sleep: from here on a kick
 * sends its IPI. The barrier orders the store before the caller's look at
 * what kicks announce (a sender stores and counts its kick, then looks at
 * in_handler: one of the two sees the other's store).
 */
static inline void vcpu_handler_done(struct vcpu *v)
{
	__atomic_store_n(&v->in_handler, 0, __ATOMIC_SEQ_CST);
}

/* VM exits: the hypercall layer plugs its VMCALL handler in (hcall_init); until then #UD. */
typedef int (*exit_handler_t)(struct vcpu *v);
void vmexit_set_vmcall(exit_handler_t fn);

#endif
