/*
 * PCI group, PCI devices: moving a device the Service VM owns into a
 * post-launched VM (split device model) and back, and its INTx line.
 */
#include "lib.h"
#include "hcall.h"

#define BAR_IO_FLAGS	0x3U
#define BAR_MEM_FLAGS	0xFU
#define BAR_MEM_TYPE64	0x4U
#define BAR_MEM_PREFETCH 0x8U

/* The device must be vm's, at virtual vbdf. */
static int pci_assigned_to(const struct vm *vm, u16 pbdf, u16 vbdf, struct vmm_pcidev_info *info)
{
	if (vmm_pcidev_lookup(pbdf, info))
		return -ENODEV;
	if (info->owner != VMM_OWNER_POST || info->owner_vm != vm || info->vbdf != vbdf)
		return -ENODEV;
	return 0;
}

static int pci_check_type(u32 type)
{
	/* the quirk path hands config space to the device model: not provided */
	if (type & ABI_PTDEV_QUIRK_ASSIGN)
		return -ENOTSUP;
	return type ? -EINVAL : 0;
}

/* Type bits in a BAR value are read-only: either left 0 or the device's own. */
static bool pci_bar_flags_ok(u32 val, const struct vmm_bar_info *b)
{
	u32 want;

	if (b->type == VMM_BAR_IO)
		return (val & BAR_IO_FLAGS) == 0 || (val & BAR_IO_FLAGS) == 1;
	want = (b->type == VMM_BAR_MEM64 ? BAR_MEM_TYPE64 : 0) |
	       (b->prefetchable ? BAR_MEM_PREFETCH : 0);
	return (val & BAR_MEM_FLAGS) == 0 || (val & BAR_MEM_FLAGS) == want;
}

/* Decode and check every BAR against the physical layout; fills d->bar_gpa. */
static int pci_check_bars(const struct vm *vm, const struct abi_pcidev *p,
			  const struct vmm_pcidev_info *info, struct vmm_pcidev *d)
{
	u64 base[ABI_PCI_NUM_BARS], size[ABI_PCI_NUM_BARS];
	u64 limit = vmm_vm_gpa_limit(vm);
	unsigned n = 0;

	for (unsigned i = 0; i < ABI_PCI_NUM_BARS; i++) {
		const struct vmm_bar_info *b = &info->bars[i];
		u64 gpa, sz;

		switch (b->type) {
		case VMM_BAR_NONE:
			if (p->bar[i])
				return -EINVAL;
			continue;
		case VMM_BAR_MEM64_HI:
			continue;	/* consumed with its low half */
		case VMM_BAR_IO:
			if (!pci_bar_flags_ok(p->bar[i], b))
				return -EINVAL;
			/* I/O BARs are identity-mapped (as in ACRN) */
			if ((p->bar[i] & ~BAR_IO_FLAGS) != b->base)
				return -EINVAL;
			d->bar_gpa[i] = b->base;
			continue;
		case VMM_BAR_MEM32:
			gpa = p->bar[i] & ~BAR_MEM_FLAGS;
			break;
		case VMM_BAR_MEM64:
			if (i + 1 >= ABI_PCI_NUM_BARS)
				return -EINVAL;
			gpa = ((u64)p->bar[i + 1] << 32) | (p->bar[i] & ~BAR_MEM_FLAGS);
			break;
		default:
			return -EINVAL;
		}
		if (!pci_bar_flags_ok(p->bar[i], b))
			return -EINVAL;
		/* EPT maps pages: a small BAR still gets a page of its own */
		sz = MAX(b->size, PAGE_SIZE);
		if (gpa == 0 || !IS_ALIGNED(gpa, sz) || !hcall_range_ok(gpa, sz, limit))
			return -EINVAL;
		if (!vmm_mmio_window_contains(vm, gpa, sz))
			return -EINVAL;
		for (unsigned j = 0; j < n; j++)
			if (ranges_overlap(gpa, sz, base[j], size[j]))
				return -EINVAL;
		if (vmm_gpa_range_in_use(vm, gpa, sz))
			return -EEXIST;
		base[n] = gpa;
		size[n++] = sz;
		d->bar_gpa[i] = gpa;
	}
	return 0;
}

/* param1: vmid, param2: GPA of struct abi_pcidev */
int hcall_assign_pcidev(struct vm *caller, u64 p1, u64 p2)
{
	struct vmm_pcidev_info info;
	struct vmm_pcidev d = { 0 };
	struct abi_pcidev p;
	struct vm *vm;
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, &vm, &p, sizeof(p));
	if (ret)
		return ret;
	if (vmm_vm_state(vm) != VMM_VM_CREATED)
		return -EBUSY;
	ret = pci_check_type(p.type);
	if (ret)
		return ret;
	if (vmm_pcidev_lookup(p.phys_bdf, &info))
		return -ENODEV;
	switch (info.owner) {
	case VMM_OWNER_SERVICE:
		if (!vmm_template_allows_pcidev(vm, p.phys_bdf))
			return -EPERM;	/* the scenario does not give it to this VM */
		break;
	case VMM_OWNER_POST:
		return -EBUSY;	/* already assigned: to this VM or another */
	default:
		return -EPERM;	/* the hypervisor's or a pre-launched VM's */
	}
	/* 00:00.0 is the virtual host bridge */
	if (p.virt_bdf == 0)
		return -EINVAL;
	if (vmm_vbdf_in_use(vm, p.virt_bdf))
		return -EEXIST;
	if (p.intr_pin > 4)
		return -EINVAL;
	if (p.intr_pin ? p.intr_line >= vmm_vm_gsi_count(vm)
		       : (p.intr_line != 0 && p.intr_line != 0xFF))
		return -EINVAL;
	ret = pci_check_bars(vm, &p, &info, &d);
	if (ret)
		return ret;
	d.pbdf = p.phys_bdf;
	d.vbdf = p.virt_bdf;
	d.intr_line = p.intr_line;
	d.intr_pin = p.intr_pin;
	return vmm_assign_pcidev(vm, &d);
}

/* param1: vmid, param2: GPA of struct abi_pcidev (BARs and INTx not looked at) */
int hcall_deassign_pcidev(struct vm *caller, u64 p1, u64 p2)
{
	struct vmm_pcidev_info info;
	struct abi_pcidev p;
	enum vmm_vm_state st;
	struct vm *vm;
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, &vm, &p, sizeof(p));
	if (ret)
		return ret;
	st = vmm_vm_state(vm);
	if (st != VMM_VM_CREATED && st != VMM_VM_PAUSED)
		return -EBUSY;
	ret = pci_check_type(p.type);
	if (ret)
		return ret;
	ret = pci_assigned_to(vm, p.phys_bdf, p.virt_bdf, &info);
	if (ret)
		return ret;
	return vmm_deassign_pcidev(vm, p.phys_bdf, p.virt_bdf);
}

/* Common part of SET/RESET_PTDEV_INTR: an INTx of a device vm holds. */
static int ptdev_check(struct vm *caller, u64 p1, u64 p2, struct vm **vm,
		       struct abi_ptdev_irq *irq, struct vmm_pcidev_info *info)
{
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, vm, irq, sizeof(*irq));
	if (ret)
		return ret;
	/* MSI and MSI-X of assigned devices are vPCI's, not the device model's */
	if (irq->type != ABI_PTDEV_IRQ_INTX)
		return -EINVAL;
	if (irq->intx.is_pic_pin > 1)
		return -EINVAL;
	return pci_assigned_to(*vm, irq->phys_bdf, irq->virt_bdf, info);
}

/* param1: vmid, param2: GPA of struct abi_ptdev_irq */
int hcall_set_ptdev_intr(struct vm *caller, u64 p1, u64 p2)
{
	struct vmm_pcidev_info info;
	struct abi_ptdev_irq irq;
	struct vm *vm;
	u32 cur, pins;
	bool pic;
	int ret;

	ret = ptdev_check(caller, p1, p2, &vm, &irq, &info);
	if (ret)
		return ret;
	pic = irq.intx.is_pic_pin;
	/* the pin must be the device's own line, or it could steal another's */
	if (!info.intx_pin || info.phys_gsi == VMM_GSI_UNKNOWN ||
	    irq.intx.phys_pin != info.phys_gsi)
		return -EINVAL;
	pins = pic ? 16 : vmm_vm_gsi_count(vm);
	if (irq.intx.virt_pin >= pins)
		return -EINVAL;
	if (vmm_intx_lookup(vm, irq.intx.virt_pin, pic, &cur))
		/* a line shared by two functions of this VM is remapped once */
		return cur == irq.intx.phys_pin ? 0 : -EBUSY;
	if (vmm_intx_phys_user(irq.intx.phys_pin))
		return -EBUSY;
	return vmm_set_ptdev_intx(vm, &irq);
}

/* param1: vmid, param2: GPA of struct abi_ptdev_irq */
int hcall_reset_ptdev_intr(struct vm *caller, u64 p1, u64 p2)
{
	struct vmm_pcidev_info info;
	struct abi_ptdev_irq irq;
	struct vm *vm;
	u32 cur;
	int ret;

	ret = ptdev_check(caller, p1, p2, &vm, &irq, &info);
	if (ret)
		return ret;
	if (!vmm_intx_lookup(vm, irq.intx.virt_pin, irq.intx.is_pic_pin, &cur))
		return -ENOENT;
	if (cur != irq.intx.phys_pin)
		return -EINVAL;
	return vmm_reset_ptdev_intx(vm, &irq);
}
