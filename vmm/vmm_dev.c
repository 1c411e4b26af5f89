/*
 * Device moves between the Service VM and post-launched VMs (include/vmm.h):
 * ASSIGN_PCIDEV takes a function out of the Service VM's vPCI, resets it and
 * gives it to the post-launched VM's vPCI at the virtual BDF and BAR GPAs the
 * Service VM chose, in that VM's DMA domain; DEASSIGN_PCIDEV (and the VM's
 * destruction) gives it back. INTx of an assigned function stays on the
 * Service VM's route until SET_PTDEV_INTR moves it.
 */
#include "lib.h"
#include "ratelimit.h"
#include "dma_policy.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vtd.h"

static struct vm *vpci_vm(struct vpci *vp)
{
	return vp ? (struct vm *)((char *)vp - offsetof(struct vm, vpci)) : NULL;
}

static const struct board_pci_dev *board_dev(u16 pbdf)
{
	const struct board_config *b = scenario.board_info;

	for (unsigned i = 0; b && i < b->nr_pci_devs; i++)
		if (b->pci_devs[i].bdf == pbdf)
			return &b->pci_devs[i];
	return NULL;
}

int vmm_pcidev_lookup(u16 pbdf, struct vmm_pcidev_info *info)
{
	const struct pci_pdev *p = pci_find_pdev(pbdf);
	const struct board_pci_dev *bd = board_dev(pbdf);
	struct vm *owner;

	if (!p || p->hdr_type != 0)
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	owner = vpci_vm(vpci_pdev_owner(pbdf));
	if (!owner)
		info->owner = VMM_OWNER_HV;
	else if (owner == service_vm)
		info->owner = VMM_OWNER_SERVICE;
	else if (owner->post)
		info->owner = VMM_OWNER_POST;
	else
		info->owner = VMM_OWNER_PRE;
	if (info->owner == VMM_OWNER_POST) {
		info->owner_vm = owner;
		for (unsigned i = 0; i < owner->vpci.nr_vdevs; i++)
			if (owner->vpci.vdev[i].ops && owner->vpci.vdev[i].pbdf == pbdf)
				info->vbdf = owner->vpci.vdev[i].vbdf;
	}
	info->intx_pin = p->intx_pin;
	info->phys_gsi = bd && bd->intx_line != 0xff ? bd->intx_line : VMM_GSI_UNKNOWN;
	for (unsigned i = 0; i < ABI_PCI_NUM_BARS && i < PCI_BAR_MAX; i++) {
		/* enum pci_bar_type and enum vmm_bar_type list the same kinds in the same order */
		info->bars[i] = (struct vmm_bar_info){ p->bar[i].type, p->bar[i].prefetch,
						       p->bar[i].base, p->bar[i].size };
	}
	return 0;
}

bool vmm_vbdf_in_use(const struct vm *vm, u16 vbdf)
{
	return vpci_has_vdev((struct vpci *)&vm->vpci, vbdf);
}

static struct vpci_vdev *vdev_by_pbdf(struct vpci *vp, u16 pbdf)
{
	for (unsigned i = 0; i < vp->nr_vdevs; i++)
		if (vp->vdev[i].ops && vp->vdev[i].pdev && vp->vdev[i].pbdf == pbdf)
			return &vp->vdev[i];
	return NULL;
}

/*
 * Back to the Service VM as it had it (its DMA domain, its vPCI at the same
 * BDF, BARs at their physical bases); false, said, if it could not go.
 */
static bool give_back(u16 pbdf)
{
	const struct board_pci_dev *bd = board_dev(pbdf);
	const struct pci_pdev *p = pci_find_pdev(pbdf);
	struct vpci_dev_config dc = {
		.kind = VPCI_DEV_PASSTHROUGH, .vbdf = pbdf, .pbdf = pbdf,
		.intx_pin = p ? p->intx_pin : 0, .intx_line = bd ? bd->intx_line : 0xff,
	};
	int ret = 0;

	if (service_vm->dma_domain)
		ret = vtd_device_assign(service_vm->dma_domain, pbdf);
	if (!ret)
		ret = vpci_assign_dev(&service_vm->vpci, &dc);
	if (ret)
		printk_ratelimited("PCI %02x:%02x.%u could not go back to the Service VM (error %d): "
				   "it stays unassigned\n", PCI_BUS(pbdf), PCI_DEV(pbdf), PCI_FN(pbdf), ret);
	return !ret;
}

bool vmm_template_allows_pcidev(const struct vm *vm, u16 pbdf)
{
	const struct vm_config *t = vm->cfg;

	for (unsigned i = 0; i < t->nr_pci_devs; i++)
		if (t->pci_devs[i].pbdf == pbdf)
			return true;
	if (t->nr_pci_devs)
		printk_ratelimited("VM %s: PCI %02x:%02x.%u is not in the device list of template '%s'\n", vm->name,
		       PCI_BUS(pbdf), PCI_DEV(pbdf), PCI_FN(pbdf), t->name);
	return !t->nr_pci_devs;
}

int vmm_assign_pcidev(struct vm *vm, const struct vmm_pcidev *d)
{
	struct vpci_vdev *sd = vdev_by_pbdf(&service_vm->vpci, d->pbdf);
	struct vpci_dev_config dc = {
		.kind = VPCI_DEV_PASSTHROUGH, .vbdf = d->vbdf, .pbdf = d->pbdf,
		.flags = VPCI_DEVF_RESET, .intx_pin = d->intr_pin,
		.intx_line = d->intr_pin ? d->intr_line : 0xff,
	};
	char what[16];
	int ret;

	if (!sd)
		return -ENODEV;
	/* it can DMA anywhere, 0xFEExxxxx (MSIs) included: the one policy of include/dma_policy.h */
	snprintf(what, sizeof(what), "PCI %02x:%02x.%u", PCI_BUS(d->pbdf), PCI_DEV(d->pbdf),
		 PCI_FN(d->pbdf));
	if (dma_policy_check(vm->name, vm->cfg->flags, DEV_CAN_DMA, what))
		return -EPERM;
	for (unsigned i = 0; i < ABI_PCI_NUM_BARS && i < PCI_BAR_MAX; i++)
		dc.vbar[i] = d->bar_gpa[i];
	ret = vpci_deassign_dev(&service_vm->vpci, sd->vbdf);
	if (ret)
		return ret;
	if (vm->dma_domain)
		ret = vtd_device_assign(vm->dma_domain, d->pbdf);
	if (!ret)
		ret = vpci_assign_dev(&vm->vpci, &dc);
	if (ret) {
		give_back(d->pbdf);
		return ret;
	}
	printk_ratelimited("VM %s: PCI %02x:%02x.%u assigned at %02x:%02x.%u\n", vm->name, PCI_BUS(d->pbdf),
	       PCI_DEV(d->pbdf), PCI_FN(d->pbdf), PCI_BUS(d->vbdf), PCI_DEV(d->vbdf),
	       PCI_FN(d->vbdf));
	return 0;
}

int vmm_deassign_pcidev(struct vm *vm, u16 pbdf, u16 vbdf)
{
	const struct board_pci_dev *bd = board_dev(pbdf);
	int ret;

	if (bd && bd->intx_line != 0xff && vmm_intx_phys_user(bd->intx_line) == vm)
		ptirq_intx_move(bd->intx_line, vm, service_vm, bd->intx_line);
	ret = vpci_deassign_dev(&vm->vpci, vbdf);	/* reset (flagged), unmapped */
	if (ret)
		return ret;
	if (give_back(pbdf))
		printk_ratelimited("VM %s: PCI %02x:%02x.%u given back to the Service VM\n", vm->name,
				   PCI_BUS(pbdf), PCI_DEV(pbdf), PCI_FN(pbdf));
	return 0;
}

/* Destruction: every assigned function goes back. */
void vmm_dev_release_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vpci.nr_vdevs; i++) {
		struct vpci_vdev *d = &vm->vpci.vdev[i];

		if (d->ops && d->pdev)
			vmm_deassign_pcidev(vm, d->pbdf, d->vbdf);
	}
}

/* ---- INTx of assigned functions ---- */

bool vmm_intx_lookup(const struct vm *vm, u32 virt_pin, bool pic, u32 *phys_pin)
{
	return ptirq_intx_find(vm, virt_pin, pic, phys_pin);
}

struct vm *vmm_intx_phys_user(u32 phys_pin)
{
	struct vm *vm = ptirq_intx_owner(phys_pin);

	return vm && vm->post ? vm : NULL;
}

int vmm_set_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq)
{
	if (irq->intx.is_pic_pin)
		return -ENOTSUP;	/* no vPIC: post-launched VMs use the vIOAPIC */
	return ptirq_intx_move(irq->intx.phys_pin, service_vm, vm, irq->intx.virt_pin);
}

int vmm_reset_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq)
{
	/* the line goes back to the Service VM, which routes it at its own GSI */
	return ptirq_intx_move(irq->intx.phys_pin, vm, service_vm, irq->intx.phys_pin);
}
