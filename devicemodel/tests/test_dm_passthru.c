/*
 * Passthrough (devicemodel/passthru.c): sysfs `resource` parsing, BAR
 * placement in the VM's window, the _PRT entries, and taking a function
 * from the Service VM on a fake sysfs tree: absent functions, bridges and
 * a driver that does not let go are refused naming the -s value, with
 * driver_override put back; a function without a driver is claimed and
 * released.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "passthru.h"
#include "vacpi.h"

/* Bochs's e1000 as the Service VM's sysfs shows it */
static const char e1000_res[] =
	"0x00000000c0000000 0x00000000c001ffff 0x0000000000040200\n"
	"0x000000000000c040 0x000000000000c07f 0x0000000000040101\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	"0x0000000000000000 0x0000000000000000 0x0000000000000000\n";

static void test_parse_resource(void **state)
{
	struct pt_res r[PT_NUM_BARS];

	(void)state;
	assert_int_equal(pt_parse_resource(e1000_res, r), 0);
	assert_int_equal(r[0].start, 0xc0000000);
	assert_int_equal(r[0].size, 0x20000);
	assert_int_equal(r[1].start, 0xc040);
	assert_int_equal(r[1].size, 0x40);
	for (unsigned i = 2; i < PT_NUM_BARS; i++)
		assert_int_equal(r[i].size, 0);
	assert_int_equal(pt_parse_resource("0x1000 0x1fff 0x200\n", r), -1);	/* too short */
	assert_int_equal(pt_parse_resource("garbage", r), -1);
	assert_int_equal(pt_parse_resource("0x2000 0x1fff 0x200\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n",
					   r), -1);	/* end below start */
}

static void test_place_bars(void **state)
{
	struct pt_res r[PT_NUM_BARS];
	uint32_t cfg[PT_NUM_BARS] = { 0xc0000000, 0xc041 }, out[PT_NUM_BARS];
	uint64_t next = PT_MMIO_BASE + 0x1000;
	char why[PT_WHY_LEN];

	(void)state;
	assert_int_equal(pt_parse_resource(e1000_res, r), 0);
	assert_int_equal(pt_place_bars(cfg, r, &next, PT_MMIO_END, out, why, sizeof(why)), 0);
	assert_int_equal(out[0], PT_MMIO_BASE + 0x20000);	/* aligned to its 128 KiB */
	assert_int_equal(out[1], 0xc041);			/* I/O: its own ports */
	assert_int_equal(next, PT_MMIO_BASE + 0x40000);

	/* a 64-bit prefetchable BAR (type bits kept, high half 0) and a small one (a page) */
	memset(r, 0, sizeof(r));
	memset(cfg, 0, sizeof(cfg));
	r[0] = (struct pt_res){ 0xfe000000, 0x100000 };
	cfg[0] = 0xfe00000c;
	r[2] = (struct pt_res){ 0xfe200000, 0x100 };
	cfg[2] = 0xfe200000;
	next = PT_MMIO_BASE;
	assert_int_equal(pt_place_bars(cfg, r, &next, PT_MMIO_END, out, why, sizeof(why)), 0);
	assert_int_equal(out[0], PT_MMIO_BASE | 0xc);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], PT_MMIO_BASE + 0x100000);
	assert_int_equal(next, PT_MMIO_BASE + 0x101000);

	/* no room: refused, *next unchanged */
	next = PT_MMIO_END - 0x80000;
	assert_int_equal(pt_place_bars(cfg, r, &next, PT_MMIO_END, out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "does not fit"));
	assert_int_equal(next, PT_MMIO_END - 0x80000);
	/* a size that is not a power of two */
	r[0].size = 0x30000;
	next = PT_MMIO_BASE;
	assert_int_equal(pt_place_bars(cfg, r, &next, PT_MMIO_END, out, why, sizeof(why)), -1);
}

/* ---- a fake /sys/bus/pci ---- */

static char root[64];

static void put(const char *rel, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void get(const char *rel, char *buf, size_t n)
{
	char path[256];
	FILE *f;
	size_t got;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	assert_non_null(f);
	got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
}

static void mk(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0700), 0);
}

/* 0000:00:03.0: the e1000's header (INTA, line 11), optionally a bridge or bound to a driver */
static void fake_e1000(uint8_t header, bool bound)
{
	uint8_t cfg[256];
	char path[256], target[256];

	memset(cfg, 0, sizeof(cfg));
	cfg[0] = 0x86; cfg[1] = 0x80; cfg[2] = 0x0e; cfg[3] = 0x10;
	cfg[0x0E] = header;
	cfg[0x10] = 0x00; cfg[0x13] = 0xc0;		/* BAR0 0xc0000000 */
	cfg[0x14] = 0x41; cfg[0x15] = 0xc0;		/* BAR1 I/O 0xc040 */
	cfg[0x3C] = 11;
	cfg[0x3D] = 1;
	mk("devices");
	mk("drivers");
	mk("devices/0000:00:03.0");
	put("devices/0000:00:03.0/config", cfg, sizeof(cfg));
	put("devices/0000:00:03.0/resource", e1000_res, sizeof(e1000_res) - 1);
	put("devices/0000:00:03.0/driver_override", "(null)\n", 7);
	if (bound) {
		/* its driver's unbind takes the write and never lets go (the link stays) */
		mk("drivers/e1000");
		put("drivers/e1000/unbind", "", 0);
		snprintf(path, sizeof(path), "%s/devices/0000:00:03.0/driver", root);
		snprintf(target, sizeof(target), "%s/drivers/e1000", root);
		assert_int_equal(symlink(target, path), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/dm-pt-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct dm_config cfg;

static void one_passthru(const char *spec, uint8_t slot, uint8_t dev)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.ndevs = 1;
	cfg.dev[0] = (struct dm_dev){ .slot = slot, .kind = DM_DEV_PASSTHRU, .spec = spec };
	cfg.dev[0].passthru.dev = dev;
}

static void test_claim_absent(void **state)
{
	static struct pt_set s;
	char err[256];

	(void)state;
	fake_e1000(0, false);
	one_passthru("7,passthru,0/9/0", 7, 9);
	assert_int_equal(pt_claim(&s, &cfg, root, err, sizeof(err)), -1);
	assert_string_equal(err, "-s 7,passthru,0/9/0: the Service VM has no PCI device 0000:00:09.0");
}

static void test_claim_bridge(void **state)
{
	static struct pt_set s;
	char err[256], ov[32];

	(void)state;
	fake_e1000(1, false);
	one_passthru("7,passthru,0/3/0", 7, 3);
	assert_int_equal(pt_claim(&s, &cfg, root, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-s 7,passthru,0/3/0: 0000:00:03.0 has header type 1"));
	get("devices/0000:00:03.0/driver_override", ov, sizeof(ov));
	assert_string_equal(ov, "(null)\n");		/* nothing changed */
}

static void test_claim_driver_holds_on(void **state)
{
	static struct pt_set s;
	char err[256], ov[32], unbind[32];

	(void)state;
	fake_e1000(0, true);
	one_passthru("7,passthru,0/3/0", 7, 3);
	assert_int_equal(pt_claim(&s, &cfg, root, err, sizeof(err)), -1);
	assert_string_equal(err, "-s 7,passthru,0/3/0: the Service VM's driver e1000 does not let go "
			    "of 0000:00:03.0 (still bound)");
	get("drivers/e1000/unbind", unbind, sizeof(unbind));
	assert_string_equal(unbind, "0000:00:03.0");	/* it was asked */
	get("devices/0000:00:03.0/driver_override", ov, sizeof(ov));
	assert_string_equal(ov, "\n");			/* cleared again */
}

static void test_claim_release(void **state)
{
	static struct pt_set s;
	struct vacpi_prt_entry prt[PT_MAX];
	char err[256], ov[32];

	(void)state;
	fake_e1000(0, false);
	one_passthru("7,passthru,0/3/0", 7, 3);
	assert_int_equal(pt_claim(&s, &cfg, root, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.dev[0].pbdf, 0x18);
	assert_int_equal(s.dev[0].vbdf, 0x38);
	assert_int_equal(s.dev[0].vendor, 0x8086);
	assert_int_equal(s.dev[0].device, 0x100e);
	assert_int_equal(s.dev[0].bar[0], PT_MMIO_BASE);
	assert_int_equal(s.dev[0].bar[1], 0xc041);
	assert_int_equal(s.dev[0].phys_gsi, 11);
	assert_int_equal(s.dev[0].virt_gsi, PT_GSI_BASE);
	get("devices/0000:00:03.0/driver_override", ov, sizeof(ov));
	assert_string_equal(ov, PT_OVERRIDE "\n");
	assert_int_equal(pt_prt(&s, prt, PT_MAX), 1);
	assert_int_equal(prt[0].dev, 7);
	assert_int_equal(prt[0].pin, 0);	/* INTA */
	assert_int_equal(prt[0].gsi, PT_GSI_BASE);
	pt_release(&s);
	get("devices/0000:00:03.0/driver_override", ov, sizeof(ov));
	assert_string_equal(ov, "\n");
	/* the same function twice */
	memset(&cfg, 0, sizeof(cfg));
	cfg.ndevs = 2;
	cfg.dev[0] = (struct dm_dev){ .slot = 7, .kind = DM_DEV_PASSTHRU, .spec = "7,passthru,0/3/0" };
	cfg.dev[1] = (struct dm_dev){ .slot = 8, .kind = DM_DEV_PASSTHRU, .spec = "8,passthru,0/3/0" };
	cfg.dev[0].passthru.dev = cfg.dev[1].passthru.dev = 3;
	assert_int_equal(pt_claim(&s, &cfg, root, err, sizeof(err)), -1);
	assert_string_equal(err, "-s 8,passthru,0/3/0: 0000:00:03.0 is passed through twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_resource),
		cmocka_unit_test(test_place_bars),
		cmocka_unit_test_setup_teardown(test_claim_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_driver_holds_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_release, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
