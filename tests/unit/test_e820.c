/* e820 map: sorting, splitting by priority, merging, overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "e820.h"
#include "errno.h"

#define K 0x1000ULL

static struct e820_map map;

static void expect_entry(unsigned i, u64 addr, u64 size, u32 type)
{
	assert_true(i < map.n);
	assert_int_equal(map.e[i].addr, addr);
	assert_int_equal(map.e[i].size, size);
	assert_int_equal(map.e[i].type, type);
}

static int setup(void **state)
{
	(void)state;
	e820_init(&map);
	return 0;
}

static void test_layout(void **state)
{
	(void)state;
	/* The zero page and ACPI both depend on this 20-byte layout. */
	assert_int_equal(sizeof(struct e820_entry), 20);
	assert_int_equal(offsetof(struct e820_entry, type), 16);
}

static void test_sorted_insert(void **state)
{
	(void)state;
	assert_int_equal(e820_add(&map, 0x100000, 0x100000, E820_RAM), 0);
	assert_int_equal(e820_add(&map, 0, 0x9F000, E820_RAM), 0);
	assert_int_equal(e820_add(&map, 0xF0000, 0x10000, E820_RESERVED), 0);
	assert_int_equal(map.n, 3);
	expect_entry(0, 0, 0x9F000, E820_RAM);
	expect_entry(1, 0xF0000, 0x10000, E820_RESERVED);
	expect_entry(2, 0x100000, 0x100000, E820_RAM);
}

static void test_merge_adjacent(void **state)
{
	(void)state;
	assert_int_equal(e820_add(&map, 0, 0x1000, E820_RAM), 0);
	assert_int_equal(e820_add(&map, 0x2000, 0x1000, E820_RAM), 0);
	assert_int_equal(map.n, 2);
	/* Bridging the hole merges all three into one. */
	assert_int_equal(e820_add(&map, 0x1000, 0x1000, E820_RAM), 0);
	assert_int_equal(map.n, 1);
	expect_entry(0, 0, 0x3000, E820_RAM);
	/* Overlapping same-type add extends. */
	assert_int_equal(e820_add(&map, 0x2800, 0x1000, E820_RAM), 0);
	assert_int_equal(map.n, 1);
	expect_entry(0, 0, 0x3800, E820_RAM);
	/* Adjacent but different type does not merge. */
	assert_int_equal(e820_add(&map, 0x3800, 0x800, E820_ACPI), 0);
	assert_int_equal(map.n, 2);
	expect_entry(1, 0x3800, 0x800, E820_ACPI);
}

static void test_reserved_splits_ram(void **state)
{
	(void)state;
	assert_int_equal(e820_add(&map, 0, 0x10000000, E820_RAM), 0);
	assert_int_equal(e820_add(&map, 0x9F000, 0x61000, E820_RESERVED), 0);
	assert_int_equal(map.n, 3);
	expect_entry(0, 0, 0x9F000, E820_RAM);
	expect_entry(1, 0x9F000, 0x61000, E820_RESERVED);
	expect_entry(2, 0x100000, 0x10000000 - 0x100000, E820_RAM);
}

static void test_ram_does_not_override_reserved(void **state)
{
	(void)state;
	assert_int_equal(e820_add(&map, 0x9F000, 0x61000, E820_RESERVED), 0);
	assert_int_equal(e820_add(&map, 0x200000, 0x1000, E820_NVS), 0);
	/* Same result as adding RAM first: order does not matter. */
	assert_int_equal(e820_add(&map, 0, 0x10000000, E820_RAM), 0);
	assert_int_equal(map.n, 5);
	expect_entry(0, 0, 0x9F000, E820_RAM);
	expect_entry(1, 0x9F000, 0x61000, E820_RESERVED);
	expect_entry(2, 0x100000, 0x100000, E820_RAM);
	expect_entry(3, 0x200000, 0x1000, E820_NVS);
	expect_entry(4, 0x201000, 0x10000000 - 0x201000, E820_RAM);
}

static void test_priority_order(void **state)
{
	(void)state;
	assert_int_equal(e820_add(&map, 0, 0x4000, E820_ACPI), 0);
	assert_int_equal(e820_add(&map, 0x1000, 0x1000, E820_RAM), 0);	/* loses */
	assert_int_equal(e820_add(&map, 0x2000, 0x1000, E820_NVS), 0);	/* wins */
	assert_int_equal(map.n, 3);
	expect_entry(0, 0, 0x2000, E820_ACPI);
	expect_entry(1, 0x2000, 0x1000, E820_NVS);
	expect_entry(2, 0x3000, 0x1000, E820_ACPI);
	/* Reserved beats NVS; unusable (5) beats reserved (2). */
	assert_int_equal(e820_add(&map, 0x2000, 0x800, E820_RESERVED), 0);
	assert_int_equal(e820_add(&map, 0x2000, 0x400, E820_UNUSABLE), 0);
	assert_int_equal(e820_add(&map, 0x2000, 0x400, E820_RESERVED), 0);
	expect_entry(1, 0x2000, 0x400, E820_UNUSABLE);
	expect_entry(2, 0x2400, 0x400, E820_RESERVED);
	expect_entry(3, 0x2800, 0x800, E820_NVS);
}

static void test_cover_many(void **state)
{
	(void)state;
	for (u64 i = 0; i < 10; i++)
		assert_int_equal(e820_add(&map, i * 2 * K, K, i & 1 ? E820_ACPI : E820_RAM), 0);
	assert_int_equal(map.n, 10);
	/* One reserved range swallowing everything but the ends. */
	assert_int_equal(e820_add(&map, K / 2, 18 * K, E820_RESERVED), 0);
	assert_int_equal(map.n, 3);
	expect_entry(0, 0, K / 2, E820_RAM);
	expect_entry(1, K / 2, 18 * K, E820_RESERVED);
	expect_entry(2, K / 2 + 18 * K, K / 2, E820_ACPI);
}

static void test_bad_args(void **state)
{
	(void)state;
	assert_int_equal(e820_add(&map, 0x1000, 0, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&map, 0x1000, 0x1000, 0), -EINVAL);
	assert_int_equal(e820_add(&map, ~0ULL - 0xFFF, 0x1000, E820_RAM), -EINVAL);
	assert_int_equal(e820_add(&map, ~0ULL - 0xFFF, 0x2000, E820_RAM), -EINVAL);
	assert_int_equal(map.n, 0);
	/* Ending one byte short of 2^64 is fine. */
	assert_int_equal(e820_add(&map, ~0ULL - 0xFFF, 0xFFF, E820_RESERVED), 0);
	assert_int_equal(map.n, 1);
	map.n = E820_MAX_ENTRIES + 1;
	assert_int_equal(e820_add(&map, 0, 0x1000, E820_RAM), -EINVAL);
}

static void fill_full(void)
{
	for (u64 i = 0; i < E820_MAX_ENTRIES; i++)
		assert_int_equal(e820_add(&map, i * 4 * K, 2 * K, E820_RAM), 0);
	assert_int_equal(map.n, E820_MAX_ENTRIES);
}

static void test_overflow(void **state)
{
	struct e820_map saved;

	(void)state;
	fill_full();
	saved = map;
	/* A new disjoint range, and a split of one entry, do not fit. */
	assert_int_equal(e820_add(&map, 1000 * K, K, E820_RAM), -ENOSPC);
	assert_int_equal(e820_add(&map, K / 2, K, E820_RESERVED), -ENOSPC);
	/* Filling a gap with another type adds one entry: no room. */
	assert_int_equal(e820_add(&map, 2 * K, 2 * K, E820_RESERVED), -ENOSPC);
	assert_memory_equal(&map, &saved, sizeof(map));

	/* Replacing a whole entry keeps the count: fits. */
	assert_int_equal(e820_add(&map, 0, 2 * K, E820_RESERVED), 0);
	assert_int_equal(map.n, E820_MAX_ENTRIES);
	expect_entry(0, 0, 2 * K, E820_RESERVED);
	/* Growing it over the gap and the head of the next one: same count. */
	assert_int_equal(e820_add(&map, 2 * K, 3 * K, E820_RESERVED), 0);
	assert_int_equal(map.n, E820_MAX_ENTRIES);
	expect_entry(0, 0, 5 * K, E820_RESERVED);
	expect_entry(1, 5 * K, K, E820_RAM);
	expect_entry(2, 8 * K, 2 * K, E820_RAM);
}

static void test_overflow_merge_then_insert(void **state)
{
	(void)state;
	fill_full();
	assert_int_equal(e820_add(&map, 8 * K, 2 * K, E820_RESERVED), 0);
	assert_int_equal(e820_add(&map, 12 * K, 2 * K, E820_RESERVED), 0);
	assert_int_equal(map.n, E820_MAX_ENTRIES);
	/*
	 * RAM over [2K, 12K): bridges entries 0 and 1 (-1), extends into
	 * [6K, 8K) (0) and needs a new entry in [10K, 12K) between two
	 * reserved ranges (+1). Net 0: fits in a full map only because the
	 * merge is done before the insert.
	 */
	assert_int_equal(e820_add(&map, 2 * K, 10 * K, E820_RAM), 0);
	assert_int_equal(map.n, E820_MAX_ENTRIES);
	expect_entry(0, 0, 8 * K, E820_RAM);
	expect_entry(1, 8 * K, 2 * K, E820_RESERVED);
	expect_entry(2, 10 * K, 2 * K, E820_RAM);
	expect_entry(3, 12 * K, 2 * K, E820_RESERVED);
	expect_entry(4, 16 * K, 2 * K, E820_RAM);
	expect_entry(127, 127 * 4 * K, 2 * K, E820_RAM);
}

/* Reference model: one type per 4 KiB unit, highest priority wins. */
#define UNITS 600

static unsigned model_rank(u32 t)
{
	return t == 1 ? 0 : t == 3 ? 1 : t == 4 ? 2 : 3;
}

static bool model_beats(u32 new, u32 old)
{
	if (old == 0)
		return true;
	if (model_rank(new) != model_rank(old))
		return model_rank(new) > model_rank(old);
	return new > old;
}

static unsigned model_to_map(const u32 *units, struct e820_map *out)
{
	unsigned n = 0;

	for (unsigned u = 0; u < UNITS;) {
		unsigned v = u;

		if (!units[u]) {
			u++;
			continue;
		}
		while (v < UNITS && units[v] == units[u])
			v++;
		if (n < E820_MAX_ENTRIES) {
			out->e[n].addr = u * K;
			out->e[n].size = (v - u) * K;
			out->e[n].type = units[u];
		}
		n++;
		u = v;
	}
	return n;
}

static void run_model(unsigned seed, unsigned rounds, unsigned maxlen)
{
	static u32 units[UNITS], trial[UNITS];
	static struct e820_map want;
	unsigned full = 0, ok = 0;

	srand(seed);
	memset(units, 0, sizeof(units));
	e820_init(&map);
	for (unsigned r = 0; r < rounds; r++) {
		unsigned start = rand() % UNITS;
		unsigned len = 1 + rand() % maxlen;
		u32 type = 1 + rand() % 5;
		unsigned n;
		int ret;

		if (start + len > UNITS)
			len = UNITS - start;
		memcpy(trial, units, sizeof(units));
		for (unsigned u = start; u < start + len; u++)
			if (model_beats(type, trial[u]))
				trial[u] = type;
		n = model_to_map(trial, &want);

		ret = e820_add(&map, start * K, len * K, type);
		if (n > E820_MAX_ENTRIES) {
			assert_int_equal(ret, -ENOSPC);
			full++;
		} else {
			assert_int_equal(ret, 0);
			memcpy(units, trial, sizeof(units));
			ok++;
		}
		n = model_to_map(units, &want);
		assert_int_equal(map.n, n);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(map.e[i].addr, want.e[i].addr);
			assert_int_equal(map.e[i].size, want.e[i].size);
			assert_int_equal(map.e[i].type, want.e[i].type);
		}
	}
	assert_true(ok > 0);
	if (maxlen <= 4)
		assert_true(full > 0);	/* the capacity path was exercised */
}

static void test_random_vs_model(void **state)
{
	(void)state;
	run_model(1, 3000, 40);
	run_model(2, 3000, 200);
}

static void test_random_near_capacity(void **state)
{
	(void)state;
	run_model(3, 4000, 3);
	run_model(4, 4000, 4);
}

static void test_find_contains(void **state)
{
	(void)state;
	assert_null(e820_find(&map, 0));
	assert_int_equal(e820_add(&map, 0, 0x9F000, E820_RAM), 0);
	assert_int_equal(e820_add(&map, 0x100000, 0x1000000, E820_RAM), 0);
	assert_ptr_equal(e820_find(&map, 0x9EFFF), &map.e[0]);
	assert_null(e820_find(&map, 0x9F000));
	assert_ptr_equal(e820_find(&map, 0x100000), &map.e[1]);
	assert_true(e820_contains(&map, 0x100000, 0x1000000, E820_RAM));
	assert_false(e820_contains(&map, 0x100000, 0x1000001, E820_RAM));
	assert_false(e820_contains(&map, 0x100000, 0x1000, E820_RESERVED));
	assert_false(e820_contains(&map, 0x90000, 0x10000, E820_RAM));
	assert_false(e820_contains(&map, 0x100000, ~0ULL, E820_RAM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_layout, setup),
		cmocka_unit_test_setup(test_sorted_insert, setup),
		cmocka_unit_test_setup(test_merge_adjacent, setup),
		cmocka_unit_test_setup(test_reserved_splits_ram, setup),
		cmocka_unit_test_setup(test_ram_does_not_override_reserved, setup),
		cmocka_unit_test_setup(test_priority_order, setup),
		cmocka_unit_test_setup(test_cover_many, setup),
		cmocka_unit_test_setup(test_bad_args, setup),
		cmocka_unit_test_setup(test_overflow, setup),
		cmocka_unit_test_setup(test_overflow_merge_then_insert, setup),
		cmocka_unit_test_setup(test_random_vs_model, setup),
		cmocka_unit_test_setup(test_random_near_capacity, setup),
		cmocka_unit_test_setup(test_find_contains, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
