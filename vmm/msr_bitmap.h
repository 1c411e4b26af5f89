/* A VM's MSR bitmap (vmm/msr_bitmap.c, pure logic). */
#ifndef BH_MSR_BITMAP_H
#define BH_MSR_BITMAP_H

#include "types.h"

void vmx_msr_bitmap_init(u8 *bm);			/* one page */
/*
 * A vCPU's bitmap: the VM's (base), plus under APIC virtualization reads of
 * the x2APIC registers the CPU answers from the virtual-APIC page (not the
 * current count: it moves) and writes of TPR, EOI and SELF IPI, plus with
 * deadline IA32_TSC_DEADLINE (the guest arms the host's timer itself).
 */
void vmx_msr_bitmap_vcpu(u8 *bm, const u8 *base, bool apicv, bool deadline);
bool msr_bitmap_exits(const u8 *bm, u32 msr, bool write);	/* does this access exit? */

#endif
