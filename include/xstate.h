/*
 * The guest's extended-state controls (XCR0 by XSETBV, IA32_XSS) as the SDM
 * defines them (Vol. 1 13.3, Vol. 3 XSETBV): pure logic, so every rule is
 * unit-tested and nothing a guest asks for reaches the hardware in root mode
 * unchecked (a #GP there is a hypervisor exception: PANIC, the pCPU lost).
 */
#ifndef BH_XSTATE_H
#define BH_XSTATE_H

#include "types.h"

#define XFEATURE_X87		BIT(0)
#define XFEATURE_SSE		BIT(1)
#define XFEATURE_AVX		BIT(2)
#define XFEATURE_MPX		(BIT(3) | BIT(4))		/* BNDREGS, BNDCSR */
#define XFEATURE_AVX512		(BIT(5) | BIT(6) | BIT(7))	/* opmask, ZMM_Hi256, Hi16_ZMM */
#define XFEATURE_AMX		(BIT(17) | BIT(18))		/* TILECFG, TILEDATA */

/*
 * May a guest at @cpl execute XSETBV with ECX = @xcr and EDX:EAX = @val, on a
 * CPU whose CPUID.(EAX=0DH,ECX=0):EDX:EAX is @host_xcr0? 0 if the hardware
 * would take it, -EINVAL where it raises #GP(0): CPL > 0, ECX != 0, a bit
 * the CPU does not support, bit 0 clear, AVX without SSE, MPX's two bits not
 * equal, AVX-512's three bits not equal or set without AVX (and SSE), AMX's
 * two bits not equal.
 */
int xsetbv_check(int cpl, u32 xcr, u64 val, u64 host_xcr0);

#endif
