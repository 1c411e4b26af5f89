/*
 * BSP entry (multiboot1): 32-bit protected mode, paging off, IF=0,
 * EAX = 0x2BADB002, EBX = boot info. ESP and the loader's GDT are not to
 * be trusted, so load our own GDT, clear .bss, switch to CPU 0's stack.
 */
#include "layout.h"

#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_HEADER_FLAGS 0x00000002 /* we want mem_* */

	.section .multiboot, "a"
	.balign 4
	.long MB1_HEADER_MAGIC
	.long MB1_HEADER_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, boot_magic
	mov %ebx, boot_info
	lgdt gdt_desc
	ljmp $GDT_CODE, $1f
1:	mov $GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	/* The boot info never lies inside our .bss: loaders place it clear of p_memsz. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov $(cpu_stacks + GUEST_STACK_SIZE), %esp
	xor %ebp, %ebp
	push boot_info
	push boot_magic
	call guest_boot
2:	cli
	hlt
	jmp 2b

	.data
	.balign 4
boot_magic:
	.long 0
boot_info:
	.long 0

	.balign 8
	.globl gdt, gdt_end
gdt:
	.quad 0
	.quad 0x00CF9B000000FFFF /* 0x08: code, base 0, 4 GiB, 32-bit */
	.quad 0x00CF93000000FFFF /* 0x10: data, base 0, 4 GiB */
gdt_end:
	.if gdt_end - gdt - 1 != GDT_LIMIT
	.error "GDT_LIMIT is stale"
	.endif
gdt_desc:
	.word GDT_LIMIT
	.long gdt
