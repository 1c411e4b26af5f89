/* Argument helpers every hypercall group uses. */
#include "hcall.h"

int hcall_target_vm(u64 vmid, struct vm **vm)
{
	/* a vmid is 16 bits in the ABI: stray high bits are a malformed call */
	if (vmid >= VMM_MAX_POST_VMS)
		return -EINVAL;
	*vm = vmm_get_vm((u16)vmid);
	return *vm ? 0 : -EINVAL;
}

int hcall_copy_in(struct vm *caller, u64 gpa, void *dst, size_t len)
{
	return vmm_copy_from_guest(caller, gpa, dst, len) ? -EFAULT : 0;
}

/* The usual start: the VM param1 names, then the parameter block param2 points at. */
int hcall_target_and_args(struct vm *caller, u64 p1, u64 p2, struct vm **vm, void *args,
			  size_t len)
{
	int ret = hcall_target_vm(p1, vm);

	return ret ? ret : hcall_copy_in(caller, p2, args, len);
}

bool hcall_all_zero(const void *p, size_t len)
{
	const u8 *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

bool hcall_range_ok(u64 a, u64 size, u64 limit)
{
	return size != 0 && a <= limit && size <= limit - a;
}
