/*
 * What a passthrough function's guest may not write (dm/vpci/vpci_pt_guard.c):
 * SR-IOV's Control, NumVFs, page size and VF BARs, the (VF) Resizable BAR
 * controls, and the Intel host bridge's decoding registers for a Service VM
 * that owns it. Dropped writes leave the device as it was, the other bytes
 * of the same access still reach it, reads show the device, and only the
 * first drop of a function is logged.
 */
#include "test_vpci_fake.h"

extern unsigned host_printk_calls;

#define NIC PCI_BDF(0, 3, 0)	/* SR-IOV, ReBAR (2 BARs), VF ReBAR, AER */
#define HB PCI_BDF(0, 0, 0)	/* Intel host bridge */
#define AMD_HB PCI_BDF(0, 0, 0)
#define VNIC PCI_BDF(0, 2, 0)
#define SRIOV 0x100
#define REBAR 0x140
#define VFREBAR 0x180
#define AER 0x1C0
#define VF_BAR0 0xD0000000u

static struct vpci vp;

static void writable(struct fake_dev *d, u16 lo, u16 hi)
{
	memset(d->wmask + lo, 0xFF, hi - lo);
}

static struct vpci_vdev *vdev(u16 vbdf)
{
	for (unsigned i = 0; i < VPCI_MAX_VDEVS; i++)
		if (vp.vdev[i].ops && vp.vdev[i].vbdf == vbdf)
			return &vp.vdev[i];
	fail_msg("no vdev at %x", vbdf);
	return NULL;
}

/* one VM with devs (vbdf 0 = the host bridge itself, as the Service VM may have it) */
static void start(const struct vpci_dev_config *devs, unsigned n)
{
	struct vpci_config c;

	assert_int_equal(pci_enumerate() > 0, true);
	fake_vm_config(&c, devs, n);
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), 0);
	fake_nlog = 0;
}

static int setup_nic(void **state)
{
	static const struct vpci_dev_config devs[] = {
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = VNIC, .pbdf = NIC },
	};
	struct fake_dev *d;

	(void)state;
	fake_reset_all();
	d = fake_add(NIC, 0x8086, 0x1521, 0x02000001, 0);
	fake_bar(d, 0, 0xC0100000, 0x20000, PCI_BAR_MEM32, false);
	fake_pcie(d, 0x40, false);
	fake_ext_cap(d, SRIOV, 0x0010, REBAR);
	fake_ext_cap(d, REBAR, 0x0015, VFREBAR);
	fake_ext_cap(d, VFREBAR, 0x0024, AER);
	fake_ext_cap(d, AER, 0x0001, 0);
	writable(d, SRIOV + 4, SRIOV + 0x40);
	writable(d, REBAR + 4, REBAR + 0x20);
	writable(d, VFREBAR + 4, VFREBAR + 0x10);
	writable(d, AER + 4, AER + 0x10);
	d->w1c[SRIOV + 0x0A] = 0x01;			/* SR-IOV Status: VF Migration Status */
	d->wmask[SRIOV + 0x0A] = 0;
	d->cfg[SRIOV + 0x0A] = 0x01;
	d->cfg[SRIOV + 0x24 + 3] = VF_BAR0 >> 24;	/* VF BAR0 as firmware left it */
	d->cfg[REBAR + 8] = 2 << 5;			/* two resizable BARs: controls at +8, +0x10 */
	d->cfg[VFREBAR + 8] = 1 << 5;
	fake_done(d);
	start(devs, ARRAY_SIZE(devs));
	host_printk_calls = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&vp);
	vpci_deinit(&vp);
	return 0;
}

static u32 rd(u16 bdf, u16 off, unsigned size) { return guest_cfg_read(&vp, bdf, off, size); }
static void wr(u16 bdf, u16 off, unsigned size, u32 v) { guest_cfg_write(&vp, bdf, off, size, v); }

static void test_sriov_enable_and_vf_bars_dropped(void **state)
{
	(void)state;
	wr(VNIC, SRIOV + 0x10, 2, 4);			/* NumVFs */
	wr(VNIC, SRIOV + 0x08, 2, 0x0009);		/* VF Enable, VF Memory Space */
	wr(VNIC, SRIOV + 0x24, 4, 0xFFFFFFFF);		/* VF BAR0 sizing */
	wr(VNIC, SRIOV + 0x28, 4, 0xC0200000);		/* VF BAR1 */
	wr(VNIC, SRIOV + 0x20, 4, 0x10);		/* System Page Size */
	assert_int_equal(fake_nlog, 0);			/* nothing reached the device */
	assert_int_equal(fake_get(NIC, SRIOV + 0x08, 2), 0);
	assert_int_equal(fake_get(NIC, SRIOV + 0x10, 2), 0);
	/* reads show the device, which never saw the writes */
	assert_int_equal(rd(VNIC, SRIOV + 0x08, 2), 0);
	assert_int_equal(rd(VNIC, SRIOV + 0x10, 2), 0);
	assert_int_equal(rd(VNIC, SRIOV + 0x24, 4), VF_BAR0);
	assert_int_equal(vdev(VNIC)->guard_dropped, 5);
	/* logged once for the function, not per write */
	assert_int_equal(host_printk_calls, 1);
}

static void test_other_bytes_of_the_access_still_go(void **state)
{
	(void)state;
	/* a dword over SR-IOV Control and Status: Status's RW1C bit is cleared, Control is not */
	wr(VNIC, SRIOV + 0x08, 4, 0x00010001);
	assert_int_equal(fake_get(NIC, SRIOV + 0x08, 2), 0);
	assert_int_equal(fake_get(NIC, SRIOV + 0x0A, 1), 0);
	assert_true(fake_log_find(NIC, SRIOV + 0x0A, 0x01, 0) >= 0);
	assert_int_equal(fake_count_writes(NIC, SRIOV + 0x08), 0);
	/* the read-only SR-IOV registers and other capabilities are the device's business */
	wr(VNIC, SRIOV + 0x04, 4, 0x12);
	assert_int_equal(fake_count_writes(NIC, SRIOV + 0x04), 1);
	wr(VNIC, AER + 4, 4, 0x1234);
	assert_int_equal(fake_get(NIC, AER + 4, 4), 0x1234);
}

static void test_resizable_bar_controls_dropped(void **state)
{
	(void)state;
	wr(VNIC, REBAR + 0x08, 4, (2 << 5) | (8 << 8));		/* BAR size 256 MiB */
	wr(VNIC, REBAR + 0x10 + 1, 1, 0x0A);			/* the second BAR's size field */
	wr(VNIC, VFREBAR + 0x08, 2, 0x0400);
	assert_int_equal(fake_nlog, 0);
	assert_int_equal(rd(VNIC, REBAR + 0x08, 4), 2 << 5);
	assert_int_equal(vdev(VNIC)->guard_dropped, 3);
	/* past the two entries the capability ends: not guarded */
	wr(VNIC, REBAR + 0x14, 4, 0x77);
	assert_int_equal(fake_count_writes(NIC, REBAR + 0x14), 1);
	assert_int_equal(host_printk_calls, 1);
}

static int setup_hostbridge(void **state)
{
	static const struct vpci_dev_config devs[] = {
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = 0, .pbdf = HB },
	};
	struct fake_dev *d;

	(void)state;
	fake_reset_all();
	d = fake_add(HB, 0x8086, 0x5914, 0x06000008, 0);
	writable(d, 0x40, 0x100);
	d->cfg[0x4B] = 0xFE;				/* MCHBAR 0xFED10000 | enable */
	d->cfg[0x4A] = 0xD1;
	d->cfg[0x48] = 0x01;
	d->cfg[0xBF] = 0x80;				/* TOLUD 2 GiB */
	fake_done(d);
	start(devs, ARRAY_SIZE(devs));
	host_printk_calls = 0;
	return 0;
}

static void test_chipset_decoding_registers_dropped(void **state)
{
	static const struct { u16 off; unsigned size; u32 val; } w[] = {
		{ 0x48, 4, 0xC0000001 },	/* MCHBAR over the guest's BAR window */
		{ 0x60, 4, 0xE0000001 },	/* PCIEXBAR */
		{ 0x68, 4, 0xC0001001 },	/* DMIBAR */
		{ 0x40, 4, 0xC0002001 },	/* PXPEPBAR */
		{ 0x80, 4, 0x33333333 },	/* PAM0-3: BIOS area to DRAM */
		{ 0x86, 1, 0x33 },		/* PAM6 */
		{ 0x88, 1, 0x4A },		/* SMRAMC: D_OPEN */
		{ 0x90, 4, 0x100000 },		/* REMAPBASE (Q35: PAM) */
		{ 0x9E, 1, 0x01 },		/* Q35: ESMRAMC */
		{ 0xA8, 4, 0 },			/* TOUUD */
		{ 0xB0, 4, 0 },			/* BDSM */
		{ 0xB4, 4, 0 },			/* BGSM */
		{ 0xBC, 4, 0xF0000000 },	/* TOLUD */
		{ 0x50, 2, 0 },			/* GGC */
		{ 0x54, 4, 0 },			/* DEVEN: devices off */
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(w); i++)
		wr(0, w[i].off, w[i].size, w[i].val);
	assert_int_equal(fake_nlog, 0);
	assert_int_equal(fake_get(HB, 0x48, 4), 0xFED10001);
	assert_int_equal(rd(0, 0x48, 4), 0xFED10001);
	assert_int_equal(rd(0, 0xBC, 4), 0x80000000);
	assert_int_equal(vdev(0)->guard_dropped, ARRAY_SIZE(w));
	assert_int_equal(host_printk_calls, 1);
	/* device-specific bytes outside the decoding registers still reach it */
	wr(0, 0x89, 1, 0x5A);
	assert_int_equal(fake_get(HB, 0x89, 1), 0x5A);
	wr(0, 0xC8, 4, 0x1234);
	assert_int_equal(fake_get(HB, 0xC8, 4), 0x1234);
}

static int setup_other_hostbridge(void **state)
{
	static const struct vpci_dev_config devs[] = {
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = 0, .pbdf = AMD_HB },
	};
	struct fake_dev *d;

	(void)state;
	fake_reset_all();
	d = fake_add(AMD_HB, 0x1022, 0x1480, 0x06000000, 0);
	writable(d, 0x40, 0x100);
	fake_done(d);
	start(devs, ARRAY_SIZE(devs));
	return 0;
}

/* The offsets are Intel's: another vendor's host bridge keeps its registers. */
static void test_other_vendors_host_bridge_untouched(void **state)
{
	(void)state;
	wr(0, 0x60, 4, 0x12345678);
	assert_int_equal(fake_get(AMD_HB, 0x60, 4), 0x12345678);
	assert_int_equal(vdev(0)->guard_dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sriov_enable_and_vf_bars_dropped, setup_nic, teardown),
		cmocka_unit_test_setup_teardown(test_other_bytes_of_the_access_still_go, setup_nic, teardown),
		cmocka_unit_test_setup_teardown(test_resizable_bar_controls_dropped, setup_nic, teardown),
		cmocka_unit_test_setup_teardown(test_chipset_decoding_registers_dropped, setup_hostbridge,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_vendors_host_bridge_untouched,
						setup_other_hostbridge, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
