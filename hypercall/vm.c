/* VM group: the life cycle of post-launched VMs and their vCPUs' start state. */
#include "lib.h"
#include "hcall.h"

static unsigned hcall_popcount(u64 x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/*
 * param1: GPA of struct abi_vm_creation; vmid and vcpu_num are written back.
 * ioreq_buf is not read: Linux's HSM puts a user address there and sets the
 * buffer with SET_IOREQ_BUFFER afterwards.
 */
int hcall_create_vm(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_vm_creation cv;
	struct vmm_vm_params params = { 0 };
	struct vm *vm;
	u16 vmid;
	int ret;

	(void)p2;
	ret = hcall_copy_in(caller, p1, &cv, sizeof(cv));
	if (ret)
		return ret;
	if (cv.reserved0 || cv.reserved1)
		return -EINVAL;
	if (cv.vm_flag & ~(u64)VMM_VM_FLAGS_SUPPORTED)
		return -EINVAL;
	if (cv.cpu_affinity) {
		if (cv.cpu_affinity & ~vmm_post_pcpu_mask())
			return -EINVAL;
		/* one ioreq slot per vCPU */
		if (hcall_popcount(cv.cpu_affinity) > ABI_IO_REQUEST_MAX)
			return -EINVAL;
	}
	if (vmm_uuid_in_use(cv.uuid))
		return -EEXIST;

	memcpy(params.uuid, cv.uuid, sizeof(params.uuid));
	params.vm_flag = cv.vm_flag;
	params.cpu_affinity = cv.cpu_affinity;
	ret = vmm_create_vm(&params, &vmid);
	if (ret)
		return ret;
	vm = vmm_get_vm(vmid);
	cv.vmid = vmid;
	cv.vcpu_num = vm ? (u16)vmm_vm_nr_vcpus(vm) : 0;
	/* readable a moment ago, so this only fails if the VMM misbehaves: undo */
	if (!vm || vmm_copy_to_guest(caller, p1, &cv, sizeof(cv))) {
		if (vm)
			vmm_destroy_vm(vm);
		return -EFAULT;
	}
	return 0;
}

int hcall_destroy_vm(struct vm *caller, u64 p1, u64 p2)
{
	struct vm *vm;
	int ret;

	(void)caller; (void)p2;
	ret = hcall_target_vm(p1, &vm);
	if (ret)
		return ret;
	/* a running VM is paused first (ACRN's device model does) */
	if (vmm_vm_state(vm) == VMM_VM_RUNNING)
		return -EBUSY;
	return vmm_destroy_vm(vm);
}

int hcall_start_vm(struct vm *caller, u64 p1, u64 p2)
{
	struct vm *vm;
	int ret;

	(void)caller; (void)p2;
	ret = hcall_target_vm(p1, &vm);
	if (ret)
		return ret;
	if (vmm_vm_state(vm) != VMM_VM_CREATED)
		return -EBUSY;
	/* its first forwarded access would have nowhere to go */
	if (vmm_ioreq_buffer(vm) == VMM_NO_IOREQ_BUFFER)
		return -EINVAL;
	return vmm_start_vm(vm);
}

int hcall_pause_vm(struct vm *caller, u64 p1, u64 p2)
{
	struct vm *vm;
	int ret;

	(void)caller; (void)p2;
	ret = hcall_target_vm(p1, &vm);
	if (ret)
		return ret;
	switch (vmm_vm_state(vm)) {
	case VMM_VM_RUNNING:
	case VMM_VM_STOPPED:
		return vmm_pause_vm(vm);
	default:
		/* not running: nothing to pause (ACRN answers 0 too) */
		return 0;
	}
}

int hcall_reset_vm(struct vm *caller, u64 p1, u64 p2)
{
	struct vm *vm;
	enum vmm_vm_state st;
	int ret;

	(void)caller; (void)p2;
	ret = hcall_target_vm(p1, &vm);
	if (ret)
		return ret;
	st = vmm_vm_state(vm);
	if (st != VMM_VM_PAUSED && st != VMM_VM_STOPPED)
		return -EBUSY;
	return vmm_reset_vm(vm);
}

/* param1: vmid, param2: GPA of struct abi_vcpu_regs */
int hcall_set_vcpu_regs(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_vcpu_regs r;
	struct vm *vm;
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, &vm, &r, sizeof(r));
	if (ret)
		return ret;
	/*
	 * CREATED only: a paused VM starts again only after RESET, which gives
	 * its vCPUs their reset state, so registers set now would be lost.
	 */
	if (vmm_vm_state(vm) != VMM_VM_CREATED)
		return -EBUSY;
	if (r.vcpu_id >= vmm_vm_nr_vcpus(vm))
		return -EINVAL;
	/* the reserved fields Linux's HSM itself insists are zero */
	if (!hcall_all_zero(r.reserved, sizeof(r.reserved)) ||
	    !hcall_all_zero(r.vcpu_regs.reserved_64, sizeof(r.vcpu_regs.reserved_64)) ||
	    !hcall_all_zero(r.vcpu_regs.reserved_32, sizeof(r.vcpu_regs.reserved_32)) ||
	    !hcall_all_zero(r.vcpu_regs.gdt.reserved, sizeof(r.vcpu_regs.gdt.reserved)) ||
	    !hcall_all_zero(r.vcpu_regs.idt.reserved, sizeof(r.vcpu_regs.idt.reserved)))
		return -EINVAL;
	ret = hcall_check_regs(&r.vcpu_regs);
	if (ret)
		return ret;
	return vmm_set_vcpu_regs(vm, r.vcpu_id, &r.vcpu_regs);
}
