/* The split virtqueue walker: good chains, and each hostile-guest check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "vq_fixture.h"

#define F_INDIRECT	(1ull << VIRTIO_F_INDIRECT_DESC)
#define F_EVENT_IDX	(1ull << VIRTIO_F_EVENT_IDX)
#define N VIRTQ_DESC_F_NEXT
#define W VIRTQ_DESC_F_WRITE
#define I VIRTQ_DESC_F_INDIRECT

static struct fx f;

static int teardown(void **state)
{
	(void)state;
	fx_free(&f);
	return 0;
}

static void test_init_checks(void **state)
{
	struct virtq q;

	(void)state;
	assert_int_equal(fx_init(&f, 256, 0), VQ_OK);
	assert_int_equal(fx_init(&f, 0, 0), VQ_ERR_SIZE);
	assert_int_equal(f.q.broken, VQ_ERR_SIZE);
	assert_int_equal(fx_init(&f, 3, 0), VQ_ERR_SIZE);
	assert_int_equal(fx_init(&f, 768, 0), VQ_ERR_SIZE);
	assert_int_equal(fx_init(&f, 1, 0), VQ_OK);
	/* 32768 entries: 512 KiB of descriptors fit in 1 MiB */
	assert_int_equal(virtq_init(&q, &f.mem, 32768, 0, 0x80000, 0x90000, 0), VQ_OK);
	/* alignment: descriptors 16, avail 2, used 4 */
	assert_int_equal(virtq_init(&q, &f.mem, 16, 0x1008, FX_AVAIL, FX_USED, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, 0x3001, FX_USED, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, FX_AVAIL, 0x4002, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, 0x3002, FX_USED, 0), VQ_OK);
	/* each ring wholly inside guest RAM, to the byte */
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_RAM - 256, FX_AVAIL, FX_USED, 0), VQ_OK);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_RAM - 240, FX_AVAIL, FX_USED, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, FX_RAM - 38, FX_USED, 0), VQ_OK);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, FX_RAM - 36, FX_USED, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, FX_AVAIL, FX_RAM - 136, 0), VQ_OK);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, FX_AVAIL, FX_RAM - 132, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, 0xfffffffffffffff0ull, FX_AVAIL, FX_USED, 0), VQ_ERR_RING);
	assert_int_equal(virtq_init(&q, &f.mem, 16, FX_DESC, FX_AVAIL, 0xfffffffffffffffcull, 0), VQ_ERR_RING);
	/* a queue that failed set-up takes nothing */
	assert_int_equal(virtq_pop(&q, &f.c, f.iov, 64), VQ_ERR_BROKEN);
}

static void test_chain_read_then_write(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	assert_int_equal(fx_pop(&f), 0);
	assert_false(virtq_has_avail(&f.q));
	fx_set(&f, 5, FX_BUF, 16, N, 2);
	fx_set(&f, 2, FX_BUF + 0x100, 512, N | W, 7);
	fx_set(&f, 7, FX_BUF + 0x400, 1, W, 0);
	fx_offer(&f, 5);
	assert_true(virtq_has_avail(&f.q));
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.head, 5);
	assert_int_equal(f.c.n_read, 1);
	assert_int_equal(f.c.n_write, 2);
	assert_int_equal(f.c.read_len, 16);
	assert_int_equal(f.c.write_len, 513);
	assert_ptr_equal(f.iov[0].iov_base, f.mem.base + FX_BUF);
	assert_int_equal(f.iov[0].iov_len, 16);
	assert_ptr_equal(f.iov[1].iov_base, f.mem.base + FX_BUF + 0x100);
	assert_int_equal(f.iov[1].iov_len, 512);
	assert_ptr_equal(f.iov[2].iov_base, f.mem.base + FX_BUF + 0x400);
	assert_int_equal(fx_pop(&f), 0);

	assert_int_equal(virtq_push(&f.q, 5, 513), VQ_OK);
	assert_int_equal(fx_used_idx(&f), 1);
	assert_int_equal(fx_used(&f, 0).id, 5);
	assert_int_equal(fx_used(&f, 0).len, 513);
	assert_true(virtq_need_interrupt(&f.q));
	/* the driver asked for no interrupts */
	fx_avail(&f)[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_need_interrupt(&f.q));
}

static void test_only_readable_only_writable_and_empty(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 4, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, 0, 0);
	fx_set(&f, 1, FX_BUF, 8, W, 0);
	fx_set(&f, 2, FX_RAM, 0, 0, 0);		/* empty, at the very end: allowed */
	fx_offer(&f, 0);
	fx_offer(&f, 1);
	fx_offer(&f, 2);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.n_read, 1);
	assert_int_equal(f.c.n_write, 0);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.n_read, 0);
	assert_int_equal(f.c.n_write, 1);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.read_len, 0);
}

/* One bad chain breaks the queue: the error, then BROKEN for everything after. */
static void expect_broken(int err)
{
	assert_int_equal(fx_pop(&f), err);
	assert_int_equal(f.q.broken, err);
	assert_int_equal(fx_pop(&f), VQ_ERR_BROKEN);
	assert_int_equal(virtq_push(&f.q, 0, 0), VQ_ERR_BROKEN);
	assert_false(virtq_need_interrupt(&f.q));
	assert_false(virtq_has_avail(&f.q));
	assert_string_not_equal(virtq_strerror(err), "unknown error");
}

static void test_avail_index_jump(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	for (unsigned i = 0; i < 8; i++)
		fx_set(&f, i, FX_BUF, 8, 0, 0);
	fx_avail(&f)[1] = 8;			/* exactly a full ring: fine */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(fx_pop(&f), 1);
	fx_avail(&f)[1] = 8 + 9;		/* nine more with eight slots */
	expect_broken(VQ_ERR_AVAIL_IDX);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_avail(&f)[1] = 0xffff;		/* backwards */
	expect_broken(VQ_ERR_AVAIL_IDX);
}

static void test_head_and_next_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_offer(&f, 8);
	expect_broken(VQ_ERR_HEAD);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_offer(&f, 0xffff);
	expect_broken(VQ_ERR_HEAD);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, N, 8);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_NEXT);
}

static void test_loops(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 3, FX_BUF, 8, N, 3);		/* itself */
	fx_offer(&f, 3);
	expect_broken(VQ_ERR_LOOP);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, N, 1);
	fx_set(&f, 1, FX_BUF, 8, N, 2);
	fx_set(&f, 2, FX_BUF, 8, N, 0);		/* back to the head */
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_LOOP);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, N | W, 1);
	fx_set(&f, 1, FX_BUF, 8, N | W, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_LOOP);
	/* a chain through every descriptor once is the longest legal one */
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	for (unsigned i = 0; i < 8; i++)
		fx_set(&f, i, FX_BUF, 8, i < 7 ? N : 0, (uint16_t)(i + 1));
	fx_offer(&f, 0);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.n_read, 8);
}

static void test_buffers_outside_ram(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_RAM - 16, 16, 0, 0);	/* to the last byte: fine */
	fx_offer(&f, 0);
	assert_int_equal(fx_pop(&f), 1);
	fx_set(&f, 1, FX_RAM - 16, 17, 0, 0);
	fx_offer(&f, 1);
	expect_broken(VQ_ERR_BUF);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_RAM, 1, W, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_BUF);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, 0xfffffffffffffff0ull, 0x20, 0, 0);	/* wraps to 0x10 */
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_BUF);
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, N, 1);
	fx_set(&f, 1, 1ull << 40, 8, W, 0);	/* the second of a chain */
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_BUF);
}

static void test_write_before_read(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, N, 1);
	fx_set(&f, 1, FX_BUF, 8, N | W, 2);
	fx_set(&f, 2, FX_BUF, 8, 0, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_ORDER);
}

static void test_too_many_segments(void **state)
{
	struct iovec iov[3];

	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	for (unsigned i = 0; i < 3; i++)
		fx_set(&f, i, FX_BUF, 8, N, (uint16_t)(i + 1));
	fx_set(&f, 3, FX_BUF, 8, 0, 0);
	fx_offer(&f, 1);			/* 1, 2, 3: three segments */
	fx_offer(&f, 0);			/* four */
	assert_int_equal(virtq_pop(&f.q, &f.c, iov, 3), 1);
	assert_int_equal(virtq_pop(&f.q, &f.c, iov, 3), VQ_ERR_SEGS);
	assert_int_equal(f.q.broken, VQ_ERR_SEGS);
}

/* 4 GiB in one chain: the used ring's 32-bit length cannot say that. */
static void test_chain_of_4g(void **state)
{
	struct gmem big;
	struct virtq q;
	struct virtq_desc *d;

	(void)state;
	big.size = 5ull << 30;
	big.base = mmap(NULL, big.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big.base == MAP_FAILED)
		skip();
	assert_int_equal(virtq_init(&q, &big, 4, 0, 0x100, 0x200, 0), VQ_OK);
	d = (struct virtq_desc *)big.base;
	d[0] = (struct virtq_desc){ 0x1000, 0x80000000u, N, 1 };
	d[1] = (struct virtq_desc){ 0x1000, 0x7fffffffu, N | W, 2 };
	d[2] = (struct virtq_desc){ 0x1000, 0, W, 0 };	/* UINT32_MAX in all: fine */
	d[3] = (struct virtq_desc){ 0x1000, 1, W, 0 };
	((uint16_t *)(big.base + 0x100))[2] = 0;
	((uint16_t *)(big.base + 0x100))[1] = 1;
	assert_int_equal(virtq_pop(&q, &f.c, f.iov, 64), 1);
	assert_int_equal(f.c.read_len, 0x80000000u);
	assert_int_equal(f.c.write_len, 0x7fffffffu);
	d[1].next = 3;
	((uint16_t *)(big.base + 0x100))[3] = 0;
	((uint16_t *)(big.base + 0x100))[1] = 2;
	assert_int_equal(virtq_pop(&q, &f.c, f.iov, 64), VQ_ERR_LEN);
	munmap(big.base, big.size);
}

static void test_indirect(void **state)
{
	struct virtq_desc tbl[3] = {
		{ FX_BUF, 16, N, 1 }, { FX_BUF + 0x100, 100, N | W, 2 }, { FX_BUF + 0x200, 1, W, 0 },
	};

	(void)state;
	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	memcpy(f.mem.base + 0x8003, tbl, sizeof(tbl));	/* tables need no alignment */
	fx_set(&f, 4, 0x8003, sizeof(tbl), I | W, 0);	/* WRITE on it is ignored */
	fx_offer(&f, 4);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.head, 4);
	assert_int_equal(f.c.n_read, 1);
	assert_int_equal(f.c.n_write, 2);
	assert_int_equal(f.c.write_len, 101);
	assert_ptr_equal(f.iov[1].iov_base, f.mem.base + FX_BUF + 0x100);
	assert_int_equal(virtq_push(&f.q, 4, 101), VQ_OK);

	/* not negotiated */
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	memcpy(f.mem.base + 0x8000, tbl, sizeof(tbl));
	fx_set(&f, 0, 0x8000, sizeof(tbl), I, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_INDIRECT);
	/* with NEXT */
	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	memcpy(f.mem.base + 0x8000, tbl, sizeof(tbl));
	fx_set(&f, 0, 0x8000, sizeof(tbl), I | N, 1);
	fx_set(&f, 1, FX_BUF, 1, W, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_INDIRECT);
	/* not the head */
	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	memcpy(f.mem.base + 0x8000, tbl, sizeof(tbl));
	fx_set(&f, 0, FX_BUF, 16, N, 1);
	fx_set(&f, 1, 0x8000, sizeof(tbl), I, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_INDIRECT);
}

static void test_indirect_bad_tables(void **state)
{
	static const uint32_t bad_len[] = { 0, 8, 17, 47, (VIRTQ_MAX_INDIRECT + 1) * 16 };
	struct virtq_desc nested[2] = { { FX_BUF, 16, N, 1 }, { 0x8000, 32, I, 0 } };
	struct virtq_desc looped[2] = { { FX_BUF, 16, N, 1 }, { FX_BUF, 16, N, 0 } };
	struct virtq_desc past[2] = { { FX_BUF, 16, N, 1 }, { FX_BUF, 16, N, 2 } };

	(void)state;
	for (unsigned i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
		fx_set(&f, 0, 0x8000, bad_len[i], I, 0);
		fx_offer(&f, 0);
		expect_broken(VQ_ERR_INDIRECT_LEN);
	}
	/* the largest table accepted */
	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	fx_set(&f, 0, 0x20000, VIRTQ_MAX_INDIRECT * 16, I, 0);	/* zeroed: one empty readable buffer */
	fx_offer(&f, 0);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(f.c.n_read, 1);
	/* table outside RAM */
	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	fx_set(&f, 0, FX_RAM - 16, 32, I, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_BUF);

	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	memcpy(f.mem.base + 0x8000, nested, sizeof(nested));
	fx_set(&f, 0, 0x8000, sizeof(nested), I, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_NESTED);

	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	memcpy(f.mem.base + 0x8000, looped, sizeof(looped));
	fx_set(&f, 0, 0x8000, sizeof(looped), I, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_LOOP);

	assert_int_equal(fx_init(&f, 8, F_INDIRECT), VQ_OK);
	memcpy(f.mem.base + 0x8000, past, sizeof(past));
	fx_set(&f, 0, 0x8000, sizeof(past), I, 0);
	fx_offer(&f, 0);
	expect_broken(VQ_ERR_NEXT);
}

static void test_push_checks(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	assert_int_equal(virtq_push(&f.q, 0, 0), VQ_ERR_USED);	/* nothing in flight */
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	fx_set(&f, 0, FX_BUF, 8, W, 0);
	fx_offer(&f, 0);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(virtq_push(&f.q, 8, 0), VQ_ERR_USED);
	assert_int_equal(f.q.broken, VQ_ERR_USED);
}

/* Indexes are free-running 16-bit counters: run them past 65535. */
static void test_index_wrap(void **state)
{
	(void)state;
	assert_int_equal(fx_init(&f, 4, 0), VQ_OK);
	for (unsigned i = 0; i < 4; i++)
		fx_set(&f, i, FX_BUF + 16 * i, 16, W, 0);
	for (unsigned n = 0; n < 70000; n++) {
		uint16_t head = (uint16_t)(n % 4);

		fx_offer(&f, head);
		assert_int_equal(fx_pop(&f), 1);
		assert_int_equal(f.c.head, head);
		assert_int_equal(virtq_push(&f.q, head, 16), VQ_OK);
		assert_int_equal(fx_used_idx(&f), (uint16_t)(n + 1));
		assert_int_equal(fx_used(&f, n % 4).id, head);
	}
	assert_int_equal(fx_pop(&f), 0);
}

static void test_event_idx(void **state)
{
	uint16_t *used_event, *avail_event;

	(void)state;
	assert_int_equal(fx_init(&f, 8, F_EVENT_IDX), VQ_OK);
	used_event = &fx_avail(&f)[2 + 8];
	avail_event = (uint16_t *)(f.mem.base + FX_USED + 4 + 8 * 8);
	for (unsigned i = 0; i < 8; i++)
		fx_set(&f, i, FX_BUF, 8, W, 0);
	/* pop asks for a kick at the next new entry */
	fx_offer(&f, 0);
	fx_offer(&f, 1);
	fx_offer(&f, 2);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(*avail_event, 1);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(*avail_event, 3);
	/* notifications off: avail_event stays behind */
	virtq_set_notify(&f.q, false);
	fx_offer(&f, 3);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(*avail_event, 3);
	virtq_set_notify(&f.q, true);
	assert_int_equal(*avail_event, 4);

	/* interrupts: the first always; then only when used.idx passes used_event */
	*used_event = 0;
	assert_int_equal(virtq_push(&f.q, 0, 8), VQ_OK);	/* used 1 */
	assert_true(virtq_need_interrupt(&f.q));
	*used_event = 2;					/* wake me after the third */
	assert_int_equal(virtq_push(&f.q, 1, 8), VQ_OK);	/* used 2 */
	assert_false(virtq_need_interrupt(&f.q));
	assert_int_equal(virtq_push(&f.q, 2, 8), VQ_OK);	/* used 3: passes 2 */
	assert_true(virtq_need_interrupt(&f.q));
	assert_int_equal(virtq_push(&f.q, 3, 8), VQ_OK);	/* used 4: 2 already passed */
	assert_false(virtq_need_interrupt(&f.q));
	/* NO_INTERRUPT means nothing under EVENT_IDX */
	fx_avail(&f)[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	*used_event = 4;
	fx_offer(&f, 4);
	assert_int_equal(fx_pop(&f), 1);
	assert_int_equal(virtq_push(&f.q, 4, 8), VQ_OK);	/* used 5 */
	assert_true(virtq_need_interrupt(&f.q));
}

static void test_notify_flag_without_event_idx(void **state)
{
	uint16_t *used_flags;

	(void)state;
	assert_int_equal(fx_init(&f, 8, 0), VQ_OK);
	used_flags = (uint16_t *)(f.mem.base + FX_USED);
	virtq_set_notify(&f.q, false);
	assert_int_equal(*used_flags, VIRTQ_USED_F_NO_NOTIFY);
	virtq_set_notify(&f.q, true);
	assert_int_equal(*used_flags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_checks, teardown),
		cmocka_unit_test_teardown(test_chain_read_then_write, teardown),
		cmocka_unit_test_teardown(test_only_readable_only_writable_and_empty, teardown),
		cmocka_unit_test_teardown(test_avail_index_jump, teardown),
		cmocka_unit_test_teardown(test_head_and_next_out_of_range, teardown),
		cmocka_unit_test_teardown(test_loops, teardown),
		cmocka_unit_test_teardown(test_buffers_outside_ram, teardown),
		cmocka_unit_test_teardown(test_write_before_read, teardown),
		cmocka_unit_test_teardown(test_too_many_segments, teardown),
		cmocka_unit_test_teardown(test_chain_of_4g, teardown),
		cmocka_unit_test_teardown(test_indirect, teardown),
		cmocka_unit_test_teardown(test_indirect_bad_tables, teardown),
		cmocka_unit_test_teardown(test_push_checks, teardown),
		cmocka_unit_test_teardown(test_index_wrap, teardown),
		cmocka_unit_test_teardown(test_event_idx, teardown),
		cmocka_unit_test_teardown(test_notify_flag_without_event_idx, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
