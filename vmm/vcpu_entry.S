/*
 * VM entry and exit. vmx_resume(v) loads the guest GPRs and enters the
 * guest; it does not return. A VM exit lands on vmx_exit_entry with RSP =
 * the vCPU's exit stack (HOST_RSP), whose top slot holds the vcpu pointer;
 * it saves the guest GPRs and calls vmx_exit_handler(v), which handles the
 * exit and enters again. No host state lives across an exit, so nothing
 * else is saved and HOST_RSP never changes.
 * struct vcpu layout: gpr[16] at 0, launched at 128.
 * CR2 is neither saved nor loaded: the hypervisor takes no page faults, so
 * the register keeps the guest's value across exits.
 */
#define VCPU_LAUNCHED 128

	.text
	.code64
	.global vmx_resume
vmx_resume:
	cmpb $0, VCPU_LAUNCHED(%rdi)
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
	movq 7*8(%rdi), %rdi
	jne 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* entry failed: report it from C with a sane stack */
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
	call vmx_exit_handler
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
