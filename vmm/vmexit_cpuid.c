/* CPUID exits: the host's answers, filtered, plus ACRN's hypervisor leaves. */
#include "lib.h"
#include "lapic.h"
#include "mm.h"
#include "vmm_internal.h"
#include "x86.h"
#include "xstate.h"

#define HV_LEAF_BASE 0x40000000
#define HV_LEAF_MAX 0x40000010
/* bulkhead's own leaves, past ACRN's range. EAX = this vCPU's VM exits so far */
#define HV_LEAF_EXIT_COUNT 0x40000100
/*
 * EDX:EAX = bytes of hypervisor memory free (page allocator), for the Service
 * VM only (others read 0): its benchmarks see what a hypercall allocated.
 */
#define HV_LEAF_FREE_MEM 0x40000101

static void cpuid_filter(struct vcpu *v, u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	switch (leaf) {
	case 1:
		*c &= ~(BIT(5) | BIT(6));	/* VMX, SMX */
		*c &= ~BIT(3);			/* MONITOR/MWAIT: not emulated */
		*c |= BIT(31) | BIT(21) | BIT(24); /* hypervisor, x2APIC, TSC deadline (vLAPIC) */
		/* OSXSAVE mirrors the guest's CR4, not ours */
		*c &= ~BIT(27);
		if (vmread(VMCS_GUEST_CR4) & X86_CR4_OSXSAVE)
			*c |= BIT(27);
		*d &= ~(BIT(12) | BIT(22) | BIT(29)); /* MTRR, ACPI thermal, TM */
		*b = (*b & 0x0000ffff) | ((u32)v->id << 24) | ((u32)v->vm->nr_vcpus << 16);
		break;
	case 5:	/* MONITOR leaf */
	case 0xA: /* PMU: not virtualized */
		*a = *b = *c = *d = 0;
		break;
	case 6:	/* thermal and power: only ARAT, the vLAPIC timer never stops */
		*a = BIT(2);
		*b = *c = *d = 0;
		break;
	case 0xD:
	case 0x14:
	case 0x1C: {
		/* extended state and tracing: what is virtualized only (include/xstate.h) */
		u32 r[4] = { *a, *b, *c, *d }, ha, hb, hc, hd;

		cpuid_count(0xD, 0, &ha, &hb, &hc, &hd);
		xstate_cpuid_filter(leaf, sub, ((u64)hd << 32) | ha,
				    vmread(VMCS_PROC_CTLS2) & PROC2_XSAVES, r);
		*a = r[0], *b = r[1], *c = r[2], *d = r[3];
		break;
	}
	case 7:
		if (sub == 0) {
			u32 r[4] = { *a, *b, *c, *d };

			xstate_cpuid_filter(leaf, sub, 0, true, r);	/* PT, arch LBR, CET */
			*a = r[0], *b = r[1], *c = r[2], *d = r[3];
			*b &= ~BIT(2);		/* SGX */
			if (!(vmread(VMCS_PROC_CTLS2) & PROC2_INVPCID))
				*b &= ~BIT(10);
			*c &= ~(BIT(5) | BIT(30)); /* WAITPKG, SGX launch control */
		}
		break;
	case 0xB:
	case 0x1F:
		*d = v->id;			/* x2APIC id */
		break;
	default:
		break;
	}
}

/* "ACRN" as a CPUID register value */
#define SIG_ACRN 0x4e524341u

/* bulkhead's own leaves, apart: the other leaves' path stays a leaf function */
static int __attribute__((noinline)) bulkhead_leaf(struct vcpu *v, u32 leaf)
{
	u64 a = 0, d = 0;

	if (leaf == HV_LEAF_EXIT_COUNT) {
		for (unsigned r = 0; r < NR_EXIT_REASONS; r++)
			a += v->exit_count[r];
		a = (u32)a;
	} else if (leaf == HV_LEAF_FREE_MEM && (v->vm->cfg->flags & VM_FLAG_PRIVILEGED)) {
		d = mm_free_bytes();
		a = (u32)d;
		d >>= 32;
	}
	v->gpr[GPR_RAX] = a;
	v->gpr[GPR_RBX] = 0;
	v->gpr[GPR_RCX] = 0;
	v->gpr[GPR_RDX] = d;
	vcpu_advance_rip(v);
	return 0;
}

int vmx_exit_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->gpr[GPR_RAX], sub = (u32)v->gpr[GPR_RCX];
	u32 a, b, c, d;

	if (__builtin_expect((leaf >> 8) == (HV_LEAF_EXIT_COUNT >> 8), 0))
		return bulkhead_leaf(v, leaf);
	if (__builtin_expect((leaf >> 8) == (HV_LEAF_BASE >> 8), 0)) {
		a = b = c = d = 0;
		if (leaf == HV_LEAF_BASE) {
			a = HV_LEAF_MAX;
			b = c = d = SIG_ACRN;
		} else if (leaf == HV_LEAF_BASE + 1) {
			a = (v->vm->cfg->flags & VM_FLAG_PRIVILEGED) ? 1 : 0;
		} else if (leaf == HV_LEAF_BASE + 0x10) {
			a = (u32)tsc_khz;
		}
	} else {
		cpuid_count(leaf, sub, &a, &b, &c, &d);
		if (leaf)
			cpuid_filter(v, leaf, sub, &a, &b, &c, &d);
	}
	v->gpr[GPR_RAX] = a;
	v->gpr[GPR_RBX] = b;
	v->gpr[GPR_RCX] = c;
	v->gpr[GPR_RDX] = d;
	vcpu_advance_rip(v);
	return 0;
}
