/*
 * vPCI for a VM: builds the VM's virtual PCI bus from its config (host
 * bridge at 00:00.0 plus its passthrough functions; the Service VM's
 * PCI-PCI bridges as they are, with the functions behind them at their own
 * BDFs and its ECAM window up to the last bus), registers the config
 * access traps (0xCF8-0xCFF and the virtual ECAM window) and supplies the
 * hooks vPCI needs: EPT for BARs, MMIO traps for MSI-X tables, direct port
 * access for I/O BARs, MSI remapping.
 */
#include "lib.h"
#include "ratelimit.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vacpi.h"
#include "vpci.h"
#include "vtd.h"
#include "vm_unit.h"

#define VM_ECAM_BASE 0xE0000000ULL	/* as ACRN's pre-launched VMs; matches the vMCFG */
#define VM_MMIO32_BASE 0xC0000000ULL	/* BAR window, up to the ECAM */

/*
 * MSIs: host vectors from IRQ_MSI_BASE (include/irq.h), each routed to one
 * VM's guest message. A VM holds at most its share (vm_config.msi_vectors,
 * the shares adding up to at most the pool), so a VM that unmasks every
 * MSI-X entry it has is refused past its own share and nobody else is.
 */
#define MSI_VECTOR_BASE IRQ_MSI_BASE
#define MSI_VECTORS IRQ_MSI_COUNT
static struct msi_route {
	struct vm *vm;
	u64 gaddr;
	u32 gdata;
	struct vpci_msi_src src;
	bool irte;		/* with VT-d: the device writes through this IRTE */
	struct vtd_msi vtd;
} msi_routes[MSI_VECTORS];
static spinlock_t msi_lock = SPINLOCK_INIT;

/* The VM routed host vector MSI_VECTOR_BASE + i (and its guest message), or NULL: the shell's list. */
struct vm *vm_vpci_msi_route(unsigned i, u64 *gaddr, u32 *gdata)
{
	struct vm *vm;

	if (i >= MSI_VECTORS)
		return NULL;
	spin_lock(&msi_lock);
	vm = msi_routes[i].vm;
	*gaddr = msi_routes[i].gaddr;
	*gdata = msi_routes[i].gdata;
	spin_unlock(&msi_lock);
	return vm;
}

static int op_map(void *ctx, u64 gpa, u64 hpa, u64 size, bool uncached)
{
	return ept_map(ctx, gpa, hpa, size, EPT_R | EPT_W, uncached ? EPT_MT_UC : EPT_MT_WB);
}

static void op_unmap(void *ctx, u64 gpa, u64 size)
{
	ept_unmap(ctx, gpa, size);
	vm_flush_ept(ctx);	/* the VM's other vCPUs may hold the BAR's translation */
}

static int op_trap(void *ctx, u64 gpa, u64 size, struct vpci_vdev *vdev)
{
	return vm_register_mmio(ctx, gpa, size, vpci_msix_mmio_read, vpci_msix_mmio_write, vdev);
}

static void op_untrap(void *ctx, u64 gpa, u64 size)
{
	vm_unregister_mmio(ctx, gpa, size);
}

/* I/O BARs are identity mapped: open or close their ports in the I/O bitmap. */
static void op_allow_pio(void *ctx, u16 port, u16 len, bool allow)
{
	struct vm *vm = ctx;

	for (u32 p = port; p < (u32)port + len && p < 0x10000; p++) {
		if (allow)
			vm->io_bitmap[p / 8] &= ~(1 << (p % 8));
		else
			vm->io_bitmap[p / 8] |= 1 << (p % 8);
	}
}

static bool route_is(const struct msi_route *r, const struct vm *vm, const struct vpci_msi_src *src)
{
	return r->vm == vm && r->src.pbdf == src->pbdf && r->src.msix == src->msix &&
	       r->src.index == src->index;
}

static int op_msi_remap(void *ctx, const struct vpci_msi_src *src, u64 gaddr, u32 gdata,
			u64 *haddr, u32 *hdata)
{
	struct vm *vm = ctx;
	int slot = -1, free = -1;
	unsigned held = 0;
	u32 dest;

	spin_lock(&msi_lock);
	for (int i = 0; i < MSI_VECTORS; i++) {
		struct msi_route *r = &msi_routes[i];

		if (route_is(r, vm, src))
			slot = i;
		else if (r->vm == vm)
			held++;
		else if (free < 0 && !r->vm)
			free = i;
	}
	/* a new route: a free vector, and the VM still under its share */
	if (slot < 0 && held < vm->cfg->msi_vectors)
		slot = free;
	if (slot >= 0) {
		struct msi_route *r = &msi_routes[slot];

		if (r->vm && r->irte)
			vtd_msi_release(&r->vtd);
		*r = (struct msi_route){ vm, gaddr, gdata, *src, false, { 0 } };
	}
	spin_unlock(&msi_lock);
	if (slot < 0) {
		/* counted every time, said once per VM: a driver may unmask entry after entry */
		if (__atomic_fetch_add(&vm->msi_refused, 1, __ATOMIC_RELAXED) == 0)
			printk("VM %s: MSI of %02x:%02x.%u left masked: %s (%u of its share of %u "
			       "held); further refusals are only counted\n", vm->name,
			       PCI_BUS(src->pbdf), PCI_DEV(src->pbdf), PCI_FN(src->pbdf),
			       held < vm->cfg->msi_vectors ? "no host vector free" :
			       "the VM's share of host MSI vectors is used up", held, vm->cfg->msi_vectors);
		return -ENOSPC;
	}
	/* to the pCPU of the VM's first vCPU, fixed delivery, edge */
	dest = vm->vcpus[0]->pcpu->apic_id;
	if (vtd_active()) {
		/* remappable format: the IRTE accepts this device's requests only */
		struct msi_route *r = &msi_routes[slot];
		int ret = vtd_msi_setup(src->pbdf, MSI_VECTOR_BASE + slot, dest, NULL, &r->vtd);

		if (ret) {
			r->vm = NULL;
			return ret;
		}
		r->irte = true;
		*haddr = ((u64)r->vtd.addr_hi << 32) | r->vtd.addr_lo;
		*hdata = r->vtd.data;
		return 0;
	}
	*haddr = 0xFEE00000ULL | ((u64)dest << 12);
	*hdata = MSI_VECTOR_BASE + slot;
	return 0;
}

static void op_msi_release(void *ctx, const struct vpci_msi_src *src)
{
	spin_lock(&msi_lock);
	for (int i = 0; i < MSI_VECTORS; i++) {
		struct msi_route *r = &msi_routes[i];

		if (route_is(r, ctx, src)) {
			if (r->irte)
				vtd_msi_release(&r->vtd);
			r->vm = NULL;
		}
	}
	spin_unlock(&msi_lock);
}

/* A device's MSI arrived on a host vector of ours: deliver the guest's message. */
static void msi_deliver(u8 vector)
{
	struct msi_route r;

	spin_lock(&msi_lock);
	r = msi_routes[vector - MSI_VECTOR_BASE];
	spin_unlock(&msi_lock);
	if (r.vm && r.vm->state == VM_RUNNING)
		vlapic_deliver_msi(&r.vm->lapics, r.gaddr, r.gdata);
}

/* Boot: the MSI vectors are vPCI's. */
int vm_vpci_msi_init(void)
{
	return irq_register(IRQ_OWNER_MSI, msi_deliver);
}

static u64 op_phys_read(void *ctx, u64 hpa, unsigned size)
{
	volatile void *p = phys_to_virt(hpa);

	(void)ctx;
	switch (size) {
	case 1: return *(volatile u8 *)p;
	case 2: return *(volatile u16 *)p;
	case 4: return *(volatile u32 *)p;
	default: return *(volatile u64 *)p;
	}
}

static void op_phys_write(void *ctx, u64 hpa, unsigned size, u64 val)
{
	volatile void *p = phys_to_virt(hpa);

	(void)ctx;
	switch (size) {
	case 1: *(volatile u8 *)p = (u8)val; break;
	case 2: *(volatile u16 *)p = (u16)val; break;
	case 4: *(volatile u32 *)p = (u32)val; break;
	default: *(volatile u64 *)p = val;
	}
}

static bool op_ram_overlaps(void *ctx, u64 gpa, u64 size)
{
	return vm_gpa_overlaps_ram(ctx, gpa, size);
}

/* A function the VM has no vdev at: the VM's fallback (a post-launched VM's device model). */
static int op_cfg_miss(void *ctx, struct vcpu *v, u16 vbdf, u16 reg, unsigned size, bool write,
		       u32 *val)
{
	const struct io_fallback *f = ((struct vm *)ctx)->fallback;

	return f->pcicfg ? f->pcicfg(v, vbdf, reg, size, write, val) : -ENODEV;
}

static const struct vpci_ops vm_vpci_ops = {
	.map_mmio = op_map,
	.unmap_mmio = op_unmap,
	.trap_mmio = op_trap,
	.untrap_mmio = op_untrap,
	.allow_pio = op_allow_pio,
	.msi_remap = op_msi_remap,
	.msi_release = op_msi_release,
	.phys_mmio_read = op_phys_read,
	.phys_mmio_write = op_phys_write,
	.ram_overlaps = op_ram_overlaps,
	.cfg_miss = op_cfg_miss,
	.udelay = udelay,
};



/* The GSI the board routes bus-0 slot of root's INTx pin to (0xFF: not known). */
static u8 board_slot_gsi(u16 root, u8 pin)
{
	const struct board_config *b = scenario.board_info;

	for (unsigned i = 0; b && i < b->nr_pci_devs; i++) {
		const struct board_pci_dev *bd = &b->pci_devs[i];

		if (!bd->segment && !PCI_BUS(bd->bdf) && PCI_DEV(bd->bdf) == PCI_DEV(root) &&
		    bd->intx_pin == pin && bd->intx_line != 0xff)
			return bd->intx_line;
	}
	return 0xff;
}

/*
 * The GSI d's INTx reaches on the IOAPIC: the board's line for it, else,
 * behind bridges, the board's line for the bus-0 slot and pin the bridges'
 * swizzle brings it to. 0xFF: no pin, or not known (no INTx route then).
 */
u8 vm_pci_intx_gsi(const struct vm_pci_dev *d)
{
	u16 root;
	u8 pin;

	if (!d->dev || !d->dev->intx_pin)
		return 0xff;
	if (d->dev->intx_line != 0xff || !PCI_BUS(d->pbdf))
		return d->dev->intx_line;
	if (!pci_intx_to_root(d->pbdf, d->dev->intx_pin, &root, &pin))
		return 0xff;
	return board_slot_gsi(root, pin);
}

/*
 * Where d's INTx arrives on the VM's bus 0 (a _PRT entry's slot and pin):
 * its own slot and pin on bus 0; behind the Service VM's bridges (shown as
 * they are, vBDF = pBDF), the swizzled pin of the bus-0 bridge's slot.
 */
bool vm_pci_intx_root(const struct vm *vm, const struct vm_pci_dev *d, u8 *slot, u8 *pin)
{
	u16 root;

	if (!d->dev || !d->dev->intx_pin)
		return false;
	if (!PCI_BUS(d->vbdf)) {
		*slot = (u8)PCI_DEV(d->vbdf);
		*pin = d->dev->intx_pin;
		return true;
	}
	if (vm->cfg->kind != VM_SERVICE || !pci_intx_to_root(d->vbdf, d->dev->intx_pin, &root, pin))
		return false;
	*slot = (u8)PCI_DEV(root);
	return true;
}

/*
 * The root bus's _PRT: one entry per bus-0 slot and pin that carries the
 * known GSI of a function passed through (vm_vpci_init routes those). A
 * device behind a bridge has no entry of its own: the bridges have no ACPI
 * node, so the OS swizzles its pin up to the bus-0 bridge's slot and looks
 * that up here. Functions sharing a slot and pin share one entry; a
 * second GSI for the same one cannot be described and is left out.
 */
unsigned vm_vpci_prt(const struct vm *vm, struct vacpi_prt_entry *prt, unsigned max)
{
	const struct vm_config *c = vm->cfg;
	unsigned n = 0;

	for (unsigned i = 0; i < c->nr_pci_devs; i++) {
		const struct vm_pci_dev *d = &c->pci_devs[i];
		const struct pci_pdev *p = pci_find_pdev(d->pbdf);
		u8 gsi = vm_pci_intx_gsi(d), slot, pin;
		bool dup = false;

		if (gsi == 0xff || !p || p->hdr_type != PCI_HEADER_NORMAL ||
		    !vm_pci_intx_root(vm, d, &slot, &pin))
			continue;
		for (unsigned j = 0; j < n && !dup; j++) {
			if (prt[j].dev != slot || prt[j].pin != pin - 1)
				continue;
			dup = true;
			if (prt[j].gsi != gsi)
				printk_ratelimited("VM %s: PCI %02x:%02x.%u INT%c (GSI %u) arrives as slot %02x INT%c, "
				       "routed to GSI %u already: left out of the _PRT\n", vm->name,
				       PCI_BUS(d->vbdf), PCI_DEV(d->vbdf), PCI_FN(d->vbdf),
				       'A' + d->dev->intx_pin - 1, gsi, slot, 'A' + pin - 1, prt[j].gsi);
		}
		if (!dup && n < max)
			prt[n++] = (struct vacpi_prt_entry){ slot, (u8)(pin - 1), gsi };
	}
	return n;
}

/*
 * The last bus of the VM's PCI hierarchy: 0, but the Service VM's bridges
 * show their secondary buses, up to their subordinate bus numbers.
 */
u8 vm_vpci_end_bus(const struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	u8 end = 0;

	if (c->kind != VM_SERVICE)
		return 0;
	for (unsigned i = 0; i < c->nr_pci_devs; i++) {
		const struct pci_pdev *p = pci_find_pdev(c->pci_devs[i].pbdf);
		u8 bus = (u8)PCI_BUS(c->pci_devs[i].vbdf);

		if (p && p->hdr_type == PCI_HEADER_BRIDGE && p->sub_bus > bus)
			bus = p->sub_bus;
		end = MAX(end, bus);
	}
	return end;
}

/*
 * The vdev kind for d: a type 0 function is passed through; a PCI-PCI
 * bridge only to the Service VM, as it is (vpci_bridge.c), with the devices
 * behind it at their own BDFs. Other VMs' buses are bus 0 alone.
 */
static int dev_kind(const struct vm *vm, const struct vm_pci_dev *d, const struct pci_pdev *p)
{
	bool service = vm->cfg->kind == VM_SERVICE;

	if (p->hdr_type == PCI_HEADER_BRIDGE && service)
		return VPCI_DEV_BRIDGE;
	if (p->hdr_type == PCI_HEADER_BRIDGE) {
		printk_ratelimited("VM %s: PCI %02x:%02x.%u is a PCI-PCI bridge; bridges stay with the Service VM\n",
		       vm->name, PCI_BUS(d->pbdf), PCI_DEV(d->pbdf), PCI_FN(d->pbdf));
		return -ENOTSUP;
	}
	if (PCI_BUS(d->vbdf) && !service) {
		printk_ratelimited("VM %s: PCI %02x:%02x.%u: its virtual BDF %02x:%02x.%u is not on bus 0, the "
		       "VM's only bus\n", vm->name, PCI_BUS(d->pbdf), PCI_DEV(d->pbdf), PCI_FN(d->pbdf),
		       PCI_BUS(d->vbdf), PCI_DEV(d->vbdf), PCI_FN(d->vbdf));
		return -EINVAL;
	}
	return VPCI_DEV_PASSTHROUGH;
}

static int vm_vpci_init(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	struct vpci_dev_config devs[1 + CONFIG_MAX_PCI_DEVS];
	struct vpci_config cfg = { .devs = devs, .ecam_base = VM_ECAM_BASE,
				   .ecam_end_bus = vm_vpci_end_bus(vm) };
	unsigned n = 0;
	int ret;

	unsigned nr_pci = vm->post ? 0 : c->nr_pci_devs;	/* post: assigned by hypercall */
	bool own_hostbridge = true;

	if (nr_pci > CONFIG_MAX_PCI_DEVS)
		return -E2BIG;

	/* the Service VM may own the real host bridge at 00:00.0: then no emulated one */
	for (unsigned i = 0; i < nr_pci; i++)
		if (c->pci_devs[i].vbdf == 0)
			own_hostbridge = false;
	if (own_hostbridge)
		devs[n++] = (struct vpci_dev_config){ .kind = VPCI_DEV_HOSTBRIDGE, .vbdf = 0 };
	for (unsigned i = 0; i < nr_pci; i++) {
		const struct vm_pci_dev *d = &c->pci_devs[i];
		const struct pci_pdev *p = pci_find_pdev(d->pbdf);
		int kind;

		if (!p) {
			printk_ratelimited("VM %s: PCI device %02x:%02x.%u is not on this machine\n", vm->name,
			       PCI_BUS(d->pbdf), PCI_DEV(d->pbdf), PCI_FN(d->pbdf));
			return -ENODEV;
		}
		kind = dev_kind(vm, d, p);
		if (kind < 0)
			return kind;
		devs[n++] = (struct vpci_dev_config){
			.kind = (enum vpci_dev_kind)kind, .vbdf = d->vbdf, .pbdf = d->pbdf,
			/* the Service VM takes the devices as firmware left them */
			.flags = c->kind == VM_SERVICE ? 0 : VPCI_DEVF_RESET,
			.intx_pin = d->dev ? d->dev->intx_pin : 0,
			.intx_line = vm_pci_intx_gsi(d),
		};
	}
	cfg.nr_devs = n;
	/* no cfg.ram: BAR moves check the RAM table itself (op_ram_overlaps) */
	cfg.mmio[cfg.nr_mmio++] = (struct vpci_range){ VM_MMIO32_BASE, VM_ECAM_BASE - VM_MMIO32_BASE };

	ret = vpci_init(&vm->vpci, &vm_vpci_ops, vm, &cfg);
	if (ret) {
		printk_ratelimited("VM %s: virtual PCI bus could not be built (%d)\n", vm->name, ret);
		return ret;
	}
	/*
	 * INTx on the same GSI in the VM (its _PRT says so). Not a bridge's own:
	 * its line may be a pre-launched VM's device's behind it (bridges' events
	 * are not offered).
	 */
	for (unsigned i = 0; i < n && !ret; i++)
		if (devs[i].kind == VPCI_DEV_PASSTHROUGH && devs[i].intx_pin && devs[i].intx_line != 0xff)
			ret = ptirq_intx_add(vm, devs[i].intx_line, devs[i].intx_line);
	if (ret)
		return ret;
	/*
	 * 0xCF9 (reset control) shares the dword of 0xCF8: vPCI passes byte
	 * accesses on, to where the VM's unclaimed ports go if that is a device
	 * model, else to the hypervisor's reset port (dm/vpm.c).
	 */
	if (vm->fallback != &io_fallback_none)
		vpci_set_legacy_pio(&vm->vpci, vm->fallback->pio->read, vm->fallback->pio->write,
				    vm->fallback->pio->opaque);
	else
		vpci_set_legacy_pio(&vm->vpci, vpm_reset_read, vpm_reset_write, NULL);
	ret = vm_register_pio(vm, VPCI_CF8_PORT, VPCI_PIO_LEN, vpci_pio_read, vpci_pio_write, &vm->vpci);
	if (!ret)
		ret = vm_register_mmio(vm, VM_ECAM_BASE, vpci_ecam_size(&vm->vpci),
				       vpci_ecam_mmio_read, vpci_ecam_mmio_write, &vm->vpci);
	return ret;
}

/* The window the VM's vACPI describes: where its BARs go, and its ECAM. */
void vm_vpci_windows(u64 *mmio32_base, u64 *mmio32_size, u64 *ecam_base)
{
	*mmio32_base = VM_MMIO32_BASE;
	*mmio32_size = VM_ECAM_BASE - VM_MMIO32_BASE;
	*ecam_base = VM_ECAM_BASE;
}

/* Its functions reset and their BARs unmapped; MSI routes released with them. */
static void vm_vpci_release(struct vm *vm)
{
	vpci_deinit(&vm->vpci);
}

const struct vm_unit vpci_unit = {
	.name = "PCI", .kinds = UNIT_ALL_VMS, .init = vm_vpci_init, .release = vm_vpci_release,
};
