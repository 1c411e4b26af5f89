/*
 * AP start-up code, copied to AP_TRAMPOLINE_ADDR: real mode -> protected
 * mode -> long mode on the BSP's page tables, then ap_entry() on the stack
 * the BSP left in ap_boot_stack. Addresses are computed for the copy.
 */
#include "asm_defs.h"

#define T(x) ((x) - ap_tramp_start + AP_TRAMPOLINE_ADDR)

	.section .rodata
	.code16
	.global ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp_prot)

	.code32
tramp_prot:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax
	andl $~0x60000000, %eax
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp_long)

	.code64
tramp_long:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq T(tramp_stack), %rsp
	movq T(tramp_entry), %rax
	jmp *%rax

	.align 16
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_end:
tramp_gdt_ptr:
	.short tramp_gdt_end - tramp_gdt - 1
	.long T(tramp_gdt)
	.align 8
	.global ap_tramp_cr3, ap_tramp_stack, ap_tramp_entry
ap_tramp_cr3 = tramp_cr3 - ap_tramp_start
ap_tramp_stack = tramp_stack - ap_tramp_start
ap_tramp_entry = tramp_entry - ap_tramp_start
tramp_cr3:
	.quad 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
ap_tramp_end:
