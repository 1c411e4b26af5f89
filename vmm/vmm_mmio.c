/*
 * MMIO devices (board ACPI devices) moved between the Service VM and
 * post-launched VMs (include/vmm.h): ASSIGN_MMIODEV takes each resource out
 * of the Service VM's EPT and maps it uncached at the user GPA the Service VM
 * chose; DEASSIGN_MMIODEV (and the VM's destruction) puts it back where the
 * scenario gave it to the Service VM. A resource is identified by its host
 * address rounded out to whole pages, as EPT maps it.
 */
#include "lib.h"
#include "ratelimit.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vmmio.h"
#include "vm_unit.h"

#define MAX_MOVED	16

/* Resources now in a post-launched VM. */
static struct moved_res {
	struct vm *vm;		/* NULL: free slot */
	u64 hpa, size;		/* page span */
	u64 user_gpa;
} moved[MAX_MOVED];

static struct moved_res *moved_at(u64 hpa)
{
	for (unsigned i = 0; i < MAX_MOVED; i++)
		if (moved[i].vm && moved[i].hpa == hpa)
			return &moved[i];
	return NULL;
}

/* The boot VM whose scenario entry maps [hpa, +size) (page span), and where; NULL if none. */
static struct vm *boot_owner(u64 hpa, u64 size, u64 *gpa)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		const struct vm_config *c = vms[i].cfg;

		for (unsigned j = 0; j < c->nr_mmio_devs; j++) {
			const struct vm_mmio_dev *d = &c->mmio_devs[j];
			struct page_span s = vmmio_page_span(d->gpa, d->hpa, d->size);

			if (s.hpa == hpa && s.size == size) {
				*gpa = s.gpa;
				return &vms[i];
			}
		}
	}
	return NULL;
}

/* Is [hpa, +size) exactly the page span of a board device's MMIO resource? */
static bool board_resource(u64 hpa, u64 size)
{
	const struct board_config *b = scenario.board_info;

	for (unsigned i = 0; b && i < b->nr_acpi_devs; i++)
		for (unsigned r = 0; r < b->acpi_devs[i].nr_mmio; r++) {
			const struct board_res_range *m = &b->acpi_devs[i].mmio[r];
			struct page_span s = vmmio_page_span(m->base, m->base, m->size);

			if (m->size && s.hpa == hpa && s.size == size)
				return true;
		}
	return false;
}

int vmm_mmiodev_lookup(u64 hpa, u64 size, struct vmm_mmiodev_info *info)
{
	const struct moved_res *m = moved_at(hpa);
	struct vm *owner;
	u64 gpa;

	if (!board_resource(hpa, size))
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	if (m) {
		info->owner = VMM_OWNER_POST;
		info->owner_vm = m->vm;
		info->user_gpa = m->user_gpa;
		return 0;
	}
	owner = boot_owner(hpa, size, &gpa);
	info->owner = !owner ? VMM_OWNER_HV : owner == service_vm ? VMM_OWNER_SERVICE
								   : VMM_OWNER_PRE;
	return 0;
}

/* true when one of the MMIO resources moved into vm covers part of [gpa, +size). */
bool vmm_mmio_moved_overlaps(const struct vm *vm, u64 gpa, u64 size)
{
	for (unsigned i = 0; i < MAX_MOVED; i++)
		if (moved[i].vm == vm && ranges_overlap(gpa, size, moved[i].user_gpa, moved[i].size))
			return true;
	return false;
}

/* The ABI's 8-byte name, not NUL-terminated when it is full. */
static const char *dev_name(const struct abi_mmiodev *dev, char buf[9])
{
	memcpy(buf, dev->name, 8);
	buf[8] = 0;
	return buf;
}

static void give_back(struct moved_res *m)
{
	u64 gpa;

	ept_unmap(m->vm, m->user_gpa, m->size);
	vm_flush_ept(m->vm);
	if (boot_owner(m->hpa, m->size, &gpa) == service_vm) {
		if (ept_map(service_vm, gpa, m->hpa, m->size, EPT_R | EPT_W, EPT_MT_UC))
			printk_ratelimited("MMIO 0x%lx+0x%lx could not go back to the Service VM\n",
					   m->hpa, m->size);
		isa_irq_mmio_moved(service_vm, m->hpa, m->size, false);	/* its lines too */
	}
	m->vm = NULL;
}

/* Every resource of dev the Service VM's to give, vm's to take, and a slot for each. */
static int assign_check(const struct vm *vm, const struct abi_mmiodev *dev)
{
	unsigned need = 0, free = 0;

	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++) {
		const struct abi_mmiodev_res *r = &dev->res[i];
		u64 gpa;
		int ret;

		if (!r->size)
			continue;
		need++;
		if (!board_resource(r->service_vm_pa, r->size) ||
		    boot_owner(r->service_vm_pa, r->size, &gpa) != service_vm)
			return -ENODEV;
		ret = vmmio_msi_check(vm, r->service_vm_pa, r->size);
		if (ret)
			return ret;
	}
	for (unsigned k = 0; k < MAX_MOVED; k++)
		free += !moved[k].vm;
	return need > free ? -ENOSPC : 0;
}

int vmm_assign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev)
{
	char name[9];
	unsigned done = 0;
	int ret = assign_check(vm, dev);

	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM && !ret; i++) {
		const struct abi_mmiodev_res *r = &dev->res[i];
		struct moved_res *m = NULL;
		u64 gpa;

		if (!r->size)
			continue;
		for (unsigned k = 0; k < MAX_MOVED && !m; k++)
			if (!moved[k].vm)
				m = &moved[k];
		boot_owner(r->service_vm_pa, r->size, &gpa);
		ret = ept_map(vm, r->user_vm_pa, r->service_vm_pa, r->size, EPT_R | EPT_W, EPT_MT_UC);
		if (ret)
			break;
		ept_unmap(service_vm, gpa, r->size);
		vm_flush_ept(service_vm);
		*m = (struct moved_res){ vm, r->service_vm_pa, r->size, r->user_vm_pa };
		done |= BIT(i);
	}
	if (ret) {
		/* nothing stays half moved */
		for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++)
			if (done & BIT(i))
				give_back(moved_at(dev->res[i].service_vm_pa));
		return ret;
	}
	/* the lines of the Service VM's that device raises go quiet (an HPET's) */
	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++)
		if (dev->res[i].size)
			isa_irq_mmio_moved(service_vm, dev->res[i].service_vm_pa, dev->res[i].size, true);
	printk_ratelimited("VM %s: MMIO device '%s' assigned\n", vm->name, dev_name(dev, name));
	return 0;
}

int vmm_deassign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev)
{
	char name[9];

	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++) {
		struct moved_res *m = dev->res[i].size ? moved_at(dev->res[i].service_vm_pa) : NULL;

		if (m && m->vm == vm)
			give_back(m);
	}
	printk_ratelimited("VM %s: MMIO device '%s' given back to the Service VM\n", vm->name,
	       dev_name(dev, name));
	return 0;
}

/* Destruction: every resource goes back. */
void vmm_mmio_release_all(struct vm *vm)
{
	for (unsigned i = 0; i < MAX_MOVED; i++)
		if (moved[i].vm == vm)
			give_back(&moved[i]);
}
