/*
 * Virtual MSI-X: trapped table and PBA pages, virtual entries programmed
 * on unmask through msi_remap, function and per-vector masking, and the
 * other registers that share the trapped pages.
 */
#include "test_vpci_fake.h"

#define DX PCI_BDF(0, 9, 0)	/* 8 entries, table and PBA on one page of BAR0 */
#define DY PCI_BDF(0, 10, 0)	/* 100 entries: table in BAR0, PBA in BAR2 */
#define CAP_X 0x70
#define CAP_Y 0x80
#define X_BAR 0xC0300000ULL
#define X_TABLE (X_BAR + 0x2000)
#define X_PBA (X_BAR + 0x2800)
#define Y_BAR0 0xC0400000ULL
#define Y_BAR2 0xC0500000ULL
#define DZ PCI_BDF(0, 11, 0)	/* 2 KiB BAR: table and PBA on a page larger than the BAR */
#define Z_BAR 0xC0700000ULL

static struct vpci vp;

static const struct vpci_dev_config devs[] = {
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DX, .pbdf = DX },
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DY, .pbdf = DY },
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DZ, .pbdf = DZ },
};

static int setup(void **state)
{
	struct fake_dev *d;
	struct vpci_config c;

	(void)state;
	fake_reset_all();
	d = fake_add(DX, 0x8086, 0x1533, 0x02000000, 0);
	fake_bar(d, 0, X_BAR, 0x4000, PCI_BAR_MEM32, false);
	fake_msix(d, CAP_X, 8, 0, 0x2000, 0, 0x2800);
	fake_done(d);
	d = fake_add(DY, 0x8086, 0x10FB, 0x02000000, 0);
	fake_bar(d, 0, Y_BAR0, 0x2000, PCI_BAR_MEM32, false);
	fake_bar(d, 2, Y_BAR2, 0x1000, PCI_BAR_MEM64, false);
	fake_msix(d, CAP_Y, 100, 0, 0, 2, 0);
	fake_done(d);
	d = fake_add(DZ, 0x8086, 0x0D0D, 0x02000000, 0);
	fake_bar(d, 0, Z_BAR, 0x800, PCI_BAR_MEM32, false);
	fake_msix(d, 0x60, 4, 0, 0, 0, 0x400);
	fake_done(d);
	fake_mmio_add(Z_BAR, 0x800);	/* any access past it fails the test */
	fake_mmio_add(X_BAR, 0x4000);
	fake_mmio_add(Y_BAR0, 0x2000);
	fake_mmio_add(Y_BAR2, 0x1000);
	assert_int_equal(pci_enumerate(), 3);
	fake_vm_config(&c, devs, ARRAY_SIZE(devs));
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), 0);
	guest_cfg_write(&vp, DX, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	guest_cfg_write(&vp, DY, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	guest_cfg_write(&vp, DZ, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	fake_nlog = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&vp);
	vpci_deinit(&vp);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.ntrap, 0);
	return 0;
}

static void ctrl(u16 bdf, u16 cap, u16 v)
{
	guest_cfg_write(&vp, bdf, cap + PCI_MSIX_CTRL, 2, v);
}

static u64 g_rd(u64 gpa, unsigned size)
{
	u64 v = 0;

	assert_int_equal(fake_guest_read(gpa, size, &v), 0);
	return v;
}

static void g_wr(u64 gpa, unsigned size, u64 v)
{
	assert_int_equal(fake_guest_write(gpa, size, v), 0);
}

static u64 ent(u64 table, unsigned i, unsigned field)
{
	return table + i * PCI_MSIX_ENTRY_SIZE + field;
}

/* The guest fills entry i of DX's table. */
static void set_entry(unsigned i, u32 addr, u32 data, u32 vctrl)
{
	g_wr(ent(X_TABLE, i, PCI_MSIX_ENTRY_ADDR_LO), 4, addr);
	g_wr(ent(X_TABLE, i, PCI_MSIX_ENTRY_ADDR_HI), 4, 0);
	g_wr(ent(X_TABLE, i, PCI_MSIX_ENTRY_DATA), 4, data);
	g_wr(ent(X_TABLE, i, PCI_MSIX_ENTRY_CTRL), 4, vctrl);
}

static void test_cap_reads(void **state)
{
	(void)state;
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X + 2, 2), 7);
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X + 4, 4), 0x2000);
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X + 8, 4), 0x2800);
	/* more entries than offered: the guest sees VPCI_MSIX_MAX_ENTRIES */
	assert_int_equal(guest_cfg_read(&vp, DY, CAP_Y + 2, 2), VPCI_MSIX_MAX_ENTRIES - 1);
	assert_int_equal(guest_cfg_read(&vp, DY, CAP_Y + 8, 4), 2);
	/* only EN and the function mask are writable, and they stay virtual until used */
	guest_cfg_write(&vp, DX, CAP_X + 4, 4, 0);
	guest_cfg_write(&vp, DX, CAP_X, 4, 0x07FF0000 | CAP_X);
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X, 4), (7u << 16) | PCI_CAP_ID_MSIX);
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X + 4, 4), 0x2000);
	assert_int_equal(fake_nlog, 0);
}

static void test_table_pages_are_trapped(void **state)
{
	u64 hpa;

	(void)state;
	/* DX: the page with table and PBA trapped, the rest mapped */
	assert_non_null(fake_trap_at(X_TABLE));
	assert_non_null(fake_trap_at(X_PBA));
	assert_null(fake_trap_at(X_TABLE - 1));
	assert_null(fake_trap_at(X_TABLE + 0x1000));
	assert_true(fake_ept_lookup(X_BAR, &hpa) && hpa == X_BAR);
	assert_true(fake_ept_lookup(X_TABLE - 1, &hpa) && hpa == X_TABLE - 1);
	assert_true(fake_ept_lookup(X_BAR + 0x3000, &hpa) && hpa == X_BAR + 0x3000);
	assert_false(fake_ept_lookup(X_TABLE, &hpa));
	/* DY: 1600-byte table on page 0 of BAR0; BAR2 is all PBA page */
	assert_non_null(fake_trap_at(Y_BAR0 + 0x63C));
	assert_true(fake_ept_lookup(Y_BAR0 + 0x1000, &hpa) && hpa == Y_BAR0 + 0x1000);
	assert_non_null(fake_trap_at(Y_BAR2));
	assert_false(fake_ept_lookup(Y_BAR2, &hpa));
	assert_int_equal(fvm.nmap, 3);
	assert_int_equal(fvm.ntrap, 4);		/* DZ: its one page */
	/* mapped registers reach the device without the vPCI */
	fake_mmio_set(X_BAR + 8, 4, 0x80080783);
	unsigned reads = fvm.mmio_reads;
	assert_int_equal(g_rd(X_BAR + 8, 4), 0x80080783);
	assert_int_equal(fvm.mmio_reads, reads);
}

static void test_table_is_virtual(void **state)
{
	(void)state;
	/* reset state: every entry masked */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(g_rd(ent(X_TABLE, i, PCI_MSIX_ENTRY_CTRL), 4), 1);
	set_entry(1, 0xFEE00000, 0x45, 1);
	assert_int_equal(g_rd(ent(X_TABLE, 1, PCI_MSIX_ENTRY_ADDR_LO), 4), 0xFEE00000);
	assert_int_equal(g_rd(ent(X_TABLE, 1, PCI_MSIX_ENTRY_DATA), 4), 0x45);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, 0), 8), 0);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, 8), 8), 0);
	/* even unmasked: MSI-X is still disabled */
	g_wr(ent(X_TABLE, 1, PCI_MSIX_ENTRY_CTRL), 4, 0);
	assert_int_equal(fvm.remap_calls, 0);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, 0), 4), 0);
}

static void test_unmask_programs_entry(void **state)
{
	struct vpci_msi_src src = { .msix = true, .index = 1 };

	(void)state;
	set_entry(1, 0xFEE00000, 0x45, 1);
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, PCI_MSIX_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 0);		/* entry still masked */
	g_wr(ent(X_TABLE, 1, PCI_MSIX_ENTRY_CTRL), 4, 0);
	assert_int_equal(fvm.remap_calls, 1);
	assert_true(fvm.last_src.msix);
	assert_int_equal(fvm.last_src.index, 1);
	assert_int_equal(fvm.last_src.pbdf, DX);
	assert_int_equal(fvm.last_gaddr, 0xFEE00000);
	assert_int_equal(fvm.last_gdata, 0x45);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, PCI_MSIX_ENTRY_ADDR_LO), 4), (u32)FAKE_HADDR);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, PCI_MSIX_ENTRY_ADDR_HI), 4), 0);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, PCI_MSIX_ENTRY_DATA), 4), FAKE_HDATA(&src));
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, PCI_MSIX_ENTRY_CTRL), 4), 0);
	/* the guest keeps seeing its own entry */
	assert_int_equal(g_rd(ent(X_TABLE, 1, PCI_MSIX_ENTRY_DATA), 4), 0x45);
	assert_int_equal(g_rd(ent(X_TABLE, 1, PCI_MSIX_ENTRY_CTRL), 4), 0);
	/* other entries untouched, masked on the device */
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 0, PCI_MSIX_ENTRY_CTRL), 4), 1);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 0, PCI_MSIX_ENTRY_DATA), 4), 0);
}

/* Linux's order: enable with the function masked, fill and unmask entries, unmask the function. */
static void test_function_mask(void **state)
{
	(void)state;
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	set_entry(0, 0xFEE00000, 0x50, 0);
	set_entry(2, 0xFEE01000, 0x52, 0);
	assert_int_equal(fvm.remap_calls, 2);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 2, PCI_MSIX_ENTRY_CTRL), 4), 0);
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, PCI_MSIX_CTRL_EN);
	assert_int_equal(guest_cfg_read(&vp, DX, CAP_X + 2, 2), PCI_MSIX_CTRL_EN | 7);
	assert_int_equal(fvm.remap_calls, 2);		/* nothing reprogrammed */
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	/* a byte write to the upper control byte works too */
	guest_cfg_write(&vp, DX, CAP_X + 3, 1, PCI_MSIX_CTRL_EN >> 8);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, PCI_MSIX_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 2);
}

static void test_vector_mask_toggles(void **state)
{
	(void)state;
	set_entry(3, 0xFEE00000, 0x53, 0);
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 1);
	g_wr(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4, 1);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4), 1);
	g_wr(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4, 0xFFFFFFFE);	/* reserved bits ignored */
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4), 0);
	assert_int_equal(g_rd(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4), 0);
	assert_int_equal(fvm.remap_calls, 1);
	/* changing the message while masked waits for the unmask */
	g_wr(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4, 1);
	g_wr(ent(X_TABLE, 3, PCI_MSIX_ENTRY_DATA), 4, 0x63);
	assert_int_equal(fvm.remap_calls, 1);
	g_wr(ent(X_TABLE, 3, PCI_MSIX_ENTRY_CTRL), 4, 0);
	assert_int_equal(fvm.remap_calls, 2);
	assert_int_equal(fvm.last_gdata, 0x63);
}

static void test_change_while_unmasked_reprograms(void **state)
{
	struct vpci_msi_src src = { .msix = true, .index = 4 };

	(void)state;
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	set_entry(4, 0xFEE00000, 0x54, 0);
	fvm.haddr_override = 0xFEE0F000;
	g_wr(ent(X_TABLE, 4, PCI_MSIX_ENTRY_ADDR_LO), 4, 0xFEE02000);
	assert_int_equal(fvm.last_gaddr, 0xFEE02000);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 4, PCI_MSIX_ENTRY_ADDR_LO), 4), 0xFEE0F000);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 4, PCI_MSIX_ENTRY_DATA), 4), FAKE_HDATA(&src));
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 4, PCI_MSIX_ENTRY_CTRL), 4), 0);
	unsigned calls = fvm.remap_calls;
	/* writing the same value again is not a change */
	g_wr(ent(X_TABLE, 4, PCI_MSIX_ENTRY_ADDR_LO), 4, 0xFEE02000);
	assert_int_equal(fvm.remap_calls, calls);
}

static void test_qword_accesses(void **state)
{
	(void)state;
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	g_wr(ent(X_TABLE, 5, 0), 8, 0x00000000FEE01000ULL);
	g_wr(ent(X_TABLE, 5, 8), 8, ((u64)0 << 32) | 0x46);
	assert_int_equal(fvm.remap_calls, 1);
	assert_int_equal(fvm.last_gaddr, 0xFEE01000);
	assert_int_equal(fvm.last_gdata, 0x46);
	assert_int_equal(g_rd(ent(X_TABLE, 5, 0), 8), 0xFEE01000);
	assert_int_equal(g_rd(ent(X_TABLE, 5, 8), 8), 0x46);
	g_wr(ent(X_TABLE, 5, 8), 8, ((u64)1 << 32) | 0x47);
	assert_int_equal(g_rd(ent(X_TABLE, 5, 8), 8), ((u64)1 << 32) | 0x47);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 5, PCI_MSIX_ENTRY_CTRL), 4), 1);
	/* the upper address dword is kept */
	g_wr(ent(X_TABLE, 5, 4), 4, 0x1);
	assert_int_equal(g_rd(ent(X_TABLE, 5, 0), 8), 0x1FEE01000ULL);
}

static void test_illegal_table_accesses(void **state)
{
	(void)state;
	set_entry(6, 0xFEE00000, 0x56, 1);
	assert_int_equal(g_rd(ent(X_TABLE, 6, 0), 2), 0xFFFF);
	assert_int_equal(g_rd(ent(X_TABLE, 6, 8), 1), 0xFF);
	assert_int_equal(g_rd(ent(X_TABLE, 6, 2), 4), 0xFFFFFFFF);
	assert_int_equal(g_rd(ent(X_TABLE, 6, 4), 8), ~0ULL);
	g_wr(ent(X_TABLE, 6, 8), 2, 0x1111);
	g_wr(ent(X_TABLE, 6, 8), 1, 0x22);
	g_wr(ent(X_TABLE, 6, 9), 4, 0x33333333);
	g_wr(ent(X_TABLE, 6, 4), 8, ~0ULL);
	assert_int_equal(g_rd(ent(X_TABLE, 6, 8), 4), 0x56);
	assert_int_equal(g_rd(ent(X_TABLE, 6, 0), 8), 0xFEE00000);
}

static void test_pba_reads_through(void **state)
{
	(void)state;
	fake_mmio_set(X_PBA, 8, 0x5);
	assert_int_equal(g_rd(X_PBA, 8), 0x5);
	assert_int_equal(g_rd(X_PBA, 4), 0x5);
	g_wr(X_PBA, 8, 0);
	assert_int_equal(fake_mmio_get(X_PBA, 8), 0x5);
	/* DY's PBA in its own BAR */
	fake_mmio_set(Y_BAR2 + 8, 8, 0xF0);
	assert_int_equal(g_rd(Y_BAR2 + 8, 8), 0xF0);
}

static void test_other_registers_on_trapped_pages(void **state)
{
	(void)state;
	g_wr(X_BAR + 0x2F00, 4, 0xCAFEF00D);
	assert_int_equal(fake_mmio_get(X_BAR + 0x2F00, 4), 0xCAFEF00D);
	assert_int_equal(g_rd(X_BAR + 0x2F00, 4), 0xCAFEF00D);
	/* right after the 8-entry table and right after the PBA: the device's */
	g_wr(X_TABLE + 8 * 16, 2, 0xBEEF);
	assert_int_equal(fake_mmio_get(X_TABLE + 8 * 16, 2), 0xBEEF);
	g_wr(X_PBA + 8, 1, 0x7);
	assert_int_equal(fake_mmio_get(X_PBA + 8, 1), 0x7);
	fake_mmio_set(X_TABLE + 0xF00, 8, 0x1122334455667788ULL);
	assert_int_equal(g_rd(X_TABLE + 0xF00, 8), 0x1122334455667788ULL);
	/* rest of DY's PBA BAR */
	g_wr(Y_BAR2 + 0x800, 4, 0xA5);
	assert_int_equal(fake_mmio_get(Y_BAR2 + 0x800, 4), 0xA5);
}

static void test_sub_page_bar(void **state)
{
	unsigned reads;

	(void)state;
	assert_non_null(fake_trap_at(Z_BAR + 0xFFC));
	/* table entry 0 virtual, PBA and registers inside the BAR forwarded */
	g_wr(Z_BAR + PCI_MSIX_ENTRY_DATA, 4, 0x99);
	assert_int_equal(g_rd(Z_BAR + PCI_MSIX_ENTRY_DATA, 4), 0x99);
	fake_mmio_set(Z_BAR + 0x400, 8, 0x3);
	assert_int_equal(g_rd(Z_BAR + 0x400, 8), 0x3);
	g_wr(Z_BAR + 0x7FC, 4, 0x1234);
	assert_int_equal(fake_mmio_get(Z_BAR + 0x7FC, 4), 0x1234);
	/* past the 2 KiB the device has: nothing is touched */
	reads = fvm.mmio_reads;
	assert_int_equal(g_rd(Z_BAR + 0x800, 4), 0xFFFFFFFF);
	assert_int_equal(g_rd(Z_BAR + 0x7FC, 8), ~0ULL);
	g_wr(Z_BAR + 0xC00, 4, 0x5678);
	assert_int_equal(fvm.mmio_reads, reads);
}

static void test_entries_beyond_offer(void **state)
{
	u64 t = Y_BAR0;

	(void)state;
	ctrl(DY, CAP_Y, PCI_MSIX_CTRL_EN);
	/* entries past the offer masked on the device at enable */
	assert_int_equal(fake_mmio_get(ent(t, 99, PCI_MSIX_ENTRY_CTRL), 4), 1);
	g_wr(ent(t, 70, PCI_MSIX_ENTRY_DATA), 4, 0x99);
	g_wr(ent(t, 70, PCI_MSIX_ENTRY_CTRL), 4, 0);
	assert_int_equal(g_rd(ent(t, 70, PCI_MSIX_ENTRY_DATA), 4), 0);
	assert_int_equal(fake_mmio_get(ent(t, 70, PCI_MSIX_ENTRY_DATA), 4), 0);
	assert_int_equal(fvm.remap_calls, 0);
	/* the last offered one works */
	g_wr(ent(t, 63, PCI_MSIX_ENTRY_ADDR_LO), 4, 0xFEE00000);
	g_wr(ent(t, 63, PCI_MSIX_ENTRY_DATA), 4, 0x77);
	g_wr(ent(t, 63, PCI_MSIX_ENTRY_CTRL), 4, 0);
	assert_int_equal(fvm.remap_calls, 1);
	assert_int_equal(fvm.last_src.index, 63);
	assert_int_equal(fake_mmio_get(ent(t, 63, PCI_MSIX_ENTRY_CTRL), 4), 0);
}

static void test_stale_entries_masked_on_enable(void **state)
{
	(void)state;
	fake_mmio_set(ent(X_TABLE, 7, PCI_MSIX_ENTRY_CTRL), 4, 0);
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 7, PCI_MSIX_ENTRY_CTRL), 4), 1);
}

static void test_disable_releases_entries(void **state)
{
	(void)state;
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	set_entry(0, 0xFEE00000, 0x50, 0);
	set_entry(1, 0xFEE00000, 0x51, 0);
	ctrl(DX, CAP_X, 0);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, 0);
	assert_int_equal(fvm.release_calls, 2);
	assert_true(fvm.last_release.msix);
	/* enabling again programs them again */
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	assert_int_equal(fvm.remap_calls, 4);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 1, PCI_MSIX_ENTRY_CTRL), 4), 0);
	vpci_deinit(&vp);
	assert_int_equal(fvm.release_calls, 4);
	assert_int_equal(fake_get(DX, CAP_X + 2, 2) & 0xC000, 0);
}

static void test_remap_refused_keeps_masked(void **state)
{
	(void)state;
	ctrl(DX, CAP_X, PCI_MSIX_CTRL_EN);
	fvm.remap_fail = true;
	set_entry(2, 0x12340000, 0x52, 0);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 2, PCI_MSIX_ENTRY_CTRL), 4), 1);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 2, PCI_MSIX_ENTRY_DATA), 4), 0);
	fvm.remap_fail = false;
	g_wr(ent(X_TABLE, 2, PCI_MSIX_ENTRY_ADDR_LO), 4, 0xFEE00000);
	assert_int_equal(fake_mmio_get(ent(X_TABLE, 2, PCI_MSIX_ENTRY_CTRL), 4), 0);
}

static void test_bar_move_moves_trap(void **state)
{
	u64 hpa;

	(void)state;
	set_entry(1, 0xFEE00000, 0x41, 1);
	guest_cfg_write(&vp, DX, PCI_BAR(0), 4, 0xC0600000);
	assert_null(fake_trap_at(X_TABLE));
	assert_false(fake_ept_lookup(X_BAR, &hpa));
	assert_non_null(fake_trap_at(0xC0602000));
	assert_true(fake_ept_lookup(0xC0603000, &hpa) && hpa == X_BAR + 0x3000);
	/* the virtual table moved with it */
	assert_int_equal(g_rd(0xC0602000 + 16 + PCI_MSIX_ENTRY_DATA, 4), 0x41);
	/* decode off: no trap, no mapping */
	guest_cfg_write(&vp, DX, PCI_COMMAND, 2, 0);
	u64 v;
	assert_int_equal(fake_guest_read(0xC0602000, 4, &v), -1);
	assert_int_equal(fake_guest_read(0xC0600000, 4, &v), -1);
	assert_int_equal(fvm.ntrap, 3);		/* DY's and DZ's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cap_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_pages_are_trapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_is_virtual, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmask_programs_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_function_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vector_mask_toggles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_while_unmasked_reprograms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qword_accesses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_illegal_table_accesses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pba_reads_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_registers_on_trapped_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sub_page_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entries_beyond_offer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_entries_masked_on_enable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_releases_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remap_refused_keeps_masked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_move_moves_trap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
