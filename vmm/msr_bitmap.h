/* A VM's MSR bitmap (vmm/msr_bitmap.c, pure logic). */
#ifndef BH_MSR_BITMAP_H
#define BH_MSR_BITMAP_H

#include "types.h"

void vmx_msr_bitmap_init(u8 *bm);			/* one page */
bool msr_bitmap_exits(const u8 *bm, u32 msr, bool write);	/* does this access exit? */

#endif
