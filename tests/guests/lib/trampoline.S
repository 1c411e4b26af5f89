/*
 * AP start. ap_tramp_start..ap_tramp_end is copied to AP_TRAMPOLINE_ADDR
 * and entered in real mode at CS:IP = 0x0800:0. It loads the guest's GDT
 * (GDTR holds a 32-bit linear base) and far-jumps into the image.
 */
#include "layout.h"

	.section .rodata.trampoline, "a"
	.code16
	.globl ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl ap_tramp_gdtr - ap_tramp_start
	mov %cr0, %eax
	and $0x9FFFFFFF, %eax /* clear CD/NW left by INIT */
	or $1, %eax
	mov %eax, %cr0
	ljmpl $GDT_CODE, $ap_start32
	.balign 4
ap_tramp_gdtr:
	.word GDT_LIMIT
	.long gdt
ap_tramp_end:

	.text
	.code32
ap_start32:
	mov $GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	/* The stack is picked by APIC id: no shared counter, no race. */
	mov XAPIC_ID_MMIO, %eax
	shr $24, %eax
	cmp $GUEST_MAX_CPUS, %eax
	jae 9f
	lea 1(%eax), %ecx
	shl $GUEST_STACK_SHIFT, %ecx
	lea cpu_stacks(%ecx), %esp
	xor %ebp, %ebp
	push %eax
	call ap_main
9:	cli
	hlt
	jmp 9b
