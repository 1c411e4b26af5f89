/*
 * Virtual MSI: the guest's capability stays virtual, the device gets what
 * msi_remap returns, masked (or disabled) while it changes.
 */
#include "test_vpci_fake.h"

#define DA PCI_BDF(0, 7, 0)	/* 64-bit, per-vector masking, PM cap after MSI */
#define DB PCI_BDF(0, 8, 0)	/* 32-bit, no masking */
#define MSI_A 0x50
#define MSI_B 0x60
#define PM_A 0x70

/* DA: 64-bit layout */
#define A_ADDR_LO (MSI_A + 4)
#define A_ADDR_HI (MSI_A + 8)
#define A_DATA (MSI_A + 12)
#define A_MASK (MSI_A + 16)
#define A_PEND (MSI_A + 20)
/* DB: 32-bit layout */
#define B_ADDR (MSI_B + 4)
#define B_DATA (MSI_B + 8)

static struct vpci vp;

static const struct vpci_dev_config devs[] = {
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 2, 0), .pbdf = DA },
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 3, 0), .pbdf = DB },
};
#define VA PCI_BDF(0, 2, 0)
#define VB PCI_BDF(0, 3, 0)

static int setup(void **state)
{
	struct fake_dev *d;
	struct vpci_config c;

	(void)state;
	fake_reset_all();
	d = fake_add(DA, 0x8086, 0xAAAA, 0x02000000, 0);
	fake_bar(d, 0, 0xC0200000, 0x1000, PCI_BAR_MEM32, false);
	fake_msi(d, MSI_A, true, true);
	fake_pm(d, PM_A, true);
	fake_done(d);
	d = fake_add(DB, 0x8086, 0xBBBB, 0x02000000, 0);
	fake_msi(d, MSI_B, false, false);
	fake_done(d);
	assert_int_equal(pci_enumerate(), 2);
	fake_vm_config(&c, devs, ARRAY_SIZE(devs));
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), 0);
	fake_nlog = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&vp);
	vpci_deinit(&vp);
	assert_int_equal(fvm.nmap, 0);
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

static void test_cap_as_the_guest_sees_it(void **state)
{
	(void)state;
	assert_int_equal(rd(VA, PCI_CAP_PTR, 1), MSI_A);
	assert_int_equal(rd(VA, MSI_A, 1), PCI_CAP_ID_MSI);
	assert_int_equal(rd(VA, MSI_A + 1, 1), PM_A);		/* next pointer as the device has it */
	/* 64-bit and per-vector masking from the device, one message only */
	assert_int_equal(rd(VA, MSI_A + 2, 2), PCI_MSI_CTRL_64 | PCI_MSI_CTRL_PVM);
	assert_int_equal(rd(VA, MSI_A, 4), ((u32)(PCI_MSI_CTRL_64 | PCI_MSI_CTRL_PVM) << 16) |
					   (PM_A << 8) | PCI_CAP_ID_MSI);
	assert_int_equal(rd(VA, A_ADDR_LO, 4), 0);
	assert_int_equal(rd(VA, A_DATA, 4), 0);
	assert_int_equal(rd(VA, A_MASK, 4), 0);
	assert_int_equal(rd(VB, MSI_B + 2, 2), 0);		/* 32-bit, no masking */
	assert_int_equal(rd(VB, MSI_B + 8, 2), 0);
	/* the PM capability after it reads through */
	assert_int_equal(rd(VA, PM_A, 2), PCI_CAP_ID_PM);
	assert_int_equal(rd(VA, PM_A + 2, 2), 0x0003);
	/* id and next pointer are read-only */
	wr(VA, MSI_A, 2, 0);
	assert_int_equal(rd(VA, MSI_A, 2), (PM_A << 8) | PCI_CAP_ID_MSI);
}

static void program_a(u32 addr, u32 data)
{
	wr(VA, A_ADDR_LO, 4, addr);
	wr(VA, A_ADDR_HI, 4, 0);
	wr(VA, A_DATA, 2, data);
}

static void test_enable_programs_the_device(void **state)
{
	(void)state;
	program_a(0xFEE02000, 0x0031);
	assert_int_equal(fvm.remap_calls, 0);		/* nothing until enabled */
	assert_int_equal(fake_get(DA, A_ADDR_LO, 4), 0);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 1);
	assert_int_equal(fvm.last_gaddr, 0xFEE02000);
	assert_int_equal(fvm.last_gdata, 0x31);
	assert_false(fvm.last_src.msix);
	assert_int_equal(fvm.last_src.index, 0);
	assert_int_equal(fvm.last_src.pbdf, DA);
	assert_int_equal(fvm.last_src.vbdf, VA);
	/* device: the hypervisor's message, enabled, one vector, unmasked */
	assert_int_equal(fake_get(DA, A_ADDR_LO, 4), (u32)FAKE_HADDR);
	assert_int_equal(fake_get(DA, A_ADDR_HI, 4), 0);
	assert_int_equal(fake_get(DA, A_DATA, 2), FAKE_HDATA(&fvm.last_src));
	assert_int_equal(fake_get(DA, MSI_A + 2, 2) & (PCI_MSI_CTRL_EN | PCI_MSI_CTRL_MME),
			 PCI_MSI_CTRL_EN);
	assert_int_equal(fake_get(DA, A_MASK, 4), 0);
	/* guest: its own values */
	assert_int_equal(rd(VA, A_ADDR_LO, 4), 0xFEE02000);
	assert_int_equal(rd(VA, A_DATA, 2), 0x31);
	assert_int_equal(rd(VA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN, PCI_MSI_CTRL_EN);
	/* the device was masked while it was written */
	int mask_on = fake_log_find(DA, A_MASK, 1, 0);
	int addr_w = fake_log_find(DA, A_ADDR_LO, (u32)FAKE_HADDR, 0);
	int unmask = fake_log_find(DA, A_MASK, 0, (unsigned)addr_w);
	assert_true(mask_on >= 0 && addr_w > mask_on && unmask > addr_w);
}

static void test_multiple_messages_not_offered(void **state)
{
	(void)state;
	program_a(0xFEE00000, 0x40);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN | (2u << 4));	/* asks for 4 vectors */
	assert_int_equal(rd(VA, MSI_A + 2, 2), PCI_MSI_CTRL_64 | PCI_MSI_CTRL_PVM | PCI_MSI_CTRL_EN);
	assert_int_equal(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_MME, 0);
	assert_int_equal(fvm.remap_calls, 1);
}

static void test_per_vector_mask(void **state)
{
	(void)state;
	program_a(0xFEE00000, 0x41);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	wr(VA, A_MASK, 4, 0xFFFFFFFF);
	assert_int_equal(rd(VA, A_MASK, 4), 1);		/* one vector: bit 0 only */
	assert_int_equal(fake_get(DA, A_MASK, 4), 1);
	wr(VA, A_MASK, 1, 0);
	assert_int_equal(rd(VA, A_MASK, 4), 0);
	assert_int_equal(fake_get(DA, A_MASK, 4), 0);
	assert_int_equal(fvm.remap_calls, 1);		/* masking alone needs no remap */
	/* masked before enabling: enabled masked */
	wr(VA, MSI_A + 2, 2, 0);
	wr(VA, A_MASK, 4, 1);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fake_get(DA, A_MASK, 4), 1);
	assert_true(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
}

static void test_change_while_enabled_remaps_masked(void **state)
{
	int mask_on, data_w, unmask;

	(void)state;
	program_a(0xFEE00000, 0x41);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	fake_nlog = 0;
	fvm.haddr_override = 0xFEE03000;
	wr(VA, A_DATA, 2, 0x52);
	assert_int_equal(fvm.remap_calls, 2);
	assert_int_equal(fvm.last_gdata, 0x52);
	assert_int_equal(fake_get(DA, A_ADDR_LO, 4), 0xFEE03000);
	mask_on = fake_log_find(DA, A_MASK, 1, 0);
	data_w = fake_log_find(DA, A_DATA, FAKE_HDATA(&fvm.last_src), 0);
	unmask = fake_log_find(DA, A_MASK, 0, 0);
	assert_true(mask_on >= 0 && data_w > mask_on && unmask > data_w);
	/* the guest's mask survives reprogramming */
	wr(VA, A_MASK, 4, 1);
	wr(VA, A_ADDR_LO, 4, 0xFEE01000);
	assert_int_equal(fvm.remap_calls, 3);
	assert_int_equal(fake_get(DA, A_MASK, 4), 1);
}

static void test_no_mask_bit_disables_while_changing(void **state)
{
	int off, dw, on;

	(void)state;
	wr(VB, B_ADDR, 4, 0xFEE00000);
	wr(VB, B_DATA, 2, 0x61);
	wr(VB, MSI_B + 2, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fake_get(DB, B_ADDR, 4), (u32)FAKE_HADDR);
	assert_int_equal(fake_get(DB, B_DATA, 2), FAKE_HDATA(&fvm.last_src));
	assert_true(fake_get(DB, MSI_B + 2, 2) & PCI_MSI_CTRL_EN);
	fake_nlog = 0;
	wr(VB, B_DATA, 2, 0x62);
	off = fake_log_find(DB, MSI_B + 2, fake_get(DB, MSI_B + 2, 2) & ~PCI_MSI_CTRL_EN, 0);
	dw = fake_log_find(DB, B_DATA, FAKE_HDATA(&fvm.last_src), 0);
	on = fake_log_find(DB, MSI_B + 2, fake_get(DB, MSI_B + 2, 2), (unsigned)(dw < 0 ? 0 : dw));
	assert_true(off >= 0 && dw > off && on > dw);
	assert_true(fake_get(DB, MSI_B + 2, 2) & PCI_MSI_CTRL_EN);
	assert_int_equal(rd(VB, B_DATA, 2), 0x62);
}

static void test_32bit_cap_refuses_high_host_address(void **state)
{
	(void)state;
	fvm.haddr_override = 0x1FEE00000ULL;
	wr(VB, B_ADDR, 4, 0xFEE00000);
	wr(VB, MSI_B + 2, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 1);
	assert_false(fake_get(DB, MSI_B + 2, 2) & PCI_MSI_CTRL_EN);
	/* a usable address later works */
	fvm.haddr_override = 0;
	wr(VB, B_DATA, 2, 0x33);
	assert_true(fake_get(DB, MSI_B + 2, 2) & PCI_MSI_CTRL_EN);
	assert_int_equal(fake_get(DB, B_ADDR, 4), (u32)FAKE_HADDR);
}

static void test_disable_releases(void **state)
{
	(void)state;
	program_a(0xFEE00000, 0x41);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	wr(VA, MSI_A + 2, 2, 0);
	assert_false(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.release_calls, 1);
	assert_false(fvm.last_release.msix);
	assert_int_equal(fvm.last_release.pbdf, DA);
	assert_int_equal(rd(VA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN, 0);
	/* guest values kept; enabling again remaps */
	assert_int_equal(rd(VA, A_DATA, 2), 0x41);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 2);
	/* released with the device too */
	vpci_deinit(&vp);
	assert_int_equal(fvm.release_calls, 2);
	assert_false(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
}

static void test_remap_refused_stays_disabled(void **state)
{
	(void)state;
	fvm.remap_fail = true;
	program_a(0x12345678, 0x41);
	wr(VA, MSI_A + 2, 2, PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 1);
	assert_false(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
	assert_int_equal(fake_get(DA, A_ADDR_LO, 4), 0);
	/* the guest still reads what it wrote */
	assert_int_equal(rd(VA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN, PCI_MSI_CTRL_EN);
	assert_int_equal(rd(VA, A_ADDR_LO, 4), 0x12345678 & ~3u);
	fvm.remap_fail = false;
	wr(VA, A_ADDR_LO, 4, 0xFEE00000);
	assert_true(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
	/* nothing to release for the refused attempt, one for the good one */
	wr(VA, MSI_A + 2, 2, 0);
	assert_int_equal(fvm.release_calls, 1);
}

static void test_pending_reads_through(void **state)
{
	(void)state;
	fake_set(DA, A_PEND, 4, 0xB);
	assert_int_equal(rd(VA, A_PEND, 4), 1);
	fake_set(DA, A_PEND, 4, 0xA);
	assert_int_equal(rd(VA, A_PEND, 4), 0);
	wr(VA, A_PEND, 4, 0xFFFFFFFF);		/* read-only */
	assert_int_equal(fake_count_writes(DA, A_PEND), 0);
}

static void test_byte_and_word_accesses(void **state)
{
	(void)state;
	wr(VA, A_ADDR_LO + 3, 1, 0xFE);
	wr(VA, A_ADDR_LO + 2, 1, 0xE0);
	wr(VA, A_ADDR_LO, 2, 0x3003);		/* bits 1:0 are reserved */
	assert_int_equal(rd(VA, A_ADDR_LO, 4), 0xFEE03000);
	assert_int_equal(rd(VA, A_ADDR_LO + 2, 2), 0xFEE0);
	assert_int_equal(rd(VA, A_ADDR_LO + 1, 1), 0x30);
	wr(VA, A_DATA + 1, 1, 0x12);
	wr(VA, A_DATA, 1, 0x34);
	assert_int_equal(rd(VA, A_DATA, 2), 0x1234);
	/* extended message data is not offered */
	wr(VA, A_DATA + 2, 2, 0xFFFF);
	assert_int_equal(rd(VA, A_DATA, 4), 0x1234);
	/* enable through a byte write of the control register */
	wr(VA, MSI_A + 2, 1, PCI_MSI_CTRL_EN);
	assert_int_equal(fvm.last_gaddr, 0xFEE03000);
	assert_int_equal(fvm.last_gdata, 0x1234);
	assert_true(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
	/* a dword write to offset 0 changes only the control half */
	wr(VA, MSI_A, 4, 0);
	assert_int_equal(rd(VA, MSI_A, 2), (PM_A << 8) | PCI_CAP_ID_MSI);
	assert_false(fake_get(DA, MSI_A + 2, 2) & PCI_MSI_CTRL_EN);
	/* 32-bit layout: offset 8 is data; 12 is past the capability: the device's */
	wr(VB, MSI_B + 8, 4, 0xABCD5678);
	assert_int_equal(rd(VB, MSI_B + 8, 4), 0x5678);
	assert_int_equal(fake_count_writes(DB, MSI_B + 8), 0);
	wr(VB, MSI_B + 12, 4, 0xFFFFFFFF);
	assert_int_equal(fake_count_writes(DB, MSI_B + 12), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cap_as_the_guest_sees_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_programs_the_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiple_messages_not_offered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_vector_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_while_enabled_remaps_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_mask_bit_disables_while_changing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_32bit_cap_refuses_high_host_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_releases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap_refused_stays_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_reads_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_and_word_accesses, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
