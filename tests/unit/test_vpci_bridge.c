/*
 * PCI-PCI bridges and the functions behind them (dm/vpci + arch/x86's
 * enumeration) on a fake machine: where a function's INTx reaches bus 0,
 * the Service VM's device list, config access through the bridge (0xCF8
 * and ECAM, buses > 0), BARs, MSI and MSI-X of a function on a secondary
 * bus, and a function behind a bridge that another VM owns staying hidden.
 */
#include "test_vpci_fake.h"

#define HB PCI_BDF(0, 0, 0)
#define BR_A PCI_BDF(0, 0x1C, 0)	/* buses 1-2 */
#define DEV1 PCI_BDF(1, 0, 0)		/* BAR, MSI, MSI-X */
#define BR_B PCI_BDF(1, 2, 0)		/* bus 2, under BR_A */
#define DEV2 PCI_BDF(2, 0, 0)
#define BR_C PCI_BDF(0, 0x1D, 0)	/* bus 3 */
#define HIDDEN PCI_BDF(3, 0, 0)		/* a pre-launched VM's */
#define DEV1_BAR 0xC1000000ULL
#define MSI_OFF 0x50
#define MSIX_OFF 0x70
#define WIN_MEM 0xC100C100u		/* BR_A's memory base/limit register: 0xC1000000-0xC10FFFFF */

static struct vpci sos, pre;
static struct vpci_dev_config list[8];
static int nlist;

static void build_bus(void)
{
	struct fake_dev *d;

	fake_reset_all();
	fake_done(fake_add(HB, 0x8086, 0x1237, 0x06000000, 0));
	d = fake_add(BR_A, 0x8086, 0x9D12, 0x06040000, 1);
	fake_bridge(d, 0, 1, 2);
	d->cfg[0x20] = 0x00;
	d->cfg[0x21] = 0xC1;
	d->cfg[0x22] = 0x00;
	d->cfg[0x23] = 0xC1;
	d->wmask[0x20] = d->wmask[0x21] = d->wmask[0x22] = d->wmask[0x23] = 0xF0;
	d->cfg[PCI_INTERRUPT_PIN] = 1;
	fake_done(d);
	d = fake_add(DEV1, 0x8086, 0x24FD, 0x02800000, 0);
	fake_bar(d, 0, DEV1_BAR, 0x4000, PCI_BAR_MEM32, false);
	fake_msi(d, MSI_OFF, true, false);
	fake_msix(d, MSIX_OFF, 4, 0, 0x2000, 0, 0x3000);
	fake_ext_cap(d, 0x100, 0x0001, 0);
	d->cfg[PCI_INTERRUPT_PIN] = 1;
	fake_done(d);
	fake_mmio_add(DEV1_BAR, 0x4000);
	d = fake_add(BR_B, 0x8086, 0x244E, 0x06040000, 1);
	fake_bridge(d, 1, 2, 2);
	fake_done(d);
	d = fake_add(DEV2, 0x10EC, 0x8168, 0x02000000, 0);
	d->cfg[PCI_INTERRUPT_PIN] = 2;
	fake_done(d);
	d = fake_add(BR_C, 0x8086, 0x9D13, 0x06040000, 1);
	fake_bridge(d, 0, 3, 3);
	fake_done(d);
	fake_done(fake_add(HIDDEN, 0x8086, 0x156F, 0x02000000, 0));
	assert_int_equal(pci_enumerate(), 7);
}

static int setup(void **state)
{
	static const u16 hidden[] = { HIDDEN };
	struct vpci_config c;

	(void)state;
	build_bus();
	nlist = vpci_service_vm_devs(hidden, ARRAY_SIZE(hidden), list, ARRAY_SIZE(list));
	assert_int_equal(nlist, 6);
	fake_vm_config(&c, list, (unsigned)nlist);
	c.ecam_end_bus = 3;
	assert_int_equal(vpci_init(&sos, &fake_ops, &fvm, &c), 0);
	fake_nlog = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&sos);
	vpci_deinit(&sos);
	return 0;
}

static u32 ecam_rd(struct vpci *vp, u16 bdf, u16 off, unsigned size)
{
	u64 v = 0xDEAD;

	vpci_ecam_mmio_read(GUEST_VCPU, vp, FAKE_ECAM + ((u64)bdf << 12) + off, size, &v);
	return (u32)v;
}

static void test_intx_reaches_bus0_through_swizzles(void **state)
{
	u16 root;
	u8 pin;

	(void)state;
	assert_ptr_equal(pci_upstream_bridge(DEV1), pci_find_pdev(BR_A));
	assert_ptr_equal(pci_upstream_bridge(DEV2), pci_find_pdev(BR_B));
	assert_ptr_equal(pci_upstream_bridge(HIDDEN), pci_find_pdev(BR_C));
	assert_null(pci_upstream_bridge(BR_A));		/* bus 0 */
	assert_null(pci_upstream_bridge(PCI_BDF(9, 0, 0)));	/* no bridge leads there */
	/* device d's INTA is INT(A + d) above the bridge (PCI-to-PCI Bridge 1.2, 9.1) */
	for (u8 dev = 0; dev < 8; dev++)
		for (u8 p = 1; p <= 4; p++)
			assert_int_equal(pci_swizzle_pin(dev, p), (p - 1 + dev) % 4 + 1);
	/* bus 0: itself */
	assert_true(pci_intx_to_root(PCI_BDF(0, 3, 1), 2, &root, &pin));
	assert_int_equal(root, PCI_BDF(0, 3, 1));
	assert_int_equal(pin, 2);
	/* one bridge, device 0: the pin is kept, the bridge's slot carries it */
	assert_true(pci_intx_to_root(DEV1, 1, &root, &pin));
	assert_int_equal(root, BR_A);
	assert_int_equal(pin, 1);
	/* two bridges: INTB of 02:00.0 is INTB on bus 1, INTD as 01:02.0's, on BR_A's slot */
	assert_true(pci_intx_to_root(DEV2, 2, &root, &pin));
	assert_int_equal(root, BR_A);
	assert_int_equal(pin, 4);
	assert_true(pci_intx_to_root(PCI_BDF(1, 5, 0), 3, &root, &pin));	/* (3 - 1 + 5) % 4 + 1 */
	assert_int_equal(pin, 4);
	assert_false(pci_intx_to_root(PCI_BDF(9, 0, 0), 1, &root, &pin));
}

static void test_service_vm_list_has_bridges_and_what_is_behind(void **state)
{
	static const struct { u16 bdf; u8 kind; } want[] = {
		{ HB, VPCI_DEV_PASSTHROUGH }, { BR_A, VPCI_DEV_BRIDGE }, { BR_C, VPCI_DEV_BRIDGE },
		{ DEV1, VPCI_DEV_PASSTHROUGH }, { BR_B, VPCI_DEV_BRIDGE }, { DEV2, VPCI_DEV_PASSTHROUGH },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(list[i].pbdf, want[i].bdf);
		assert_int_equal(list[i].vbdf, want[i].bdf);	/* identity, buses > 0 too */
		assert_int_equal(list[i].kind, want[i].kind);
	}
	assert_int_equal(list[3].intx_pin, 1);
	assert_int_equal(list[5].intx_pin, 2);
	for (int i = 0; i < nlist; i++)
		assert_true(list[i].pbdf != HIDDEN);
	assert_ptr_equal(vpci_pdev_owner(BR_B), &sos);
	assert_ptr_equal(vpci_pdev_owner(DEV2), &sos);
	assert_null(vpci_pdev_owner(HIDDEN));
}

static void test_config_through_the_bridge(void **state)
{
	(void)state;
	/* the bridge as firmware set it up: header, bus numbers, window */
	assert_int_equal(guest_cfg_read(&sos, BR_A, PCI_HEADER_TYPE, 1), 1);
	assert_int_equal(guest_cfg_read(&sos, BR_A, PCI_PRIMARY_BUS, 4), 0x020100);
	assert_int_equal(guest_cfg_read(&sos, BR_A, 0x20, 4), WIN_MEM);
	guest_cfg_write(&sos, BR_A, PCI_PRIMARY_BUS, 4, 0x050500);
	guest_cfg_write(&sos, BR_A, PCI_SUBORDINATE_BUS, 1, 9);
	guest_cfg_write(&sos, BR_A, 0x20, 4, 0xD000D000);
	assert_int_equal(fake_get(BR_A, PCI_PRIMARY_BUS, 4), 0x020100);
	assert_int_equal(fake_get(BR_A, 0x20, 4), WIN_MEM);
	assert_int_equal(ecam_rd(&sos, BR_A, PCI_SECONDARY_BUS, 1), 1);
	/* Command reaches it */
	guest_cfg_write(&sos, BR_A, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(fake_get(BR_A, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	/* functions on buses 1 and 2, through 0xCF8 and through ECAM (extended space too) */
	assert_int_equal(guest_cfg_read(&sos, DEV1, 0, 4), 0x24FD8086);
	assert_int_equal(ecam_rd(&sos, DEV1, 0, 4), 0x24FD8086);
	assert_int_equal(ecam_rd(&sos, DEV1, 0x100, 4), fake_get(DEV1, 0x100, 4));
	assert_int_equal(guest_cfg_read(&sos, DEV2, 0, 4), 0x816810EC);
	assert_int_equal(ecam_rd(&sos, DEV2, PCI_INTERRUPT_PIN, 1), 2);
	assert_int_equal(guest_cfg_read(&sos, BR_B, PCI_PRIMARY_BUS, 4), 0x020201);
	/* no function at 02:01.0; past the last bus ECAM decodes, nothing */
	assert_int_equal(guest_cfg_read(&sos, PCI_BDF(2, 1, 0), 0, 4), 0xFFFFFFFF);
	assert_int_equal(ecam_rd(&sos, PCI_BDF(4, 0, 0), 0, 4), 0xFFFFFFFF);
}

static void test_hidden_function_behind_a_bridge(void **state)
{
	struct vpci_dev_config pre_dev = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 5, 0),
					   .pbdf = HIDDEN, .flags = VPCI_DEVF_RESET };
	struct vpci_dev_config steal = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = HIDDEN,
					 .pbdf = HIDDEN };
	struct vpci_config c;
	unsigned writes;
	u32 v = 0;

	(void)state;
	fake_vm_config(&c, &pre_dev, 1);
	assert_int_equal(vpci_init(&pre, &fake_ops, &fvm, &c), 0);
	writes = fake_count_writes(HIDDEN, PCI_COMMAND);
	/* the Service VM sees the bridge above it, not the function */
	assert_int_equal(guest_cfg_read(&sos, BR_C, PCI_SECONDARY_BUS, 1), 3);
	assert_int_equal(guest_cfg_read(&sos, HIDDEN, 0, 4), 0xFFFFFFFF);
	assert_int_equal(ecam_rd(&sos, HIDDEN, 0, 4), 0xFFFFFFFF);
	assert_int_equal(vpci_cfg_read(&sos, HIDDEN, 0, 4, &v), -ENODEV);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(vpci_cfg_write(&sos, HIDDEN, PCI_COMMAND, 2, PCI_COMMAND_MASTER), -ENODEV);
	guest_cfg_write(&sos, HIDDEN, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	assert_int_equal(fake_count_writes(HIDDEN, PCI_COMMAND), writes);
	/* nor can it take it */
	assert_int_equal(vpci_assign_dev(&sos, &steal), -EBUSY);
	/* the pre-launched VM has it on its bus 0 */
	assert_int_equal(guest_cfg_read(&pre, PCI_BDF(0, 5, 0), 0, 4), 0x156F8086);
	assert_int_equal(guest_cfg_read(&pre, HIDDEN, 0, 4), 0xFFFFFFFF);
	fake_release_locks(&pre);
	vpci_deinit(&pre);
}

static void test_bar_msi_msix_behind_the_bridge(void **state)
{
	u64 hpa = 0;

	(void)state;
	/* the BAR at its physical base; decode on maps it */
	assert_int_equal(guest_cfg_read(&sos, DEV1, PCI_BAR(0), 4), (u32)DEV1_BAR);
	guest_cfg_write(&sos, DEV1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_true(fake_ept_lookup(DEV1_BAR, &hpa));
	assert_int_equal(hpa, DEV1_BAR);
	/* the MSI-X table page is trapped, the rest mapped */
	assert_ptr_equal(fake_trap_at(DEV1_BAR + 0x2000), vpci_find_vdev(&sos, DEV1));
	/* MSI: remapped for the function on bus 1, the device gets the host's message */
	guest_cfg_write(&sos, DEV1, MSI_OFF + PCI_MSI_ADDR_LO, 4, 0xFEE00000);
	guest_cfg_write(&sos, DEV1, MSI_OFF + PCI_MSI_ADDR_HI, 4, 0);
	guest_cfg_write(&sos, DEV1, MSI_OFF + PCI_MSI_DATA_64, 2, 0x41);
	guest_cfg_write(&sos, DEV1, MSI_OFF + PCI_MSI_CTRL, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 1);
	assert_int_equal(fvm.last_src.pbdf, DEV1);
	assert_int_equal(fvm.last_src.vbdf, DEV1);
	assert_int_equal(fake_get(DEV1, MSI_OFF + PCI_MSI_ADDR_LO, 4), (u32)FAKE_HADDR);
	assert_int_equal(fake_get(DEV1, MSI_OFF + PCI_MSI_DATA_64, 2), FAKE_HDATA(&fvm.last_src));
	/* MSI-X through ECAM on bus 1: enabled on the device, an unmasked entry remapped */
	guest_cfg_write(&sos, DEV1, MSI_OFF + PCI_MSI_CTRL, 2, 0);
	vpci_ecam_mmio_write(GUEST_VCPU, &sos, FAKE_ECAM + ((u64)DEV1 << 12) + MSIX_OFF + PCI_MSIX_CTRL,
			     2, PCI_MSIX_CTRL_EN);
	assert_int_equal(fake_get(DEV1, MSIX_OFF + PCI_MSIX_CTRL, 2) & PCI_MSIX_CTRL_EN, PCI_MSIX_CTRL_EN);
	assert_int_equal(fake_guest_write(DEV1_BAR + 0x2000 + PCI_MSIX_ENTRY_ADDR_LO, 4, 0xFEE00000), 0);
	assert_int_equal(fake_guest_write(DEV1_BAR + 0x2000 + PCI_MSIX_ENTRY_DATA, 4, 0x42), 0);
	assert_int_equal(fake_guest_write(DEV1_BAR + 0x2000 + PCI_MSIX_ENTRY_CTRL, 4, 0), 0);
	assert_true(fvm.last_src.msix);
	assert_int_equal(fvm.last_src.pbdf, DEV1);
	assert_int_equal(fake_mmio_get(DEV1_BAR + 0x2000 + PCI_MSIX_ENTRY_ADDR_LO, 4), (u32)FAKE_HADDR);
}

static void test_bridge_kind_refuses_a_type0_and_back(void **state)
{
	struct vpci_dev_config br_as_pt = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 7, 0),
					    .pbdf = BR_A };
	struct vpci_dev_config pt_as_br = { .kind = VPCI_DEV_BRIDGE, .vbdf = PCI_BDF(0, 7, 0),
					    .pbdf = HIDDEN };
	struct vpci_config c;

	(void)state;
	vpci_deinit(&sos);
	/* why the Service VM did not start: a bridge offered as a type 0 function */
	fake_vm_config(&c, &br_as_pt, 1);
	assert_int_equal(vpci_init(&pre, &fake_ops, &fvm, &c), -ENOTSUP);
	assert_null(vpci_pdev_owner(BR_A));
	fake_vm_config(&c, &pt_as_br, 1);
	assert_int_equal(vpci_init(&pre, &fake_ops, &fvm, &c), -ENOTSUP);
	assert_null(vpci_pdev_owner(HIDDEN));
	memset(&sos, 0, sizeof(sos));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intx_reaches_bus0_through_swizzles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_vm_list_has_bridges_and_what_is_behind,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_through_the_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hidden_function_behind_a_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_msi_msix_behind_the_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bridge_kind_refuses_a_type0_and_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
