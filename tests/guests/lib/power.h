/* Ending a guest. */
#ifndef GUEST_POWER_H
#define GUEST_POWER_H

#include "gtypes.h"

#define PM1A_CNT_PORT 0x404
#define PM1A_CNT_SLP_S5 0x3400 /* SLP_TYP=5, SLP_EN */
#define QEMU_DEBUG_EXIT_PORT 0xF4
#define BOCHS_SHUTDOWN_PORT 0x8900

/*
 * ACPI S5 through PM1a_CNT (the contract). For runs without the
 * hypervisor: "qemu=1" on the command line also writes isa-debug-exit
 * (QEMU exit status 1 = all passed, 3 = failures), "bochs=1" writes
 * "Shutdown" to Bochs's port 0x8900.
 */
__noreturn void power_off(void);
/* Checks the test plan, then power_off(). What a guest's main returning does. */
__noreturn void guest_exit(void);

#endif
