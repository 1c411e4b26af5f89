/*
 * Passthrough header emulation, device reset (on assignment, release and by
 * the guest), the multifunction bit, the Service VM's view and bridges.
 */
#include "test_vpci_fake.h"

#define P1 PCI_BDF(0, 3, 0)	/* PCIe with FLR, PM with No_Soft_Reset */
#define P2 PCI_BDF(0, 4, 0)	/* PM without No_Soft_Reset */
#define P3 PCI_BDF(0, 5, 0)	/* PM with No_Soft_Reset only */
#define P4 PCI_BDF(0, 6, 0)	/* PCIe without FLR */
#define MF0 PCI_BDF(0, 8, 0)
#define MF1 PCI_BDF(0, 8, 1)
#define BR PCI_BDF(0, 0x1E, 0)
#define B1 PCI_BDF(1, 0, 0)
#define PCIE 0x40
#define PM 0x60
#define P1_BAR 0xC0010000ULL
#define P2_BAR 0xC0020000ULL
#define V1 PCI_BDF(0, 2, 0)

static struct vpci vp, vp2;

static void build_bus(void)
{
	struct fake_dev *d;

	fake_reset_all();
	d = fake_add(P1, 0x8086, 0x1501, 0x02000001, 0);
	fake_bar(d, 0, P1_BAR, 0x1000, PCI_BAR_MEM32, false);
	fake_bar(d, 1, 0xD000, 0x20, PCI_BAR_IO, false);
	fake_pcie(d, PCIE, true);
	fake_pm(d, PM, true);
	fake_ext_cap(d, 0x100, 0x0001, 0x140);
	fake_ext_cap(d, 0x140, 0x000E, 0);
	d->cfg[PCI_CACHE_LINE_SIZE] = 0x10;
	fake_done(d);
	d = fake_add(P2, 0x8086, 0x1502, 0x02000000, 0);
	fake_bar(d, 0, P2_BAR, 0x1000, PCI_BAR_MEM32, false);
	fake_pm(d, PM, false);
	fake_done(d);
	d = fake_add(P3, 0x8086, 0x1503, 0x02000000, 0);
	fake_pm(d, PM, true);
	fake_done(d);
	d = fake_add(P4, 0x8086, 0x1504, 0x02000000, 0);
	fake_pcie(d, PCIE, false);
	fake_done(d);
	d = fake_add(MF0, 0x8086, 0x2000, 0x0C030000, 0x80);
	fake_done(d);
	d = fake_add(MF1, 0x8086, 0x2001, 0x0C030000, 0);
	fake_done(d);
	d = fake_add(BR, 0x8086, 0x244E, 0x06040000, 1);
	fake_bridge(d, 0, 1, 1);
	fake_done(d);
	d = fake_add(B1, 0x10EC, 0x8139, 0x02000000, 0);
	fake_done(d);
	assert_int_equal(pci_enumerate(), 8);
}

static int setup(void **state)
{
	static const struct vpci_dev_config devs[] = {
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = V1, .pbdf = P1, .intx_pin = 2, .intx_line = 10 },
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = P2, .pbdf = P2 },
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = P3, .pbdf = P3 },
	};
	struct vpci_config c;

	(void)state;
	build_bus();
	fake_vm_config(&c, devs, ARRAY_SIZE(devs));
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), 0);
	fake_vm_config(&c, NULL, 0);
	assert_int_equal(vpci_init(&vp2, &fake_ops, &fvm, &c), 0);
	fake_nlog = 0;
	fvm.udelay_total = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&vp);
	fake_release_locks(&vp2);
	vpci_deinit(&vp);
	vpci_deinit(&vp2);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.npio, 0);
	return 0;
}

static u32 rd(u16 bdf, u16 off, unsigned size)
{
	return guest_cfg_read(&vp, bdf, off, size);
}

static void wr(u16 bdf, u16 off, unsigned size, u32 v)
{
	guest_cfg_write(&vp, bdf, off, size, v);
}

static void test_header_reads_through(void **state)
{
	(void)state;
	assert_int_equal(rd(V1, PCI_VENDOR_ID, 4), 0x15018086);
	assert_int_equal(rd(V1, PCI_CLASS_REVISION, 4), 0x02000001);
	assert_int_equal(rd(V1, PCI_REVISION_ID, 1), 0x01);
	assert_int_equal(rd(V1, PCI_CACHE_LINE_SIZE, 1), 0x10);
	assert_int_equal(rd(V1, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(rd(V1, PCI_SUBSYSTEM_VENDOR_ID, 4), 0xABCD1234);
	assert_int_equal(rd(V1, PCI_CAP_PTR, 1), PCIE);
	assert_int_equal(rd(V1, PCI_MIN_GNT, 2), 0x2211);
	assert_int_equal(rd(V1, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	assert_int_equal(rd(V1, 0x38, 4), 0);
	/* capabilities as the device has them */
	assert_int_equal(rd(V1, PCIE, 2), (PM << 8) | PCI_CAP_ID_PCIE);
	assert_int_equal(rd(V1, PCIE + PCI_EXP_DEVCAP, 4), PCI_EXP_DEVCAP_FLR);
	assert_int_equal(rd(V1, PM, 1), PCI_CAP_ID_PM);
	assert_int_equal(rd(V1, 0x100, 4), 0x14010001);	/* ECAM only */
	assert_int_equal(rd(V1, 0x140, 2), 0x000E);
	assert_int_equal(fake_nlog, 0);
}

/* Without ECAM the extended space is nobody's: all ones of the access's size, not more. */
static void test_extended_space_without_ecam(void **state)
{
	(void)state;
	fake_ecam = false;
	assert_int_equal(rd(V1, 0x100, 4), 0xFFFFFFFF);
	assert_int_equal(rd(V1, 0x100, 2), 0xFFFF);
	assert_int_equal(rd(V1, 0x103, 1), 0xFF);
	assert_int_equal(rd(V1, 0x142, 2), 0xFFFF);
	fake_ecam = true;
	assert_int_equal(rd(V1, 0x140, 2), 0x000E);
}

static void test_command_is_mirrored(void **state)
{
	(void)state;
	wr(V1, PCI_COMMAND, 2, 0xFFFF);
	assert_int_equal(rd(V1, PCI_COMMAND, 2), 0x0557);
	assert_int_equal(fake_get(P1, PCI_COMMAND, 2), 0x0557);
	assert_int_equal(fvm.nmap, 1);
	assert_int_equal(fvm.npio, 1);
	wr(V1, PCI_COMMAND + 1, 1, 0);			/* INTx disable, SERR off */
	assert_int_equal(rd(V1, PCI_COMMAND, 2), 0x0057);
	assert_int_equal(fake_get(P1, PCI_COMMAND, 2), 0x0057);
	wr(V1, PCI_COMMAND, 1, PCI_COMMAND_MASTER);
	assert_int_equal(rd(V1, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	assert_int_equal(fake_get(P1, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.npio, 0);
}

static void test_status_rw1c(void **state)
{
	(void)state;
	fake_set(P1, PCI_STATUS, 2, 0xF900 | PCI_STATUS_CAP_LIST | PCI_STATUS_INTX);
	assert_int_equal(rd(V1, PCI_STATUS, 2), 0xF918);
	wr(V1, PCI_STATUS, 2, 0x8000);
	assert_int_equal(fake_get(P1, PCI_STATUS, 2), 0x7918);
	wr(V1, PCI_STATUS + 1, 1, 0x01);
	assert_int_equal(fake_get(P1, PCI_STATUS, 2), 0x7818);
	/* a dword write: Command and Status each get their part */
	wr(V1, PCI_COMMAND, 4, 0x40000000 | PCI_COMMAND_MASTER);
	assert_int_equal(fake_get(P1, PCI_STATUS, 2), 0x3818);
	assert_int_equal(fake_get(P1, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	/* a Command-only write does not write Status; read-only bits are never written */
	unsigned n = fake_count_writes(P1, PCI_STATUS);
	wr(V1, PCI_COMMAND, 4, PCI_COMMAND_MASTER | ((u32)PCI_STATUS_INTX << 16));
	wr(V1, PCI_COMMAND, 2, 0);
	assert_int_equal(fake_count_writes(P1, PCI_STATUS), n);
	assert_int_equal(rd(V1, PCI_STATUS, 2), 0x3818);
}

static void test_interrupt_line_and_pin(void **state)
{
	(void)state;
	assert_int_equal(rd(V1, PCI_INTERRUPT_PIN, 1), 2);	/* the board's, not the device's 1 */
	assert_int_equal(rd(V1, PCI_INTERRUPT_LINE, 1), 10);
	assert_int_equal(rd(V1, PCI_INTERRUPT_LINE, 4), 0x2211020A);
	wr(V1, PCI_INTERRUPT_LINE, 1, 5);
	assert_int_equal(rd(V1, PCI_INTERRUPT_LINE, 1), 5);
	wr(V1, PCI_INTERRUPT_LINE, 4, 0xFFFFFF07);		/* only the line changes */
	assert_int_equal(rd(V1, PCI_INTERRUPT_LINE, 4), 0x22110207);
	wr(V1, PCI_INTERRUPT_PIN, 1, 4);
	assert_int_equal(rd(V1, PCI_INTERRUPT_PIN, 1), 2);
	assert_int_equal(fake_count_writes(P1, PCI_INTERRUPT_LINE), 0);
	assert_int_equal(fake_get(P1, PCI_INTERRUPT_LINE, 1), 0);
	/* no INTx on the board: pin 0 */
	assert_int_equal(rd(P2, PCI_INTERRUPT_PIN, 1), 0);
}

static void test_header_writes_are_dropped(void **state)
{
	static const u16 offs[] = { PCI_VENDOR_ID, PCI_CLASS_REVISION, PCI_CACHE_LINE_SIZE,
				    PCI_CARDBUS_CIS, PCI_SUBSYSTEM_VENDOR_ID, PCI_CAP_PTR, 0x38 };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		wr(V1, offs[i], 4, 0);
		wr(V1, offs[i], 2, 0);
		wr(V1, offs[i] + 3, 1, 0);
	}
	assert_int_equal(fake_nlog, 0);
	assert_int_equal(rd(V1, PCI_VENDOR_ID, 4), 0x15018086);
	assert_int_equal(rd(V1, PCI_CACHE_LINE_SIZE, 1), 0x10);
	assert_int_equal(rd(V1, PCI_CAP_PTR, 1), PCIE);
}

static void test_capability_writes_reach_the_device(void **state)
{
	(void)state;
	wr(V1, PCIE + PCI_EXP_DEVCTL, 2, 0x2810);
	assert_int_equal(fake_get(P1, PCIE + PCI_EXP_DEVCTL, 2), 0x2810);
	assert_int_equal(fake_find(P1)->flr_count, 0);
	wr(V1, 0x104, 4, 0x12345678);
	assert_int_equal(fake_count_writes(P1, 0x104), 1);
	wr(V1, PM + PCI_PM_CTRL, 2, PCI_PM_D3HOT);
	assert_int_equal(fake_get(P1, PM + PCI_PM_CTRL, 2) & 3, PCI_PM_D3HOT);
	/* No_Soft_Reset: back to D0 without losing the BARs */
	wr(V1, PM + PCI_PM_CTRL, 2, PCI_PM_D0);
	assert_int_equal(fake_find(P1)->pm_reset_count, 0);
	assert_int_equal(fake_get(P1, PCI_BAR(0), 4), (u32)P1_BAR);
}

static void test_guest_flr(void **state)
{
	struct fake_dev *d = fake_find(P1);

	(void)state;
	wr(V1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(fvm.nmap, 1);
	wr(V1, PCIE + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_FLR | 0x10);
	assert_int_equal(d->flr_count, 1);
	assert_true(fvm.udelay_total >= 100000);
	/* the device's BARs are back where the hypervisor maps them */
	assert_int_equal(fake_get(P1, PCI_BAR(0), 4), (u32)P1_BAR);
	assert_int_equal(fake_get(P1, PCI_BAR(1), 4), 0xD000 | 1);
	/* and the guest sees a reset function: decode off, BARs as it set them */
	assert_int_equal(rd(V1, PCI_COMMAND, 2), 0);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(rd(V1, PCI_BAR(0), 4), (u32)P1_BAR);
	wr(V1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(fvm.nmap, 1);
	/* the high byte alone, through ECAM */
	vpci_ecam_write(&vp, ((u64)V1 << 12) | (PCIE + PCI_EXP_DEVCTL + 1), 1, 0x80);
	assert_int_equal(d->flr_count, 2);
	assert_int_equal(fvm.nmap, 0);
}

static void test_guest_pm_reset(void **state)
{
	struct fake_dev *d = fake_find(P2);

	(void)state;
	wr(P2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	wr(P2, PM + PCI_PM_CTRL, 2, PCI_PM_D3HOT);
	assert_int_equal(d->pm_reset_count, 0);
	assert_int_equal(fvm.nmap, 1);
	wr(P2, PM + PCI_PM_CTRL, 2, PCI_PM_D0);
	assert_int_equal(d->pm_reset_count, 1);
	assert_int_equal(fake_get(P2, PCI_BAR(0), 4), (u32)P2_BAR);
	assert_int_equal(rd(P2, PCI_COMMAND, 2), 0);
	assert_int_equal(fvm.nmap, 0);
	assert_true(fvm.udelay_total >= 10000);
	/* D0 -> D0 is nothing */
	wr(P2, PM + PCI_PM_CTRL, 2, PCI_PM_D0);
	assert_int_equal(d->pm_reset_count, 1);
}

static void test_reset_paths(void **state)
{
	int d3, d0;

	(void)state;
	fake_set(P1, PCI_COMMAND, 2, 0x0007);
	assert_int_equal(vpci_reset_pdev(pci_find_pdev(P1), fake_ops.udelay), VPCI_RESET_FLR);
	assert_int_equal(fake_find(P1)->flr_count, 1);
	assert_int_equal(fake_get(P1, PCI_BAR(0), 4), (u32)P1_BAR);
	assert_int_equal(fake_get(P1, PCI_CACHE_LINE_SIZE, 1), 0x10);
	assert_int_equal(fake_get(P1, PCI_COMMAND, 2), 0);
	assert_int_equal(fvm.udelay_total, 100000);

	fvm.udelay_total = 0;
	fake_nlog = 0;
	assert_int_equal(vpci_reset_pdev(pci_find_pdev(P2), fake_ops.udelay), VPCI_RESET_PM);
	assert_int_equal(fake_find(P2)->pm_reset_count, 1);
	d3 = fake_log_find(P2, PM + PCI_PM_CTRL, PCI_PM_D3HOT, 0);
	d0 = fake_log_find(P2, PM + PCI_PM_CTRL, PCI_PM_D0, 0);
	assert_true(d3 >= 0 && d0 > d3);
	assert_int_equal(fvm.udelay_total, 20000);
	assert_int_equal(fake_get(P2, PCI_BAR(0), 4), (u32)P2_BAR);

	assert_int_equal(vpci_reset_pdev(pci_find_pdev(P3), fake_ops.udelay), VPCI_RESET_NONE);
	assert_int_equal(vpci_reset_pdev(pci_find_pdev(P4), fake_ops.udelay), VPCI_RESET_NONE);
	assert_int_equal(fake_find(P3)->pm_reset_count + fake_find(P4)->flr_count, 0);
	assert_int_equal(fake_count_writes(P3, PM + PCI_PM_CTRL), 0);
}

static void test_flr_waits_for_transactions(void **state)
{
	struct fake_dev *d = fake_find(P1);

	(void)state;
	d->cfg[PCIE + PCI_EXP_DEVSTA] |= PCI_EXP_DEVSTA_TRPND;
	d->trpnd_reads = 3;
	vpci_reset_pdev(pci_find_pdev(P1), fake_ops.udelay);
	assert_int_equal(d->flr_count, 1);
	assert_int_equal(fvm.udelay_total, 2 * 10000 + 100000);
	/* stuck: gives up waiting, resets anyway */
	fvm.udelay_total = 0;
	d->cfg[PCIE + PCI_EXP_DEVSTA] |= PCI_EXP_DEVSTA_TRPND;
	d->trpnd_reads = 1000;
	vpci_reset_pdev(pci_find_pdev(P1), fake_ops.udelay);
	assert_int_equal(d->flr_count, 2);
	assert_int_equal(fvm.udelay_total, 10 * 10000 + 100000);
}

static void test_reset_on_assign_and_release(void **state)
{
	struct vpci_dev_config dc = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 1, 0),
				      .pbdf = P4, .flags = VPCI_DEVF_RESET };
	struct vpci_dev_config dc1 = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 2, 0),
				       .pbdf = P1, .flags = VPCI_DEVF_RESET };

	(void)state;
	assert_int_equal(fake_find(P1)->flr_count, 0);		/* setup assigned without the flag */
	vpci_deassign_dev(&vp, V1);
	assert_int_equal(fake_find(P1)->flr_count, 0);
	fake_set(P1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(vpci_assign_dev(&vp2, &dc1), 0);
	assert_int_equal(fake_find(P1)->flr_count, 1);
	assert_int_equal(guest_cfg_read(&vp2, dc1.vbdf, PCI_COMMAND, 2), 0);
	assert_int_equal(fake_get(P1, PCI_BAR(0), 4), (u32)P1_BAR);
	assert_int_equal(vpci_deassign_dev(&vp2, dc1.vbdf), 0);
	assert_int_equal(fake_find(P1)->flr_count, 2);
	/* no method: assigned all the same */
	assert_int_equal(vpci_assign_dev(&vp2, &dc), 0);
	assert_non_null(vpci_find_vdev(&vp2, dc.vbdf));
}

static void test_multifunction_bit(void **state)
{
	struct vpci_dev_config one = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 9, 0),
				       .pbdf = MF0 };
	struct vpci_dev_config two = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 9, 1),
				       .pbdf = MF1 };
	struct vpci_dev_config hb = { .kind = VPCI_DEV_HOSTBRIDGE, .vbdf = PCI_BDF(0, 0, 0) };
	struct vpci_dev_config hb1 = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 0, 1),
				       .pbdf = P4 };

	(void)state;
	/* only function 0 given: not multifunction to this VM */
	assert_int_equal(vpci_assign_dev(&vp2, &one), 0);
	assert_int_equal(guest_cfg_read(&vp2, one.vbdf, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(vpci_assign_dev(&vp2, &two), 0);
	assert_int_equal(guest_cfg_read(&vp2, one.vbdf, PCI_HEADER_TYPE, 1), 0x80);
	assert_int_equal(guest_cfg_read(&vp2, one.vbdf, PCI_CACHE_LINE_SIZE, 4) >> 16, 0x80);
	assert_int_equal(guest_cfg_read(&vp2, two.vbdf, PCI_VENDOR_ID, 4), 0x20018086);
	/* a function elsewhere does not count */
	assert_int_equal(vpci_deassign_dev(&vp2, two.vbdf), 0);
	assert_int_equal(guest_cfg_read(&vp2, one.vbdf, PCI_HEADER_TYPE, 1), 0x00);
	/* the emulated host bridge follows the same rule */
	assert_int_equal(vpci_assign_dev(&vp2, &hb), 0);
	assert_int_equal(guest_cfg_read(&vp2, hb.vbdf, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(vpci_assign_dev(&vp2, &hb1), 0);
	assert_int_equal(guest_cfg_read(&vp2, hb.vbdf, PCI_HEADER_TYPE, 1), 0x80);
}

static void test_service_vm_view(void **state)
{
	struct vpci_dev_config out[16];
	const u16 hidden[] = { P1, P2, P3 };	/* the pre-launched VM's and the hypervisor's */
	struct vpci sos;
	struct vpci_config c;
	int n;

	(void)state;
	fake_set(B1, PCI_INTERRUPT_LINE, 1, 11);
	n = vpci_service_vm_devs(hidden, ARRAY_SIZE(hidden), out, ARRAY_SIZE(out));
	assert_int_equal(n, 5);
	for (int i = 0; i < n; i++) {
		assert_int_equal(out[i].vbdf, out[i].pbdf);
		assert_true(out[i].pbdf != P1 && out[i].pbdf != P2 && out[i].pbdf != P3);
		assert_int_equal(out[i].kind, out[i].pbdf == BR ? VPCI_DEV_BRIDGE : VPCI_DEV_PASSTHROUGH);
		if (out[i].pbdf == B1) {
			assert_int_equal(out[i].intx_pin, 1);
			assert_int_equal(out[i].intx_line, 11);
		}
	}
	assert_int_equal(vpci_service_vm_devs(hidden, ARRAY_SIZE(hidden), out, 4), -ENOSPC);

	/* the Service VM with that list: hidden devices are invisible to it */
	fake_vm_config(&c, out, (unsigned)n);
	assert_int_equal(vpci_init(&sos, &fake_ops, &fvm, &c), 0);
	assert_int_equal(guest_cfg_read(&sos, P1, 0, 4), 0xFFFFFFFF);
	assert_int_equal(guest_cfg_read(&sos, P4, 0, 4), 0x15048086);
	assert_int_equal(guest_cfg_read(&sos, B1, 0, 4), 0x813910EC);
	assert_int_equal(guest_cfg_read(&sos, MF0, PCI_HEADER_TYPE, 1), 0x80);

	/* a bridge reads through; bus numbers and windows stay put; Command works */
	assert_int_equal(guest_cfg_read(&sos, BR, PCI_HEADER_TYPE, 1), 1);
	assert_int_equal(guest_cfg_read(&sos, BR, PCI_PRIMARY_BUS, 4), 0x010100);
	guest_cfg_write(&sos, BR, PCI_PRIMARY_BUS, 4, 0x050500);
	guest_cfg_write(&sos, BR, PCI_SECONDARY_BUS, 1, 7);
	assert_int_equal(guest_cfg_read(&sos, BR, PCI_PRIMARY_BUS, 4), 0x010100);
	guest_cfg_write(&sos, BR, PCI_COMMAND, 2, 0xFFFF);
	assert_int_equal(fake_get(BR, PCI_COMMAND, 2), 0x0547);
	assert_int_equal(guest_cfg_read(&sos, BR, PCI_COMMAND, 2), 0x0547);
	fake_set(BR, PCI_STATUS, 2, 0x8000);
	guest_cfg_write(&sos, BR, PCI_COMMAND, 4, 0x80000000 | PCI_COMMAND_MEMORY);
	assert_int_equal(fake_get(BR, PCI_STATUS, 2), 0);
	assert_int_equal(fake_get(BR, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	vpci_deinit(&sos);
	/* bridges are not reset or touched on release */
	assert_int_equal(fake_get(BR, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_reads_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_is_mirrored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_rw1c, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_line_and_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_writes_are_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capability_writes_reach_the_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_flr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_pm_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flr_waits_for_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_on_assign_and_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multifunction_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extended_space_without_ecam, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_vm_view, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
