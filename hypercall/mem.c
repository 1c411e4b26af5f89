/*
 * Memory group: VM_SET_MEMORY_REGIONS maps Service VM RAM into a post-launched
 * VM (ADD) or takes it away (DEL). The whole batch is copied into the
 * hypervisor first and validated, then applied: all of it or none of it.
 */
#include "hcall.h"

/* Only touched under hcall_lock (table.c): the batch being validated. */
static struct abi_mem_region_op mem_ops[HCALL_MEM_MAX_REGIONS];

static bool mem_attr_ok(u32 attr)
{
	u32 type = attr & ABI_MEM_TYPE_MASK;

	if (attr & ~(ABI_MEM_TYPE_MASK | ABI_MEM_ACCESS_RIGHT_MASK))
		return false;
	/* exactly one memory type */
	if (type == 0 || (type & (type - 1)))
		return false;
	/* EPT has no write-only or (portably) execute-only pages */
	return attr & ABI_MEM_ACCESS_READ;
}

static int mem_check_op(struct vm *caller, const struct vm *vm,
			const struct abi_mem_region_op *op, u64 limit)
{
	if (op->type != ABI_MEM_REGION_ADD && op->type != ABI_MEM_REGION_DEL)
		return -EINVAL;
	if (!IS_ALIGNED(op->user_vm_pa, PAGE_SIZE) || !IS_ALIGNED(op->size, PAGE_SIZE) ||
	    !hcall_range_ok(op->user_vm_pa, op->size, limit))
		return -EINVAL;
	/* DEL looks at the user range only (Linux's HSM zeroes the rest) */
	if (op->type == ABI_MEM_REGION_DEL)
		return 0;
	if (!mem_attr_ok(op->attr))
		return -EINVAL;
	if (!IS_ALIGNED(op->service_vm_pa, PAGE_SIZE) ||
	    !hcall_range_ok(op->service_vm_pa, op->size, ~0ULL))
		return -EINVAL;
	if (!vmm_is_service_ram(caller, op->service_vm_pa, op->size))
		return -EFAULT;
	if (vmm_gpa_range_in_use(vm, op->user_vm_pa, op->size))
		return -EEXIST;
	return 0;
}

static int mem_validate(struct vm *caller, const struct vm *vm, u32 n)
{
	u64 limit = vmm_vm_gpa_limit(vm);
	int ret;

	for (u32 i = 0; i < n; i++) {
		ret = mem_check_op(caller, vm, &mem_ops[i], limit);
		if (ret)
			return ret;
	}
	/* no two operations of a batch may touch the same user page */
	for (u32 i = 0; i < n; i++)
		for (u32 j = i + 1; j < n; j++)
			if (ranges_overlap(mem_ops[i].user_vm_pa, mem_ops[i].size,
						 mem_ops[j].user_vm_pa, mem_ops[j].size))
				return -EINVAL;
	return 0;
}

/*
 * ADDs first: the only step that can fail (out of EPT pages). Undoing them
 * cannot fail (vmm.h), and the DELs, which cannot fail either, come last.
 */
static int mem_apply(struct vm *vm, u32 n)
{
	int ret;

	for (u32 i = 0; i < n; i++) {
		const struct abi_mem_region_op *op = &mem_ops[i];

		if (op->type != ABI_MEM_REGION_ADD)
			continue;
		ret = vmm_map_region(vm, op->user_vm_pa, op->service_vm_pa, op->size, op->attr);
		if (ret) {
			while (i--)
				if (mem_ops[i].type == ABI_MEM_REGION_ADD)
					vmm_unmap_region(vm, mem_ops[i].user_vm_pa, mem_ops[i].size);
			return ret;
		}
	}
	for (u32 i = 0; i < n; i++)
		if (mem_ops[i].type == ABI_MEM_REGION_DEL)
			vmm_unmap_region(vm, mem_ops[i].user_vm_pa, mem_ops[i].size);
	return 0;
}

/* param1: GPA of struct abi_mem_region_batch */
int hcall_set_memory_regions(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_mem_region_batch b;
	struct vm *vm;
	int ret;

	(void)p2;
	ret = hcall_copy_in(caller, p1, &b, sizeof(b));
	if (ret)
		return ret;
	/* b.pad is the C compiler's padding in Linux's struct: not ours to judge */
	if (!hcall_all_zero(b.reserved, sizeof(b.reserved)))
		return -EINVAL;
	ret = hcall_target_vm(b.vmid, &vm);
	if (ret)
		return ret;
	if (b.regions_num == 0)
		return 0;
	if (b.regions_num > HCALL_MEM_MAX_REGIONS)
		return -E2BIG;
	ret = hcall_copy_in(caller, b.regions_gpa, mem_ops,
			    (size_t)b.regions_num * sizeof(mem_ops[0]));
	if (ret)
		return ret;
	vmm_layout_lock(vm);
	ret = mem_validate(caller, vm, b.regions_num);
	if (!ret)
		ret = mem_apply(vm, b.regions_num);
	vmm_layout_unlock(vm);
	return ret;
}
