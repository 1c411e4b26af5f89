/* CPUID for host unit tests (include/x86.h's cpuid_count under UNIT_TEST): a table. */
#ifndef TEST_FAKE_CPUID_H
#define TEST_FAKE_CPUID_H

#include "types.h"

void fake_cpuid_reset(void);	/* every leaf answers 0 */
void fake_cpuid_set(u32 leaf, u32 sub, u32 a, u32 b, u32 c, u32 d);	/* as the host CPU's */
unsigned fake_cpuid_calls(void);	/* cpuid_count calls since the reset */

#endif
