/*
 * vmm/vm_vpci.c on a board fixture with PCI-PCI bridges (the fake machine
 * of test_vpci_fake.c, a generated-style board and scenario): the Service
 * VM's bus gets its bridges as bridges and the functions behind them at
 * their BDFs with an ECAM window up to the last bus; INTx behind a bridge
 * reaches a GSI through the swizzle unless the board names it, and the
 * root _PRT says so; pre-launched VMs keep bus 0 alone and no bridges.
 * Host MSI vectors: each VM holds at most its share, so one that unmasks
 * every entry it has leaves the others theirs; a vector reaches the guest
 * message of the running VM that holds it; with VT-d through an IRTE of
 * the device's own. The hooks vPCI calls (I/O bitmap, host MMIO, fallback).
 */
#include "test_vpci_fake.h"
#include "irq.h"
#include "vacpi.h"
#include "vm.h"
#include "vm_config.h"
#include "vm_unit.h"
#include "vmm_internal.h"
#include "vtd.h"
#include "percpu.h"
#include "irq.h"

extern unsigned host_printk_calls;

#define HB PCI_BDF(0, 0, 0)
#define NIC PCI_BDF(0, 2, 0)		/* INTA, board line 18 */
#define RP0 PCI_BDF(0, 0x1C, 0)		/* root port INTA line 16; buses 1-2 */
#define RP1 PCI_BDF(0, 0x1C, 1)		/* root port INTB line 17; bus 3 */
#define WIFI PCI_BDF(1, 0, 0)		/* INTA, no line: 16 through RP0 */
#define B1D1 PCI_BDF(1, 1, 0)		/* INTA, no line: slot 0x1C INTB, 17 */
#define PPB PCI_BDF(1, 2, 0)		/* bridge to bus 2 */
#define DEEP PCI_BDF(2, 0, 0)		/* INTA -> INTC at slot 0x1C; board says 20 */
#define CLASH PCI_BDF(2, 1, 0)		/* INTD -> INTC at slot 0x1C; board says 21, not 20 */
#define PRE PCI_BDF(3, 0, 0)		/* the pre-launched VM's, at 00:05.0; INTD, no line */
#define RP4 PCI_BDF(0, 0x1C, 4)		/* on the board only: slot 0x1C INTD is line 19 */
#define ECAM 0xE0000000ULL

/* ---- the board and scenario, as genconfig writes them ---- */

#define BDEV(b, p, l) { .bdf = (b), .vendor = 0x8086, .intx_pin = (p), .intx_line = (l) }
static const struct board_pci_dev bdevs[] = {
	BDEV(HB, 0, 0xff), BDEV(NIC, 1, 18), BDEV(RP0, 1, 16), BDEV(RP1, 2, 17),
	BDEV(WIFI, 1, 0xff), BDEV(B1D1, 1, 0xff), BDEV(PPB, 0, 0xff), BDEV(DEEP, 1, 20),
	BDEV(CLASH, 4, 21), BDEV(PRE, 4, 0xff), BDEV(RP4, 4, 19),
};
static const struct board_config board = { .nr_pci_devs = ARRAY_SIZE(bdevs), .pci_devs = bdevs };
const struct scenario_config scenario = { .board = "fixture", .board_info = &board };

#define VDEV(b, i) { .pbdf = (b), .vbdf = (b), .dev = &bdevs[i] }
static const struct vm_pci_dev sos_pci[] = {
	VDEV(HB, 0), VDEV(NIC, 1), VDEV(RP0, 2), VDEV(RP1, 3), VDEV(WIFI, 4), VDEV(B1D1, 5),
	VDEV(PPB, 6), VDEV(DEEP, 7), VDEV(CLASH, 8),
};
static const struct vm_pci_dev pre_pci[] = { { .pbdf = PRE, .vbdf = PCI_BDF(0, 5, 0), .dev = &bdevs[9] } };
static const struct vm_pci_dev bad_bridge[] = { { .pbdf = RP1, .vbdf = PCI_BDF(0, 6, 0), .dev = &bdevs[3] } };
static const struct vm_pci_dev bad_bus[] = { { .pbdf = PRE, .vbdf = PRE, .dev = &bdevs[9] } };

static struct vm_config sos_cfg = { .name = "sos", .kind = VM_SERVICE,
				    .nr_pci_devs = ARRAY_SIZE(sos_pci), .pci_devs = sos_pci };
static struct vm_config pre_cfg = { .name = "pre", .kind = VM_PRE_LAUNCHED,
				    .nr_pci_devs = ARRAY_SIZE(pre_pci), .pci_devs = pre_pci };
static struct vm sos, pre;
static u8 iobitmap[2][8192];

/* ---- what vm_vpci.c calls below it ---- */

static struct { struct vm *vm; u32 gsi, vgsi; } routes[32];
static unsigned nroutes;
static struct { struct vm *vm; u64 base, len; } mmios[8];
static unsigned nmmios;

int ptirq_intx_add(struct vm *vm, u32 gsi, u32 vgsi)
{
	routes[nroutes].vm = vm;
	routes[nroutes].gsi = gsi;
	routes[nroutes++].vgsi = vgsi;
	return 0;
}

int vm_register_mmio(struct vm *vm, u64 base, u64 len, mmio_read_fn rd, mmio_write_fn wr, void *opaque)
{
	(void)rd, (void)wr, (void)opaque;
	if (nmmios < ARRAY_SIZE(mmios)) {
		mmios[nmmios].vm = vm;
		mmios[nmmios].base = base;
		mmios[nmmios++].len = len;
	}
	return 0;
}

void vm_unregister_mmio(struct vm *vm, u64 base, u64 len) { (void)vm, (void)base, (void)len; }
int vm_register_pio(struct vm *vm, u16 base, u16 len, pio_read_fn rd, pio_write_fn wr, void *opaque)
{
	(void)vm, (void)base, (void)len, (void)rd, (void)wr, (void)opaque;
	return 0;
}
int ept_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype)
{
	(void)vm, (void)gpa, (void)hpa, (void)size, (void)prot, (void)memtype;
	return 0;
}
int ept_unmap(struct vm *vm, u64 gpa, u64 size) { (void)vm, (void)gpa, (void)size; return 0; }
int vm_flush_ept(struct vm *vm) { (void)vm; return 0; }
bool vm_gpa_overlaps_ram(const struct vm *vm, u64 gpa, u64 size) { (void)vm, (void)gpa, (void)size; return false; }
/* MSIs: the host vector's handler, what reached a vLAPIC, the IRTEs (VT-d) */
static struct {
	irq_handler_t handler;
	struct vlapic_group *to;
	u64 addr;
	u32 data;
	unsigned delivered, irtes, irte_releases;
	bool vtd;
	int irte_err;
} msi;
int irq_register(enum irq_owner owner, irq_handler_t fn)
{
	assert_int_equal(owner, IRQ_OWNER_MSI);
	msi.handler = fn;
	return 0;
}
int vlapic_deliver_msi(struct vlapic_group *g, u64 addr, u32 data)
{
	msi.to = g, msi.addr = addr, msi.data = data;
	msi.delivered++;
	return 0;
}
void udelay(u64 us) { (void)us; }
bool vtd_active(void) { return msi.vtd; }
int vtd_msi_setup(u16 bdf, u8 vector, u32 dest, const struct vtd_irq_grant *g, struct vtd_msi *m)
{
	(void)bdf, (void)g;
	if (msi.irte_err)
		return msi.irte_err;
	msi.irtes++;
	*m = (struct vtd_msi){ .index = vector, .addr_lo = 0xFEE00010 | dest << 12, .data = 0 };
	return 0;
}
void vtd_msi_release(const struct vtd_msi *m) { (void)m; msi.irte_releases++; }
int vpm_reset_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)v, (void)opaque, (void)port, (void)size;
	*val = 0;
	return 0;
}
int vpm_reset_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)v, (void)opaque, (void)port, (void)size, (void)val;
	return 0;
}
const struct io_fallback io_fallback_none = { NULL, NULL, NULL };

/* ---- the fake machine ---- */

static void add_fn(u16 bdf, u8 hdr, u8 pin)
{
	struct fake_dev *d = fake_add(bdf, 0x8086, (u16)(0x1000 + bdf), hdr == 1 ? 0x06040000 : 0x02000000,
				      (u8)(hdr | (bdf == RP0 ? 0x80 : 0)));

	d->cfg[PCI_INTERRUPT_PIN] = pin;
	if (bdf == RP0)
		fake_bridge(d, 0, 1, 2);
	else if (bdf == RP1)
		fake_bridge(d, 0, 3, 3);
	else if (bdf == PPB)
		fake_bridge(d, 1, 2, 2);
	fake_done(d);
}

static void vm_init(struct vm *vm, struct vm_config *c, unsigned i)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = c;
	vm->name = c->name;
	vm->fallback = &io_fallback_none;
	vm->io_bitmap = iobitmap[i];
}

static int setup(void **state)
{
	(void)state;
	fake_reset_all();
	add_fn(HB, 0, 0);
	add_fn(NIC, 0, 1);
	add_fn(RP0, 1, 1);
	add_fn(RP1, 1, 2);
	add_fn(WIFI, 0, 1);
	add_fn(B1D1, 0, 1);
	add_fn(PPB, 1, 0);
	add_fn(DEEP, 0, 1);
	add_fn(CLASH, 0, 4);
	add_fn(PRE, 0, 4);
	assert_int_equal(pci_enumerate(), 10);
	vm_init(&sos, &sos_cfg, 0);
	vm_init(&pre, &pre_cfg, 1);
	nroutes = nmmios = 0;
	memset(&msi, 0, sizeof(msi));
	return 0;
}

static bool routed(const struct vm *vm, u32 gsi)
{
	for (unsigned i = 0; i < nroutes; i++)
		if (routes[i].vm == vm && routes[i].gsi == gsi && routes[i].vgsi == gsi)
			return true;
	return false;
}

static void test_service_vm_bus_with_bridges(void **state)
{
	struct vpci_vdev *d;

	(void)state;
	/* before: every function a passthrough one, and the root port refused it */
	assert_int_equal(vpci_unit.init(&sos), 0);
	assert_int_equal(sos.vpci.nr_vdevs, ARRAY_SIZE(sos_pci));	/* the real host bridge: no emulated one */
	for (unsigned i = 0; i < ARRAY_SIZE(sos_pci); i++) {
		u16 bdf = sos_pci[i].pbdf;

		d = vpci_find_vdev(&sos.vpci, bdf);
		assert_non_null(d);
		assert_int_equal(d->pbdf, bdf);
		assert_int_equal(d->kind, bdf == RP0 || bdf == RP1 || bdf == PPB ? VPCI_DEV_BRIDGE
										  : VPCI_DEV_PASSTHROUGH);
		assert_int_equal(d->flags & VPCI_DEVF_RESET, 0);
	}
	/* ECAM up to the last subordinate bus (RP1's 3), and config through it */
	assert_int_equal(vm_vpci_end_bus(&sos), 3);
	assert_int_equal(sos.vpci.ecam_end_bus, 3);
	assert_int_equal(nmmios, 1);
	assert_int_equal(mmios[0].base, ECAM);
	assert_int_equal(mmios[0].len, 4ULL << 20);
	assert_int_equal(guest_cfg_read(&sos.vpci, DEEP, 0, 4), 0x10008086u + ((u32)DEEP << 16));
	assert_int_equal(guest_cfg_read(&sos.vpci, RP0, PCI_SECONDARY_BUS, 1), 1);
	/* the pre-launched VM's function behind RP1 is not the Service VM's */
	assert_int_equal(guest_cfg_read(&sos.vpci, PRE, 0, 4), 0xFFFFFFFF);
	vpci_unit.release(&sos);
}

static void test_intx_behind_bridges(void **state)
{
	static const struct { u16 bdf; u8 line; } want[] = {
		{ NIC, 18 }, { WIFI, 16 }, { B1D1, 17 }, { DEEP, 20 }, { CLASH, 21 }, { HB, 0xff },
	};

	(void)state;
	assert_int_equal(vpci_unit.init(&sos), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		/* Interrupt Line: the GSI; the pin as the board has it */
		assert_int_equal(guest_cfg_read(&sos.vpci, want[i].bdf, PCI_INTERRUPT_LINE, 1), want[i].line);
		if (want[i].line != 0xff)
			assert_true(routed(&sos, want[i].line));
	}
	/* five functions; a bridge's own INTx is not taken (another VM's device behind it may use the line) */
	assert_int_equal(nroutes, 5);
	vpci_unit.release(&sos);
}

static bool has_prt(const struct vacpi_prt_entry *p, unsigned n, u8 dev, u8 pin, u32 gsi)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i].dev == dev && p[i].pin == pin)
			return p[i].gsi == gsi;
	return false;
}

static void test_root_prt(void **state)
{
	struct vacpi_prt_entry prt[16];
	unsigned n;

	(void)state;
	n = vm_vpci_prt(&sos, prt, ARRAY_SIZE(prt));
	/* bus-0 slots as they are; behind RP0/RP1 the swizzled pin of slot 0x1C */
	assert_true(has_prt(prt, n, 2, 0, 18));
	assert_true(has_prt(prt, n, 0x1C, 0, 16));	/* WIFI */
	assert_true(has_prt(prt, n, 0x1C, 1, 17));	/* B1D1 */
	assert_true(has_prt(prt, n, 0x1C, 2, 20));	/* DEEP: the board's line */
	/* CLASH arrives as slot 0x1C INTC too, with another line: one entry, the first */
	assert_int_equal(n, 4);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			assert_false(prt[i].dev == prt[j].dev && prt[i].pin == prt[j].pin);
	assert_int_equal(n, vm_vpci_prt(&sos, prt, 2) + 2);
}

static void test_pre_launched_vm_keeps_bus_0(void **state)
{
	struct vacpi_prt_entry prt[4];

	(void)state;
	assert_int_equal(vpci_unit.init(&pre), 0);
	assert_int_equal(vm_vpci_end_bus(&pre), 0);
	assert_int_equal(pre.vpci.ecam_end_bus, 0);
	/* at its virtual BDF; its line through RP1's swizzle: slot 0x1C INTD, 19 */
	assert_int_equal(guest_cfg_read(&pre.vpci, PCI_BDF(0, 5, 0), PCI_INTERRUPT_LINE, 1), 19);
	assert_int_equal(guest_cfg_read(&pre.vpci, PCI_BDF(0, 5, 0), PCI_INTERRUPT_PIN, 1), 4);
	assert_true(routed(&pre, 19));
	assert_int_equal(vm_vpci_prt(&pre, prt, ARRAY_SIZE(prt)), 1);
	assert_int_equal(prt[0].dev, 5);	/* its own slot and pin on its bus 0 */
	assert_int_equal(prt[0].pin, 3);
	assert_int_equal(prt[0].gsi, 19);
	/* the Service VM's bus comes up around it */
	assert_int_equal(vpci_unit.init(&sos), 0);
	assert_int_equal(guest_cfg_read(&sos.vpci, PRE, 0, 4), 0xFFFFFFFF);
	vpci_unit.release(&sos);
	vpci_unit.release(&pre);
}

static void test_pre_launched_vm_refusals(void **state)
{
	(void)state;
	pre_cfg.pci_devs = bad_bridge;
	assert_int_equal(vpci_unit.init(&pre), -ENOTSUP);
	assert_null(vpci_pdev_owner(RP1));
	pre_cfg.pci_devs = bad_bus;
	assert_int_equal(vpci_unit.init(&pre), -EINVAL);
	assert_null(vpci_pdev_owner(PRE));
	pre_cfg.pci_devs = pre_pci;
}

static struct pcpu pcpu0;
static struct vcpu vcpu_pre, vcpu_sos;

/* An MSI-X entry the guest unmasks: what vPCI asks of the VM's msi_remap hook. */
static int unmask(struct vm *vm, u16 pbdf, u16 entry, u32 *hdata)
{
	struct vpci_msi_src src = { .pbdf = pbdf, .msix = true, .index = entry };
	u64 haddr;

	return vm->vpci.ops->msi_remap(vm, &src, 0xFEE00000, 0x30 + (entry & 0x7F), &haddr, hdata);
}

static void release(struct vm *vm, u16 pbdf, u16 entry)
{
	struct vpci_msi_src src = { .pbdf = pbdf, .msix = true, .index = entry };

	vm->vpci.ops->msi_release(vm, &src);
}

static void test_msi_share_per_vm(void **state)
{
	bool used[IRQ_MSI_COUNT] = { false };
	unsigned printed;
	u32 hdata;

	(void)state;
	pre_cfg.msi_vectors = IRQ_MSI_COUNT / 2;
	sos_cfg.msi_vectors = IRQ_MSI_COUNT / 2;
	vcpu_pre.pcpu = vcpu_sos.pcpu = &pcpu0;
	pre.vcpus[0] = &vcpu_pre;
	sos.vcpus[0] = &vcpu_sos;
	assert_int_equal(vpci_unit.init(&pre), 0);
	assert_int_equal(vpci_unit.init(&sos), 0);
	/* the greedy VM unmasks as many entries as there are host vectors: its share, then no more */
	printed = host_printk_calls;
	for (u16 e = 0; e < IRQ_MSI_COUNT; e++) {
		int ret = unmask(&pre, PRE, e, &hdata);

		if (e < IRQ_MSI_COUNT / 2) {
			assert_int_equal(ret, 0);
			assert_in_range(hdata, IRQ_MSI_BASE, IRQ_MSI_BASE + IRQ_MSI_COUNT - 1);
			assert_false(used[hdata - IRQ_MSI_BASE]);
			used[hdata - IRQ_MSI_BASE] = true;
		} else {
			assert_int_equal(ret, -ENOSPC);
		}
	}
	assert_int_equal(pre.msi_refused, IRQ_MSI_COUNT / 2);
	assert_int_equal(host_printk_calls - printed, 1);	/* said once, counted always */
	/* an entry it already holds is programmed again (new guest data) at its share */
	assert_int_equal(unmask(&pre, PRE, 3, &hdata), 0);
	/* the other VM still gets every vector of its share, none of them the greedy VM's */
	for (u16 e = 0; e < IRQ_MSI_COUNT / 2; e++) {
		assert_int_equal(unmask(&sos, NIC, e, &hdata), 0);
		assert_false(used[hdata - IRQ_MSI_BASE]);
		used[hdata - IRQ_MSI_BASE] = true;
	}
	assert_int_equal(sos.msi_refused, 0);
	assert_int_equal(unmask(&sos, NIC, IRQ_MSI_COUNT / 2, &hdata), -ENOSPC);
	/* a vector given back can be taken again by its VM */
	release(&pre, PRE, 0);
	assert_int_equal(unmask(&pre, PRE, IRQ_MSI_COUNT - 1, &hdata), 0);
	/* a VM without a share (no PCI devices in its scenario) gets none */
	pre_cfg.msi_vectors = 0;
	release(&pre, PRE, IRQ_MSI_COUNT - 1);
	assert_int_equal(unmask(&pre, PRE, 0, &hdata), -ENOSPC);
	for (u16 e = 0; e < IRQ_MSI_COUNT; e++) {
		release(&pre, PRE, e);
		release(&sos, NIC, e);
	}
	vpci_unit.release(&sos);
	vpci_unit.release(&pre);
}

/* The pre-launched VM with 4 MSI vectors and its vCPU on pCPU 0 (APIC id 3), vPCI up. */
static void pre_with_msi_vectors(void)
{
	pre_cfg.msi_vectors = 4;
	vcpu_pre.pcpu = &pcpu0;
	pcpu0.apic_id = 3;
	pre.vcpus[0] = &vcpu_pre;
	assert_int_equal(vpci_unit.init(&pre), 0);
}

/* A host MSI vector reaches the guest message of the VM that holds it, while that VM runs. */
static void test_msi_delivery(void **state)
{
	u32 hdata, gdata;
	u64 gaddr;

	(void)state;
	pre_with_msi_vectors();
	assert_int_equal(vm_vpci_msi_init(), 0);
	assert_non_null(msi.handler);
	assert_int_equal(unmask(&pre, PRE, 5, &hdata), 0);
	/* the shell's list */
	assert_ptr_equal(vm_vpci_msi_route(hdata - IRQ_MSI_BASE, &gaddr, &gdata), &pre);
	assert_int_equal(gaddr, 0xFEE00000);
	assert_int_equal(gdata, 0x35);
	assert_null(vm_vpci_msi_route(IRQ_MSI_COUNT, &gaddr, &gdata));
	/* the device's interrupt: to the VM's vLAPICs, as the guest programmed it */
	pre.state = VM_RUNNING;
	msi.handler((u8)hdata);
	assert_int_equal(msi.delivered, 1);
	assert_ptr_equal(msi.to, &pre.lapics);
	assert_int_equal(msi.data, 0x35);
	/* a VM not running gets none; nor does anyone once it is released */
	pre.state = VM_PAUSED;
	msi.handler((u8)hdata);
	assert_int_equal(msi.delivered, 1);
	pre.state = VM_RUNNING;
	release(&pre, PRE, 5);
	msi.handler((u8)hdata);
	assert_int_equal(msi.delivered, 1);
	assert_null(vm_vpci_msi_route(hdata - IRQ_MSI_BASE, &gaddr, &gdata));
	vpci_unit.release(&pre);
}

/* With VT-d: the device writes through an IRTE of its own, released with the route. */
static void test_msi_irte(void **state)
{
	struct vpci_msi_src src = { .pbdf = PRE, .msix = true, .index = 1 };
	u64 haddr, gaddr;
	u32 hdata, gdata;

	(void)state;
	pre_with_msi_vectors();
	msi.vtd = true;
	assert_int_equal(pre.vpci.ops->msi_remap(&pre, &src, 0xFEE00000, 0x41, &haddr, &hdata), 0);
	assert_int_equal(msi.irtes, 1);
	assert_int_equal(haddr, 0xFEE00010 | 3 << 12);		/* remappable format, from the IRTE */
	assert_int_equal(hdata, 0);
	/* the guest reprograms it: the old IRTE goes, a new one comes */
	assert_int_equal(pre.vpci.ops->msi_remap(&pre, &src, 0xFEE00000, 0x42, &haddr, &hdata), 0);
	assert_int_equal(msi.irte_releases, 1);
	assert_int_equal(msi.irtes, 2);
	pre.vpci.ops->msi_release(&pre, &src);
	assert_int_equal(msi.irte_releases, 2);
	/* no IRTE to be had: refused, and the vector is not held */
	msi.irte_err = -ENOSPC;
	assert_int_equal(pre.vpci.ops->msi_remap(&pre, &src, 0xFEE00000, 0x43, &haddr, &hdata), -ENOSPC);
	for (unsigned i = 0; i < IRQ_MSI_COUNT; i++)
		assert_null(vm_vpci_msi_route(i, &gaddr, &gdata));
	vpci_unit.release(&pre);
}

static int cfg_miss_seen;
static int fallback_cfg(struct vcpu *v, u16 bdf, u16 reg, unsigned size, bool write, u32 *val)
{
	(void)v, (void)bdf, (void)reg, (void)size, (void)write;
	*val = 0x1234;
	return ++cfg_miss_seen;
}

/* The hooks vPCI calls: the VM's I/O bitmap, host MMIO, its RAM, its fallback. */
static void test_hooks(void **state)
{
	static const struct io_fallback with_cfg = { NULL, NULL, fallback_cfg };
	u64 base, size, ecam, host = 0x1122334455667788ULL;
	u32 val = 0;

	(void)state;
	assert_int_equal(vpci_unit.init(&pre), 0);
	/* an I/O BAR: its ports pass through, then exit again */
	memset(iobitmap[1], 0xff, sizeof(iobitmap[1]));
	pre.vpci.ops->allow_pio(&pre, 0xE000, 0x20, true);
	assert_int_equal(iobitmap[1][0xE000 / 8], 0);
	assert_int_equal(iobitmap[1][0xE018 / 8], 0);
	assert_int_equal(iobitmap[1][0xE020 / 8], 0xff);
	assert_int_equal(iobitmap[1][0xDFF8 / 8], 0xff);
	pre.vpci.ops->allow_pio(&pre, 0xE000, 0x20, false);
	assert_int_equal(iobitmap[1][0xE000 / 8], 0xff);
	/* ports past 0xFFFF are not there */
	pre.vpci.ops->allow_pio(&pre, 0xFFF8, 0x10, true);
	assert_int_equal(iobitmap[1][0xFFF8 / 8], 0);
	/* host registers, by size */
	assert_int_equal(pre.vpci.ops->phys_mmio_read(&pre, (u64)(uintptr_t)&host, 1), 0x88);
	assert_int_equal(pre.vpci.ops->phys_mmio_read(&pre, (u64)(uintptr_t)&host, 2), 0x7788);
	assert_int_equal(pre.vpci.ops->phys_mmio_read(&pre, (u64)(uintptr_t)&host, 4), 0x55667788);
	assert_int_equal(pre.vpci.ops->phys_mmio_read(&pre, (u64)(uintptr_t)&host, 8), host);
	pre.vpci.ops->phys_mmio_write(&pre, (u64)(uintptr_t)&host, 1, 0xAA);
	pre.vpci.ops->phys_mmio_write(&pre, (u64)(uintptr_t)&host + 2, 2, 0xBBCC);
	pre.vpci.ops->phys_mmio_write(&pre, (u64)(uintptr_t)&host + 4, 4, 0xDDEEFF00);
	assert_int_equal(host, 0xDDEEFF00BBCC77AAULL);
	pre.vpci.ops->phys_mmio_write(&pre, (u64)(uintptr_t)&host, 8, 1);
	assert_int_equal(host, 1);
	/* BARs in the EPT, MSI-X tables trapped */
	assert_int_equal(pre.vpci.ops->map_mmio(&pre, 0xC0000000, 0xF0000000, 0x1000, true), 0);
	pre.vpci.ops->unmap_mmio(&pre, 0xC0000000, 0x1000);
	nmmios = 0;
	assert_int_equal(pre.vpci.ops->trap_mmio(&pre, 0xC0002000, 0x1000, NULL), 0);
	assert_int_equal(nmmios, 1);
	assert_int_equal(mmios[0].base, 0xC0002000);
	pre.vpci.ops->untrap_mmio(&pre, 0xC0002000, 0x1000);
	assert_false(pre.vpci.ops->ram_overlaps(&pre, 0, 0x1000));
	/* a function it has no vdev at: its fallback's, or nobody's */
	assert_int_equal(pre.vpci.ops->cfg_miss(&pre, NULL, PCI_BDF(0, 9, 0), 0, 4, false, &val), -ENODEV);
	pre.fallback = &with_cfg;
	assert_int_equal(pre.vpci.ops->cfg_miss(&pre, NULL, PCI_BDF(0, 9, 0), 0, 4, false, &val), 1);
	assert_int_equal(val, 0x1234);
	pre.fallback = &io_fallback_none;
	vm_vpci_windows(&base, &size, &ecam);
	assert_int_equal(base, 0xC0000000);
	assert_int_equal(base + size, ecam);
	assert_int_equal(ecam, ECAM);
	vpci_unit.release(&pre);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_service_vm_bus_with_bridges, setup),
		cmocka_unit_test_setup(test_intx_behind_bridges, setup),
		cmocka_unit_test_setup(test_root_prt, setup),
		cmocka_unit_test_setup(test_pre_launched_vm_keeps_bus_0, setup),
		cmocka_unit_test_setup(test_pre_launched_vm_refusals, setup),
		cmocka_unit_test_setup(test_msi_share_per_vm, setup),
		cmocka_unit_test_setup(test_msi_delivery, setup),
		cmocka_unit_test_setup(test_msi_irte, setup),
		cmocka_unit_test_setup(test_hooks, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
