/* Unit tests for the second-level page table builder (vtd/pagetable.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "vtd_pt.h"

#define MAX_PAGES 4096
#define MB (1ULL << 20)
#define GB (1ULL << 30)

static struct {
	void *pages[MAX_PAGES];
	unsigned nr;
	int fail_after;		/* allocations left before failing; -1 never */
	unsigned flushes;
	const void *flushed[64];
} env;

static void *alloc_page(void *ctx)
{
	void *p;

	(void)ctx;
	if (env.fail_after == 0)
		return NULL;
	if (env.fail_after > 0)
		env.fail_after--;
	assert_true(env.nr < MAX_PAGES);
	p = aligned_alloc(4096, 4096);
	memset(p, 0xCC, 4096);	/* the builder relies on the allocator zeroing */
	memset(p, 0, 4096);
	env.pages[env.nr++] = p;
	return p;
}

static void flush(void *ctx, const void *p, size_t len)
{
	(void)ctx;
	assert_true(len == 8 || len == 4096);
	if (env.flushes < 64)
		env.flushed[env.flushes] = p;
	env.flushes++;
}

static void free_page(void *ctx, void *p)
{
	(void)ctx;
	for (unsigned i = 0; i < env.nr; i++)
		if (env.pages[i] == p) {
			free(p);
			env.pages[i] = env.pages[--env.nr];
			return;
		}
	fail_msg("freed a page the tree never allocated: %p", p);
}

static const struct vtd_pt_ops ops = { .alloc_page = alloc_page, .flush = flush };
static const struct vtd_pt_ops ops_free = { .alloc_page = alloc_page, .flush = flush,
					    .free_page = free_page };
static struct vtd_pt pt;

static int setup(void **state)
{
	(void)state;
	memset(&env, 0, sizeof(env));
	env.fail_after = -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < env.nr; i++)
		free(env.pages[i]);
	env.nr = 0;
	return 0;
}

static void init3(bool big2m, bool big1g)
{
	assert_int_equal(vtd_pt_init(&pt, 3, 39, 39, big2m, big1g, &ops), 0);
}

static u64 xlate(u64 iova, unsigned *level)
{
	u64 pa = ~0ULL;

	assert_int_equal(vtd_pt_lookup(&pt, iova, &pa, NULL, level), 0);
	return pa;
}

/* The raw entry at @level for @iova (walking only tables). */
static u64 raw(u64 iova, unsigned level)
{
	const u64 *t = pt.root;

	for (unsigned l = pt.levels; l > level; l--) {
		u64 e = t[(iova >> VTD_LEVEL_SHIFT(l)) & 511];

		assert_true(e & VTD_PTE_R);
		assert_false(e & VTD_PTE_PS);
		t = (const u64 *)(uintptr_t)(e & VTD_PTE_ADDR);
	}
	return t[(iova >> VTD_LEVEL_SHIFT(level)) & 511];
}

static void test_init(void **state)
{
	(void)state;
	assert_int_equal(vtd_pt_init(&pt, 2, 39, 39, 0, 0, &ops), -EINVAL);
	assert_int_equal(vtd_pt_init(&pt, 5, 57, 39, 0, 0, &ops), -EINVAL);
	assert_int_equal(vtd_pt_init(&pt, 3, 39, 53, 0, 0, &ops), -EINVAL);
	assert_int_equal(vtd_pt_init(&pt, 3, 39, 39, 0, 0, NULL), -EINVAL);
	env.fail_after = 0;
	assert_int_equal(vtd_pt_init(&pt, 3, 39, 39, 0, 0, &ops), -ENOMEM);
	env.fail_after = -1;
	init3(false, false);
	assert_int_equal(pt.iova_limit, 1ULL << 39);
	assert_int_equal(pt.nr_tables, 1);
	/* a new table is flushed whole: a non-coherent unit must not see stale lines */
	assert_int_equal(env.flushes, 1);
	assert_ptr_equal(env.flushed[0], pt.root);
	/* the width may be below what the levels reach (MGAW 36) */
	assert_int_equal(vtd_pt_init(&pt, 4, 36, 39, 0, 0, &ops), 0);
	assert_int_equal(pt.iova_limit, 1ULL << 36);
}

static void test_map_4k(void **state)
{
	unsigned perm, level;
	u64 pa, e;

	(void)state;
	init3(true, true);
	env.flushes = 0;
	assert_int_equal(vtd_pt_map(&pt, 0x1000, 0x7654000, 0x1000, VTD_PERM_RW), 0);
	assert_int_equal(pt.nr_tables, 3);
	assert_int_equal(vtd_pt_lookup(&pt, 0x1abc, &pa, &perm, &level), 0);
	assert_int_equal(pa, 0x7654abc);
	assert_int_equal(perm, VTD_PERM_RW);
	assert_int_equal(level, 1);
	/* exact bits: address, R, W, nothing reserved */
	e = raw(0x1000, 1);
	assert_int_equal(e, 0x7654000 | VTD_PTE_R | VTD_PTE_W);
	assert_int_equal(raw(0x1000, 2) & ~VTD_PTE_ADDR, VTD_PTE_R | VTD_PTE_W);
	/* two new tables (flushed whole), two table links and the leaf (flushed as entries) */
	assert_int_equal(env.flushes, 5);
	assert_int_equal(vtd_pt_lookup(&pt, 0x0, &pa, NULL, NULL), -ENOENT);
	assert_int_equal(vtd_pt_lookup(&pt, 0x2000, &pa, NULL, NULL), -ENOENT);
	assert_int_equal(vtd_pt_lookup(&pt, 1ULL << 39, &pa, NULL, NULL), -ENOENT);
	/* read-only */
	assert_int_equal(vtd_pt_map(&pt, 0x3000, 0x9000, 0x1000, VTD_PERM_R), 0);
	assert_int_equal(vtd_pt_lookup(&pt, 0x3000, &pa, &perm, NULL), 0);
	assert_int_equal(perm, VTD_PERM_R);
	assert_int_equal(raw(0x3000, 1), 0x9000 | VTD_PTE_R);
}

static void test_large_pages(void **state)
{
	unsigned level;

	(void)state;
	init3(true, true);
	/* 1 GiB aligned on both sides: a single level-3 leaf in the root */
	assert_int_equal(vtd_pt_map(&pt, GB, 3 * GB, GB, VTD_PERM_RW), 0);
	assert_int_equal(pt.nr_tables, 1);
	assert_int_equal(raw(GB, 3), 3 * GB | VTD_PTE_PS | VTD_PTE_R | VTD_PTE_W);
	assert_int_equal(xlate(GB + 0x12345678, &level), 3 * GB + 0x12345678);
	assert_int_equal(level, 3);
	/* 2 MiB pages */
	assert_int_equal(vtd_pt_map(&pt, 4 * MB, 64 * MB, 4 * MB, VTD_PERM_RW), 0);
	assert_int_equal(xlate(4 * MB + 0x1234, &level), 64 * MB + 0x1234);
	assert_int_equal(level, 2);
	assert_int_equal(xlate(7 * MB, &level), 67 * MB);
	assert_int_equal(raw(6 * MB, 2), 66 * MB | VTD_PTE_PS | VTD_PTE_R | VTD_PTE_W);
	/* misaligned by a page at each end: 4K, then 2M, then 4K */
	assert_int_equal(vtd_pt_map(&pt, 32 * MB - 0x1000, 128 * MB - 0x1000, 2 * MB + 0x2000,
				    VTD_PERM_RW), 0);
	assert_int_equal(xlate(32 * MB - 0x1000, &level), 128 * MB - 0x1000);
	assert_int_equal(level, 1);
	assert_int_equal(xlate(33 * MB, &level), 129 * MB);
	assert_int_equal(level, 2);
	assert_int_equal(xlate(34 * MB, &level), 130 * MB);
	assert_int_equal(level, 1);
	/* iova and pa aligned differently: only 4K pages can do it */
	assert_int_equal(vtd_pt_map(&pt, 40 * MB, 200 * MB + 0x1000, 2 * MB, VTD_PERM_RW), 0);
	assert_int_equal(xlate(41 * MB, &level), 201 * MB + 0x1000);
	assert_int_equal(level, 1);
}

static void test_no_large_pages(void **state)
{
	unsigned level;

	(void)state;
	init3(false, false);
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 4 * MB, VTD_PERM_RW), 0);
	assert_int_equal(xlate(3 * MB + 0x5000, &level), 3 * MB + 0x5000);
	assert_int_equal(level, 1);
	assert_int_equal(pt.nr_tables, 1 + 1 + 2);	/* root, one PD, two page tables */
	/* 2M allowed, 1G not: a 1G range becomes 512 2M leaves */
	init3(true, false);
	assert_int_equal(vtd_pt_map(&pt, GB, GB, GB, VTD_PERM_RW), 0);
	assert_int_equal(xlate(GB + 511 * 2 * MB, &level), GB + 511 * 2 * MB);
	assert_int_equal(level, 2);
}

static void test_map_errors(void **state)
{
	(void)state;
	init3(true, true);
	assert_int_equal(vtd_pt_map(&pt, 0x800, 0, 0x1000, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 0, 0x800, 0x1000, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 0x800, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 0, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 0x1000, 0), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 0x1000, 4), -EINVAL);		/* X: not ours */
	assert_int_equal(vtd_pt_map(&pt, (1ULL << 39) - 0x1000, 0, 0x2000, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 1ULL << 39, 0, 0x1000, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, 0, (1ULL << 39) - 0x1000, 0x2000, VTD_PERM_RW), -EINVAL);
	assert_int_equal(vtd_pt_map(&pt, ~0ULL << 12, 0, 0x2000, VTD_PERM_RW), -EINVAL);	/* wraps */
	assert_int_equal(pt.nr_tables, 1);					/* nothing built */
	/* overlap: refused, and nothing of the new range is mapped */
	assert_int_equal(vtd_pt_map(&pt, 0x5000, 0x5000, 0x1000, VTD_PERM_RW), 0);
	assert_int_equal(vtd_pt_map(&pt, 0x3000, 0x100000, 0x4000, VTD_PERM_RW), -EEXIST);
	assert_int_equal(vtd_pt_lookup(&pt, 0x3000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(vtd_pt_lookup(&pt, 0x6000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(xlate(0x5000, NULL), 0x5000);
	/* overlap with a large page */
	assert_int_equal(vtd_pt_map(&pt, 2 * GB, 0, GB, VTD_PERM_RW), 0);
	assert_int_equal(vtd_pt_map(&pt, 2 * GB + 0x7000, 0, 0x1000, VTD_PERM_RW), -EEXIST);
}

static void test_enomem_rollback(void **state)
{
	unsigned tables;

	(void)state;
	init3(false, false);
	/* 4 MiB of 4K pages needs 3 new tables: let the third one fail */
	env.fail_after = 2;
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 4 * MB, VTD_PERM_RW), -ENOMEM);
	for (u64 a = 0; a < 4 * MB; a += 0x1000)
		assert_int_equal(vtd_pt_lookup(&pt, a, NULL, NULL, NULL), -ENOENT);
	env.fail_after = -1;
	tables = pt.nr_tables;
	assert_int_equal(vtd_pt_map(&pt, 0, 0, 4 * MB, VTD_PERM_RW), 0);
	assert_int_equal(pt.nr_tables, tables + 1);	/* the leftover tables are reused */
	assert_int_equal(xlate(4 * MB - 0x1000, NULL), 4 * MB - 0x1000);
}

static void test_unmap_and_split(void **state)
{
	unsigned level, perm;

	(void)state;
	init3(true, true);
	assert_int_equal(vtd_pt_map(&pt, 0, 0x40000000, GB, VTD_PERM_R), 0);
	/* one 4K page out of a 1G leaf: split 1G -> 2M -> 4K */
	assert_int_equal(vtd_pt_unmap(&pt, 0x201000, 0x1000), 0);
	assert_int_equal(vtd_pt_lookup(&pt, 0x201000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(xlate(0x200000, &level), 0x40200000);
	assert_int_equal(level, 1);
	assert_int_equal(xlate(0x202000, &level), 0x40202000);
	assert_int_equal(xlate(0x400000, &level), 0x40400000);
	assert_int_equal(level, 2);
	assert_int_equal(vtd_pt_lookup(&pt, GB - 0x1000, NULL, &perm, &level), 0);
	assert_int_equal(perm, VTD_PERM_R);		/* split pages keep the permission */
	assert_int_equal(level, 2);
	/* a hole, a partially mapped range, a whole 2M leaf */
	assert_int_equal(vtd_pt_unmap(&pt, 3 * GB, 4 * MB), 0);
	assert_int_equal(vtd_pt_unmap(&pt, 0x1ff000, 0x3000), 0);
	assert_int_equal(vtd_pt_lookup(&pt, 0x1ff000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(vtd_pt_lookup(&pt, 0x200000, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(xlate(0x1fe000, NULL), 0x401fe000);
	assert_int_equal(xlate(0x202000, NULL), 0x40202000);
	assert_int_equal(vtd_pt_unmap(&pt, 0x400000, 2 * MB), 0);
	assert_int_equal(raw(0x400000, 2), 0);
	assert_int_equal(xlate(0x600000, NULL), 0x40600000);
	/* arguments */
	assert_int_equal(vtd_pt_unmap(&pt, 0x800, 0x1000), -EINVAL);
	assert_int_equal(vtd_pt_unmap(&pt, 0, 0), -EINVAL);
	assert_int_equal(vtd_pt_unmap(&pt, 1ULL << 39, 0x1000), -EINVAL);
	/* split needs a table: out of memory is reported, the page stays mapped */
	env.fail_after = 0;
	assert_int_equal(vtd_pt_unmap(&pt, 0x800000, 0x1000), -ENOMEM);
	assert_int_equal(xlate(0x800000, NULL), 0x40800000);
	env.fail_after = -1;
	/* a slot whose table is empty again takes small pages, not a large one */
	assert_int_equal(vtd_pt_unmap(&pt, 0, 4 * MB), 0);
	assert_int_equal(vtd_pt_map(&pt, 0, 0x80000000, 2 * MB, VTD_PERM_RW), 0);
	assert_int_equal(xlate(0x1ff000, &level), 0x801ff000);
	assert_int_equal(level, 1);
}

static void test_four_levels(void **state)
{
	unsigned level;

	(void)state;
	assert_int_equal(vtd_pt_init(&pt, 4, 48, 46, true, false, &ops), 0);
	assert_int_equal(vtd_pt_map(&pt, 1ULL << 40, 2 * MB, 2 * MB, VTD_PERM_RW), 0);
	assert_int_equal(xlate((1ULL << 40) + 0x123, &level), 2 * MB + 0x123);
	assert_int_equal(level, 2);
	assert_int_equal(pt.root[2] & ~VTD_PTE_ADDR, VTD_PTE_R | VTD_PTE_W);	/* 2^40 >> 39 = 2 */
	assert_int_equal(vtd_pt_map(&pt, 0, 1ULL << 46, 0x1000, VTD_PERM_RW), -EINVAL);
}

/* Destroy gives back exactly the pages the tree holds, leaves excepted. */
static void test_destroy_frees_every_table(void **state)
{
	(void)state;
	assert_int_equal(vtd_pt_init(&pt, 4, 48, 46, true, false, &ops_free), 0);
	assert_int_equal(vtd_pt_map(&pt, 0x1000, 0x5000, 0x3000, VTD_PERM_RW), 0);
	assert_int_equal(vtd_pt_map(&pt, 1ULL << 40, 2 * MB, 2 * MB, VTD_PERM_RW), 0);	/* 2 MiB leaf */
	assert_int_equal(vtd_pt_map(&pt, 3ULL << 30, 0x9000, 0x1000, VTD_PERM_R), 0);
	assert_int_equal(pt.nr_tables, env.nr);
	assert_true(env.nr > 5);
	vtd_pt_destroy(&pt);
	assert_int_equal(env.nr, 0);
	assert_int_equal(pt.nr_tables, 0);
	assert_null(pt.root);
	vtd_pt_destroy(&pt);		/* twice: nothing left to free */
	/* without free_page nothing is freed (the boot-time domains) */
	assert_int_equal(vtd_pt_init(&pt, 3, 39, 39, false, false, &ops), 0);
	vtd_pt_destroy(&pt);
	assert_int_equal(env.nr, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_large_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enomem_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_and_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_four_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_frees_every_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
