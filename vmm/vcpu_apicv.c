/*
 * APIC virtualization on a vCPU (SDM vol. 3, ch. 29): a vCPU whose vLAPIC
 * is in x2APIC mode, on a CPU with virtualize x2APIC mode, APIC-register
 * virtualization and virtual-interrupt delivery (and not apicv=off), runs
 * with its vLAPIC's register page as the virtual-APIC page. Reads of the
 * x2APIC registers, TPR, EOI and self-IPI writes then need no exit, and
 * interrupts are delivered by the CPU from the page's IRR once RVI names
 * them. Everything else (xAPIC mode, a CPU without it) is the emulated path
 * of vcpu.c; both share the page, so a switch loses nothing.
 */
#include "lib.h"
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

/*
 * Controls, MSR bitmap and the CPU's view of the page, from the vLAPIC's
 * mode and state. After VMCS set-up, IA32_APIC_BASE writes and INIT (the
 * page was reset behind the CPU's back).
 */
void vcpu_apicv_update(struct vcpu *v)
{
	bool on = v->vm->msr_bitmap_apicv && vlapic_x2apic_mode(&v->vlapic);
	u64 proc = vmread(VMCS_PROC_CTLS), proc2 = vmread(VMCS_PROC_CTLS2);

	if (on) {
		/* with a TPR shadow, MOV CR8 reads and writes the page's TPR */
		proc = (proc | PROC_TPR_SHADOW) & ~(u64)(PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT |
							 PROC_INTR_WINDOW);
		proc2 |= PROC2_APICV;
		v->intr_window = false;	/* the CPU delivers when the guest can take it */
		vmwrite(VMCS_VIRT_APIC_ADDR, virt_to_phys(v->vlapic.regs));
		vmwrite(VMCS_TPR_THRESHOLD, 0);
		vmwrite(VMCS_MSR_BITMAP, virt_to_phys(v->vm->msr_bitmap_apicv));
	} else {
		proc = (proc & ~(u64)PROC_TPR_SHADOW) | PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT;
		proc2 &= ~(u64)PROC2_APICV;
		vmwrite(VMCS_MSR_BITMAP, virt_to_phys(v->vm->msr_bitmap));
	}
	vmwrite(VMCS_PROC_CTLS, proc | (u32)vmx_caps.proc);
	vmwrite(VMCS_PROC_CTLS2, proc2);
	v->apicv = on;
	vlapic_set_apicv(&v->vlapic, on);
	if (on) {
		u32 staged[8];

		write_eoi_exit(v);
		if (vlapic_take_staged(&v->vlapic, staged))
			vlapic_irr_merge(&v->vlapic, staged);
		write_intr_status(v);
	}
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
