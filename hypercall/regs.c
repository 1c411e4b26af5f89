/*
 * SET_VCPU_REGS: refuse a start state the CPU would refuse at VM entry (Intel
 * SDM vol. 3 "Checks on Guest Control Registers" and "... Segment Registers"),
 * so a bad call fails at the hypercall instead of when the VM starts.
 */
#include "hcall.h"

#define CR0_PE		BIT(0)
#define CR0_NW		BIT(29)
#define CR0_CD		BIT(30)
#define CR0_PG		BIT(31)
/* PE MP EM TS ET NE, WP, AM, NW CD PG */
#define CR0_DEFINED	(0x3FULL | BIT(16) | BIT(18) | BIT(29) | BIT(30) | BIT(31))

#define CR4_PAE		BIT(5)
#define CR4_PCIDE	BIT(17)
/* VME..UMIP (0-11), FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP, PKE; never VMXE/SMXE/LA57 */
#define CR4_ALLOWED	(0xFFFULL | BIT(16) | BIT(17) | BIT(18) | BIT(20) | BIT(21) | BIT(22))

#define EFER_LME	BIT(8)
#define EFER_LMA	BIT(10)
#define EFER_ALLOWED	(BIT(0) | EFER_LME | EFER_LMA | BIT(11))	/* SCE LME LMA NXE */

#define RFLAGS_FIXED1	BIT(1)
#define RFLAGS_VM	BIT(17)
/* CF 1 PF AF ZF SF TF IF DF OF IOPL NT, RF AC VIF VIP ID; VM (v8086) refused */
#define RFLAGS_DEFINED	(0x3F7FD7ULL & ~RFLAGS_VM)

/* VMCS access-rights layout */
#define AR_TYPE(ar)	((ar) & 0xF)
#define AR_S		BIT(4)
#define AR_DPL(ar)	(((ar) >> 5) & 3)
#define AR_P		BIT(7)
#define AR_L		BIT(13)
#define AR_DB		BIT(14)
#define AR_G		BIT(15)
#define AR_UNUSABLE	BIT(16)
#define AR_RESERVED	(0xF00ULL | ~0x1FFFFULL)

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static int check_cs(const struct abi_regs *r, bool pe, bool lma)
{
	u64 ar = r->cs_ar;
	unsigned type = AR_TYPE(ar);

	if ((ar & AR_RESERVED) || (ar & AR_UNUSABLE) || !(ar & AR_P) || !(ar & AR_S))
		return -EINVAL;
	/* code types 9/11/13/15; read/write data (3) only in real mode (unrestricted guest) */
	if (!(type == 9 || type == 11 || type == 13 || type == 15 || (type == 3 && !pe)))
		return -EINVAL;
	/*
	 * Privilege 0 only: the data segments are built flat with DPL 0
	 * (vmcs_load_abi_regs), and entry wants SS.DPL = CS.DPL and the
	 * selectors' RPLs to agree; a start at CPL 3 is no boot state anyway.
	 */
	if (AR_DPL(ar) != 0)
		return -EINVAL;
	if (pe && ((r->cs_sel | r->ss_sel | r->ds_sel | r->es_sel | r->fs_sel | r->gs_sel) & 3))
		return -EINVAL;
	if ((ar & AR_L) && (!lma || (ar & AR_DB)))
		return -EINVAL;
	/* limit and granularity must agree */
	if ((r->cs_limit & 0xFFF) != 0xFFF && (ar & AR_G))
		return -EINVAL;
	if ((r->cs_limit >> 20) && !(ar & AR_G))
		return -EINVAL;
	if (r->cs_base >> 32)
		return -EINVAL;
	return 0;
}

int hcall_check_regs(const struct abi_regs *r)
{
	bool pe = r->cr0 & CR0_PE, pg = r->cr0 & CR0_PG;
	bool lme = r->ia32_efer & EFER_LME, lma = r->ia32_efer & EFER_LMA;

	if (r->cr0 & ~CR0_DEFINED)
		return -EINVAL;
	if ((pg && !pe) || ((r->cr0 & CR0_NW) && !(r->cr0 & CR0_CD)))
		return -EINVAL;
	if (r->cr4 & ~CR4_ALLOWED)
		return -EINVAL;
	if (r->ia32_efer & ~EFER_ALLOWED)
		return -EINVAL;
	/* IA-32e mode: LMA = LME with paging on, never without; needs PAE */
	if (pg ? lma != lme : lma)
		return -EINVAL;
	if (lma && !(r->cr4 & CR4_PAE))
		return -EINVAL;
	if (!lma && (r->cr4 & CR4_PCIDE))
		return -EINVAL;
	if (r->cr3 >> 52)
		return -EINVAL;
	if (!(r->rflags & RFLAGS_FIXED1) || (r->rflags & ~RFLAGS_DEFINED))
		return -EINVAL;
	if (check_cs(r, pe, lma))
		return -EINVAL;
	if ((lma && (r->cs_ar & AR_L)) ? !canonical(r->rip) : (r->rip >> 32) != 0)
		return -EINVAL;
	if (!canonical(r->gdt.base) || !canonical(r->idt.base))
		return -EINVAL;
	return 0;
}
