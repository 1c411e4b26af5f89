/*
 * 64-bit test guest entry: entered like every test guest (32-bit protected
 * mode, paging off, EBX = multiboot info), it identity-maps the first GiB
 * with 2 MiB pages and switches to long mode, because the ACRN hypercall
 * ABI passes the hypercall id in R8.
 */
	.section .text.entry, "ax"
	.code32
	.global _start
_start:
	cli
	movl $stack_top, %esp
	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB (present, writable, large) */
	movl $pdpt, %eax
	orl $3, %eax
	movl %eax, pml4
	movl $pd, %eax
	orl $3, %eax
	movl %eax, pdpt
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, pd(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jb 1b

	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $(1 << 8), %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax		/* PG: long mode becomes active */
	movl %eax, %cr0
	lgdt gdt_ptr
	ljmp $0x08, $long64

	.code64
long64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq $stack_top, %rsp
	call hmain
2:	hlt
	jmp 2b

	.section .rodata
	.align 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
gdt_end:
gdt_ptr:
	.short gdt_end - gdt - 1
	.long gdt

	.section .bss
	.align 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
	.skip 16384
stack_top:
