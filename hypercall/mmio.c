/* PCI group, MMIO devices: moving a non-PCI device's MMIO resources into a VM and back. */
#include "hcall.h"

/* Device registers are mapped uncached whatever the encoding: ACRN's EPT one (0) or the ABI's. */
static bool mmio_mem_type_ok(u64 t)
{
	return t == 0 || t == ABI_MEM_TYPE_UC;
}

/* Shape of one resource; *used says whether it is one (size != 0). */
static int mmio_check_res(const struct abi_mmiodev_res *r, u64 limit, bool *used)
{
	*used = r->size != 0;
	if (!*used)
		return (r->user_vm_pa || r->service_vm_pa || r->mem_type) ? -EINVAL : 0;
	if (!IS_ALIGNED(r->user_vm_pa, PAGE_SIZE) || !IS_ALIGNED(r->service_vm_pa, PAGE_SIZE) ||
	    !IS_ALIGNED(r->size, PAGE_SIZE))
		return -EINVAL;
	if (!hcall_range_ok(r->user_vm_pa, r->size, limit) ||
	    !hcall_range_ok(r->service_vm_pa, r->size, ~0ULL))
		return -EINVAL;
	return mmio_mem_type_ok(r->mem_type) ? 0 : -EINVAL;
}

/* Resource i shares user or service pages with a used resource before it. */
static bool mmio_overlaps_earlier(const struct abi_mmiodev *dev, unsigned i)
{
	const struct abi_mmiodev_res *r = &dev->res[i];

	for (unsigned j = 0; j < i; j++) {
		const struct abi_mmiodev_res *o = &dev->res[j];

		if (o->size && (ranges_overlap(r->user_vm_pa, r->size, o->user_vm_pa, o->size) ||
				ranges_overlap(r->service_vm_pa, r->size,
						     o->service_vm_pa, o->size)))
			return true;
	}
	return false;
}

static int mmio_owner_errno(const struct vmm_mmiodev_info *info)
{
	switch (info->owner) {
	case VMM_OWNER_SERVICE:
		return 0;
	case VMM_OWNER_POST:
		return -EBUSY;
	default:
		return -EPERM;
	}
}

/*
 * Copy the device in and check every resource's shape and board identity;
 * owner_check decides, per used resource, whether this call may move it.
 */
typedef int (*mmio_owner_check_t)(const struct vmm_mmiodev_info *info,
				  const struct abi_mmiodev_res *r, struct vm *vm);

static int mmio_load(struct vm *caller, u64 p1, u64 p2, bool paused_ok,
		     mmio_owner_check_t owner_check, struct vm **vmp, struct abi_mmiodev *dev)
{
	struct vmm_mmiodev_info info;
	enum vmm_vm_state st;
	unsigned nused = 0;
	struct vm *vm;
	u64 limit;
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, &vm, dev, sizeof(*dev));
	if (ret)
		return ret;
	st = vmm_vm_state(vm);
	if (st != VMM_VM_CREATED && !(paused_ok && st == VMM_VM_PAUSED))
		return -EBUSY;
	limit = vmm_vm_gpa_limit(vm);
	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++) {
		const struct abi_mmiodev_res *r = &dev->res[i];
		bool used;

		ret = mmio_check_res(r, limit, &used);
		if (ret)
			return ret;
		if (!used)
			continue;
		nused++;
		if (mmio_overlaps_earlier(dev, i))
			return -EINVAL;
		if (vmm_mmiodev_lookup(r->service_vm_pa, r->size, &info))
			return -ENODEV;
		ret = owner_check(&info, r, vm);
		if (ret)
			return ret;
	}
	if (!nused)
		return -EINVAL;
	*vmp = vm;
	return 0;
}

/* Assign: the Service VM holds it, and the VM has room at the user GPA. */
static int assign_check(const struct vmm_mmiodev_info *info, const struct abi_mmiodev_res *r,
			struct vm *vm)
{
	int ret = mmio_owner_errno(info);

	if (ret)
		return ret;
	return vmm_gpa_range_in_use(vm, r->user_vm_pa, r->size) ? -EEXIST : 0;
}

/* Deassign: this VM holds it, at exactly that user GPA. */
static int deassign_check(const struct vmm_mmiodev_info *info, const struct abi_mmiodev_res *r,
			  struct vm *vm)
{
	if (info->owner != VMM_OWNER_POST || info->owner_vm != vm ||
	    info->user_gpa != r->user_vm_pa)
		return -ENODEV;
	return 0;
}

/* param1: vmid, param2: GPA of struct abi_mmiodev */
int hcall_assign_mmiodev(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_mmiodev dev;
	struct vm *vm;
	int ret = mmio_load(caller, p1, p2, false, assign_check, &vm, &dev);

	return ret ? ret : vmm_assign_mmiodev(vm, &dev);
}

/* param1: vmid, param2: GPA of struct abi_mmiodev, as it was assigned */
int hcall_deassign_mmiodev(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_mmiodev dev;
	struct vm *vm;
	int ret = mmio_load(caller, p1, p2, true, deassign_check, &vm, &dev);

	return ret ? ret : vmm_deassign_mmiodev(vm, &dev);
}
