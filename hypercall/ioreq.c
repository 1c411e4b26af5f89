/* ioreq group: where a post-launched VM's forwarded requests go, and their completion. */
#include "lib.h"
#include "hcall.h"

/* param1: vmid, param2: GPA of struct abi_ioreq_buffer (the page's GPA) */
int hcall_set_ioreq_buffer(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_ioreq_buffer b;
	struct vm *vm;
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, &vm, &b, sizeof(b));
	if (ret)
		return ret;
	/* requests may be in flight once it runs */
	if (vmm_vm_state(vm) != VMM_VM_CREATED)
		return -EBUSY;
	if (!IS_ALIGNED(b.ioreq_buf, PAGE_SIZE))
		return -EINVAL;
	/* the hypervisor writes requests there: the Service VM's own RAM only */
	if (!vmm_is_service_ram(caller, b.ioreq_buf, sizeof(struct abi_io_request_buffer)))
		return -EFAULT;
	return vmm_set_ioreq_buffer(vm, b.ioreq_buf);
}

/* param1: vmid, param2: vCPU id whose slot the Service VM has completed */
int hcall_notify_request_finish(struct vm *caller, u64 p1, u64 p2)
{
	struct vm *vm;
	int ret;

	(void)caller;	/* the slot is read where the hypervisor keeps the page mapped */

	ret = hcall_target_vm(p1, &vm);
	if (ret)
		return ret;
	if (p2 >= vmm_vm_nr_vcpus(vm) || p2 >= ABI_IO_REQUEST_MAX)
		return -EINVAL;
	if (vmm_ioreq_buffer(vm) == VMM_NO_IOREQ_BUFFER)
		return -EINVAL;
	/* no vCPU has run, so none can be waiting */
	if (vmm_vm_state(vm) == VMM_VM_CREATED)
		return -EBUSY;
	/* -EINVAL unless the slot is COMPLETE */
	return vmm_notify_request_finish(vm, (u16)p2);
}
