/*
 * A VM's RAM. Boot VMs' table: lookups must stay inside one range, a full
 * table refuses additions. Post-launched VMs' RAM in the EPT (with the real
 * arch/x86/ept.c): batches of thousands of 4 KiB regions at scattered host
 * pages, 2 MiB ones, mixed; unmaps in the middle; rollbacks, also when EPT
 * pages run out; lookups and overlap checks after each.
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
#include "vmm_internal.h"
#include "vm_ram.h"

#define MB (1ULL << 20)
#define GB (1ULL << 30)

static struct vm_ram t;

static int setup(void **state)
{
	(void)state;
	memset(&t, 0, sizeof(t));
	return 0;
}

static void test_lookup_stays_in_one_range(void **state)
{
	u64 hpa = 0;

	(void)state;
	assert_int_equal(vm_ram_add(&t, 0, 0x8000000, 16 * MB), 0);
	assert_int_equal(vm_ram_add(&t, 16 * MB, 0x4000000, 16 * MB), 0);	/* adjacent GPA, other HPA */
	assert_true(vm_ram_lookup(&t, 0x1234, 4, &hpa));
	assert_int_equal(hpa, 0x8001234);
	assert_true(vm_ram_lookup(&t, 16 * MB - 8, 8, &hpa));
	assert_int_equal(hpa, 0x8000000 + 16 * MB - 8);
	assert_true(vm_ram_lookup(&t, 16 * MB, 1, &hpa));
	assert_int_equal(hpa, 0x4000000);
	/* crossing from one range into the next is not one host buffer */
	assert_false(vm_ram_lookup(&t, 16 * MB - 4, 8, &hpa));
	/* past the end, and a length that wraps */
	assert_false(vm_ram_lookup(&t, 32 * MB - 4, 8, &hpa));
	assert_false(vm_ram_lookup(&t, 32 * MB, 1, &hpa));
	assert_false(vm_ram_lookup(&t, 8, ~0ULL, &hpa));
	assert_false(vm_ram_lookup(&t, ~0ULL - 2, 8, &hpa));
	assert_int_equal(vm_ram_top(&t), 32 * MB);
	assert_true(vm_ram_overlaps(&t, 32 * MB - 1, 2));
	assert_false(vm_ram_overlaps(&t, 32 * MB, 4096));
}

static void test_full_table(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VM_MAX_RAM_RANGES; i++)
		assert_int_equal(vm_ram_add(&t, i * 2 * MB, 0x10000000 + i * MB, MB), 0);
	assert_int_equal(vm_ram_add(&t, 64 * MB, 0, MB), -ENOSPC);
	assert_int_equal(vm_ram_top(&t), 31 * MB);
}

/* ---- post-launched VMs: RAM in the EPT, changed by batches ---- */

static int budget = -1;		/* table pages page_alloc still gives; -1: any */
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

void invept_single(u64 eptp)
{
	(void)eptp;
}

static struct vm vm;
static struct vm_ram_batch b;

/* What the batch's end reported unmapped (VT-d would be told). */
static u64 dropped_bytes;
static unsigned dropped_runs;

static void dropped(void *ctx, u64 gpa, u64 size)
{
	assert_ptr_equal(ctx, &vm);
	assert_true(IS_ALIGNED(gpa | size, PAGE_SIZE));
	dropped_bytes += size;
	dropped_runs++;
}

static int post_setup(void **state)
{
	(void)state;
	budget = -1;
	memset(&vm, 0, sizeof(vm));
	vm.post = true;
	vm.state = VM_RUNNING;		/* invept_single is a no-op here */
	assert_int_equal(ept_init(&vm), 0);
	dropped_bytes = 0;
	dropped_runs = 0;
	return 0;
}

static int post_teardown(void **state)
{
	(void)state;
	ept_destroy(&vm);
	assert_int_equal(outstanding, 0);
	return 0;
}

static u64 hpa_of(u64 gpa, u64 len)
{
	u64 hpa;

	return vm_ram_post_lookup(&vm, gpa, len, &hpa) ? hpa : ~0ULL;
}

#define RWX (EPT_R | EPT_W | EPT_X)
#define SCATTER(i, n) (0x200000000ULL + (((u64)(i) * 2053) % (n)) * PAGE_SIZE)

/* Linux's batch: one 4 KiB region per page, host pages anywhere. */
static void map_pages(u64 gpa, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(vm_ram_batch_map(&b, gpa + (u64)i * PAGE_SIZE, SCATTER(i, n), PAGE_SIZE,
						  RWX, EPT_MT_WB), 0);
}

static void test_post_thousands_of_4k_regions(void **state)
{
	enum { N = 8192 };	/* 32 MiB */

	(void)state;
	vm_ram_batch_begin(&b, &vm);
	map_pages(0, N);
	/* mapped at once: a vCPU sees them before the batch ends */
	assert_int_equal(hpa_of(5 * PAGE_SIZE + 3, 1), SCATTER(5, N) + 3);
	assert_true(vm_ram_post_in_batch(&vm, 0, PAGE_SIZE));
	assert_false(vm_ram_batch_end(&b, true, dropped, &vm));
	assert_false(vm_ram_post_in_batch(&vm, 0, (u64)N * PAGE_SIZE));
	assert_int_equal(vm.ram.mapped, (u64)N * PAGE_SIZE);
	/* EPT tables only: root, PDPT, PD, a table per 2 MiB */
	assert_int_equal(vm.ept_pages, 3 + N / 512);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(hpa_of((u64)i * PAGE_SIZE, PAGE_SIZE), SCATTER(i, N));
	/* a lookup across two pages that are not host neighbours fails, within one it works */
	assert_int_equal(hpa_of(PAGE_SIZE - 4, 8), ~0ULL);
	assert_int_equal(hpa_of(PAGE_SIZE - 8, 8), SCATTER(0, N) + PAGE_SIZE - 8);
	assert_int_equal(hpa_of((u64)N * PAGE_SIZE, 1), ~0ULL);
	assert_true(vm_ram_post_overlaps(&vm, (u64)N * PAGE_SIZE - 1, 2));
	assert_false(vm_ram_post_overlaps(&vm, (u64)N * PAGE_SIZE, 1 * GB));
}

static void test_post_2m_and_mixed(void **state)
{
	(void)state;
	vm_ram_batch_begin(&b, &vm);
	/* 2 MiB regions (hugepages): one leaf each, no 4 KiB table */
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(vm_ram_batch_map(&b, 1 * GB + i * 2 * MB, 0x80000000 + (63 - i) * 2 * MB,
						  2 * MB, RWX, EPT_MT_WB), 0);
	/* and 4 KiB ones right after them, and a region of 2 MiB + 12 KiB at a 2 MiB GPA */
	map_pages(1 * GB + 128 * MB, 100);
	assert_int_equal(vm_ram_batch_map(&b, 2 * GB, 0x90000000, 2 * MB + 12 * 1024, RWX,
					  EPT_MT_WB), 0);
	vm_ram_batch_end(&b, true, dropped, &vm);
	assert_int_equal(vm.ram.mapped, 128 * MB + 100 * PAGE_SIZE + 2 * MB + 12 * 1024);
	assert_int_equal(vm.ept_pages, 1 + 1 + 2 + 1 + 1);	/* root, PDPT, 2 PDs, 2 tables */
	assert_int_equal(hpa_of(1 * GB + 2 * MB + 5, 1), 0x80000000 + 62 * 2 * MB + 5);
	assert_int_equal(hpa_of(1 * GB + 128 * MB + 99 * PAGE_SIZE, 1), SCATTER(99, 100));
	/* a read across the 2 MiB leaf into the 4 KiB page after it: host-contiguous */
	assert_int_equal(hpa_of(2 * GB + 2 * MB - 4, 8), 0x90000000 + 2 * MB - 4);
	assert_int_equal(hpa_of(1 * GB + 2 * MB - 4, 8), ~0ULL);
}

/* DEL in the middle: the RAM stays until the batch commits, then exactly that goes. */
static void test_post_unmap_in_the_middle(void **state)
{
	(void)state;
	vm_ram_batch_begin(&b, &vm);
	map_pages(0, 1024);
	assert_int_equal(vm_ram_batch_map(&b, 8 * MB, 0x40000000, 4 * MB, RWX, EPT_MT_WB), 0);
	vm_ram_batch_end(&b, true, dropped, &vm);

	vm_ram_batch_begin(&b, &vm);
	assert_int_equal(vm_ram_batch_unmap(&b, 100 * PAGE_SIZE, 10 * PAGE_SIZE), 0);
	/* 4 KiB out of the middle of a 2 MiB region, and a range that is half hole */
	assert_int_equal(vm_ram_batch_unmap(&b, 9 * MB, PAGE_SIZE), 0);
	assert_int_equal(vm_ram_batch_unmap(&b, 12 * MB - PAGE_SIZE, 1 * MB), 0);
	assert_int_equal(hpa_of(100 * PAGE_SIZE, 1), SCATTER(100, 1024));
	assert_true(vm_ram_post_in_batch(&vm, 105 * PAGE_SIZE, PAGE_SIZE));
	assert_false(vm_ram_post_in_batch(&vm, 110 * PAGE_SIZE, PAGE_SIZE));
	assert_false(vm_ram_post_in_batch(&vm, 12 * MB, 1 * MB));
	assert_true(vm_ram_batch_end(&b, true, dropped, &vm));
	assert_int_equal(dropped_bytes, 12 * PAGE_SIZE);
	assert_int_equal(dropped_runs, 3);
	assert_int_equal(vm.ram.mapped, 4 * MB + 1024 * PAGE_SIZE - 12 * PAGE_SIZE);
	assert_int_equal(hpa_of(99 * PAGE_SIZE, 1), SCATTER(99, 1024));
	assert_int_equal(hpa_of(100 * PAGE_SIZE, 1), ~0ULL);
	assert_int_equal(hpa_of(109 * PAGE_SIZE, 1), ~0ULL);
	assert_int_equal(hpa_of(110 * PAGE_SIZE, 1), SCATTER(110, 1024));
	assert_int_equal(hpa_of(9 * MB - 1, 1), 0x40000000 + 1 * MB - 1);
	assert_int_equal(hpa_of(9 * MB, 1), ~0ULL);
	assert_int_equal(hpa_of(9 * MB + PAGE_SIZE, 1), 0x40000000 + 1 * MB + PAGE_SIZE);
	assert_int_equal(hpa_of(12 * MB - PAGE_SIZE, 1), ~0ULL);
	assert_false(vm_ram_post_overlaps(&vm, 100 * PAGE_SIZE, 10 * PAGE_SIZE));
	/* RAM can go where it went */
	vm_ram_batch_begin(&b, &vm);
	assert_int_equal(vm_ram_batch_map(&b, 100 * PAGE_SIZE, 0x7000000, 10 * PAGE_SIZE, RWX,
					  EPT_MT_WB), 0);
	vm_ram_batch_end(&b, true, NULL, NULL);
	assert_int_equal(hpa_of(100 * PAGE_SIZE, 10 * PAGE_SIZE), 0x7000000);
	/* everything at once */
	vm_ram_batch_begin(&b, &vm);
	assert_int_equal(vm_ram_batch_unmap(&b, 0, 1ULL << 39), 0);
	vm_ram_batch_end(&b, true, NULL, NULL);
	assert_int_equal(vm.ram.mapped, 0);
	assert_false(vm_ram_post_overlaps(&vm, 0, 1ULL << 39));
}

/* A batch that fails: its maps go, its unmaps never happen. */
static void test_post_rollback(void **state)
{
	(void)state;
	vm_ram_batch_begin(&b, &vm);
	map_pages(0, 512);
	vm_ram_batch_end(&b, true, NULL, NULL);

	vm_ram_batch_begin(&b, &vm);
	assert_int_equal(vm_ram_batch_unmap(&b, 0, 256 * PAGE_SIZE), 0);
	map_pages(4 * MB, 3000);
	assert_int_equal(vm_ram_batch_map(&b, 1 * GB, 0x40000000, 6 * MB, RWX, EPT_MT_WB), 0);
	assert_int_equal(vm.ram.mapped, 512 * PAGE_SIZE + 3000 * PAGE_SIZE + 6 * MB);
	assert_true(vm_ram_batch_end(&b, false, dropped, &vm));
	assert_int_equal(dropped_bytes, 3000 * PAGE_SIZE + 6 * MB);
	assert_int_equal(vm.ram.mapped, 512 * PAGE_SIZE);
	assert_int_equal(hpa_of(0, 1), SCATTER(0, 512));
	assert_false(vm_ram_post_overlaps(&vm, 4 * MB, 1 * GB));
	assert_false(vm_ram_post_overlaps(&vm, 1 * GB, 1 * GB));
	assert_false(vm_ram_post_in_batch(&vm, 0, 1ULL << 39));
}

/* Out of EPT pages half-way through a batch: that map changes nothing, the rollback the rest. */
static void test_post_budget_exhausted(void **state)
{
	(void)state;
	ept_destroy(&vm);
	vm.ept_page_limit = 3 + 4;		/* 8 MiB of 4 KiB pages */
	assert_int_equal(ept_init(&vm), 0);
	vm_ram_batch_begin(&b, &vm);
	map_pages(0, 2048);
	assert_int_equal(vm_ram_batch_map(&b, 8 * MB, 0x1000000, PAGE_SIZE, RWX, EPT_MT_WB), -ENOMEM);
	assert_int_equal(hpa_of(8 * MB, 1), ~0ULL);
	assert_int_equal(vm.ram.mapped, 8 * MB);
	vm_ram_batch_end(&b, false, dropped, &vm);
	assert_int_equal(dropped_bytes, 8 * MB);
	assert_int_equal(vm.ram.mapped, 0);
	assert_false(vm_ram_post_overlaps(&vm, 0, 1ULL << 39));
	/* the tables stay for the next try, which fits */
	vm_ram_batch_begin(&b, &vm);
	map_pages(0, 2048);
	vm_ram_batch_end(&b, true, dropped, &vm);
	assert_int_equal(vm.ept_pages, 7);
	/* host memory runs out: the same */
	vm.ept_page_limit = 0;
	budget = 0;
	vm_ram_batch_begin(&b, &vm);
	assert_int_equal(vm_ram_batch_unmap(&b, 8 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(vm_ram_batch_map(&b, 1 * GB, 0x1000000, PAGE_SIZE, RWX, EPT_MT_WB), -ENOMEM);
	vm_ram_batch_end(&b, false, dropped, &vm);
	assert_int_equal(hpa_of(8 * PAGE_SIZE, 1), SCATTER(8, 2048));
	assert_int_equal(vm.ram.mapped, 8 * MB);
}

/* More scattered ops than spans: the last span grows, the marks keep the result exact. */
static void test_post_spans_run_out(void **state)
{
	const unsigned n = 3 * VM_RAM_BATCH_SPANS;

	(void)state;
	vm_ram_batch_begin(&b, &vm);
	map_pages(0, 1024);
	vm_ram_batch_end(&b, true, NULL, NULL);
	vm_ram_batch_begin(&b, &vm);
	for (unsigned i = 0; i < n; i++) {
		/* every other op far away, every other one a DEL inside the old RAM */
		assert_int_equal(vm_ram_batch_map(&b, (u64)(i + 1) * GB, 0x40000000 + i * PAGE_SIZE,
						  PAGE_SIZE, RWX, EPT_MT_WB), 0);
		assert_int_equal(vm_ram_batch_unmap(&b, (u64)(n - i) * 2 * PAGE_SIZE, PAGE_SIZE), 0);
	}
	assert_int_equal(b.nr, VM_RAM_BATCH_SPANS);
	vm_ram_batch_end(&b, false, dropped, &vm);
	assert_int_equal(dropped_bytes, (u64)n * PAGE_SIZE);
	assert_int_equal(vm.ram.mapped, 1024 * PAGE_SIZE);
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(hpa_of((u64)i * PAGE_SIZE, 1), SCATTER(i, 1024));
	assert_false(vm_ram_post_in_batch(&vm, 0, 1ULL << 39));
	/* and committed */
	vm_ram_batch_begin(&b, &vm);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(vm_ram_batch_map(&b, (u64)(i + 1) * GB, 0x40000000 + i * PAGE_SIZE,
						  PAGE_SIZE, RWX, EPT_MT_WB), 0);
		assert_int_equal(vm_ram_batch_unmap(&b, (u64)(n - i) * 2 * PAGE_SIZE, PAGE_SIZE), 0);
	}
	vm_ram_batch_end(&b, true, NULL, NULL);
	assert_int_equal(vm.ram.mapped, 1024 * PAGE_SIZE);
	assert_int_equal(hpa_of(2 * PAGE_SIZE, 1), ~0ULL);
	assert_int_equal(hpa_of(3 * PAGE_SIZE, 1), SCATTER(3, 1024));
	assert_int_equal(hpa_of(5 * GB, 1), 0x40000000 + 4 * PAGE_SIZE);
	assert_false(vm_ram_post_in_batch(&vm, 0, 1ULL << 39));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup_stays_in_one_range, setup),
		cmocka_unit_test_setup(test_full_table, setup),
		cmocka_unit_test_setup_teardown(test_post_thousands_of_4k_regions, post_setup, post_teardown),
		cmocka_unit_test_setup_teardown(test_post_2m_and_mixed, post_setup, post_teardown),
		cmocka_unit_test_setup_teardown(test_post_unmap_in_the_middle, post_setup, post_teardown),
		cmocka_unit_test_setup_teardown(test_post_rollback, post_setup, post_teardown),
		cmocka_unit_test_setup_teardown(test_post_budget_exhausted, post_setup, post_teardown),
		cmocka_unit_test_setup_teardown(test_post_spans_run_out, post_setup, post_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
