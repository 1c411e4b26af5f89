/*
 * PCI functions moved between the Service VM and post-launched VMs
 * (vmm/vmm_dev.c) against a fake vPCI, VT-d and INTx routing: who owns a
 * function; an assignment takes it from the Service VM's bus, puts it in
 * the VM's DMA domain and on its bus at the BDF, BARs and INTx the Service
 * VM chose, reset; a refused or failing one gives it back to the Service
 * VM as it had it; deassignment and destruction give it back, with the
 * VM's INTx remapping; the template's device list; INTx moves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vm.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vtd.h"

#define NIC	PCI_BDF(0, 3, 0)	/* the Service VM's, INTA on GSI 11 */
#define DISK	PCI_BDF(0, 4, 0)	/* the Service VM's, INTB, routing unknown */
#define PRE_DEV	PCI_BDF(0, 5, 0)	/* a pre-launched VM's */
#define HV_DEV	PCI_BDF(0, 6, 0)	/* nobody's (the console's UART) */
#define BRIDGE	PCI_BDF(0, 7, 0)
#define VBDF	PCI_BDF(0, 2, 0)	/* where the post-launched VM gets it */
#define NIC_GSI	11

static struct board_pci_dev board_devs[] = {
	{ .bdf = NIC, .intx_pin = 1, .intx_line = NIC_GSI },
	{ .bdf = DISK, .intx_pin = 2, .intx_line = 0xff },
};
static const struct board_config board = { .nr_pci_devs = ARRAY_SIZE(board_devs), .pci_devs = board_devs };
const struct scenario_config scenario = { .board_info = &board };

static struct pci_pdev pdevs[] = {
	{ .bdf = NIC, .intx_pin = 1, .nr_bars = 2,
	  .bar = { { 0xF0000000, 0x20000, PCI_BAR_MEM32, false }, { 0xE000, 0x20, PCI_BAR_IO, false } } },
	{ .bdf = DISK, .intx_pin = 2 },
	{ .bdf = PRE_DEV },
	{ .bdf = HV_DEV },
	{ .bdf = BRIDGE, .hdr_type = 1 },
};

struct pci_pdev *pci_find_pdev(u16 bdf)
{
	for (unsigned i = 0; i < ARRAY_SIZE(pdevs); i++)
		if (pdevs[i].bdf == bdf)
			return &pdevs[i];
	return NULL;
}

static struct vm svm, pre, post, post2;
struct vm *service_vm = &svm;
extern unsigned host_printk_calls;
static struct vm_config svm_cfg = { .name = "sos", .flags = VM_FLAG_PRIVILEGED };
static struct vm_config post_cfg = { .name = "post-template" };
static struct vm_config pre_cfg = { .name = "pre" };
static char svm_domain, post_domain;	/* VT-d domains: only their addresses count */

/* ---- a fake vPCI: passthrough functions in each VM's slots ---- */
static const struct vpci_vdev_ops pt_ops, emul_ops;
static struct {
	bool vtd, ir;			/* DMA and interrupt remapping on */
	struct vpci *assign_fails;	/* vpci_assign_dev into it fails */
	struct vtd_domain *vtd_fails;	/* vtd_device_assign into it fails */
	struct vtd_domain *last_domain;
	struct vpci_dev_config last_dc;	/* the last function assigned, as asked */
	unsigned moves;
	struct { u32 gsi, vgsi; struct vm *from, *to; } move;
	struct vm *intx_owner[24];
} fk;

bool vtd_active(void) { return fk.vtd; }
bool vtd_ir_active(void) { return fk.ir; }

int vtd_device_assign(struct vtd_domain *d, u16 bdf)
{
	(void)bdf;
	if (d == fk.vtd_fails)
		return -EIO;
	fk.last_domain = d;
	return 0;
}

static struct vpci_vdev *slot_at(struct vpci *vp, u16 vbdf)
{
	for (unsigned i = 0; i < vp->nr_vdevs; i++)
		if (vp->vdev[i].ops && vp->vdev[i].vbdf == vbdf)
			return &vp->vdev[i];
	return NULL;
}

int vpci_assign_dev(struct vpci *vp, const struct vpci_dev_config *dc)
{
	struct vpci_vdev *d = NULL;

	if (vp == fk.assign_fails || slot_at(vp, dc->vbdf))
		return -EBUSY;
	for (unsigned i = 0; i < VPCI_MAX_VDEVS && !d; i++)
		if (!vp->vdev[i].ops)
			d = &vp->vdev[i];
	assert_non_null(d);
	memset(d, 0, sizeof(*d));
	d->vpci = vp;
	d->ops = &pt_ops;
	d->pdev = pci_find_pdev(dc->pbdf);
	d->vbdf = dc->vbdf;
	d->pbdf = dc->pbdf;
	d->flags = dc->flags;
	d->intx_pin = dc->intx_pin;
	d->intx_line = dc->intx_line;
	if ((unsigned)(d - vp->vdev) >= vp->nr_vdevs)
		vp->nr_vdevs = d - vp->vdev + 1;
	fk.last_dc = *dc;
	return 0;
}

int vpci_deassign_dev(struct vpci *vp, u16 vbdf)
{
	struct vpci_vdev *d = slot_at(vp, vbdf);

	if (!d)
		return -ENODEV;
	d->ops = NULL;
	return 0;
}

bool vpci_has_vdev(struct vpci *vp, u16 vbdf)
{
	return slot_at(vp, vbdf) != NULL;
}

struct vpci *vpci_pdev_owner(u16 pbdf)
{
	struct vm *all[] = { &svm, &pre, &post, &post2 };

	for (unsigned k = 0; k < ARRAY_SIZE(all); k++)
		for (unsigned i = 0; i < all[k]->vpci.nr_vdevs; i++) {
			const struct vpci_vdev *d = &all[k]->vpci.vdev[i];

			if (d->ops && d->pdev && d->pbdf == pbdf)
				return &all[k]->vpci;
		}
	return NULL;
}

/* ---- INTx routing ---- */
int ptirq_intx_move(u32 gsi, struct vm *from, struct vm *to, u32 vgsi)
{
	fk.moves++;
	fk.move.gsi = gsi, fk.move.vgsi = vgsi, fk.move.from = from, fk.move.to = to;
	if (fk.intx_owner[gsi] != from)
		return -EPERM;
	fk.intx_owner[gsi] = to;
	return 0;
}

struct vm *ptirq_intx_owner(u32 gsi) { return fk.intx_owner[gsi]; }

bool ptirq_intx_find(const struct vm *vm, u32 vgsi, bool pic, u32 *gsi)
{
	if (pic || vm != &post || vgsi != 5)
		return false;
	*gsi = NIC_GSI;
	return true;
}

static void give(struct vm *vm, u16 bdf)
{
	struct vpci_dev_config dc = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = bdf, .pbdf = bdf };

	assert_int_equal(vpci_assign_dev(&vm->vpci, &dc), 0);
}

static int setup(void **state)
{
	struct vm *all[] = { &svm, &pre, &post, &post2 };

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(all); k++)
		memset(all[k], 0, sizeof(*all[k]));
	memset(&fk, 0, sizeof(fk));
	fk.vtd = fk.ir = true;
	svm.cfg = &svm_cfg, svm.name = "sos", svm.dma_domain = (struct vtd_domain *)&svm_domain;
	pre.cfg = &pre_cfg, pre.name = "pre";
	post.cfg = &post_cfg, post.name = "post", post.post = true;
	post.dma_domain = (struct vtd_domain *)&post_domain;
	post2.cfg = &post_cfg, post2.name = "post2", post2.post = true;
	post_cfg.nr_pci_devs = 0;
	post_cfg.flags = 0;
	/* the Service VM's bus: its host bridge (emulated), the NIC and the disk */
	svm.vpci.vdev[0] = (struct vpci_vdev){ .ops = &emul_ops, .vbdf = 0 };
	svm.vpci.nr_vdevs = 1;
	give(&svm, NIC);
	give(&svm, DISK);
	give(&pre, PRE_DEV);
	fk.intx_owner[NIC_GSI] = &svm;
	return 0;
}

static struct vmm_pcidev nic_to(u16 vbdf)
{
	return (struct vmm_pcidev){ .pbdf = NIC, .vbdf = vbdf, .intr_line = 5, .intr_pin = 1,
				    .bar_gpa = { 0xC0000000, 0x6000 } };
}

/* As the Service VM had it at boot: same BDF, its board INTx, physical BARs (vbar 0). */
static void assert_back_in_service_vm(u16 bdf, u8 line)
{
	const struct vpci_vdev *d = slot_at(&svm.vpci, bdf);

	assert_non_null(d);
	assert_ptr_equal(d->pdev, pci_find_pdev(bdf));
	assert_int_equal(d->pbdf, bdf);
	assert_int_equal(d->intx_line, line);
	assert_int_equal(fk.last_dc.vbar[0], 0);
	assert_int_equal(fk.last_dc.flags & VPCI_DEVF_RESET, 0);
}

static void test_lookup(void **state)
{
	struct vmm_pcidev_info info;
	struct vmm_pcidev d = nic_to(VBDF);

	(void)state;
	assert_int_equal(vmm_pcidev_lookup(PCI_BDF(0, 9, 0), &info), -ENODEV);
	assert_int_equal(vmm_pcidev_lookup(BRIDGE, &info), -ENODEV);	/* type 0 functions only */
	assert_int_equal(vmm_pcidev_lookup(NIC, &info), 0);
	assert_int_equal(info.owner, VMM_OWNER_SERVICE);
	assert_null(info.owner_vm);
	assert_int_equal(info.intx_pin, 1);
	assert_int_equal(info.phys_gsi, NIC_GSI);
	assert_int_equal(info.bars[0].type, VMM_BAR_MEM32);
	assert_int_equal(info.bars[0].base, 0xF0000000);
	assert_int_equal(info.bars[0].size, 0x20000);
	assert_int_equal(info.bars[1].type, VMM_BAR_IO);
	assert_int_equal(info.bars[1].base, 0xE000);
	assert_int_equal(info.bars[2].type, VMM_BAR_NONE);
	assert_int_equal(vmm_pcidev_lookup(DISK, &info), 0);
	assert_int_equal(info.phys_gsi, VMM_GSI_UNKNOWN);	/* the firmware did not route it */
	assert_int_equal(vmm_pcidev_lookup(PRE_DEV, &info), 0);
	assert_int_equal(info.owner, VMM_OWNER_PRE);
	assert_int_equal(info.phys_gsi, VMM_GSI_UNKNOWN);	/* not on the board list */
	assert_int_equal(vmm_pcidev_lookup(HV_DEV, &info), 0);
	assert_int_equal(info.owner, VMM_OWNER_HV);
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	assert_int_equal(vmm_pcidev_lookup(NIC, &info), 0);
	assert_int_equal(info.owner, VMM_OWNER_POST);
	assert_ptr_equal(info.owner_vm, &post);
	assert_int_equal(info.vbdf, VBDF);
}

static void test_assign_and_back(void **state)
{
	struct vmm_pcidev d = nic_to(VBDF);
	const struct vpci_vdev *pd;

	(void)state;
	assert_false(vmm_vbdf_in_use(&post, VBDF));
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	/* off the Service VM's bus, on the VM's, reset, in its DMA domain */
	assert_null(slot_at(&svm.vpci, NIC));
	assert_true(vmm_vbdf_in_use(&post, VBDF));
	pd = slot_at(&post.vpci, VBDF);
	assert_non_null(pd);
	assert_int_equal(pd->pbdf, NIC);
	assert_true(pd->flags & VPCI_DEVF_RESET);
	assert_int_equal(pd->intx_pin, 1);
	assert_int_equal(pd->intx_line, 5);
	assert_int_equal(fk.last_dc.vbar[0], 0xC0000000);
	assert_int_equal(fk.last_dc.vbar[1], 0x6000);
	assert_ptr_equal(fk.last_domain, post.dma_domain);
	/* its INTx stays the Service VM's until SET_PTDEV_INTR */
	assert_int_equal(fk.moves, 0);
	assert_ptr_equal(vmm_intx_phys_user(NIC_GSI), NULL);

	assert_int_equal(vmm_deassign_pcidev(&post, NIC, VBDF), 0);
	assert_false(vmm_vbdf_in_use(&post, VBDF));
	assert_back_in_service_vm(NIC, NIC_GSI);
	assert_ptr_equal(fk.last_domain, svm.dma_domain);
	/* not the VM's any more: a second deassignment is refused, nothing changes */
	assert_int_equal(vmm_deassign_pcidev(&post, NIC, VBDF), -ENODEV);
	assert_non_null(slot_at(&svm.vpci, NIC));
}

static void test_assign_no_pin(void **state)
{
	struct vmm_pcidev d = nic_to(VBDF);

	(void)state;
	d.intr_pin = 0;			/* no INTx: the line means nothing */
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	assert_int_equal(slot_at(&post.vpci, VBDF)->intx_line, 0xff);
	/* a VM without VT-d (post2): no domain to join */
	d.pbdf = DISK;
	d.vbdf = PCI_BDF(0, 3, 0);
	fk.last_domain = NULL;
	assert_int_equal(vmm_assign_pcidev(&post2, &d), 0);
	assert_null(fk.last_domain);
}

static void test_assign_refused(void **state)
{
	struct vmm_pcidev d = nic_to(VBDF);

	(void)state;
	/* not on the Service VM's bus */
	d.pbdf = PRE_DEV;
	assert_int_equal(vmm_assign_pcidev(&post, &d), -ENODEV);
	assert_non_null(slot_at(&pre.vpci, PRE_DEV));
	d.pbdf = HV_DEV;
	assert_int_equal(vmm_assign_pcidev(&post, &d), -ENODEV);
	assert_int_equal(post.vpci.nr_vdevs, 0);
	/* it can DMA and there is no interrupt remapping: the Service VM keeps it */
	d.pbdf = NIC;
	fk.ir = false;
	assert_int_equal(vmm_assign_pcidev(&post, &d), -EPERM);
	assert_non_null(slot_at(&svm.vpci, NIC));
	assert_false(vmm_vbdf_in_use(&post, VBDF));
	/* unless the VM's template accepts unprotected DMA */
	post_cfg.flags = VM_FLAG_UNPROTECTED_DMA;
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	assert_true(vmm_vbdf_in_use(&post, VBDF));
}

static void test_assign_fails_goes_back(void **state)
{
	struct vmm_pcidev d = nic_to(VBDF);
	unsigned printed;

	(void)state;
	/* the VM's DMA domain refuses it */
	fk.vtd_fails = post.dma_domain;
	assert_int_equal(vmm_assign_pcidev(&post, &d), -EIO);
	assert_false(vmm_vbdf_in_use(&post, VBDF));
	assert_back_in_service_vm(NIC, NIC_GSI);
	assert_ptr_equal(fk.last_domain, svm.dma_domain);
	/* the VM's bus refuses it */
	fk.vtd_fails = NULL;
	fk.assign_fails = &post.vpci;
	assert_int_equal(vmm_assign_pcidev(&post, &d), -EBUSY);
	assert_back_in_service_vm(NIC, NIC_GSI);
	/* and when even the Service VM's bus refuses it, it is nobody's (said so) */
	fk.assign_fails = &svm.vpci;
	assert_int_equal(vmm_assign_pcidev(&post2, &d), 0);	/* post2: no DMA domain */
	printed = host_printk_calls;
	assert_int_equal(vmm_deassign_pcidev(&post2, NIC, VBDF), 0);
	assert_null(slot_at(&svm.vpci, NIC));
	assert_null(vpci_pdev_owner(NIC));
	assert_int_equal(host_printk_calls - printed, 1);	/* that, not "given back" too */
	/* the same when the Service VM's DMA domain refuses it */
	fk.assign_fails = NULL;
	assert_int_equal(vmm_assign_pcidev(&post, &d), -ENODEV);	/* nobody's: not the Service VM's to give */
	fk.vtd_fails = svm.dma_domain;
	assert_int_equal(vpci_assign_dev(&post.vpci, &(struct vpci_dev_config){ .vbdf = VBDF, .pbdf = NIC }), 0);
	printed = host_printk_calls;
	assert_int_equal(vmm_deassign_pcidev(&post, NIC, VBDF), 0);
	assert_null(slot_at(&svm.vpci, NIC));
	assert_int_equal(host_printk_calls - printed, 1);
}

static void test_intx(void **state)
{
	struct vmm_pcidev d = nic_to(VBDF);
	struct abi_ptdev_irq irq = { 0 };
	u32 phys;

	(void)state;
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	irq.intx.phys_pin = NIC_GSI;
	irq.intx.virt_pin = 5;
	/* no vPIC in post-launched VMs */
	irq.intx.is_pic_pin = 1;
	assert_int_equal(vmm_set_ptdev_intx(&post, &irq), -ENOTSUP);
	assert_int_equal(fk.moves, 0);
	irq.intx.is_pic_pin = 0;
	assert_int_equal(vmm_set_ptdev_intx(&post, &irq), 0);
	assert_ptr_equal(fk.move.from, &svm);
	assert_ptr_equal(fk.move.to, &post);
	assert_int_equal(fk.move.vgsi, 5);
	assert_ptr_equal(vmm_intx_phys_user(NIC_GSI), &post);
	assert_true(vmm_intx_lookup(&post, 5, false, &phys));
	assert_int_equal(phys, NIC_GSI);
	assert_false(vmm_intx_lookup(&post, 5, true, &phys));
	/* back to the Service VM at its own GSI */
	assert_int_equal(vmm_reset_ptdev_intx(&post, &irq), 0);
	assert_ptr_equal(fk.move.to, &svm);
	assert_int_equal(fk.move.vgsi, NIC_GSI);
	assert_null(vmm_intx_phys_user(NIC_GSI));
	/* a line a boot VM holds is no post-launched VM's */
	fk.intx_owner[3] = &pre;
	assert_null(vmm_intx_phys_user(3));
}

/* Deassignment and destruction take the VM's INTx remapping back too. */
static void test_release_all(void **state)
{
	struct vmm_pcidev d = nic_to(VBDF);
	struct abi_ptdev_irq irq = { 0 };

	(void)state;
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	d.pbdf = DISK;
	d.vbdf = PCI_BDF(0, 3, 0);
	assert_int_equal(vmm_assign_pcidev(&post, &d), 0);
	/* an emulated function of its own (the device model's) stays */
	post.vpci.vdev[post.vpci.nr_vdevs++] = (struct vpci_vdev){ .ops = &emul_ops, .vbdf = PCI_BDF(0, 9, 0) };
	irq.intx.phys_pin = NIC_GSI;
	irq.intx.virt_pin = 5;
	assert_int_equal(vmm_set_ptdev_intx(&post, &irq), 0);
	vmm_dev_release_all(&post);
	assert_back_in_service_vm(NIC, NIC_GSI);
	assert_back_in_service_vm(DISK, 0xff);
	assert_ptr_equal(fk.intx_owner[NIC_GSI], &svm);
	assert_int_equal(fk.move.vgsi, NIC_GSI);
	assert_false(vmm_vbdf_in_use(&post, VBDF));
	assert_true(vmm_vbdf_in_use(&post, PCI_BDF(0, 9, 0)));
}

static void test_template_list(void **state)
{
	struct vm_pci_dev list[] = { { .pbdf = DISK } };

	(void)state;
	/* no list: any function the Service VM has */
	assert_true(vmm_template_allows_pcidev(&post, NIC));
	post_cfg.pci_devs = list;
	post_cfg.nr_pci_devs = 1;
	assert_true(vmm_template_allows_pcidev(&post, DISK));
	assert_false(vmm_template_allows_pcidev(&post, NIC));
	post_cfg.nr_pci_devs = 0;
	post_cfg.pci_devs = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup, setup),
		cmocka_unit_test_setup(test_assign_and_back, setup),
		cmocka_unit_test_setup(test_assign_no_pin, setup),
		cmocka_unit_test_setup(test_assign_refused, setup),
		cmocka_unit_test_setup(test_assign_fails_goes_back, setup),
		cmocka_unit_test_setup(test_intx, setup),
		cmocka_unit_test_setup(test_release_all, setup),
		cmocka_unit_test_setup(test_template_list, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
