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
