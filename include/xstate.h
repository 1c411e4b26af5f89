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

/*
 * IA32_XSS (supervisor state components: PT 8, PASID 10, CET 11-12, HDC 13,
 * UINTR 14, arch LBR 15, HWP 16). A guest's XRSTORS of a supervisor
 * component would load host-wide hardware state (trace outputs, LBRs,
 * performance hints), so IA32_XSS is not passed through: the guest sees the
 * components the hypervisor switches per VM, XSS_VIRTUALIZED, which is none.
 * The hardware register stays 0 while guests run, so XSAVES/XRSTORS touch
 * user components only; the XSS-exiting bitmap turns an XRSTORS naming any
 * other component into an exit, answered with the #GP the CPU would raise.
 */
#define XSS_VIRTUALIZED		0ULL

/*
 * The guest's IA32_XSS access: the MSR exists only when the guest has
 * XSAVES (@xsaves); reads give 0, writes of bits outside XSS_VIRTUALIZED
 * are refused. 0 or -EINVAL (#GP).
 */
int xss_read(bool xsaves, u64 *val);
int xss_write_check(bool xsaves, u64 val);

/* The XSS-exiting bitmap: every component that is not a user component of this CPU. */
u64 xss_exiting_bitmap(u64 host_xcr0);

/*
 * CPUID as a guest may see it for the extended-state and tracing leaves:
 * 0xD sub-leaf 1 without supervisor components (ECX:EDX 0) and without
 * XSAVES when VMX does not let it run (@xsaves false); 0xD sub-leaves of
 * components outside @host_xcr0 (the supervisor ones) all zero; leaf 7 with
 * neither Intel PT (EBX 25), arch LBR (EDX 19) nor CET (ECX 7, EDX 20);
 * leaves 0x14 (PT) and 0x1C (arch LBR) all zero. Other leaves unchanged.
 */
void xstate_cpuid_filter(u32 leaf, u32 sub, u64 host_xcr0, bool xsaves, u32 r[4]);

#endif
