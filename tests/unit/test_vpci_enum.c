/*
 * Physical enumeration (arch/x86/pci_enum.c) over a fake bus: bridges,
 * multifunction devices, BAR sizing with decode off, capability lists.
 */
#include "test_vpci_fake.h"

#define HB PCI_BDF(0, 0, 0)
#define MF PCI_BDF(0, 2, 0)
#define SF PCI_BDF(0, 3, 0)
#define NIC PCI_BDF(0, 4, 0)
#define LOOP PCI_BDF(0, 5, 0)
#define IO16 PCI_BDF(0, 6, 0)
#define BR1 PCI_BDF(0, 0x1C, 0)
#define BR0 PCI_BDF(0, 0x1D, 0)
#define B2 PCI_BDF(2, 0, 0)
#define BR2 PCI_BDF(2, 1, 0)
#define B3 PCI_BDF(3, 0, 0)
#define B5 PCI_BDF(5, 0, 0)

static void build_bus(void)
{
	struct fake_dev *d;

	fake_reset_all();
	fake_done(fake_add(HB, 0x8086, 0x29C0, 0x06000000, 0));
	fake_done(fake_add(MF, 0x8086, 0x2930, 0x0C050000, 0x80));
	fake_done(fake_add(PCI_BDF(0, 2, 1), 0x8086, 0x2931, 0x0C050000, 0));
	fake_done(fake_add(PCI_BDF(0, 2, 3), 0x8086, 0x2933, 0x0C050000, 0));
	fake_done(fake_add(SF, 0x1234, 0x1111, 0x03000000, 0));
	/* answers, but function 0 is not multifunction: must not be found */
	fake_done(fake_add(PCI_BDF(0, 3, 1), 0x1234, 0x1112, 0x03000000, 0));

	d = fake_add(NIC, 0x8086, 0x10D3, 0x02000000, 0);
	fake_bar(d, 0, 0xFEB00000, 0x20000, PCI_BAR_MEM32, false);
	fake_bar(d, 1, 0xC000, 0x40, PCI_BAR_IO, false);
	fake_bar(d, 2, 0x800000000ULL, 1ULL << 30, PCI_BAR_MEM64, true);
	fake_bar(d, 4, 0xFEB20000, 16, PCI_BAR_MEM32, true);
	fake_pm(d, 0x40, false);
	fake_msi(d, 0x50, true, true);
	fake_pcie(d, 0x70, true);
	fake_msix(d, 0x90, 32, 0, 0x10000, 0, 0x18000);
	fake_ext_cap(d, 0x100, 0x0001, 0x150);
	fake_ext_cap(d, 0x150, 0x0010, 0);
	d->cfg[PCI_INTERRUPT_PIN] = 3;
	d->cfg[PCI_COMMAND] = PCI_COMMAND_IO | PCI_COMMAND_MEMORY;
	fake_done(d);

	d = fake_add(LOOP, 0x1234, 0x2222, 0x02000000, 0);
	fake_cap(d, 0x40, PCI_CAP_ID_PM);
	d->cfg[0x41] = 0x48;
	d->cfg[0x48] = PCI_CAP_ID_MSI;
	d->cfg[0x49] = 0x40;		/* back to the first: a loop */
	fake_done(d);

	d = fake_add(IO16, 0x1234, 0x3333, 0x02000000, 0);
	d->cfg[PCI_BAR(0)] = 0x01;
	d->cfg[PCI_BAR(0) + 1] = 0xE0;	/* port 0xE000, 16-bit decoder */
	d->wmask[PCI_BAR(0)] = 0xE0;
	d->wmask[PCI_BAR(0) + 1] = 0xFF;
	fake_done(d);

	d = fake_add(BR1, 0x8086, 0x2940, 0x06040000, 1);
	fake_bridge(d, 0, 2, 3);
	fake_done(d);
	d = fake_add(BR0, 0x8086, 0x2942, 0x06040000, 1);
	fake_bridge(d, 0, 0, 0);	/* unconfigured: nothing behind it is reachable */
	fake_done(d);
	fake_done(fake_add(B2, 0x10EC, 0x8168, 0x02000000, 0));
	d = fake_add(BR2, 0x8086, 0x2944, 0x06040000, 1);
	fake_bridge(d, 2, 3, 3);
	fake_done(d);
	fake_done(fake_add(B3, 0x1AF4, 0x1041, 0x02000000, 0));
	fake_done(fake_add(B5, 0x1AF4, 0x1042, 0x02000000, 0));
}

static int setup(void **state)
{
	(void)state;
	build_bus();
	return 0;
}

static void test_walks_buses_and_functions(void **state)
{
	static const u16 want[] = { HB, MF, PCI_BDF(0, 2, 1), PCI_BDF(0, 2, 3), SF, NIC, LOOP,
				    IO16, BR1, BR0, B2, BR2, B3 };

	(void)state;
	assert_int_equal(pci_enumerate(), ARRAY_SIZE(want));
	assert_int_equal(pci_nr_pdevs, ARRAY_SIZE(want));
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++)
		assert_non_null(pci_find_pdev(want[i]));
	assert_null(pci_find_pdev(PCI_BDF(0, 3, 1)));
	assert_null(pci_find_pdev(PCI_BDF(0, 2, 2)));
	assert_null(pci_find_pdev(B5));
	assert_true(pci_find_pdev(MF)->multifunction);
	assert_false(pci_find_pdev(SF)->multifunction);
	assert_int_equal(pci_find_pdev(NIC)->vendor, 0x8086);
	assert_int_equal(pci_find_pdev(NIC)->device, 0x10D3);
	assert_int_equal(pci_find_pdev(NIC)->class_rev, 0x02000000);
	assert_int_equal(pci_find_pdev(NIC)->intx_pin, 3);
	assert_int_equal(pci_find_pdev(BR1)->hdr_type, PCI_HEADER_BRIDGE);
	assert_int_equal(pci_find_pdev(BR1)->sec_bus, 2);
	assert_int_equal(pci_find_pdev(BR1)->sub_bus, 3);
	assert_int_equal(pci_find_pdev(BR1)->nr_bars, 2);
	assert_int_equal(pci_find_pdev(BR1)->bar[0].type, PCI_BAR_NONE);
	/* enumerating again gives the same table */
	assert_int_equal(pci_enumerate(), ARRAY_SIZE(want));
	assert_non_null(pci_find_pdev(B3));
}

static void test_bar_sizing(void **state)
{
	const struct pci_pdev *p;

	(void)state;
	pci_enumerate();
	p = pci_find_pdev(NIC);
	assert_int_equal(p->nr_bars, 6);
	assert_int_equal(p->bar[0].type, PCI_BAR_MEM32);
	assert_int_equal(p->bar[0].base, 0xFEB00000);
	assert_int_equal(p->bar[0].size, 0x20000);
	assert_false(p->bar[0].prefetch);
	assert_int_equal(p->bar[1].type, PCI_BAR_IO);
	assert_int_equal(p->bar[1].base, 0xC000);
	assert_int_equal(p->bar[1].size, 0x40);
	assert_int_equal(p->bar[2].type, PCI_BAR_MEM64);
	assert_int_equal(p->bar[2].base, 0x800000000ULL);
	assert_int_equal(p->bar[2].size, 1ULL << 30);
	assert_true(p->bar[2].prefetch);
	assert_int_equal(p->bar[3].type, PCI_BAR_MEM64_HI);
	assert_int_equal(p->bar[4].type, PCI_BAR_MEM32);
	assert_int_equal(p->bar[4].size, 16);
	assert_true(p->bar[4].prefetch);
	assert_int_equal(p->bar[5].type, PCI_BAR_NONE);
	assert_int_equal(p->bar[5].size, 0);
	assert_int_equal(pci_bar_dwords(&p->bar[2]), 2);
	assert_int_equal(pci_bar_dwords(&p->bar[0]), 1);
	/* a 16-bit I/O decoder reads 0 in the upper half */
	p = pci_find_pdev(IO16);
	assert_int_equal(p->bar[0].type, PCI_BAR_IO);
	assert_int_equal(p->bar[0].base, 0xE000);
	assert_int_equal(p->bar[0].size, 0x20);
}

static void test_sizing_with_decode_off_and_restored(void **state)
{
	(void)state;
	pci_enumerate();
	for (unsigned i = 0; i < FAKE_MAX_DEVS; i++)
		assert_false(fake_devs[i].sized_while_decoding);
	assert_int_equal(fake_get(NIC, PCI_COMMAND, 2), PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(fake_get(NIC, PCI_BAR(0), 4), 0xFEB00000);
	assert_int_equal(fake_get(NIC, PCI_BAR(1), 4), 0xC001);
	assert_int_equal(fake_get(NIC, PCI_BAR(2), 4), 0x0000000C);
	assert_int_equal(fake_get(NIC, PCI_BAR(3), 4), 0x8);
	assert_int_equal(fake_get(NIC, PCI_BAR(4), 4), 0xFEB20008);
	/* decode went off before the first all-ones write and back on after the last */
	int off = fake_log_find(NIC, PCI_COMMAND, 0, 0);
	int ones = fake_log_find(NIC, PCI_BAR(0), 0xFFFFFFFF, 0);
	int on = fake_log_find(NIC, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 0);
	int last = fake_log_find(NIC, PCI_BAR(5), 0xFFFFFFFF, 0);
	assert_true(off >= 0 && ones > off && last > ones && on > last);
}

static void test_capabilities(void **state)
{
	const struct pci_pdev *p;

	(void)state;
	pci_enumerate();
	p = pci_find_pdev(NIC);
	assert_int_equal(p->nr_caps, 4);
	assert_int_equal(p->cap[0].id, PCI_CAP_ID_PM);
	assert_int_equal(p->cap[1].id, PCI_CAP_ID_MSI);
	assert_int_equal(p->cap[2].id, PCI_CAP_ID_PCIE);
	assert_int_equal(p->cap[3].id, PCI_CAP_ID_MSIX);
	assert_int_equal(p->pm_off, 0x40);
	assert_false(p->pm_no_soft_reset);
	assert_int_equal(p->msi_off, 0x50);
	assert_int_equal(p->msi_ctrl & (PCI_MSI_CTRL_64 | PCI_MSI_CTRL_PVM),
			 PCI_MSI_CTRL_64 | PCI_MSI_CTRL_PVM);
	assert_int_equal(p->pcie_off, 0x70);
	assert_true(p->flr);
	assert_int_equal(p->msix_off, 0x90);
	assert_int_equal(p->msix_entries, 32);
	assert_int_equal(p->msix_table_bir, 0);
	assert_int_equal(p->msix_table_off, 0x10000);
	assert_int_equal(p->msix_pba_bir, 0);
	assert_int_equal(p->msix_pba_off, 0x18000);
	assert_int_equal(p->nr_ext_caps, 2);
	assert_int_equal(p->ext_cap[0].id, 0x0001);
	assert_int_equal(p->ext_cap[0].offset, 0x100);
	assert_int_equal(p->ext_cap[1].id, 0x0010);
	assert_int_equal(p->ext_cap[1].offset, 0x150);
	assert_int_equal(pci_pdev_find_cap(p, PCI_CAP_ID_MSIX, false), 0x90);
	assert_int_equal(pci_pdev_find_cap(p, 0x0010, true), 0x150);
	assert_int_equal(pci_pdev_find_cap(p, 0x0010, false), 0x70);
	assert_int_equal(pci_pdev_find_cap(p, 0x0009, false), 0);
	/* no capability list at all */
	p = pci_find_pdev(SF);
	assert_int_equal(p->nr_caps, 0);
	assert_int_equal(p->msi_off + p->msix_off + p->pcie_off + p->pm_off, 0);
	/* conventional function: no extended list is read */
	assert_int_equal(pci_find_pdev(LOOP)->nr_ext_caps, 0);
}

static void test_capability_loop_terminates(void **state)
{
	const struct pci_pdev *p;

	(void)state;
	pci_enumerate();
	p = pci_find_pdev(LOOP);
	assert_int_equal(p->nr_caps, PCI_MAX_CAPS);	/* bounded, then stops */
	assert_int_equal(p->pm_off, 0x40);
	assert_int_equal(p->msi_off, 0x48);
}

static void test_bogus_cap_pointers(void **state)
{
	struct fake_dev *d = fake_find(SF);

	(void)state;
	d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	d->cfg[PCI_CAP_PTR] = 0x20;		/* into the header */
	pci_enumerate();
	assert_int_equal(pci_find_pdev(SF)->nr_caps, 0);
	d->cfg[PCI_CAP_PTR] = 0x43;		/* low bits are reserved: 0x40 */
	d->cfg[0x40] = PCI_CAP_ID_PCIE;
	d->cfg[0x41] = 0;
	pci_enumerate();
	assert_int_equal(pci_find_pdev(SF)->nr_caps, 1);
	assert_int_equal(pci_find_pdev(SF)->pcie_off, 0x40);
	/* extended list that points backwards or loops stops */
	fake_ext_cap(d, 0x100, 0x0001, 0x100);
	pci_enumerate();
	assert_int_equal(pci_find_pdev(SF)->nr_ext_caps, PCI_MAX_EXT_CAPS);
	fake_ext_cap(d, 0x100, 0x0001, 0x80);
	pci_enumerate();
	assert_int_equal(pci_find_pdev(SF)->nr_ext_caps, 1);
}

static void test_no_ecam_no_extended_caps(void **state)
{
	(void)state;
	fake_ecam = false;
	pci_enumerate();
	assert_int_equal(pci_find_pdev(NIC)->nr_ext_caps, 0);
	assert_int_equal(pci_find_pdev(NIC)->nr_caps, 4);
}

static void test_too_many_functions(void **state)
{
	(void)state;
	fake_reset_all();
	for (unsigned dev = 0; dev < 9; dev++)
		for (unsigned fn = 0; fn < 8; fn++)
			fake_done(fake_add(PCI_BDF(0, dev, fn), 0x1234, (u16)(dev * 8 + fn), 0xFF000000,
					   fn == 0 ? 0x80 : 0));
	assert_int_equal(pci_enumerate(), -ENOSPC);
	assert_int_equal(pci_nr_pdevs, PCI_MAX_PDEVS);
	assert_non_null(pci_find_pdev(PCI_BDF(0, 7, 7)));
	assert_null(pci_find_pdev(PCI_BDF(0, 8, 0)));
}

static void test_empty_bus(void **state)
{
	(void)state;
	fake_reset_all();
	assert_int_equal(pci_enumerate(), 0);
	assert_null(pci_find_pdev(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_walks_buses_and_functions, setup),
		cmocka_unit_test_setup(test_bar_sizing, setup),
		cmocka_unit_test_setup(test_sizing_with_decode_off_and_restored, setup),
		cmocka_unit_test_setup(test_capabilities, setup),
		cmocka_unit_test_setup(test_capability_loop_terminates, setup),
		cmocka_unit_test_setup(test_bogus_cap_pointers, setup),
		cmocka_unit_test_setup(test_no_ecam_no_extended_caps, setup),
		cmocka_unit_test_setup(test_too_many_functions, setup),
		cmocka_unit_test_setup(test_empty_bus, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
