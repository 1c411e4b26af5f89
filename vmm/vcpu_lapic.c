/*
 * What the CPU does for a vCPU's vLAPIC, where it can (SDM vol. 3, ch. 29):
 *
 * APIC virtualization: a vCPU whose vLAPIC is in x2APIC mode, on a CPU with
 * virtualize x2APIC mode, APIC-register virtualization and virtual-interrupt
 * delivery (and not apicv=off), runs with its vLAPIC's register page as the
 * virtual-APIC page. Reads of the x2APIC registers, TPR, EOI and self-IPI
 * writes then need no exit, and the CPU delivers interrupts from the page's
 * IRR once RVI names them. Otherwise (xAPIC mode, a CPU without it) it is
 * the emulated path of vcpu.c; both share the page, so a switch loses nothing.
 *
 * The TSC-deadline timer: while the LVT timer is in TSC-deadline mode and
 * the host has that timer, the guest's IA32_TSC_DEADLINE passes through to
 * the host's (the pCPU is the vCPU's alone, the guest's TSC is the host's):
 * its writes need no exit, and the host timer interrupt, an exit anyway,
 * raises the LVT timer vector (vcpu.c's timer_irq).
 *
 * Each vCPU has its own MSR bitmap: the VM's, plus what these two let through.
 */
#include "lib.h"
#include "lapic.h"
#include "mm.h"
#include "vmm_internal.h"

/* Level-triggered vectors (TMR) exit on EOI: the vIOAPIC and ptirq must see it. */
static void write_eoi_exit(struct vcpu *v)
{
	u64 tmr[4];

	vlapic_tmr_bitmap(&v->vlapic, tmr);
	for (unsigned i = 0; i < 4; i++)
		vmwrite(VMCS_EOI_EXIT0 + 2 * i, tmr[i]);
}

static void write_intr_status(struct vcpu *v)
{
	int rvi = vlapic_highest_irr(&v->vlapic), svi = vlapic_highest_isr(&v->vlapic);

	vmwrite(VMCS_GUEST_INTR_STATUS, (u64)(svi < 0 ? 0 : svi) << 8 | (u64)(rvi < 0 ? 0 : rvi));
}

static void set_apicv(struct vcpu *v, bool on)
{
	u64 proc = vmread(VMCS_PROC_CTLS), proc2 = vmread(VMCS_PROC_CTLS2);
	u32 staged[8];

	if (on) {
		/* with a TPR shadow, MOV CR8 reads and writes the page's TPR */
		proc = (proc | PROC_TPR_SHADOW) & ~(u64)(PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT |
							 PROC_INTR_WINDOW);
		proc2 |= PROC2_APICV;
		v->intr_window = false;	/* the CPU delivers when the guest can take it */
		vmwrite(VMCS_VIRT_APIC_ADDR, virt_to_phys(v->vlapic.regs));
		vmwrite(VMCS_TPR_THRESHOLD, 0);
	} else {
		proc = (proc & ~(u64)PROC_TPR_SHADOW) | PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT;
		proc2 &= ~(u64)PROC2_APICV;
	}
	vmwrite(VMCS_PROC_CTLS, proc | (u32)vmx_caps.proc);
	vmwrite(VMCS_PROC_CTLS2, proc2);
	v->apicv = on;
	vlapic_set_apicv(&v->vlapic, on);
	if (!on)
		return;
	write_eoi_exit(v);
	if (vlapic_take_staged(&v->vlapic, staged))
		vlapic_irr_merge(&v->vlapic, staged);
	write_intr_status(v);
}

/* The armed deadline moves between the vLAPIC and the host's MSR. */
static void set_deadline_pt(struct vcpu *v, bool on)
{
	u64 d = 0;

	if (on) {
		vlapic_msr_read(&v->vlapic, MSR_IA32_TSC_DEADLINE, &d);
		vlapic_msr_write(&v->vlapic, MSR_IA32_TSC_DEADLINE, 0);
		lapic_arm_deadline(d);	/* one in the past fires at once */
	} else if (v->deadline_pt) {
		d = v->deadline_held ? v->held_deadline : lapic_deadline();
		v->deadline_held = false;
		lapic_arm_deadline(0);
		/* ignored unless still in TSC-deadline mode, as a mode change disarms */
		vlapic_msr_write(&v->vlapic, MSR_IA32_TSC_DEADLINE, d);
	}
	v->timer_armed = 0;
	v->deadline_pt = on;
}

/*
 * Controls, MSR bitmap and the CPU's view of the page, from the vLAPIC's
 * mode and state. After VMCS set-up, IA32_APIC_BASE and LVT timer writes,
 * and INIT (the page was reset behind the CPU's back).
 */
void vcpu_lapic_update(struct vcpu *v)
{
	struct vlapic *l = &v->vlapic;
	bool apicv = vmx_has_apicv() && vlapic_x2apic_mode(l);
	bool pt = lapic_tsc_deadline && vlapic_hw_enabled(l) && vlapic_timer_deadline_mode(l);
	u8 *bm = v->vm->msr_bitmap;

	if (!apicv && !pt && !v->apicv && !v->deadline_pt)
		return;		/* emulated, as the VMCS was set up */
	if (apicv || pt) {
		/* a bitmap of its own; without the page, the emulated paths */
		if (!v->msr_bitmap)
			v->msr_bitmap = page_alloc(1);
		if (v->msr_bitmap) {
			vmx_msr_bitmap_vcpu(v->msr_bitmap, bm, apicv, pt);
			bm = v->msr_bitmap;
		} else {
			apicv = pt = false;
		}
	}
	set_apicv(v, apicv);
	if (pt != v->deadline_pt)
		set_deadline_pt(v, pt);
	vmwrite(VMCS_MSR_BITMAP, virt_to_phys(bm));
}

/* Leaving the pCPU: the guest's deadline goes back into its vLAPIC. */
void vcpu_lapic_leave(struct vcpu *v)
{
	set_deadline_pt(v, false);
}

/*
 * A forwarded I/O request's wait arms the host timer for its time-out: the
 * guest's own deadline, in that MSR, is held meanwhile and armed instead
 * when earlier (when it fires, timer_irq raises the guest's interrupt and
 * forgets it; the time-out stops the VM). Released before the next entry:
 * arm_guest_timer sees timer_armed, which the wait set.
 */
u64 vcpu_deadline_hold(struct vcpu *v, u64 until)
{
	if (!v->deadline_held) {
		v->held_deadline = lapic_deadline();
		v->deadline_held = true;
	}
	return v->held_deadline && v->held_deadline < until ? v->held_deadline : until;
}

void vcpu_deadline_release(struct vcpu *v)
{
	if (v->deadline_held)
		lapic_arm_deadline(v->held_deadline);
	v->deadline_held = false;
	v->timer_armed = 0;
}

/*
 * Before an entry with something new in IRR: level vectors get their
 * EOI-exit bit before they reach IRR, then RVI names the highest request
 * (the CPU delivers it when PPR and RFLAGS.IF allow, and lowers RVI itself).
 */
void vcpu_apicv_sync(struct vcpu *v)
{
	struct vlapic *l = &v->vlapic;
	u32 staged[8];
	int irr;
	u64 st;

	if (!__atomic_exchange_n(&l->irr_hint, 0, __ATOMIC_SEQ_CST))
		return;
	if (vlapic_take_staged(l, staged)) {
		write_eoi_exit(v);
		vlapic_irr_merge(l, staged);
	}
	irr = vlapic_highest_irr(l);
	st = vmread(VMCS_GUEST_INTR_STATUS);
	if (irr > (int)(st & 0xff))
		vmwrite(VMCS_GUEST_INTR_STATUS, (st & ~0xffULL) | (u64)irr);
}

/* EOI of a vector in the EOI-exit bitmap: the CPU did the rest (trap-like, no RIP change). */
int vmx_exit_virt_eoi(struct vcpu *v)
{
	vlapic_eoi_exit(&v->vlapic, (u8)vmread(VMCS_EXIT_QUAL));
	return 0;
}
