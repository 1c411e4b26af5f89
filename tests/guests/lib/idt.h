/* IDT, exception reporting, expected-fault recovery and interrupt vectors. */
#ifndef GUEST_IDT_H
#define GUEST_IDT_H

#include "gtypes.h"

#define X86_DE 0
#define X86_UD 6
#define X86_DF 8
#define X86_GP 13
#define X86_PF 14

#define NO_FAULT (-1)

/* What isr.S pushes: PUSHA block, then vector, error code and the CPU's frame. */
struct isr_frame {
	u32 edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

typedef void (*irq_handler_t)(u32 vector, struct isr_frame *frame);

/*
 * Expected faults: an instruction at label 1 that may fault resumes at
 * label 2 with this_cpu()->fault_vector set, e.g.
 *   asm volatile("1: rdmsr\n2:\n" EXTABLE(1b, 2b) ...);
 */
#define EXTABLE(insn, fixup)                                     \
	".pushsection .extable, \"a\"\n\t.long " #insn ", " #fixup \
	"\n\t.popsection\n\t"

void idt_init(void); /* fill the shared IDT once (BSP) */
void idt_load(void); /* LIDT on the calling CPU */

/* Handlers run with IF=0; the dispatcher sends the LAPIC EOI afterwards. */
void irq_register(u8 vector, irq_handler_t fn);
u32 irq_unexpected_count(void);

/* Arm/read the calling CPU's fault record around an EXTABLE instruction. */
void fault_arm(void);
int fault_taken(void);

/* These return NO_FAULT, or the vector of the exception that was caught. */
int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);
int vmcall_safe(void);
int load_fs_safe(u16 selector);
int wbinvd_safe(void);

const char *exception_name(u32 vector);

#endif
