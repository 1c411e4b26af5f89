/*
 * 32-bit entry from GRUB (multiboot1 or 2: EAX = magic, EBX = info), switch
 * to long mode on our own identity page tables, then call boot_main(magic, info).
 */
#include "asm_defs.h"

	.section .text.boot, "ax"
	.code32
	.global _start32
_start32:
	cli
	cld
	movl %eax, %ebp			/* magic */
	movl %ebx, %esi			/* info */
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4

	movl $(boot_stack + HV_STACK_SIZE), %esp

	/*
	 * .bss is zeroed here (GRUB does for ELF, but stay independent of the
	 * loader): the boot page tables now, the rest in long mode 8 bytes a
	 * store (half the iterations; Bochs counts each one).
	 */
	movl $boot_pml4, %edi
	movl $((boot_pt_end - boot_pml4) / 4), %ecx
	xorl %eax, %eax
	rep stosl

	/* long mode available? */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* identity map 0..4 GiB with 2 MiB pages; the top GiB (MMIO) uncached */
	movl $boot_pd, %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	cmpl $1536, %ecx
	jb 2f
	orl $0x18, %eax			/* PWT | PCD for 3-4 GiB */
2:	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of (ecx << 21) */
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	movl $boot_pdpt, %ebx
	xorl %ecx, %ecx
3:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $0x3, %eax
	movl %eax, (%ebx, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 3b

	movl $boot_pdpt, %eax
	orl $0x3, %eax
	movl %eax, boot_pml4

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	andl $~0x60000000, %eax		/* caches on: clear CD, NW */
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $GDT_SEL_CODE64, $long_entry

no_long_mode:
	/* no console yet: write a message straight to COM1 and stop */
	movl $no_lm_msg, %esi
4:	lodsb
	testb %al, %al
	jz 5f
	movw $0x3F8, %dx
	outb %al, %dx
	jmp 4b
5:	hlt
	jmp 5b

	.code64
long_entry:
	movw $GDT_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	/* the rest of .bss: below and above the page tables (all page-aligned) */
	xorl %eax, %eax
	movl $__bss_start, %edi
	movl $boot_pml4, %ecx
	subl %edi, %ecx
	shrl $3, %ecx
	rep stosq
	movl $boot_pt_end, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $3, %ecx
	rep stosq
	movl $(boot_stack + HV_STACK_SIZE), %esp
	movl %ebp, %edi			/* upper halves are undefined after the switch */
	movl %esi, %esi
	xorl %ebp, %ebp
	call boot_main
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_lm_msg:
	.asciz "bulkhead: this CPU has no long mode, stopping\r\n"

	.align 16
	.global boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.data
	.global boot_tsc
	.align 8
boot_tsc:
	.quad 0

	.section .bss
	.align 4096
	.global boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
boot_pt_end:
	.global boot_stack
boot_stack:
	.skip HV_STACK_SIZE
