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

/*
 * Extended state, tracing and leaf 7: what is virtualized only
 * (include/xstate.h). Out of line, so the path of the other leaves needs no
 * stack frame for its arrays.
 */
static __noinline void cpuid_filter_xstate(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	u32 r[4] = { *a, *b, *c, *d }, ha, hb, hc, hd;

	if (leaf == 7) {
		if (sub != 0) {
			spec_cpuid_filter(leaf, sub, r);	/* sub-leaf 2: SPEC_CTRL bits */
			*d = r[3];
			return;
		}
		xstate_cpuid_filter(leaf, sub, 0, true, r);	/* PT, arch LBR, CET */
		r[1] &= ~BIT(2);		/* SGX */
		if (!(vmread(VMCS_PROC_CTLS2) & PROC2_INVPCID))
			r[1] &= ~BIT(10);
		r[2] &= ~(BIT(5) | BIT(30));	/* WAITPKG, SGX launch control */
		spec_cpuid_filter(leaf, sub, r);
	} else {
		cpuid_count(0xD, 0, &ha, &hb, &hc, &hd);
		xstate_cpuid_filter(leaf, sub, ((u64)hd << 32) | ha,
				    vmread(VMCS_PROC_CTLS2) & PROC2_XSAVES, r);
	}
	*a = r[0], *b = r[1], *c = r[2], *d = r[3];
}

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
	case 0x1C:
	case 7:
		cpuid_filter_xstate(leaf, sub, a, b, c, d);
		break;
	case 0xB:
	case 0x1F:
		*d = v->id;			/* x2APIC id */
		break;
	default:
		break;
	}
}

/* The host's answer for leaf, filtered: out of line, so leaf 0's path needs no stack frame. */
static __noinline int cpuid_exit_filtered(struct vcpu *v, u32 leaf, u32 sub)
{
	u32 a, b, c, d;

	cpuid_count(leaf, sub, &a, &b, &c, &d);
	cpuid_filter(v, leaf, sub, &a, &b, &c, &d);
	v->gpr[GPR_RAX] = a;
	v->gpr[GPR_RBX] = b;
	v->gpr[GPR_RCX] = c;
	v->gpr[GPR_RDX] = d;
	vcpu_advance_rip(v);
	vcpu_resume_if_plain(v);
	return 0;
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

/* The ACRN leaves 0x400000xx: constants and the VM's privilege. */
static __noinline int acrn_leaf(struct vcpu *v, u32 leaf)
{
	u32 a = 0, b = 0, c = 0, d = 0;

	if (leaf == HV_LEAF_BASE) {
		a = HV_LEAF_MAX;
		b = c = d = SIG_ACRN;
	} else if (leaf == HV_LEAF_BASE + 1) {
		a = (v->vm->cfg->flags & VM_FLAG_PRIVILEGED) ? 1 : 0;
	} else if (leaf == HV_LEAF_BASE + 0x10) {
		a = (u32)tsc_khz;
	}
	v->gpr[GPR_RAX] = a;
	v->gpr[GPR_RBX] = b;
	v->gpr[GPR_RCX] = c;
	v->gpr[GPR_RDX] = d;
	vcpu_advance_rip(v);
	vcpu_resume_if_plain(v);
	return 0;
}

/* Every leaf but 0: bulkhead's, ACRN's, or the host's filtered. Out of line: leaf 0's path stays short. */
static __noinline int cpuid_exit_other(struct vcpu *v, u32 leaf)
{
	if ((leaf >> 8) == (HV_LEAF_EXIT_COUNT >> 8))
		return bulkhead_leaf(v, leaf);
	if ((leaf >> 8) == (HV_LEAF_BASE >> 8))
		return acrn_leaf(v, leaf);
	return cpuid_exit_filtered(v, leaf, (u32)v->gpr[GPR_RCX]);
}

/*
 * Leaf 0 (the vendor and highest leaf, as they are) takes the shortest path:
 * CPUID's 64-bit outputs (upper halves zeroed by the CPU) go straight into
 * the GPR slots.
 */
int vmx_exit_cpuid(struct vcpu *v)
{
	if (unlikely((u32)v->gpr[GPR_RAX]))
		return cpuid_exit_other(v, (u32)v->gpr[GPR_RAX]);
	cpuid_count64(0, (u32)v->gpr[GPR_RCX], &v->gpr[GPR_RAX], &v->gpr[GPR_RBX],
		      &v->gpr[GPR_RCX], &v->gpr[GPR_RDX]);
	vcpu_advance_rip(v);
	vcpu_resume_if_plain(v);	/* CPUID changes nothing else */
	return 0;
}
