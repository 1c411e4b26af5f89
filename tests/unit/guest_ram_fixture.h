/* A fake guest RAM for the loader tests (test_guest_loader.c, test_bzimage.c). */
#ifndef BH_TEST_GUEST_RAM_FIXTURE_H
#define BH_TEST_GUEST_RAM_FIXTURE_H

#include "e820.h"
#include "errno.h"
#include "guest_loader.h"

#define MiB (1024ULL * 1024)
#define POISON 0xCC

/* ---- fake guest RAM ---- */

static struct {
	u8 *mem;
	u64 size;
	unsigned writes;
	int fail_at;		/* fail the Nth write/zero (1-based), 0 = never */
} ram;

static struct guest_mem gm;
static struct vcpu_boot_state st;
static struct e820_map map;

static inline int ram_access(u64 gpa, size_t len)
{
	assert_true(gpa + len >= gpa && gpa + len <= ram.size);
	ram.writes++;
	return ram.fail_at && (int)ram.writes == ram.fail_at ? -EIO : 0;
}

static inline int ram_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	assert_ptr_equal(ctx, &ram);
	if (ram_access(gpa, len))
		return -EIO;
	memcpy(ram.mem + gpa, src, len);
	return 0;
}

static inline int ram_zero(void *ctx, u64 gpa, size_t len)
{
	assert_ptr_equal(ctx, &ram);
	if (ram_access(gpa, len))
		return -EIO;
	memset(ram.mem + gpa, 0, len);
	return 0;
}

static inline void ram_init(u64 size)
{
	free(ram.mem);
	ram.mem = malloc(size);
	assert_non_null(ram.mem);
	memset(ram.mem, POISON, size);
	ram.size = size;
	ram.writes = 0;
	ram.fail_at = 0;
	gm.ctx = &ram;
	gm.write = ram_write;
	gm.zero = ram_zero;
	gm.ram_size = size;
	memset(&st, 0xA5, sizeof(st));
	e820_init(&map);
	assert_int_equal(e820_add(&map, 0, size, E820_RAM), 0);
}

static inline u64 rd64(u64 gpa)
{
	u64 v;

	memcpy(&v, ram.mem + gpa, 8);
	return v;
}

static inline u32 rd32(u64 gpa)
{
	u32 v;

	memcpy(&v, ram.mem + gpa, 4);
	return v;
}

static inline bool all_bytes(u64 gpa, u64 len, u8 v)
{
	for (u64 i = 0; i < len; i++)
		if (ram.mem[gpa + i] != v)
			return false;
	return true;
}

static inline int teardown(void **state)
{
	(void)state;
	free(ram.mem);
	ram.mem = NULL;
	return 0;
}

#endif
