/* XCR0 and IA32_XSS rules (include/xstate.h). Pure logic. */
#include "lib.h"
#include "xstate.h"

/* all of @group or none of it */
static bool all_or_none(u64 val, u64 group)
{
	return (val & group) == 0 || (val & group) == group;
}

int xsetbv_check(int cpl, u32 xcr, u64 val, u64 host_xcr0)
{
	if (cpl != 0 || xcr != 0)
		return -EINVAL;
	if (val & ~host_xcr0)
		return -EINVAL;
	if (!(val & XFEATURE_X87))
		return -EINVAL;
	if ((val & XFEATURE_AVX) && !(val & XFEATURE_SSE))
		return -EINVAL;
	if (!all_or_none(val, XFEATURE_MPX))
		return -EINVAL;
	if (!all_or_none(val, XFEATURE_AVX512) ||
	    ((val & XFEATURE_AVX512) && !(val & XFEATURE_AVX)))
		return -EINVAL;
	if (!all_or_none(val, XFEATURE_AMX))
		return -EINVAL;
	return 0;
}

int xss_read(bool xsaves, u64 *val)
{
	if (!xsaves)
		return -EINVAL;
	*val = 0;		/* XSS_VIRTUALIZED: nothing is ever enabled */
	return 0;
}

int xss_write_check(bool xsaves, u64 val)
{
	if (!xsaves || (val & ~XSS_VIRTUALIZED))
		return -EINVAL;
	return 0;
}

u64 xss_exiting_bitmap(u64 host_xcr0)
{
	return ~host_xcr0;
}

enum { A, B, C, D };

void xstate_cpuid_filter(u32 leaf, u32 sub, u64 host_xcr0, bool xsaves, u32 r[4])
{
	switch (leaf) {
	case 0xD:
		if (sub == 1) {
			if (!xsaves)
				r[A] &= ~BIT(3);
			r[C] = r[D] = 0;	/* IA32_XSS components: XSS_VIRTUALIZED */
		} else if (sub >= 2 && (sub >= 63 || !(host_xcr0 & BIT(sub)))) {
			r[A] = r[B] = r[C] = r[D] = 0;
		}
		break;
	case 7:
		if (sub == 0) {
			r[B] &= ~BIT(25);		/* Intel PT */
			r[C] &= ~BIT(7);		/* CET shadow stacks */
			r[D] &= ~(BIT(19) | BIT(20));	/* arch LBR, CET IBT */
		}
		break;
	case 0x14:				/* Intel PT */
	case 0x1C:				/* arch LBR */
		r[A] = r[B] = r[C] = r[D] = 0;
		break;
	default:
		break;
	}
}
