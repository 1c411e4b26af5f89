/* One 16-byte stub per vector; all funnel into isr_dispatch(frame). */
#include "layout.h"

	.text
	.code32
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors where the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	mov %esp, %eax
	push %eax
	call isr_dispatch
	add $4, %esp
	popal
	add $8, %esp /* vector and error code */
	iret
