/* Control-register and XCR0 exits: only the bits VMX forces are ours. */
#include "lib.h"
#include "vmm_internal.h"
#include "x86.h"
#include "xstate.h"

#define CR0_RESERVED (~0xffffffffULL | 0x1ffaffc0ULL)

static u64 read_gpr(struct vcpu *v, unsigned r)
{
	return r == GPR_RSP ? vmread(VMCS_GUEST_RSP) : v->gpr[r];
}

static void write_gpr(struct vcpu *v, unsigned r, u64 val)
{
	if (r == GPR_RSP)
		vmwrite(VMCS_GUEST_RSP, val);
	else
		v->gpr[r] = val;
}

int vcpu_cpl(struct vcpu *v)
{
	if (!(v->cr0_shadow & X86_CR0_PE))
		return 0;
	return (vmread(VMCS_GUEST_ES_AR + 2 * SEG_SS) >> 5) & 3;
}

/* PAE paging outside long mode takes the PDPTEs from the VMCS (SDM 26.3.2.4). */
int vmx_load_pdptes(struct vcpu *v)
{
	u64 cr3 = vmread(VMCS_GUEST_CR3) & 0xffffffe0ULL;
	u64 *pdpte = vm_gpa_to_hva(v->vm, cr3, 32);

	if (!pdpte)
		return -EFAULT;
	for (int i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	return 0;
}

static int guest_write_cr0(struct vcpu *v, u64 val)
{
	if ((val & CR0_RESERVED) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
		return -EINVAL;
	if ((val & X86_CR0_PG) && !(v->cr0_shadow & X86_CR0_PG) &&
	    (v->efer & X86_EFER_LME) && !(v->cr4_shadow & X86_CR4_PAE))
		return -EINVAL;
	/* PAE paging without long mode: PDPTEs that cannot load fault the write, CR0 unchanged */
	if ((val & X86_CR0_PG) && (v->cr4_shadow & X86_CR4_PAE) &&
	    !(v->efer & X86_EFER_LME) && vmx_load_pdptes(v))
		return -EFAULT;
	v->cr0_shadow = val;
	vmwrite(VMCS_CR0_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, vmcs_guest_cr0(val));
	vmcs_update_ia32e(v);
	return 0;
}

static int guest_write_cr4(struct vcpu *v, u64 val)
{
	u64 allowed = vmx_caps.cr4_fixed1 & ~(u64)(X86_CR4_VMXE | X86_CR4_SMXE);

	if (val & ~allowed)
		return -EINVAL;
	if ((v->efer & X86_EFER_LMA) && !(val & X86_CR4_PAE))
		return -EINVAL;
	/* likewise: the PDPTEs load first, and CR4 changes only if they do */
	if ((v->cr0_shadow & X86_CR0_PG) && (val & X86_CR4_PAE) && !(v->efer & X86_EFER_LMA) &&
	    vmx_load_pdptes(v))
		return -EFAULT;
	v->cr4_shadow = val;
	vmwrite(VMCS_CR4_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, vmcs_guest_cr4(val));
	return 0;
}

int vmx_exit_cr_access(struct vcpu *v)
{
	u64 q = v->exit_qual = vmread(VMCS_EXIT_QUAL);
	unsigned cr = q & 0xf, type = (q >> 4) & 3, reg = (q >> 8) & 0xf;
	int ret = 0;

	if (type == 0) {		/* MOV to CR */
		u64 val = read_gpr(v, reg);

		switch (cr) {
		case 0:
			ret = guest_write_cr0(v, val);
			break;
		case 4:
			ret = guest_write_cr4(v, val);
			break;
		case 8:
			if (val > 15)
				ret = -EINVAL;
			else
				vlapic_set_cr8(&v->vlapic, val);
			break;
		default:
			ret = -EINVAL;
		}
	} else if (type == 3) {		/* LMSW: may set PE, never clear it */
		u64 cur = (vmread(VMCS_GUEST_CR0) & ~CR0_HOST_OWNED) | (v->cr0_shadow & CR0_HOST_OWNED);
		u64 src = (v->exit_qual >> 16) & 0xf;

		ret = guest_write_cr0(v, (cur & ~0xeULL) | src | (cur & X86_CR0_PE));
	} else if (type == 1 && cr == 8) {	/* MOV from CR8 */
		write_gpr(v, reg, vlapic_get_cr8(&v->vlapic));
	} else {
		vm_stop(v->vm, "unexpected CR access exit (qualification 0x%lx)", v->exit_qual);
		return -1;
	}
	if (ret) {
		vcpu_inject_gp(v);
		return 0;
	}
	vcpu_advance_rip(v);
	return 0;
}

int vmx_exit_xsetbv(struct vcpu *v)
{
	u64 val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];
	u32 a, b, c, d;

	cpuid_count(0xD, 0, &a, &b, &c, &d);
	/* a value the hardware refuses would #GP here, in root mode: the guest's #GP instead */
	if (xsetbv_check(vcpu_cpl(v), (u32)v->gpr[GPR_RCX], val, ((u64)d << 32) | a)) {
		vcpu_inject_gp(v);
		return 0;
	}
	/* the pCPU belongs to this vCPU alone: XCR0 can live in the hardware */
	xsetbv(0, val);
	v->xcr0 = val;
	vcpu_advance_rip(v);
	return 0;
}
