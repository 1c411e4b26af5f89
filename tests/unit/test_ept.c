/*
 * EPT tables (arch/x86/ept.c) on host memory: 2 MiB leaves where alignment
 * allows, 4 KiB elsewhere, splits that keep every translation, unmaps, and
 * a map that runs out of table pages changing nothing at all; software
 * bits, range walks, marks and sweeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "mm.h"
#include "vm.h"
#include "ept.h"

#define MB (1ULL << 20)
#define GB (1ULL << 30)

/* ---- page allocator with a budget ---- */
static int budget = -1;		/* pages left; -1: unlimited */
static int outstanding;

void *page_alloc(unsigned nr_pages)
{
	void *p;

	assert_int_equal(nr_pages, 1);
	if (budget == 0)
		return NULL;
	if (budget > 0)
		budget--;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(p, 0, PAGE_SIZE);
	outstanding++;
	return p;
}

void page_free(void *p, unsigned nr_pages)
{
	assert_int_equal(nr_pages, 1);
	free(p);
	outstanding--;
}

static struct vm vm;

void invept_single(u64 eptp)
{
	(void)eptp;
	fail_msg("INVEPT for a VM that is not running");
}

static int setup(void **state)
{
	(void)state;
	budget = -1;
	memset(&vm, 0, sizeof(vm));
	vm.state = VM_CREATED;		/* never RUNNING: no INVEPT on the host */
	assert_int_equal(ept_init(&vm), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ept_destroy(&vm);
	assert_int_equal(outstanding, 0);
	return 0;
}

static u64 hpa_of(u64 gpa)
{
	u64 hpa;

	return ept_lookup(&vm, gpa, &hpa) ? hpa : ~0ULL;
}

static void test_map_lookup_unmap(void **state)
{
	(void)state;
	/* 1 MiB + 2 MiB + 1 MiB: 4 KiB leaves, one 2 MiB leaf, 4 KiB leaves */
	assert_int_equal(ept_map(&vm, 1 * MB, 0x40000000 + 1 * MB, 4 * MB, EPT_R | EPT_W, EPT_MT_WB), 0);
	assert_int_equal(hpa_of(1 * MB), 0x40100000);
	assert_int_equal(hpa_of(2 * MB + 0x1234), 0x40200000 + 0x1234);
	assert_int_equal(hpa_of(5 * MB - 1), 0x40500000 - 1);
	assert_int_equal(hpa_of(5 * MB), ~0ULL);
	assert_int_equal(hpa_of(1 * MB - 1), ~0ULL);
	/* unmap one page inside the 2 MiB leaf: the rest stays */
	assert_int_equal(ept_unmap(&vm, 3 * MB, PAGE_SIZE), 0);
	assert_int_equal(hpa_of(3 * MB), ~0ULL);
	assert_int_equal(hpa_of(3 * MB + PAGE_SIZE), 0x40300000 + PAGE_SIZE);
	assert_int_equal(hpa_of(2 * MB), 0x40200000);
	assert_int_equal(ept_map(&vm, 3, 0, PAGE_SIZE, EPT_R, EPT_MT_WB), -EINVAL);
	assert_int_equal(ept_map(&vm, ~0ULL & ~(PAGE_SIZE - 1), 0, 2 * PAGE_SIZE, EPT_R, EPT_MT_WB),
			 -EINVAL);
}

/* Every page of [gpa, +size) translates as before (or stays absent). */
static void snapshot(u64 gpa, u64 size, u64 *out)
{
	for (u64 i = 0; i < size / PAGE_SIZE; i++)
		out[i] = hpa_of(gpa + i * PAGE_SIZE);
}

/* An existing 2 MiB leaf at 2 MiB and 4 KiB pages at 5 MiB, on a fresh EPT. */
static void fresh_layout(void)
{
	budget = -1;
	ept_destroy(&vm);
	assert_int_equal(ept_init(&vm), 0);
	assert_int_equal(ept_map(&vm, 2 * MB, 0x80000000, 2 * MB, EPT_R | EPT_W, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&vm, 5 * MB, 0x90000000, 64 * 1024, EPT_R, EPT_MT_UC), 0);
}

static void test_out_of_pages_changes_nothing(void **state)
{
	enum { SPAN = 8 * MB / PAGE_SIZE };
	static u64 before[SPAN], after[SPAN];

	(void)state;
	/*
	 * Remapping [1 MiB + 4 KiB, +6 MiB) 4 KiB-wise needs three new tables
	 * (one for [0, 2 MiB), one to split the 2 MiB leaf, one for [6, 8 MiB)):
	 * with fewer, nothing translates differently (tables made on the way
	 * stay, empty or equivalent).
	 */
	for (int b = 0; b < 3; b++) {
		fresh_layout();
		snapshot(0, 8 * MB, before);
		budget = b;
		assert_int_equal(ept_map(&vm, 1 * MB + PAGE_SIZE, 0xA0000000 + PAGE_SIZE, 6 * MB,
					 EPT_R | EPT_W, EPT_MT_WB), -ENOMEM);
		snapshot(0, 8 * MB, after);
		assert_memory_equal(before, after, sizeof(before));
	}
	/* with pages enough, the whole range moves */
	fresh_layout();
	budget = 3;
	assert_int_equal(ept_map(&vm, 1 * MB + PAGE_SIZE, 0xA0000000 + PAGE_SIZE, 6 * MB,
				 EPT_R | EPT_W, EPT_MT_WB), 0);
	assert_int_equal(hpa_of(2 * MB), 0xA0000000 + 1 * MB);
	assert_int_equal(hpa_of(7 * MB), 0xA0000000 + 6 * MB);
	assert_int_equal(hpa_of(7 * MB + PAGE_SIZE), ~0ULL);
	assert_int_equal(hpa_of(1 * MB), ~0ULL);
}

static void test_split_keeps_translations(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&vm, 1 * GB, 0x40000000, 2 * MB, EPT_R | EPT_W, EPT_MT_WB), 0);
	/* one 4 KiB page in the middle of the 2 MiB leaf moves, its neighbours stay */
	assert_int_equal(ept_map(&vm, 1 * GB + 64 * 1024, 0x7000000, PAGE_SIZE, EPT_R, EPT_MT_UC), 0);
	assert_int_equal(hpa_of(1 * GB + 64 * 1024), 0x7000000);
	assert_int_equal(hpa_of(1 * GB + 60 * 1024), 0x40000000 + 60 * 1024);
	assert_int_equal(hpa_of(1 * GB + 68 * 1024), 0x40000000 + 68 * 1024);
	assert_int_equal(hpa_of(1 * GB + 2 * MB - 1), 0x40000000 + 2 * MB - 1);
}

static void test_table_budget(void **state)
{
	(void)state;
	ept_destroy(&vm);
	vm.ept_page_limit = 4;			/* root, PDPT, PD, one PT */
	assert_int_equal(ept_init(&vm), 0);
	assert_int_equal(vm.ept_pages, 1);
	assert_int_equal(ept_map(&vm, 0, 0x100000, PAGE_SIZE, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(vm.ept_pages, 4);
	/* 2 MiB leaves need no more tables; another 4 KiB window would */
	assert_int_equal(ept_map(&vm, 2 * MB, 0x40000000, 4 * MB, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&vm, 8 * MB, 0x100000, PAGE_SIZE, EPT_R, EPT_MT_WB), -ENOMEM);
	assert_int_equal(hpa_of(8 * MB), ~0ULL);
	assert_int_equal(vm.ept_pages, 4);
	/* within the same table it goes on */
	assert_int_equal(ept_map(&vm, PAGE_SIZE, 0x200000, PAGE_SIZE, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(hpa_of(PAGE_SIZE), 0x200000);
	/* an unmap inside a 2 MiB leaf still splits it (up to twice the budget): the rest stays */
	assert_int_equal(ept_unmap(&vm, 2 * MB + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(vm.ept_pages, 5);
	assert_int_equal(hpa_of(2 * MB + PAGE_SIZE), ~0ULL);
	assert_int_equal(hpa_of(2 * MB), 0x40000000);
	assert_int_equal(hpa_of(4 * MB - PAGE_SIZE), 0x40000000 + 2 * MB - PAGE_SIZE);
	assert_int_equal(ept_unmap(&vm, 4 * MB + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(vm.ept_pages, 6);
	/* past twice the budget a split is impossible: the whole leaf goes, never half of it */
	vm.ept_page_limit = 3;
	assert_int_equal(ept_map(&vm, 8 * MB, 0x60000000, 2 * MB, EPT_R, EPT_MT_WB), 0);
	assert_int_equal(ept_unmap(&vm, 8 * MB, PAGE_SIZE), 0);
	assert_int_equal(hpa_of(8 * MB + PAGE_SIZE), ~0ULL);
	assert_int_equal(vm.ept_pages, 6);
	/* a root beyond the budget: no EPT at all */
	ept_destroy(&vm);
	assert_int_equal(vm.ept_pages, 0);
	/* lookups of a VM without an EPT find nothing */
	assert_int_equal(hpa_of(2 * MB), ~0ULL);
	assert_false(ept_range_any(&vm, 0, 1 * GB, EPT_RWX));
	vm.ept_page_limit = 0;
	budget = 0;
	assert_int_equal(ept_init(&vm), -ENOMEM);
	budget = -1;
	assert_int_equal(ept_init(&vm), 0);
}

/* Software bits ride in leaves and survive a split; the CPU's bits are checked. */
static void test_software_bits(void **state)
{
	u64 hpa;

	(void)state;
	assert_int_equal(ept_map(&vm, 2 * MB, 0x40000000, 2 * MB, EPT_R | EPT_W | EPT_RAM, EPT_MT_WB),
			 0);
	assert_int_equal(ept_map(&vm, 8 * MB, 0x90000000, PAGE_SIZE, EPT_R | EPT_W, EPT_MT_UC), 0);
	/* split the RAM leaf: every 4 KiB piece is RAM still */
	assert_int_equal(ept_unmap(&vm, 3 * MB, PAGE_SIZE), 0);
	assert_true(ept_range_any(&vm, 2 * MB, PAGE_SIZE, EPT_RAM));
	assert_true(ept_range_any(&vm, 4 * MB - PAGE_SIZE, PAGE_SIZE, EPT_RAM));
	assert_false(ept_range_any(&vm, 3 * MB, PAGE_SIZE, EPT_RWX));
	/* the UC page is a mapping, not RAM */
	assert_true(ept_range_any(&vm, 8 * MB, PAGE_SIZE, EPT_RWX));
	assert_false(ept_range_any(&vm, 4 * MB, 8 * MB, EPT_RAM));
	assert_true(ept_range_any(&vm, 0, 1ULL << 39, EPT_RAM));
	assert_false(ept_range_any(&vm, 16 * MB, (1ULL << 39) - 16 * MB, EPT_RWX));
	assert_false(ept_range_any(&vm, 2 * MB, 0, EPT_RAM));
	/* translations of RAM only, contiguous in host memory */
	assert_true(ept_translate(&vm, 2 * MB + 8, 16, EPT_RAM, &hpa));
	assert_int_equal(hpa, 0x40000008);
	assert_true(ept_translate(&vm, 2 * MB, 1 * MB, EPT_RAM, &hpa));
	assert_false(ept_translate(&vm, 2 * MB, 1 * MB + 1, EPT_RAM, &hpa));	/* into the hole */
	assert_false(ept_translate(&vm, 8 * MB, 4, EPT_RAM, &hpa));
	assert_true(ept_translate(&vm, 8 * MB, 4, 0, &hpa));
	assert_false(ept_translate(&vm, 2 * MB, 0, EPT_RAM, &hpa));
	assert_false(ept_translate(&vm, ~0ULL - 3, 8, 0, &hpa));
	/* bits the CPU would read are not software bits */
	assert_int_equal(ept_map(&vm, 16 * MB, 0, PAGE_SIZE, EPT_R | BIT(7), EPT_MT_WB), -EINVAL);
	assert_int_equal(ept_map(&vm, 16 * MB, 0, PAGE_SIZE, EPT_R | BIT(63), EPT_MT_WB), -EINVAL);
	assert_int_equal(ept_map(&vm, 16 * MB, 0, PAGE_SIZE, EPT_R, 8), -EINVAL);
	assert_int_equal(ept_mark(&vm, 2 * MB, PAGE_SIZE, EPT_RAM, EPT_R), -EINVAL);
}

/* Two host pages that are not neighbours are not one buffer, even at neighbouring GPAs. */
static void test_translate_needs_host_contiguity(void **state)
{
	u64 hpa;

	(void)state;
	assert_int_equal(ept_map(&vm, 0x10000, 0x7000000, PAGE_SIZE, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&vm, 0x11000, 0x5000000, PAGE_SIZE, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&vm, 0x12000, 0x5001000, PAGE_SIZE, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	assert_false(ept_translate(&vm, 0x10ff8, 16, EPT_RAM, &hpa));
	assert_true(ept_translate(&vm, 0x11ff8, 16, EPT_RAM, &hpa));
	assert_int_equal(hpa, 0x5000ff8);
	/* and a 2 MiB leaf continued by a 4 KiB one */
	assert_int_equal(ept_map(&vm, 4 * MB, 0x60000000, 2 * MB + PAGE_SIZE, EPT_RWX | EPT_RAM,
				 EPT_MT_WB), 0);
	assert_true(ept_translate(&vm, 6 * MB - 4, 8, EPT_RAM, &hpa));
	assert_int_equal(hpa, 0x60200000 - 4);
}

/* Thousands of 4 KiB pages at scattered host pages: a table per 2 MiB, nothing more. */
static void test_many_4k_pages(void **state)
{
	enum { N = 4096 };

	(void)state;
	ept_destroy(&vm);
	vm.ept_page_limit = 3 + N / 512;
	assert_int_equal(ept_init(&vm), 0);
	for (u64 i = 0; i < N; i++)
		assert_int_equal(ept_map(&vm, 1 * GB + i * PAGE_SIZE, 0x100000000ULL + ((i * 1031) % N) *
					 PAGE_SIZE, PAGE_SIZE, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	assert_int_equal(vm.ept_pages, 3 + N / 512);
	for (u64 i = 0; i < N; i += 7)
		assert_int_equal(hpa_of(1 * GB + i * PAGE_SIZE + 5),
				 0x100000000ULL + ((i * 1031) % N) * PAGE_SIZE + 5);
	/* the budget holds: a page in a new 2 MiB needs a table more */
	assert_int_equal(ept_map(&vm, 3 * GB, 0, PAGE_SIZE, EPT_R, EPT_MT_WB), -ENOMEM);
	vm.ept_page_limit = 0;
}

static u64 dropped_at[8], dropped_size[8];
static unsigned ndropped;

static void note_dropped(void *ctx, u64 gpa, u64 size)
{
	assert_ptr_equal(ctx, &vm);
	assert_true(ndropped < 8);
	dropped_at[ndropped] = gpa;
	dropped_size[ndropped++] = size;
}

/* Marks: only on leaves with the bits asked for, splitting 2 MiB leaves covered in part. */
static void test_mark_and_sweep(void **state)
{
	(void)state;
	ndropped = 0;
	/* RAM: a 2 MiB leaf at 2 MiB, 4 KiB pages at [4 MiB, 4 MiB + 64 KiB); a non-RAM page after */
	assert_int_equal(ept_map(&vm, 2 * MB, 0x40000000, 2 * MB, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&vm, 4 * MB, 0x50000000, 64 * 1024, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	assert_int_equal(ept_map(&vm, 4 * MB + 64 * 1024, 0xFE000000, PAGE_SIZE, EPT_R | EPT_W,
				 EPT_MT_UC), 0);
	unsigned pages = vm.ept_pages;
	/* [3 MiB, 4 MiB + 68 KiB): half the leaf (split), 16 pages; the UC page is not RAM */
	assert_int_equal(ept_mark(&vm, 3 * MB, 1 * MB + 68 * 1024, EPT_RAM, EPT_DEL), 0);
	assert_int_equal(vm.ept_pages, pages + 1);
	assert_false(ept_range_any(&vm, 2 * MB, 1 * MB, EPT_DEL));
	assert_true(ept_range_any(&vm, 3 * MB, PAGE_SIZE, EPT_DEL));
	assert_true(ept_range_any(&vm, 4 * MB + 60 * 1024, PAGE_SIZE, EPT_DEL));
	assert_false(ept_range_any(&vm, 4 * MB + 64 * 1024, PAGE_SIZE, EPT_DEL));
	/* a mark covering a whole 2 MiB leaf needs no split */
	assert_int_equal(ept_map(&vm, 8 * MB, 0x60000000, 2 * MB, EPT_RWX | EPT_RAM | EPT_NEW,
				 EPT_MT_WB), 0);
	pages = vm.ept_pages;
	assert_int_equal(ept_mark(&vm, 7 * MB, 4 * MB, EPT_RAM, EPT_DEL), 0);
	assert_int_equal(vm.ept_pages, pages);
	/* nothing to mark in a hole */
	assert_int_equal(ept_mark(&vm, 100 * MB, 4 * MB, EPT_RAM, EPT_DEL), 0);
	/* sweep: EPT_DEL leaves go (two runs), every mark is cleared */
	assert_int_equal(ept_sweep(&vm, 0, 16 * MB, EPT_DEL, EPT_NEW | EPT_DEL, note_dropped, &vm),
			 1 * MB + 64 * 1024 + 2 * MB);
	assert_int_equal(ndropped, 2);
	assert_int_equal(dropped_at[0], 3 * MB);
	assert_int_equal(dropped_size[0], 1 * MB + 64 * 1024);
	assert_int_equal(dropped_at[1], 8 * MB);
	assert_int_equal(dropped_size[1], 2 * MB);
	assert_false(ept_range_any(&vm, 0, 16 * MB, EPT_NEW | EPT_DEL));
	assert_int_equal(hpa_of(3 * MB - PAGE_SIZE), 0x40100000 - PAGE_SIZE);
	assert_int_equal(hpa_of(3 * MB), ~0ULL);
	assert_int_equal(hpa_of(4 * MB + 64 * 1024), 0xFE000000);
	/* a sweep that drops nothing changes no translation */
	assert_int_equal(ept_mark(&vm, 2 * MB, 1 * MB, EPT_RAM, EPT_NEW), 0);
	assert_int_equal(ept_sweep(&vm, 0, 16 * MB, EPT_DEL, EPT_NEW, NULL, NULL), 0);
	assert_int_equal(hpa_of(2 * MB), 0x40000000);
	assert_false(ept_range_any(&vm, 0, 16 * MB, EPT_NEW));
}

/* Past twice the budget a mark cannot split: -ENOMEM, translations as they were. */
static void test_mark_out_of_pages(void **state)
{
	(void)state;
	ept_destroy(&vm);
	vm.ept_page_limit = 2;
	assert_int_equal(ept_init(&vm), 0);
	vm.ept_page_limit = 0;
	assert_int_equal(ept_map(&vm, 2 * MB, 0x40000000, 2 * MB, EPT_RWX | EPT_RAM, EPT_MT_WB), 0);
	vm.ept_page_limit = 1;		/* twice that: 2, and it holds 3 */
	assert_int_equal(ept_mark(&vm, 2 * MB, PAGE_SIZE, EPT_RAM, EPT_DEL), -ENOMEM);
	assert_false(ept_range_any(&vm, 0, 8 * MB, EPT_DEL));
	assert_int_equal(hpa_of(2 * MB + PAGE_SIZE), 0x40000000 + PAGE_SIZE);
	vm.ept_page_limit = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_lookup_unmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_pages_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_keeps_translations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_software_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate_needs_host_contiguity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_4k_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_and_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_out_of_pages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
