/* The hypercall layer as the rest of the hypervisor sees it: one switch. */
#ifndef BH_HCALL_INIT_H
#define BH_HCALL_INIT_H

/* Make VMCALL exits hypercalls (ACRN ABI); until then a VMCALL raises #UD. */
void hcall_init(void);

#endif
