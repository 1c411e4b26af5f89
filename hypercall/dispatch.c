/*
 * VMCALL: the hypercall entry. Only ring 0 of a privileged VM may call (ACRN
 * ABI: #UD for other VMs, #GP for CPL > 0). R8 = id, RDI/RSI = parameters,
 * RAX = result. The table and the handlers are pure (hypercall/table.c).
 */
#include "lib.h"
#include "vm.h"
#include "hcall.h"
#include "hcall_init.h"


static int vmx_exit_vmcall(struct vcpu *v)
{
	bool privileged = v->vm->cfg->flags & VM_FLAG_PRIVILEGED;

	switch (hcall_entry_check(privileged, (unsigned)vcpu_cpl(v))) {
	case HCALL_ENTRY_UD:
		vcpu_inject_ud(v);
		return 0;
	case HCALL_ENTRY_GP:
		vcpu_inject_gp(v);
		return 0;
	case HCALL_ENTRY_OK:
		break;
	}
	v->gpr[GPR_RAX] = (u64)hcall_dispatch(v->vm, v->gpr[GPR_R8], v->gpr[GPR_RDI],
					      v->gpr[GPR_RSI]);
	vcpu_advance_rip(v);
	return 0;
}

void hcall_init(void)
{
	vmexit_set_vmcall(vmx_exit_vmcall);
}
