/* Constants shared by assembly and C. */
#ifndef BH_ASM_DEFS_H
#define BH_ASM_DEFS_H

#define HV_STACK_SIZE		0x4000
#define GDT_SEL_CODE64		0x08
#define GDT_SEL_DATA		0x10
#define GDT_SEL_TSS		0x18

#define AP_TRAMPOLINE_ADDR	0x8000	/* host physical, below 1 MiB for the SIPI */

#define MSR_EFER		0xC0000080
#define EFER_LME		(1 << 8)
#define EFER_NXE		(1 << 11)

#endif
