/*
 * dm64's interrupt stubs: one per vector, ISR_STUB_SIZE (16) bytes apart so
 * cpu.c computes the gate addresses. Each pushes a dummy error code where
 * the CPU pushes none, then its vector, and calls irq_dispatch(vector, rip)
 * with the caller-saved registers preserved (the C code uses no SSE).
 */
	.section .text
	.code64
	.balign 16
	.global isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* vectors with a CPU error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX */
	.if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	/* 9 saved registers, then vector, error code, RIP: the stack stays 16-byte aligned */
	movq 72(%rsp), %rdi
	movq 88(%rsp), %rsi
	cld
	call irq_dispatch
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp
	iretq
