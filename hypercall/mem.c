/*
 * Memory group: VM_SET_MEMORY_REGIONS maps Service VM RAM into a post-launched
 * VM (ADD) or takes it away (DEL).
 *
 * Linux's HSM sends one region per page it pinned (65,536 for 256 MiB of
 * 4 KiB pages), so a batch may be as long as the Service VM's RAM can hold.
 * It is read MEM_CHUNK operations at a time; each operation is validated on
 * the hypervisor's copy and applied before the next one is looked at. The
 * VMM keeps the batch's changes provisional (include/vmm.h) and commits
 * them at the end, or, when an operation is refused or the VMM runs out,
 * takes all of them back: the call returns that operation's errno and the
 * VM has the RAM it had before. ACRN instead copies and applies one region
 * at a time and stops at the first failure, keeping the regions before it.
 *
 * Order within a batch: ADDs map at once, in batch order; DELs take effect
 * when the whole batch has passed (the RAM stays mapped until then). No two
 * operations of a batch may touch the same RAM: an ADD or DEL meeting RAM an
 * earlier operation of the batch mapped or unmapped is -EINVAL (a DEL of a
 * range with no RAM in it has nothing to collide with, so an ADD of that
 * range later in the batch goes through, as it would in ACRN's order).
 */
#include "hcall.h"

/* Only touched under hcall_lock (table.c): the operations being looked at. */
static struct abi_mem_region_op mem_chunk[HCALL_MEM_CHUNK];

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
		return vmm_gpa_range_in_batch(vm, op->user_vm_pa, op->size) ? -EINVAL : 0;
	if (!mem_attr_ok(op->attr))
		return -EINVAL;
	if (!IS_ALIGNED(op->service_vm_pa, PAGE_SIZE) ||
	    !hcall_range_ok(op->service_vm_pa, op->size, ~0ULL))
		return -EINVAL;
	if (!vmm_is_service_ram(caller, op->service_vm_pa, op->size))
		return -EFAULT;
	if (vmm_gpa_range_in_use(vm, op->user_vm_pa, op->size))
		return vmm_gpa_range_in_batch(vm, op->user_vm_pa, op->size) ? -EINVAL : -EEXIST;
	return 0;
}

static int mem_apply(struct vm *vm, const struct abi_mem_region_op *op)
{
	if (op->type == ABI_MEM_REGION_ADD)
		return vmm_map_region(vm, op->user_vm_pa, op->service_vm_pa, op->size, op->attr);
	return vmm_unmap_region(vm, op->user_vm_pa, op->size);
}

/* Validate and apply the batch's n operations at regions_gpa, chunk by chunk. */
static int mem_run(struct vm *caller, struct vm *vm, u64 regions_gpa, u32 n)
{
	u64 limit = vmm_vm_gpa_limit(vm);

	for (u32 done = 0; done < n;) {
		u32 k = MIN(n - done, (u32)HCALL_MEM_CHUNK);
		int ret = hcall_copy_in(caller, regions_gpa + (u64)done * sizeof(mem_chunk[0]),
					mem_chunk, k * sizeof(mem_chunk[0]));

		for (u32 i = 0; i < k && !ret; i++) {
			ret = mem_check_op(caller, vm, &mem_chunk[i], limit);
			if (!ret)
				ret = mem_apply(vm, &mem_chunk[i]);
		}
		if (ret)
			return ret;
		done += k;
	}
	return 0;
}

/* param1: GPA of struct abi_mem_region_batch */
int hcall_set_memory_regions(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_mem_region_batch b;
	struct vm *vm;
	int ret, flushed;

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
	/* an array that wraps the address space is no RAM of the caller's */
	if (!hcall_range_ok(b.regions_gpa, (u64)b.regions_num * sizeof(mem_chunk[0]), ~0ULL))
		return -EFAULT;
	vmm_mem_batch_begin(vm);
	ret = mem_run(caller, vm, b.regions_gpa, b.regions_num);
	flushed = vmm_mem_batch_end(vm, ret == 0);
	return ret ? ret : flushed;
}
