/*
 * selftest: checks what the guest contract promises a VM. Every group
 * reports exactly its *_TESTS count (skips included), so the plan printed
 * first depends on the command line only.
 */
#ifndef SELFTEST_H
#define SELFTEST_H

#include "guest.h"

struct selftest_params {
	u32 vcpus; /* expected vCPU count */
	bool privileged; /* expected CPUID 0x40000001 EAX bit 0 */
	bool outside; /* end by touching memory beyond RAM */
	bool triple;  /* end with a triple fault */
	u32 wait_mtsc; /* millions of TSC ticks to idle before testing */
	bool pci; /* also check PCI config access */
	u32 pt_dev; /* pt=DEV: an e1000 passed through at 00:DEV.0 (0: none) */
	u32 nodev; /* nodev=DEV: 00:DEV.0 must be invisible (0: no check) */
	char name[32];
};

extern struct selftest_params params;

/* cpu_tests.c */
#define CPUID_TESTS 5
void cpuid_tests(void);
#define FAULT_TESTS 2
void fault_tests(void);
#define PORT_TESTS 3
void port_tests(void);
#define MSR_TESTS 4
void msr_tests(void);
#define HCALL_TESTS 1
void hcall_tests(void);
#define PCI_TESTS 1
void pci_tests(void);

/* pt_tests.c */
#define PT_TESTS 9
void pt_tests(void);
#define NODEV_TESTS 1
void nodev_tests(void);

/* mem_tests.c */
#define MEM_TESTS 2
void mem_tests(void);
__noreturn void outside_access(void);
__noreturn void triple_fault(void);

/* apic_tests.c */
#define SMP_TESTS 2
void smp_tests(void);
#define TIMER_TESTS 3
void timer_tests(void);
#define IPI_TESTS 1
void ipi_tests(void);
#define MMIO_TESTS 4
void mmio_decode_tests(void);
#define IOAPIC_TESTS 1
void ioapic_tests(void);
#define X2APIC_TESTS 3
void x2apic_tests(void);

#endif
