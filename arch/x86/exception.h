/* What exception.S hands to C: the frame it builds on an exception or interrupt. */
#ifndef BH_EXCEPTION_H
#define BH_EXCEPTION_H

#include "types.h"

struct exc_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

/* Called by exception.S: vectors 32+ are interrupts (irq_dispatch), the rest a PANIC. */
void exception_handler(struct exc_frame *f);

#endif
