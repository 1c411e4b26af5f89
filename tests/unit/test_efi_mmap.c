/*
 * The UEFI memory map -> bulkhead's map (boot/efi_mmap.c), malformed maps
 * included, and the multiboot2 EFI tags (12, 17, 18) in boot/bootinfo.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bootinfo.h"
#include "errno.h"

/* EFI memory types (UEFI 2.x, table "Memory Type Usage") */
enum { RESERVED, LCODE, LDATA, BSCODE, BSDATA, RTCODE, RTDATA, CONV, UNUSABLE, RECLAIM, NVS,
       MMIO, MMIOPORT, PAL, PMEM, UNACCEPTED };

#define DSZ 48		/* what OVMF and most firmware use: 40 bytes + 8 of padding */
#define MAXD 64

static u8 map[MAXD * 64];
static unsigned nd;
static size_t dsz = DSZ;
static struct boot_mmap_entry out[BOOTINFO_MAX_MMAP];
static unsigned nr;

static void reset(size_t desc_size)
{
	memset(map, 0xA5, sizeof(map));		/* padding is garbage, as on real firmware */
	nd = 0;
	dsz = desc_size;
	memset(out, 0, sizeof(out));
	nr = 12345;
}

static void add(u32 type, u64 base, u64 pages)
{
	u8 *d = map + nd++ * dsz;
	u32 pad = 0;
	u64 virt = 0, attr = 0xF;

	memcpy(d, &type, 4);
	memcpy(d + 4, &pad, 4);
	memcpy(d + 8, &base, 8);
	memcpy(d + 16, &virt, 8);
	memcpy(d + 24, &pages, 8);
	memcpy(d + 32, &attr, 8);
}

static int convert(void)
{
	return efi_mmap_convert(map, nd * dsz, dsz, out, BOOTINFO_MAX_MMAP, &nr);
}

static void expect(unsigned i, u64 base, u64 len, u32 type)
{
	assert_true(i < nr);
	assert_int_equal(out[i].base, base);
	assert_int_equal(out[i].len, len);
	assert_int_equal(out[i].type, type);
}

/* A map like OVMF's (unsorted here): types folded into e820 ones, merged, sorted. */
static void test_types_sorted_merged(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x700);		/* 1 MiB .. 8 MiB */
	add(BSDATA, 0x800000, 0x100);		/* merges with the above: RAM after exit */
	add(CONV, 0x0, 0xA0);			/* 0 .. 640 KiB */
	add(RTDATA, 0x900000, 0x10);		/* runtime: reserved */
	add(LCODE, 0x910000, 0x10);
	add(LDATA, 0x920000, 0x10);
	add(BSCODE, 0x930000, 0x10);
	add(RECLAIM, 0x940000, 0x10);
	add(NVS, 0x950000, 0x10);
	add(UNUSABLE, 0x960000, 0x10);
	add(PMEM, 0x970000, 0x10);
	add(MMIO, 0xFEC00000, 0x1);
	add(RTCODE, 0x980000, 0x10);
	add(0x80000001u, 0x990000, 0x10);	/* an OS-defined type: reserved */
	add(UNACCEPTED, 0x9A0000, 0x10);	/* not usable before it is accepted */
	assert_int_equal(convert(), 0);
	assert_int_equal(nr, 10);
	expect(0, 0x0, 0xA0000, 1);
	expect(1, 0x100000, 0x800000, 1);
	expect(2, 0x900000, 0x10000, 2);
	expect(3, 0x910000, 0x30000, 1);	/* loader code/data and BS code merge */
	expect(4, 0x940000, 0x10000, 3);
	expect(5, 0x950000, 0x10000, 4);
	expect(6, 0x960000, 0x10000, 5);
	expect(7, 0x970000, 0x10000, 7);
	expect(8, 0x980000, 0x30000, 2);	/* RT code, OS type, unaccepted: one reserved range */
	expect(9, 0xFEC00000, 0x1000, 2);
}

/* A gap keeps two RAM ranges apart; zero-page descriptors are dropped; size 40 works. */
static void test_gap_zero_pages_size40(void **state)
{
	(void)state;
	reset(40);
	add(CONV, 0x200000, 0x10);
	add(CONV, 0x100000, 0x10);		/* 1 MiB .. +64 KiB, then a gap */
	add(CONV, 0x150000, 0);			/* empty: dropped (and not an overlap) */
	assert_int_equal(convert(), 0);
	assert_int_equal(nr, 2);
	expect(0, 0x100000, 0x10000, 1);
	expect(1, 0x200000, 0x10000, 1);
}

static void test_ends_at_top(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x100);
	add(RESERVED, 0xFFFFFFFFFFFFF000ULL, 1);	/* ends exactly at 2^64: allowed */
	assert_int_equal(convert(), 0);
	assert_int_equal(nr, 2);
	expect(1, 0xFFFFFFFFFFFFF000ULL, 0x1000, 2);
}

static void test_too_many_keeps_lowest(void **state)
{
	(void)state;
	reset(DSZ);
	/* alternating types: nothing merges; 70 ranges, highest first */
	for (int i = 69; i >= 0; i--)
		add(i % 2 ? CONV : RECLAIM, 0x100000 + (u64)i * 0x2000, 1);
	assert_int_equal(convert(), -E2BIG);
	assert_int_equal(nr, BOOTINFO_MAX_MMAP);
	expect(0, 0x100000, 0x1000, 3);
	expect(BOOTINFO_MAX_MMAP - 1, 0x100000 + (u64)(BOOTINFO_MAX_MMAP - 1) * 0x2000, 0x1000, 1);
}

static void expect_einval(void)
{
	assert_int_equal(convert(), -EINVAL);
	assert_int_equal(nr, 0);
}

static void test_bad_descriptor_size(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x10);
	assert_int_equal(efi_mmap_convert(map, 32, 32, out, BOOTINFO_MAX_MMAP, &nr), -EINVAL);
	assert_int_equal(efi_mmap_convert(map, 44, 44, out, BOOTINFO_MAX_MMAP, &nr), -EINVAL);
	assert_int_equal(efi_mmap_convert(map, 0, 0, out, BOOTINFO_MAX_MMAP, &nr), -EINVAL);
	/* a map size that is not a whole number of descriptors */
	assert_int_equal(efi_mmap_convert(map, DSZ + 8, DSZ, out, BOOTINFO_MAX_MMAP, &nr), -EINVAL);
	assert_int_equal(efi_mmap_convert(NULL, DSZ, DSZ, out, BOOTINFO_MAX_MMAP, &nr), -EINVAL);
	assert_int_equal(nr, 0);
}

static void test_misaligned_base(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x10);
	add(CONV, 0x200800, 0x10);
	expect_einval();
}

static void test_overlap(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x100);
	add(RTDATA, 0x180000, 0x10);		/* inside the RAM range: whose is it? */
	expect_einval();

	reset(DSZ);
	add(CONV, 0x100000, 0x10);
	add(CONV, 0x100000, 0x10);		/* the same base twice */
	expect_einval();

	reset(DSZ);
	add(CONV, 0x200000, 0x10);
	add(CONV, 0x100000, 0x101);		/* runs one page into the next */
	expect_einval();
}

static void test_wraps(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x10);
	add(CONV, 0xFFFFFFFFFFFFF000ULL, 2);	/* past 2^64 */
	expect_einval();

	reset(DSZ);
	add(CONV, 0x100000, 1ULL << 52);	/* pages << 12 overflows */
	expect_einval();
}

static void test_no_ram(void **state)
{
	(void)state;
	reset(DSZ);
	add(RESERVED, 0x0, 0x100);
	add(MMIO, 0xFEC00000, 1);
	assert_int_equal(convert(), -ENOENT);
	assert_int_equal(nr, 0);

	reset(DSZ);
	assert_int_equal(convert(), -ENOENT);	/* an empty map */
}

/* ---- multiboot2 blocks with EFI tags (boot/bootinfo.c) ---- */

static u8 blk[16384] __attribute__((aligned(8)));
static size_t off;
static struct boot_info bi;

static void mb_begin(void)
{
	memset(blk, 0, sizeof(blk));
	off = 8;
}

static u8 *mb_tag(u32 type, u32 body)
{
	u8 *t = blk + off;
	u32 size = 8 + body;

	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	off += (size + 7) & ~7u;
	return t + 8;
}

static int mb_end(void)
{
	u32 total;

	mb_tag(0, 0);
	total = (u32)off;
	memcpy(blk, &total, 4);
	return bootinfo_parse(MB2_BOOTLOADER_MAGIC, (u64)(uintptr_t)blk, &bi);
}

static void mb_efi_mmap(void)
{
	u8 *p = mb_tag(17, 8 + nd * dsz);
	u32 d = (u32)dsz, ver = 1;

	memcpy(p, &d, 4);
	memcpy(p + 4, &ver, 4);
	memcpy(p + 8, map, nd * dsz);
}

static void test_mb2_efi_mmap_used(void **state)
{
	u64 st = 0x1FB7E000ULL;

	(void)state;
	reset(DSZ);
	add(CONV, 0x0, 0xA0);
	add(BSDATA, 0x100000, 0x100);
	add(RTCODE, 0x200000, 0x10);
	mb_begin();
	memcpy(mb_tag(12, 8), &st, 8);
	mb_efi_mmap();
	assert_int_equal(mb_end(), 0);
	assert_true(bi.efi_mmap_used);
	assert_false(bi.efi_bs_active);
	assert_int_equal(bi.efi_systab, st);
	assert_int_equal(bi.nr_mmap, 3);
	assert_int_equal(bi.mmap[1].base, 0x100000);
	assert_int_equal(bi.mmap[1].len, 0x100000);
	assert_int_equal(bi.mmap[1].type, 1);
	assert_int_equal(bi.mmap[2].type, 2);
}

/* GRUB gives tag 6 and tag 17: its own reading (tag 6) wins, in either order. */
static void test_mb2_tag6_wins(void **state)
{
	u8 *p;
	u32 esz = 24, ver = 0, type = 1, rsv = 0;
	u64 base = 0x100000, len = 0x7000000;

	(void)state;
	reset(DSZ);
	add(CONV, 0x0, 0xA0);
	mb_begin();
	mb_efi_mmap();
	p = mb_tag(6, 8 + 24);
	memcpy(p, &esz, 4);
	memcpy(p + 4, &ver, 4);
	memcpy(p + 8, &base, 8);
	memcpy(p + 16, &len, 8);
	memcpy(p + 24, &type, 4);
	memcpy(p + 28, &rsv, 4);
	assert_int_equal(mb_end(), 0);
	assert_false(bi.efi_mmap_used);
	assert_int_equal(bi.nr_mmap, 1);
	assert_int_equal(bi.mmap[0].base, 0x100000);
}

static void test_mb2_bad_efi_mmap(void **state)
{
	(void)state;
	/* an overlapping map: the whole block is refused */
	reset(DSZ);
	add(CONV, 0x100000, 0x100);
	add(RTDATA, 0x100000, 0x1);
	mb_begin();
	mb_efi_mmap();
	assert_int_equal(mb_end(), -EINVAL);
	assert_int_equal(bi.nr_mmap, 0);

	/* no RAM in it */
	reset(DSZ);
	add(RESERVED, 0x100000, 0x100);
	mb_begin();
	mb_efi_mmap();
	assert_int_equal(mb_end(), -EINVAL);

	/* a tag too short for its own header */
	mb_begin();
	mb_tag(17, 4);
	assert_int_equal(mb_end(), -EINVAL);

	/* descriptor size 0 */
	reset(DSZ);
	add(CONV, 0x100000, 0x100);
	dsz = DSZ;
	mb_begin();
	{
		u8 *p = mb_tag(17, 8 + DSZ);
		u32 zero = 0;

		memcpy(p, &zero, 4);
		memcpy(p + 8, map, DSZ);
	}
	assert_int_equal(mb_end(), -EINVAL);
}

static void test_mb2_boot_services_active(void **state)
{
	(void)state;
	reset(DSZ);
	add(CONV, 0x100000, 0x100);
	mb_begin();
	mb_tag(18, 0);
	mb_efi_mmap();
	assert_int_equal(mb_end(), 0);
	assert_true(bi.efi_bs_active);

	mb_begin();
	mb_tag(12, 4);				/* EFI64 pointer tag too short */
	assert_int_equal(mb_end(), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_sorted_merged),
		cmocka_unit_test(test_gap_zero_pages_size40),
		cmocka_unit_test(test_ends_at_top),
		cmocka_unit_test(test_too_many_keeps_lowest),
		cmocka_unit_test(test_bad_descriptor_size),
		cmocka_unit_test(test_misaligned_base),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_wraps),
		cmocka_unit_test(test_no_ram),
		cmocka_unit_test(test_mb2_efi_mmap_used),
		cmocka_unit_test(test_mb2_tag6_wins),
		cmocka_unit_test(test_mb2_bad_efi_mmap),
		cmocka_unit_test(test_mb2_boot_services_active),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
