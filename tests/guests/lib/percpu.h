/*
 * Per-CPU data lives at the bottom of each CPU's stack (stacks are
 * GUEST_STACK_SIZE aligned), so finding it needs no segment or MSR:
 * this works on APs before anything is set up and inside handlers.
 */
#ifndef GUEST_PERCPU_H
#define GUEST_PERCPU_H

#include "gtypes.h"
#include "layout.h"
#include "x86.h"

struct percpu {
	u32 index; /* the APIC id this CPU started with */
	bool x2apic; /* LAPIC accessed through MSRs */
	volatile int fault_vector; /* NO_FAULT, or the vector an extable fixup caught */
	volatile u32 fault_error;
};

extern u8 cpu_stacks[GUEST_MAX_CPUS][GUEST_STACK_SIZE];

static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)(read_esp() & ~(u32)(GUEST_STACK_SIZE - 1));
}

void percpu_init(u32 index);

#endif
