/* Where boot/ hands over to the VM manager (vmm/main.c). */
#ifndef BH_HV_MAIN_H
#define BH_HV_MAIN_H

#include "types.h"

struct boot_info;
struct hv_options;

/* Heap, interrupts, VT-d, VMX, PCI, CPUs, VMs; then this CPU runs its vCPU. */
void __noreturn hv_main(struct boot_info *bi, const struct hv_options *opt);

#endif
