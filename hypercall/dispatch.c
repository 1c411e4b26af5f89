/*
 * VMCALL: the hypercall entry. Only ring 0 of a privileged VM may call (ACRN
 * ABI: #UD for other VMs, #GP for CPL > 0). R8 = id, RDI/RSI = parameters,
 * RAX = result. No hypercall is implemented yet: all answer -ENOSYS.
 */
#include "lib.h"
#include "vm.h"
#include "public/hypercall.h"

int vcpu_cpl(struct vcpu *v);

static s64 hcall_dispatch(struct vcpu *v, u64 id, u64 p1, u64 p2)
{
	(void)v; (void)p1; (void)p2;
	switch (id) {
	default:
		pr_debug("VM %s: hypercall 0x%lx not implemented\n", v->vm->name, id);
		return -ENOSYS;
	}
}

int vmx_exit_vmcall(struct vcpu *v)
{
	if (!(v->vm->cfg->flags & VM_FLAG_PRIVILEGED)) {
		vcpu_inject_ud(v);
		return 0;
	}
	if (vcpu_cpl(v) != 0) {
		vcpu_inject_gp(v);
		return 0;
	}
	v->gpr[GPR_RAX] = (u64)hcall_dispatch(v, v->gpr[GPR_R8], v->gpr[GPR_RDI], v->gpr[GPR_RSI]);
	vcpu_advance_rip(v);
	return 0;
}
