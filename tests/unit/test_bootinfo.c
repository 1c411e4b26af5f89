/* Multiboot1/2 boot info parsing, including truncated and hostile blocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "bootinfo.h"
#include "errno.h"

static struct boot_info bi;

/*
 * Multiboot1 pointers are 32 bits, so mb1 blocks are built in an arena
 * mapped below 2 GiB (MAP_32BIT); the parser dereferences them directly.
 */
#define ARENA_SIZE (1u << 20)
static u8 *arena;
static size_t arena_used;

static void *a32(size_t n)
{
	void *p = arena + arena_used;

	arena_used += (n + 15) & ~(size_t)15;
	assert_true(arena_used <= ARENA_SIZE);
	return p;
}

static u32 a32_addr(const void *p)
{
	return (u32)(uintptr_t)p;
}

static u32 a32_str(const char *s)
{
	char *p = a32(strlen(s) + 1);

	strcpy(p, s);
	return a32_addr(p);
}

static int group_setup(void **state)
{
	(void)state;
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	return arena == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	munmap(arena, ARENA_SIZE);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(arena, 0, ARENA_SIZE);
	arena_used = 0;
	memset(&bi, 0x5A, sizeof(bi));
	return 0;
}

/* ---- multiboot1 ---- */

struct mb1 {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	u32 drives_length, drives_addr, config_table, boot_loader_name;
	u32 apm_table, vbe[4];
} __attribute__((packed));

struct mb1_mod {
	u32 start, end, string, reserved;
};

struct mb1_mmap {
	u32 size;
	u64 base, len;
	u32 type;
} __attribute__((packed));

static struct mb1 *mb1_new(void)
{
	return a32(sizeof(struct mb1));
}

static struct mb1_mmap *mb1_mmap(struct mb1 *mi, unsigned n)
{
	struct mb1_mmap *e = a32(n * sizeof(*e));

	mi->flags |= BIT(6);
	mi->mmap_addr = a32_addr(e);
	mi->mmap_length = n * sizeof(*e);
	for (unsigned i = 0; i < n; i++) {
		e[i].size = 20;
		e[i].base = i * 0x100000ULL;
		e[i].len = 0x80000;
		e[i].type = 1 + i % 4;
	}
	return e;
}

static struct mb1_mod *mb1_mods(struct mb1 *mi, unsigned n)
{
	struct mb1_mod *m = a32(n * sizeof(*m));

	mi->flags |= BIT(3);
	mi->mods_addr = a32_addr(m);
	mi->mods_count = n;
	for (unsigned i = 0; i < n; i++) {
		m[i].start = 0x400000 + i * 0x10000;
		m[i].end = m[i].start + 0x1234;
		m[i].string = a32_str(i == 0 ? "linux console=ttyS0" : "initrd");
	}
	return m;
}

static int parse1(struct mb1 *mi)
{
	return bootinfo_parse(MB1_BOOTLOADER_MAGIC, (u64)(uintptr_t)mi, &bi);
}

static void expect_cleared(void)
{
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nr_mods, 0);
	assert_int_equal(bi.nr_mmap, 0);
	assert_int_equal(bi.rsdp, 0);
	assert_false(bi.has_meminfo);
}

static void test_mb1_full(void **state)
{
	struct mb1 *mi = mb1_new();

	(void)state;
	mi->flags = BIT(0) | BIT(2) | BIT(9);
	mi->mem_lower = 639;
	mi->mem_upper = 130048;
	mi->cmdline = a32_str("/boot/bulkhead.elf loglevel=3");
	mi->boot_loader_name = a32_str("GRUB 2.06");
	mb1_mods(mi, 2);
	mb1_mmap(mi, 3);

	assert_int_equal(parse1(mi), 0);
	assert_string_equal(bi.loader, "multiboot1");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_true(bi.has_meminfo);
	assert_int_equal(bi.mem_lower_kb, 639);
	assert_int_equal(bi.mem_upper_kb, 130048);
	assert_string_equal(bi.cmdline, "/boot/bulkhead.elf loglevel=3");
	assert_int_equal(bi.nr_mods, 2);
	assert_int_equal(bi.mods[0].start, 0x400000);
	assert_int_equal(bi.mods[0].end, 0x401234);
	assert_string_equal(bi.mods[0].string, "linux console=ttyS0");
	assert_int_equal(bi.mods[1].start, 0x410000);
	assert_string_equal(bi.mods[1].string, "initrd");
	assert_int_equal(bi.nr_mmap, 3);
	assert_int_equal(bi.mmap[2].base, 0x200000);
	assert_int_equal(bi.mmap[2].len, 0x80000);
	assert_int_equal(bi.mmap[2].type, 3);
	assert_int_equal(bi.rsdp, 0);
	assert_int_equal(bi.rsdp_len, 0);
}

static void test_mb1_flags_honoured(void **state)
{
	struct mb1 *mi = mb1_new();

	(void)state;
	mi->cmdline = a32_str("ignored");
	mi->boot_loader_name = a32_str("ignored");
	mb1_mods(mi, 2);
	mb1_mmap(mi, 3);
	mi->mem_upper = 1234;
	mi->flags = 0;		/* fields are there, flags say they are not */
	assert_int_equal(parse1(mi), 0);
	expect_cleared();
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.mem_upper_kb, 0);
	assert_string_equal(bi.loader, "multiboot1");

	/* Flag set but a NULL string pointer: empty, not a crash. */
	mi->flags = BIT(2);
	mi->cmdline = 0;
	assert_int_equal(parse1(mi), 0);
	assert_string_equal(bi.cmdline, "");
}

static void test_mb1_string_truncation(void **state)
{
	struct mb1 *mi = mb1_new();
	char longs[600];
	struct mb1_mod *m;

	(void)state;
	memset(longs, 'c', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	mi->flags = BIT(2);
	mi->cmdline = a32_str(longs);
	m = mb1_mods(mi, 1);
	m[0].string = a32_str(longs);
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(strlen(bi.cmdline), BOOTINFO_CMDLINE_LEN - 1);
	assert_int_equal(bi.cmdline[0], 'c');
	assert_int_equal(strlen(bi.mods[0].string), BOOTINFO_MODSTR_LEN - 1);
	m[0].string = 0;
	assert_int_equal(parse1(mi), 0);
	assert_string_equal(bi.mods[0].string, "");
}

static void test_mb1_too_many_modules(void **state)
{
	struct mb1 *mi = mb1_new();

	(void)state;
	mb1_mods(mi, BOOTINFO_MAX_MODS);
	mi->mods_count = 100000;	/* only the first 16 are ever read */
	mi->flags |= BIT(2);
	mi->cmdline = a32_str("still parsed");
	mb1_mmap(mi, 2);
	assert_int_equal(parse1(mi), -E2BIG);
	assert_int_equal(bi.nr_mods, BOOTINFO_MAX_MODS);
	assert_string_equal(bi.mods[15].string, "initrd");
	assert_string_equal(bi.cmdline, "still parsed");
	assert_int_equal(bi.nr_mmap, 2);
}

static void test_mb1_too_many_mmap(void **state)
{
	struct mb1 *mi = mb1_new();

	(void)state;
	mb1_mmap(mi, 70);
	assert_int_equal(parse1(mi), -E2BIG);
	assert_int_equal(bi.nr_mmap, BOOTINFO_MAX_MMAP);
	assert_int_equal(bi.mmap[63].base, 63 * 0x100000ULL);
}

static void test_mb1_mmap_variants(void **state)
{
	struct mb1 *mi = mb1_new();
	u8 *raw;

	(void)state;
	/* Entries with size 24 (4 extra bytes) and a zero-length one. */
	raw = a32(3 * 28);
	for (unsigned i = 0; i < 3; i++) {
		u8 *e = raw + i * 28;
		u32 size = 24, type = 1;
		u64 base = i * 0x1000ULL, len = i == 1 ? 0 : 0x1000;

		memcpy(e, &size, 4);
		memcpy(e + 4, &base, 8);
		memcpy(e + 12, &len, 8);
		memcpy(e + 20, &type, 4);
	}
	mi->flags = BIT(6);
	mi->mmap_addr = a32_addr(raw);
	mi->mmap_length = 3 * 28;
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nr_mmap, 2);
	assert_int_equal(bi.mmap[0].base, 0);
	assert_int_equal(bi.mmap[1].base, 0x2000);
}

static void test_mb1_hostile(void **state)
{
	struct mb1 *mi = mb1_new();
	struct mb1_mmap *e;
	struct mb1_mod *m;

	(void)state;
	mi->flags = BIT(2);
	mi->cmdline = a32_str("x");
	e = mb1_mmap(mi, 3);

	e[1].size = 19;				/* entry size too small */
	assert_int_equal(parse1(mi), -EINVAL);
	mi->mmap_length = 4 + 19;		/* ... even if it fits */
	e[0].size = 19;
	assert_int_equal(parse1(mi), -EINVAL);
	e[0].size = 20;
	mi->mmap_length = 3 * sizeof(*e);
	expect_cleared();
	assert_string_equal(bi.loader, "multiboot1");
	e[1].size = 0;
	assert_int_equal(parse1(mi), -EINVAL);
	e[1].size = 20;
	e[2].size = 40;				/* runs past mmap_length */
	assert_int_equal(parse1(mi), -EINVAL);
	e[2].size = 20;
	mi->mmap_length -= 2;			/* length cuts an entry */
	assert_int_equal(parse1(mi), -EINVAL);
	mi->mmap_length = 0xFFFFFF00;		/* past 4 GiB */
	assert_int_equal(parse1(mi), -EINVAL);
	mi->mmap_length = 3 * sizeof(*e);
	mi->mmap_addr = 0;
	assert_int_equal(parse1(mi), -EINVAL);
	mi->mmap_length = 0;			/* empty map: fine */
	assert_int_equal(parse1(mi), 0);
	assert_int_equal(bi.nr_mmap, 0);

	m = mb1_mods(mi, 2);
	m[1].end = m[1].start - 1;		/* end < start */
	assert_int_equal(parse1(mi), -EINVAL);
	expect_cleared();
	m[1].end = m[1].start;			/* empty module is legal */
	assert_int_equal(parse1(mi), 0);
	mi->mods_addr = 0;
	assert_int_equal(parse1(mi), -EINVAL);
	mi->mods_addr = 0xFFFFFFF8;		/* array crosses 4 GiB */
	assert_int_equal(parse1(mi), -EINVAL);
	mi->mods_count = 0;			/* nothing to read: fine */
	assert_int_equal(parse1(mi), 0);

	assert_int_equal(bootinfo_parse(MB1_BOOTLOADER_MAGIC, 0, &bi), -EINVAL);
	assert_int_equal(bootinfo_parse(MB1_BOOTLOADER_MAGIC, 1ULL << 32, &bi), -EINVAL);
	assert_int_equal(bootinfo_parse(MB1_BOOTLOADER_MAGIC, 0xFFFFFFF0, &bi), -EINVAL);
}

static void test_bad_magic(void **state)
{
	struct mb1 *mi = mb1_new();

	(void)state;
	assert_int_equal(bootinfo_parse(0x1BADB002, (u64)(uintptr_t)mi, &bi), -EINVAL);
	assert_string_equal(bi.loader, "unknown");
	expect_cleared();
}

/* ---- multiboot2 ---- */

static u8 mb2buf[70000] __attribute__((aligned(8)));
static size_t mb2off;

static void mb2_begin(void)
{
	memset(mb2buf, 0, sizeof(mb2buf));
	mb2off = 8;
}

static u8 *mb2_tag(u32 type, u32 size)
{
	u8 *t = mb2buf + mb2off;

	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	mb2off += (size + 7) & ~7u;
	assert_true(mb2off + 8 <= sizeof(mb2buf));
	return t;
}

static void mb2_str_tag(u32 type, const char *s)
{
	u8 *t = mb2_tag(type, 8 + strlen(s) + 1);

	memcpy(t + 8, s, strlen(s) + 1);
}

static void mb2_module(u32 start, u32 end, const char *s)
{
	u8 *t = mb2_tag(3, 16 + strlen(s) + 1);

	memcpy(t + 8, &start, 4);
	memcpy(t + 12, &end, 4);
	memcpy(t + 16, s, strlen(s) + 1);
}

static u8 *mb2_mmap(unsigned n, u32 esz)
{
	u8 *t = mb2_tag(6, 16 + n * esz);
	u32 ver = 0;

	memcpy(t + 8, &esz, 4);
	memcpy(t + 12, &ver, 4);
	for (unsigned i = 0; i < n; i++) {
		u64 base = i * 0x200000ULL, len = 0x100000 + i;
		u32 type = i == 1 ? 2 : 1;

		memcpy(t + 16 + i * esz, &base, 8);
		memcpy(t + 24 + i * esz, &len, 8);
		memcpy(t + 32 + i * esz, &type, 4);
	}
	return t;
}

static void mb2_rsdp(u32 type, unsigned len, u8 fill)
{
	u8 *t = mb2_tag(type, 8 + len);

	memset(t + 8, fill, len);
	memcpy(t + 8, "RSD PTR ", 8);
}

static u32 mb2_finish(void)
{
	u32 total;

	mb2_tag(0, 8);
	total = (u32)mb2off;
	memcpy(mb2buf, &total, 4);
	return total;
}

static void mb2_set_total(u32 total)
{
	memcpy(mb2buf, &total, 4);
}

static int parse2(void)
{
	return bootinfo_parse(MB2_BOOTLOADER_MAGIC, (u64)(uintptr_t)mb2buf, &bi);
}

static void test_mb2_full(void **state)
{
	u8 *unk;

	(void)state;
	mb2_begin();
	mb2_str_tag(1, "loglevel=3 exit=bochs");
	mb2_str_tag(2, "GRUB 2.06");
	unk = mb2_tag(21, 13);		/* unknown tag, odd size: padded */
	memset(unk + 8, 0xEE, 5);
	mb2_module(0x800000, 0x900000, "linux root=/dev/sda");
	mb2_module(0x900000, 0x900100, "initrd");
	{
		u8 *t = mb2_tag(4, 16);
		u32 lo = 639, hi = 261120;

		memcpy(t + 8, &lo, 4);
		memcpy(t + 12, &hi, 4);
	}
	mb2_mmap(3, 24);
	mb2_rsdp(15, 36, 0x42);
	mb2_finish();

	assert_int_equal(parse2(), 0);
	assert_string_equal(bi.loader, "multiboot2");
	assert_string_equal(bi.loader_name, "GRUB 2.06");
	assert_string_equal(bi.cmdline, "loglevel=3 exit=bochs");
	assert_int_equal(bi.nr_mods, 2);
	assert_int_equal(bi.mods[0].start, 0x800000);
	assert_int_equal(bi.mods[0].end, 0x900000);
	assert_string_equal(bi.mods[0].string, "linux root=/dev/sda");
	assert_string_equal(bi.mods[1].string, "initrd");
	assert_true(bi.has_meminfo);
	assert_int_equal(bi.mem_lower_kb, 639);
	assert_int_equal(bi.mem_upper_kb, 261120);
	assert_int_equal(bi.nr_mmap, 3);
	assert_int_equal(bi.mmap[1].base, 0x200000);
	assert_int_equal(bi.mmap[1].len, 0x100001);
	assert_int_equal(bi.mmap[1].type, 2);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp, (u64)(uintptr_t)bi.rsdp_copy);
	assert_memory_equal(bi.rsdp_copy, "RSD PTR ", 8);
	assert_int_equal(bi.rsdp_copy[35], 0x42);
}

static void test_mb2_rsdp_preference(void **state)
{
	(void)state;
	mb2_begin();
	mb2_rsdp(14, 20, 0x11);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.rsdp_len, 20);
	assert_int_equal(bi.rsdp_copy[19], 0x11);
	assert_int_equal(bi.rsdp_copy[20], 0);
	assert_int_equal(bi.rsdp, (u64)(uintptr_t)bi.rsdp_copy);

	/* New after old, and old after new: the 36-byte copy wins either way. */
	mb2_begin();
	mb2_rsdp(14, 20, 0x11);
	mb2_rsdp(15, 36, 0x22);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp_copy[19], 0x22);

	mb2_begin();
	mb2_rsdp(15, 36, 0x22);
	mb2_rsdp(14, 20, 0x11);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_int_equal(bi.rsdp_copy[19], 0x22);

	/* A copy without the signature is ignored. */
	mb2_begin();
	{
		u8 *t = mb2_tag(15, 8 + 36);

		memcpy(t + 8, "RSD PTX ", 8);
	}
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.rsdp, 0);
	assert_int_equal(bi.rsdp_len, 0);

	/* Too short for what the tag type promises. */
	mb2_begin();
	mb2_rsdp(15, 20, 0x22);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	mb2_begin();
	mb2_rsdp(14, 19, 0x22);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
}

static void test_mb2_strings_bounded_by_tag(void **state)
{
	u8 *t;
	char longs[400];

	(void)state;
	mb2_begin();
	t = mb2_tag(1, 8 + 5);		/* "hello" with no NUL inside the tag */
	memcpy(t + 8, "helloXYZ", 8);	/* padding bytes are not NUL either */
	t = mb2_tag(3, 16 + 3);
	memset(t + 8, 0, 8);
	memcpy(t + 16, "abcdefgh", 8);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_string_equal(bi.cmdline, "hello");
	assert_string_equal(bi.mods[0].string, "abc");

	memset(longs, 'q', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	mb2_begin();
	mb2_str_tag(1, longs);
	mb2_str_tag(2, longs);
	mb2_module(0, 0, longs);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(strlen(bi.cmdline), 255);
	assert_int_equal(strlen(bi.loader_name), BOOTINFO_NAME_LEN - 1);
	assert_int_equal(strlen(bi.mods[0].string), 63);

	/* Module tag with no string at all. */
	mb2_begin();
	mb2_tag(3, 16);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.nr_mods, 1);
	assert_string_equal(bi.mods[0].string, "");
}

static void test_mb2_total_size_lies(void **state)
{
	u32 total;

	(void)state;
	mb2_begin();
	mb2_str_tag(1, "abcdefghijkl");
	mb2_module(0x1000, 0x2000, "m");
	total = mb2_finish();

	mb2_set_total(total - 8);	/* end tag falls outside */
	assert_int_equal(parse2(), -EINVAL);
	expect_cleared();
	mb2_set_total(40);		/* cuts through the module tag */
	assert_int_equal(parse2(), -EINVAL);
	mb2_set_total(20);		/* cuts through the first tag */
	assert_int_equal(parse2(), -EINVAL);
	mb2_set_total(15);
	assert_int_equal(parse2(), -EINVAL);
	mb2_set_total(0);
	assert_int_equal(parse2(), -EINVAL);
	mb2_set_total(BOOTINFO_MB2_MAX_SIZE + 1);
	assert_int_equal(parse2(), -EINVAL);
	mb2_set_total(0xFFFFFFFF);
	assert_int_equal(parse2(), -EINVAL);
	mb2_set_total(total);
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.nr_mods, 1);
}

static void test_mb2_total_size_too_big_stops_at_end(void **state)
{
	u32 total, big = BOOTINFO_MB2_MAX_SIZE;
	u8 *exact;

	(void)state;
	mb2_begin();
	mb2_str_tag(1, "x");
	total = mb2_finish();
	/* An exactly sized heap copy: ASan flags any read past the end tag. */
	exact = malloc(total);
	assert_non_null(exact);
	memcpy(exact, mb2buf, total);
	memcpy(exact, &big, 4);
	assert_int_equal(bootinfo_parse(MB2_BOOTLOADER_MAGIC, (u64)(uintptr_t)exact, &bi), 0);
	assert_string_equal(bi.cmdline, "x");
	free(exact);
}

static void test_mb2_bad_tags(void **state)
{
	u8 *t;

	(void)state;
	/* Tag size 0 must not loop forever. */
	mb2_begin();
	mb2_tag(1, 0);
	mb2off = 16;
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);

	mb2_begin();
	mb2_tag(21, 4);
	mb2off = 16;
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);

	/* End tag with a wrong size. */
	mb2_begin();
	mb2_tag(0, 16);
	mb2_set_total(mb2off);
	assert_int_equal(parse2(), -EINVAL);

	/* No end tag at all: tags fill total_size exactly. */
	mb2_begin();
	mb2_str_tag(1, "abc");
	mb2_set_total(mb2off);
	assert_int_equal(parse2(), -EINVAL);

	/* Misaligned info block. */
	mb2_begin();
	mb2_finish();
	assert_int_equal(parse2(), 0);
	memmove(mb2buf + 4, mb2buf, 16);
	assert_int_equal(bootinfo_parse(MB2_BOOTLOADER_MAGIC, (u64)(uintptr_t)(mb2buf + 4), &bi),
			 -EINVAL);
	assert_int_equal(bootinfo_parse(MB2_BOOTLOADER_MAGIC, 0, &bi), -EINVAL);

	/* Module tag too short, module end before start. */
	mb2_begin();
	mb2_tag(3, 12);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	mb2_begin();
	mb2_module(0x2000, 0x1FFF, "x");
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	expect_cleared();

	/* Basic meminfo too short. */
	mb2_begin();
	mb2_tag(4, 12);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);

	/* mmap: header too short, entry size too small or unaligned, ragged. */
	mb2_begin();
	mb2_tag(6, 12);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	mb2_begin();
	mb2_mmap(2, 20);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	mb2_begin();
	mb2_mmap(2, 28);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	mb2_begin();
	t = mb2_mmap(2, 24);
	{
		u32 size = 16 + 2 * 24 - 8;

		memcpy(t + 4, &size, 4);
	}
	mb2off = (size_t)(t - mb2buf) + 16 + 2 * 24 - 8;
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	mb2_begin();
	t = mb2_mmap(0, 0);
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
}

static void test_mb2_mmap_entry_size_32(void **state)
{
	(void)state;
	mb2_begin();
	mb2_mmap(4, 32);
	mb2_finish();
	assert_int_equal(parse2(), 0);
	assert_int_equal(bi.nr_mmap, 4);
	assert_int_equal(bi.mmap[3].base, 3 * 0x200000ULL);
	assert_int_equal(bi.mmap[3].len, 0x100003);
	assert_int_equal(bi.mmap[3].type, 1);
}

static void test_mb2_too_many(void **state)
{
	char name[16];

	(void)state;
	mb2_begin();
	mb2_mmap(100, 24);
	for (unsigned i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mb2_module(i * 0x1000, i * 0x1000 + 0x800, name);
	}
	mb2_str_tag(1, "after the overflow");
	mb2_finish();
	assert_int_equal(parse2(), -E2BIG);
	assert_int_equal(bi.nr_mmap, BOOTINFO_MAX_MMAP);
	assert_int_equal(bi.mmap[63].base, 63 * 0x200000ULL);
	assert_int_equal(bi.nr_mods, BOOTINFO_MAX_MODS);
	assert_string_equal(bi.mods[15].string, "mod15");
	assert_string_equal(bi.cmdline, "after the overflow");

	/* A malformed tag after an overflow still fails the whole parse. */
	mb2_begin();
	for (unsigned i = 0; i < 17; i++)
		mb2_module(0, 0, "m");
	mb2_module(1, 0, "bad");
	mb2_finish();
	assert_int_equal(parse2(), -EINVAL);
	expect_cleared();
}

/* ---- module lookup ---- */

static void test_find_module(void **state)
{
	const struct boot_module *m = NULL;

	(void)state;
	memset(&bi, 0, sizeof(bi));
	strcpy(bi.mods[0].string, "linux2");
	strcpy(bi.mods[1].string, "linux  console=ttyS0 quiet");
	strcpy(bi.mods[2].string, "initrd");
	strcpy(bi.mods[3].string, "");
	strcpy(bi.mods[4].string, "hidden");	/* beyond nr_mods */
	bi.nr_mods = 4;

	assert_true(bootinfo_find_module(&bi, "linux", &m));
	assert_ptr_equal(m, &bi.mods[1]);
	assert_string_equal(bootinfo_module_args(m), "console=ttyS0 quiet");
	assert_true(bootinfo_find_module(&bi, "linux2", &m));
	assert_ptr_equal(m, &bi.mods[0]);
	assert_string_equal(bootinfo_module_args(m), "");
	assert_true(bootinfo_find_module(&bi, "initrd", NULL));
	assert_false(bootinfo_find_module(&bi, "lin", &m));
	assert_false(bootinfo_find_module(&bi, "linux console=ttyS0", &m));
	assert_false(bootinfo_find_module(&bi, "hidden", &m));
	assert_false(bootinfo_find_module(&bi, "", &m));
	assert_false(bootinfo_find_module(&bi, NULL, &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mb1_full, setup),
		cmocka_unit_test_setup(test_mb1_flags_honoured, setup),
		cmocka_unit_test_setup(test_mb1_string_truncation, setup),
		cmocka_unit_test_setup(test_mb1_too_many_modules, setup),
		cmocka_unit_test_setup(test_mb1_too_many_mmap, setup),
		cmocka_unit_test_setup(test_mb1_mmap_variants, setup),
		cmocka_unit_test_setup(test_mb1_hostile, setup),
		cmocka_unit_test_setup(test_bad_magic, setup),
		cmocka_unit_test_setup(test_mb2_full, setup),
		cmocka_unit_test_setup(test_mb2_rsdp_preference, setup),
		cmocka_unit_test_setup(test_mb2_strings_bounded_by_tag, setup),
		cmocka_unit_test_setup(test_mb2_total_size_lies, setup),
		cmocka_unit_test_setup(test_mb2_total_size_too_big_stops_at_end, setup),
		cmocka_unit_test_setup(test_mb2_bad_tags, setup),
		cmocka_unit_test_setup(test_mb2_mmap_entry_size_32, setup),
		cmocka_unit_test_setup(test_mb2_too_many, setup),
		cmocka_unit_test_setup(test_find_module, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
