/* virtio-blk requests: framing, each type, bounds against the image, and doing them on a file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "iov.h"
#include "virtio_blk_req.h"

#define CAP (64u * 512)		/* a 32 KiB image */

static uint8_t hdr[1024], rbuf[4][1024], wbuf[4][1024];
static struct iovec iov[8], data[8];
static struct virtq_chain c;
static struct blk_req r;

static void set_hdr(uint32_t type, uint64_t sector)
{
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
}

/* A chain of readable then writable segments given by their lengths (0-terminated lists). */
static void chain(const size_t *rl, const size_t *wl)
{
	unsigned n = 0;

	memset(&c, 0, sizeof(c));
	c.iov = iov;
	for (unsigned i = 0; rl[i] != (size_t)-1; i++, n++) {
		iov[n].iov_base = i == 0 ? hdr : rbuf[i];
		iov[n].iov_len = rl[i];
		c.read_len += (uint32_t)rl[i];
		c.n_read++;
	}
	for (unsigned i = 0; wl[i] != (size_t)-1; i++, n++) {
		iov[n].iov_base = wbuf[i];
		iov[n].iov_len = wl[i];
		c.write_len += (uint32_t)wl[i];
		c.n_write++;
	}
}
#define END ((size_t)-1)
#define L(...) ((const size_t[]){ __VA_ARGS__, END })
#define NONE ((const size_t[]){ END })

static int parse(bool ro)
{
	return blk_req_parse(&c, CAP, ro, &r, data, 8);
}

static void test_framing_errors(void **state)
{
	(void)state;
	set_hdr(VIRTIO_BLK_T_IN, 0);
	chain(L(15), L(513));
	assert_int_equal(parse(false), BLK_ERR_HEADER);
	chain(NONE, L(513));
	assert_int_equal(parse(false), BLK_ERR_HEADER);
	chain(L(16), NONE);
	assert_int_equal(parse(false), BLK_ERR_STATUS);
	chain(L(16), L(0, 0));
	assert_int_equal(parse(false), BLK_ERR_STATUS);
	chain(L(16), L(512, 1));
	assert_int_equal(blk_req_parse(&c, CAP, false, &r, data, 0), BLK_ERR_SEGS);
	assert_string_not_equal(blk_req_strerror(BLK_ERR_SEGS), "unknown error");
}

static void test_read(void **state)
{
	(void)state;
	set_hdr(VIRTIO_BLK_T_IN, 3);
	chain(L(16), L(512, 512, 1));
	assert_int_equal(parse(false), 0);
	assert_false(r.done);
	assert_int_equal(r.type, VIRTIO_BLK_T_IN);
	assert_int_equal(r.offset, 3 * 512);
	assert_int_equal(r.len, 1024);
	assert_int_equal(r.ndata, 2);
	assert_ptr_equal(r.data[0].iov_base, wbuf[0]);
	assert_ptr_equal(r.status, wbuf[2]);
	/* status sharing the last data segment, and an empty segment after it */
	chain(L(16), L(512, 513, 0));
	assert_int_equal(parse(false), 0);
	assert_int_equal(r.len, 1024);
	assert_int_equal(r.ndata, 2);
	assert_int_equal(r.data[1].iov_len, 512);
	assert_ptr_equal(r.status, wbuf[1] + 512);
}

static void test_header_split_across_segments(void **state)
{
	(void)state;
	set_hdr(VIRTIO_BLK_T_OUT, 5);
	/* 5 header bytes in one segment, 11 in the next with the data behind them */
	memcpy(rbuf[1], hdr + 5, 11);
	chain(L(5, 11 + 512), L(1));
	assert_int_equal(parse(false), 0);
	assert_int_equal(r.type, VIRTIO_BLK_T_OUT);
	assert_int_equal(r.sector, 5);
	assert_int_equal(r.len, 512);
	assert_int_equal(r.ndata, 1);
	assert_ptr_equal(r.data[0].iov_base, rbuf[1] + 11);
}

static void test_bounds(void **state)
{
	(void)state;
	set_hdr(VIRTIO_BLK_T_IN, 62);
	chain(L(16), L(1024, 1));		/* the last two sectors: fine */
	assert_int_equal(parse(false), 0);
	assert_false(r.done);
	set_hdr(VIRTIO_BLK_T_IN, 63);
	assert_int_equal(parse(false), 0);	/* one past the end */
	assert_true(r.done);
	assert_int_equal(r.result, VIRTIO_BLK_S_IOERR);
	set_hdr(VIRTIO_BLK_T_OUT, 64);
	chain(L(16), L(1));			/* empty write at the end: fine */
	assert_int_equal(parse(false), 0);
	assert_false(r.done);
	set_hdr(VIRTIO_BLK_T_OUT, 65);
	assert_int_equal(parse(false), 0);
	assert_true(r.done);
	set_hdr(VIRTIO_BLK_T_IN, UINT64_MAX / 512 + 1);	/* offset would wrap */
	chain(L(16), L(512, 1));
	assert_int_equal(parse(false), 0);
	assert_true(r.done);
	assert_int_equal(r.result, VIRTIO_BLK_S_IOERR);
	set_hdr(VIRTIO_BLK_T_IN, UINT64_MAX / 512);
	assert_int_equal(parse(false), 0);
	assert_true(r.done);
	set_hdr(VIRTIO_BLK_T_IN, 0);		/* not whole sectors */
	chain(L(16), L(100, 1));
	assert_int_equal(parse(false), 0);
	assert_true(r.done);
	assert_int_equal(r.result, VIRTIO_BLK_S_IOERR);
}

static void test_other_types(void **state)
{
	(void)state;
	set_hdr(VIRTIO_BLK_T_FLUSH, 0);
	chain(L(16), L(1));
	assert_int_equal(parse(true), 0);	/* flushing a read-only disk is fine */
	assert_false(r.done);
	assert_int_equal(r.ndata, 0);
	set_hdr(VIRTIO_BLK_T_OUT, 0);
	chain(L(16 + 512), L(1));
	assert_int_equal(parse(true), 0);
	assert_true(r.done);
	assert_int_equal(r.result, VIRTIO_BLK_S_IOERR);
	set_hdr(VIRTIO_BLK_T_GET_ID, 0);
	chain(L(16), L(21));
	assert_int_equal(parse(false), 0);
	assert_int_equal(r.len, 20);
	chain(L(16), L(64, 1));			/* a larger buffer: still 20 */
	assert_int_equal(parse(false), 0);
	assert_int_equal(r.len, 20);
	chain(L(16), L(8, 1));			/* smaller: what fits */
	assert_int_equal(parse(false), 0);
	assert_int_equal(r.len, 8);
	set_hdr(11, 0);				/* DISCARD: not offered */
	chain(L(16 + 16), L(1));
	assert_int_equal(parse(false), 0);
	assert_true(r.done);
	assert_int_equal(r.result, VIRTIO_BLK_S_UNSUPP);
}

static int image(void)
{
	int fd = memfd_create("img", 0);
	uint8_t sec[512];

	assert_true(fd >= 0);
	for (unsigned s = 0; s < CAP / 512; s++) {
		memset(sec, (int)s, sizeof(sec));
		assert_int_equal(write(fd, sec, sizeof(sec)), sizeof(sec));
	}
	return fd;
}

static void test_execute(void **state)
{
	int fd = image();
	uint8_t sec[512];

	(void)state;
	set_hdr(VIRTIO_BLK_T_IN, 7);
	chain(L(16), L(300, 724, 1));		/* 1024 bytes split mid-sector */
	wbuf[2][0] = 0xff;
	assert_int_equal(parse(false), 0);
	assert_int_equal(blk_req_execute(fd, "", &r), 1025);
	assert_int_equal(wbuf[2][0], VIRTIO_BLK_S_OK);
	assert_int_equal(wbuf[0][0], 7);
	assert_int_equal(wbuf[0][299], 7);
	assert_int_equal(wbuf[1][211], 7);
	assert_int_equal(wbuf[1][212], 8);
	assert_int_equal(wbuf[1][723], 8);

	set_hdr(VIRTIO_BLK_T_OUT, 2);
	memset(rbuf[1], 0xab, 512);
	chain(L(16, 512), L(1));
	assert_int_equal(parse(false), 0);
	assert_int_equal(blk_req_execute(fd, "", &r), 1);
	assert_int_equal(wbuf[0][0], VIRTIO_BLK_S_OK);
	assert_int_equal(pread(fd, sec, 512, 1024), 512);
	assert_int_equal(sec[0], 0xab);
	assert_int_equal(sec[511], 0xab);

	set_hdr(VIRTIO_BLK_T_FLUSH, 0);
	chain(L(16), L(1));
	assert_int_equal(parse(false), 0);
	assert_int_equal(blk_req_execute(fd, "", &r), 1);
	assert_int_equal(wbuf[0][0], VIRTIO_BLK_S_OK);

	set_hdr(VIRTIO_BLK_T_GET_ID, 0);
	chain(L(16), L(21));
	memset(wbuf[0], 0xee, 21);
	assert_int_equal(parse(false), 0);
	assert_int_equal(blk_req_execute(fd, "bulkhead-disk0", &r), 21);
	assert_memory_equal(wbuf[0], "bulkhead-disk0\0\0\0\0\0\0", 20);
	assert_int_equal(wbuf[0][20], VIRTIO_BLK_S_OK);
	assert_int_equal(parse(false), 0);
	blk_req_execute(fd, "0123456789abcdefghijKLM", &r);
	assert_memory_equal(wbuf[0], "0123456789abcdefghij", 20);

	/* an error status decided by the parser is written as is */
	set_hdr(VIRTIO_BLK_T_IN, 64);
	chain(L(16), L(512, 1));
	assert_int_equal(parse(false), 0);
	assert_int_equal(blk_req_execute(fd, "", &r), 513);
	assert_int_equal(wbuf[1][0], VIRTIO_BLK_S_IOERR);

	/* the file shrank under us: a read past its end fails, not hangs */
	assert_int_equal(ftruncate(fd, 1024), 0);
	set_hdr(VIRTIO_BLK_T_IN, 1);
	chain(L(16), L(1024, 1));
	assert_int_equal(parse(false), 0);
	blk_req_execute(fd, "", &r);
	assert_int_equal(wbuf[1][0], VIRTIO_BLK_S_IOERR);
	close(fd);
	/* and a closed descriptor: every kind of I/O fails with IOERR */
	set_hdr(VIRTIO_BLK_T_FLUSH, 0);
	chain(L(16), L(1));
	assert_int_equal(parse(false), 0);
	blk_req_execute(fd, "", &r);
	assert_int_equal(wbuf[0][0], VIRTIO_BLK_S_IOERR);
}

static void test_iov_helpers(void **state)
{
	uint8_t a[4] = { 1, 2, 3, 4 }, b[3] = { 5, 6, 7 }, out[8];
	struct iovec v[3] = { { a, 4 }, { NULL, 0 }, { b, 3 } }, s[3];

	(void)state;
	assert_int_equal(iov_size(v, 3), 7);
	assert_int_equal(iov_to_buf(v, 3, 2, out, 8), 5);
	assert_memory_equal(out, "\3\4\5\6\7", 5);
	assert_int_equal(iov_from_buf(v, 3, 3, "\x10\x11", 2), 2);
	assert_int_equal(a[3], 0x10);
	assert_int_equal(b[0], 0x11);
	assert_int_equal(iov_slice(v, 3, 3, 3, s, 3), 2);
	assert_ptr_equal(s[0].iov_base, a + 3);
	assert_int_equal(s[0].iov_len, 1);
	assert_int_equal(s[1].iov_len, 2);
	assert_int_equal(iov_slice(v, 3, 3, 5, s, 3), -1);	/* past the end */
	assert_int_equal(iov_slice(v, 3, 0, 7, s, 1), -1);	/* no room */
	assert_int_equal(iov_slice(v, 3, 7, 0, s, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_errors),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_header_split_across_segments),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_other_types),
		cmocka_unit_test(test_execute),
		cmocka_unit_test(test_iov_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
