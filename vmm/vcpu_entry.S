/*
 * VM entry and exit. vmx_launch(v) (the first entry on a fresh VMCS) and
 * the vmx_resume_* variants load the guest GPRs and enter the guest; they
 * do not return. A VM exit lands on vmx_exit_entry with RSP = the vCPU's
 * exit stack (HOST_RSP), whose top slot holds the vcpu pointer; it saves
 * the guest GPRs, adds the TSC to the vCPU's exit sum and calls
 * vmx_exit_handler(v), then vcpu_enter(v), which enters again (a handler
 * may also resume at once: vcpu_resume_if_plain). No host state lives
 * across an exit, so nothing else is saved and HOST_RSP never changes.
 * struct vcpu layout: gpr[16] at 0, launched at 128, the TSC sums at 136.
 * CR2 is neither saved nor loaded: the hypervisor takes no page faults, so
 * the register keeps the guest's value across exits.
 *
 * Speculation (include/spec_ctrl.h): the work a VM entry needs on this CPU
 * is fixed at boot, so each kind has its own resume path and vcpu.c picks
 * one; the plain path has no test in it. VERW goes last, after every load
 * of guest data: what reaches the buffers after it is the guest's own.
 */
#define VCPU_LAUNCHED 128
#define VCPU_TSC_EXIT 136	/* tsc_exit_lo, tsc_exit_hi */
#define VCPU_TSC_ENTRY 152	/* tsc_entry_lo, tsc_entry_hi */
#define MSR_IA32_FLUSH_CMD 0x10B
#define SPEC_ENTRY_VERW 1
#define SPEC_ENTRY_L1D_FLUSH 2
#include "asm_defs.h"

/* every guest GPR but RDI, which holds the vcpu pointer until the last load */
.macro load_guest_gprs_but_rdi
	movq 0*8(%rdi), %rax
	movq 1*8(%rdi), %rcx
	movq 2*8(%rdi), %rdx
	movq 3*8(%rdi), %rbx
	movq 5*8(%rdi), %rbp
	movq 6*8(%rdi), %rsi
	movq 8*8(%rdi), %r8
	movq 9*8(%rdi), %r9
	movq 10*8(%rdi), %r10
	movq 11*8(%rdi), %r11
	movq 12*8(%rdi), %r12
	movq 13*8(%rdi), %r13
	movq 14*8(%rdi), %r14
	movq 15*8(%rdi), %r15
.endm

/*
 * Root-time accounting: the TSC's halves added to the vCPU's sums (three
 * instructions; RDTSC zeroes the upper halves). Clobbers RAX, RDX.
 */
.macro count_tsc sum
	rdtsc
	addq %rax, \sum(%rdi)
	addq %rdx, \sum+8(%rdi)
.endm

/* L1D_FLUSH by IA32_FLUSH_CMD; clobbers RAX, RCX, RDX (loaded afterwards) */
.macro l1d_flush
	movl $MSR_IA32_FLUSH_CMD, %ecx
	movl $1, %eax
	xorl %edx, %edx
	wrmsr
.endm

	.section .rodata
	.balign 2
vmx_verw_sel:
	.word GDT_SEL_DATA	/* VERW's operand: any valid data selector */

	.text
	.code64
	.global vmx_launch
vmx_launch:
	/* set before the attempt: a failed launch stops the VM */
	movb $1, VCPU_LAUNCHED(%rdi)
	cmpb $SPEC_ENTRY_L1D_FLUSH, spec_entry_kind(%rip)
	jne 1f
	l1d_flush
1:	count_tsc VCPU_TSC_ENTRY
	load_guest_gprs_but_rdi
	cmpb $SPEC_ENTRY_VERW, spec_entry_kind(%rip)
	jne 2f
	verw vmx_verw_sel(%rip)
2:	movq 7*8(%rdi), %rdi
	vmlaunch
	jmp entry_failed

	.global vmx_resume_plain
vmx_resume_plain:
	count_tsc VCPU_TSC_ENTRY
	load_guest_gprs_but_rdi
	movq 7*8(%rdi), %rdi
	vmresume
	jmp entry_failed

	.global vmx_resume_verw
vmx_resume_verw:
	count_tsc VCPU_TSC_ENTRY
	load_guest_gprs_but_rdi
	verw vmx_verw_sel(%rip)
	movq 7*8(%rdi), %rdi
	vmresume
	jmp entry_failed

	.global vmx_resume_l1d_flush
vmx_resume_l1d_flush:
	l1d_flush
	count_tsc VCPU_TSC_ENTRY
	load_guest_gprs_but_rdi
	movq 7*8(%rdi), %rdi
	vmresume
entry_failed:
	/* entry failed: report it from C with a sane stack */
	andq $~15, %rsp
	call vmx_entry_failed
	ud2

	.global vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, 0*8(%rdi)
	movq %rcx, 1*8(%rdi)
	movq %rdx, 2*8(%rdi)
	movq %rbx, 3*8(%rdi)
	movq %rbp, 5*8(%rdi)
	movq %rsi, 6*8(%rdi)
	movq %r8, 8*8(%rdi)
	movq %r9, 9*8(%rdi)
	movq %r10, 10*8(%rdi)
	movq %r11, 11*8(%rdi)
	movq %r12, 12*8(%rdi)
	movq %r13, 13*8(%rdi)
	movq %r14, 14*8(%rdi)
	movq %r15, 15*8(%rdi)
	popq 7*8(%rdi)
	count_tsc VCPU_TSC_EXIT
	call vmx_exit_handler
	/* the handler returns here (its dispatch is a tail call): enter again */
	movq (%rsp), %rdi
	call vcpu_enter
	ud2

/*
 * idle_loop_fresh(): idle_loop() on this pCPU's own stack, from its top.
 * A vCPU that leaves its pCPU (or parks) does so from deep in some stack,
 * and a pCPU may take and lose vCPUs without a VM exit in between (a VMCS
 * set-up that fails): starting over keeps that from nesting frames.
 */
#define PCPU_STACK_TOP 16	/* offsetof(struct pcpu, stack_top), checked in vcpu.c */
	.global idle_loop_fresh
idle_loop_fresh:
	movq %gs:0, %rax
	movq PCPU_STACK_TOP(%rax), %rsp
	call idle_loop		/* does not return; the call keeps the ABI's stack alignment */
	ud2
