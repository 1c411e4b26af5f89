/* Constants shared by the assembly entry code and C. */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

#define GUEST_MAX_CPUS 16
#define GUEST_STACK_SHIFT 13 /* 8 KiB per CPU; struct percpu sits at the bottom */
#define GUEST_STACK_SIZE (1 << GUEST_STACK_SHIFT)

#define GDT_CODE 0x08
#define GDT_DATA 0x10
#define GDT_LIMIT (3 * 8 - 1) /* null, code, data */

#define AP_TRAMPOLINE_ADDR 0x8000 /* contract: guest page 0x8000 is free for this */
#define XAPIC_ID_MMIO 0xFEE00020

#endif
