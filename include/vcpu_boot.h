/* Initial register state a guest loader hands to the vCPU that starts the guest. */
#ifndef BH_VCPU_BOOT_H
#define BH_VCPU_BOOT_H

#include "types.h"

enum vcpu_boot_mode {
	VCPU_BOOT_PROT32,	/* flat 32-bit protected mode, paging off */
	VCPU_BOOT_LONG64,	/* 64-bit mode, paging on (cr3 from the loader) */
};

struct vcpu_boot_state {
	enum vcpu_boot_mode mode;
	u64 rip, rsp, rflags;
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 cr0, cr3, cr4, efer;
	u64 gdt_base;		/* GPA of a GDT the loader placed, 0 = hypervisor default */
	u16 gdt_limit;
	u16 cs_sel, ds_sel;	/* selectors into that GDT */
};

#endif
