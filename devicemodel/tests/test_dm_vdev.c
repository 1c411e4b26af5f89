/*
 * virtio-blk and virtio-rng behind the transport, as a guest drives them:
 * requests made available in guest memory, one kick, answers in the used
 * ring and an MSI; a read-only image; a malformed request stops the device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>

#include "dm_log.h"
#include "vdev.h"
#include "vp_driver.h"

#define BAR	0xC0000000ULL
#define RAM	(1u << 20)
#define DESC	0x1000u
#define AVAIL	0x3000u
#define USED	0x4000u
#define QSIZE	16u
#define SECTORS	64u

static struct pcicfg pci;
static struct gmem mem;
static struct vdev d;
static struct dm_dev cfg;
static char path[64];
static unsigned nmsi;
static uint16_t avail_idx;

static int inject(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	(void)addr;
	(void)data;
	nmsi++;
	return 0;
}

static void sink(const char *line) { (void)line; }
static void wr(unsigned off, unsigned size, uint64_t v) { virtio_pci_write(&d.vp, BAR + off, size, v); }
static uint64_t rd(unsigned off, unsigned size) { return virtio_pci_read(&d.vp, BAR + off, size); }

/* An image of SECTORS sectors, each filled with its number. */
static void make_image(void)
{
	uint8_t sec[512];
	int fd;

	snprintf(path, sizeof(path), "/tmp/bulkhead-vdev-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (unsigned s = 0; s < SECTORS; s++) {
		memset(sec, (int)s, sizeof(sec));
		assert_int_equal(write(fd, sec, sizeof(sec)), sizeof(sec));
	}
	close(fd);
}

/* The driver's side: queue 0 on MSI-X vector 1, a second queue (if any) 0x8000 on, on vector 0. */
static void attach(void)
{
	static const struct vpd_queue qs[2] = {
		{ DESC, AVAIL, USED, 1 },
		{ DESC + 0x8000, AVAIL + 0x8000, USED + 0x8000, 0 },
	};

	pcicfg_init(&pci);
	memset(mem.base, 0, RAM);
	avail_idx = 0;
	nmsi = 0;
	assert_int_equal(virtio_pci_init(&d.vp, &d.desc, &d, &pci, 3, 0, &mem, inject, NULL), 0);
	vp_driver_attach(&d.vp, &pci, 3, BAR, 2, 0, QSIZE, d.desc.nqueues > 1 ? 2 : 1, qs, NULL);
	assert_int_equal(rd(0x14, 1), 0xF);
}

static int setup_blk(bool ro)
{
	memset(&d, 0, sizeof(d));
	memset(&cfg, 0, sizeof(cfg));
	if (!mem.base)
		mem = (struct gmem){ calloc(1, RAM), RAM };
	make_image();
	snprintf(cfg.blk.path, sizeof(cfg.blk.path), "%s", path);
	cfg.blk.readonly = ro;
	dm_log_set_sink(sink);
	char why[128];

	if (virtio_blk_open(&d, &cfg, why, sizeof(why)))
		return -1;
	attach();
	return 0;
}

static int setup_rw(void **state) { (void)state; return setup_blk(false); }
static int setup_ro(void **state) { (void)state; return setup_blk(true); }

static int teardown(void **state)
{
	(void)state;
	if (d.fd >= 0)
		close(d.fd);
	unlink(path);
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	free(mem.base);
	mem.base = NULL;
	dm_log_set_sink(NULL);
	return 0;
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc v = { addr, len, flags, next };

	memcpy(mem.base + DESC + 16 * i, &v, sizeof(v));
}

static void offer(uint16_t head)
{
	uint16_t *avail = (uint16_t *)(mem.base + AVAIL);

	avail[2 + avail_idx % QSIZE] = head;
	avail[1] = ++avail_idx;
}

static uint16_t used_idx(void) { return *(uint16_t *)(mem.base + USED + 2); }

static struct virtq_used_elem used(unsigned i)
{
	struct virtq_used_elem e;

	memcpy(&e, mem.base + USED + 4 + 8 * i, sizeof(e));
	return e;
}

/* A three-descriptor request at descriptors 3i..3i+2, header/data/status in its own page. */
static uint8_t *request(unsigned i, uint32_t type, uint64_t sector, uint32_t len, bool write)
{
	uint64_t page = 0x10000 + 0x2000ull * i;
	uint8_t hdr[16] = { 0 };

	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	memcpy(mem.base + page, hdr, 16);
	mem.base[page + 0x1FFF] = 0xEE;
	desc(3 * i, page, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(3 * i + 1));
	desc(3 * i + 1, page + 0x100, len, VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE),
	     (uint16_t)(3 * i + 2));
	desc(3 * i + 2, page + 0x1FFF, 1, VIRTQ_DESC_F_WRITE, 0);
	offer((uint16_t)(3 * i));
	return mem.base + page;
}

static void kick(void)
{
	wr(VP_NOTIFY, 2, 0);
	virtio_pci_run(&d.vp);
}

static void test_blk_config(void **state)
{
	(void)state;
	assert_int_equal(pcicfg_read(&pci, 0, 3, 0, 0, 4), 0x10421AF4);
	assert_int_equal(rd(VP_DEVCFG, 8), SECTORS);		/* capacity in sectors */
	assert_int_equal(rd(VP_DEVCFG + 12, 4), 126);		/* seg_max */
	assert_int_equal(rd(VP_DEVCFG + 20, 4), 512);		/* blk_size */
	wr(0x00, 4, 0);
	assert_true(rd(0x04, 4) & (1u << 9));			/* FLUSH */
	assert_false(rd(0x04, 4) & (1u << 5));			/* not read-only */
}

/* Several requests in flight, one kick: all answered in order, one interrupt. */
static void test_blk_requests_in_flight(void **state)
{
	uint8_t *rq, *wq, *fq, *iq;
	uint8_t sec[512];

	(void)state;
	rq = request(0, VIRTIO_BLK_T_IN, 5, 1024, false);
	wq = request(1, VIRTIO_BLK_T_OUT, 9, 512, true);
	memset(wq + 0x100, 0xAB, 512);
	fq = request(2, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	iq = request(3, VIRTIO_BLK_T_GET_ID, 0, 20, false);
	kick();
	assert_int_equal(used_idx(), 4);
	assert_int_equal(nmsi, 1);
	assert_int_equal(used(0).id, 0);
	assert_int_equal(used(0).len, 1025);
	assert_int_equal(rq[0x1FFF], VIRTIO_BLK_S_OK);
	assert_int_equal(rq[0x100], 5);
	assert_int_equal(rq[0x100 + 1023], 6);
	assert_int_equal(used(1).id, 3);
	assert_int_equal(used(1).len, 1);
	assert_int_equal(wq[0x1FFF], VIRTIO_BLK_S_OK);
	assert_int_equal(used(2).id, 6);
	assert_int_equal(fq[0x1FFF], VIRTIO_BLK_S_OK);
	assert_int_equal(used(3).len, 21);
	assert_int_equal(iq[0x1FFF], VIRTIO_BLK_S_OK);
	assert_memory_equal(iq + 0x100, strrchr(path, '/') + 1, strlen(strrchr(path, '/') + 1));
	/* the write reached the image */
	assert_int_equal(pread(d.fd, sec, 512, 9 * 512), 512);
	assert_int_equal(sec[0], 0xAB);
	assert_int_equal(sec[511], 0xAB);
	assert_int_equal(d.reqs, 4);
	/* past the end: an I/O error for that request, the device runs on */
	rq = request(0, VIRTIO_BLK_T_IN, SECTORS, 512, false);
	kick();
	assert_int_equal(used_idx(), 5);
	assert_int_equal(nmsi, 1);			/* EVENT_IDX: used_event 0 was passed long ago */
	((uint16_t *)(mem.base + AVAIL))[2 + QSIZE] = 5;	/* the driver wants to hear of entry 6 */
	request(1, VIRTIO_BLK_T_IN, 0, 512, false);
	kick();
	assert_int_equal(rq[0x1FFF], VIRTIO_BLK_S_IOERR);
	assert_int_equal(rd(0x14, 1), 0xF);
	assert_int_equal(nmsi, 2);
}

static void test_blk_read_only(void **state)
{
	uint8_t *wq;

	(void)state;
	wr(0x00, 4, 0);
	assert_true(rd(0x04, 4) & (1u << 5));			/* RO offered */
	wq = request(0, VIRTIO_BLK_T_OUT, 1, 512, true);
	kick();
	assert_int_equal(wq[0x1FFF], VIRTIO_BLK_S_IOERR);
}

/* A header cut short: NEEDS_RESET and a configuration interrupt; a reset brings it back. */
static void test_blk_malformed_breaks(void **state)
{
	(void)state;
	request(0, VIRTIO_BLK_T_IN, 0, 512, false);
	desc(0, 0x10000, 8, VIRTQ_DESC_F_NEXT, 1);
	kick();
	assert_int_equal(used_idx(), 0);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(nmsi, 1);
	request(1, VIRTIO_BLK_T_IN, 0, 512, false);
	kick();
	assert_int_equal(used_idx(), 0);			/* stopped until reset */
	attach();
	request(0, VIRTIO_BLK_T_IN, 0, 512, false);
	kick();
	assert_int_equal(used_idx(), 1);
}

static void test_rng(void **state)
{
	struct dm_dev rcfg = { .kind = DM_DEV_VIRTIO_RND };
	char why[128];
	uint8_t zero[64] = { 0 };

	(void)state;
	close(d.fd);
	memset(&d, 0, sizeof(d));
	assert_int_equal(virtio_rng_open(&d, &rcfg, why, sizeof(why)), 0);
	attach();
	assert_int_equal(pcicfg_read(&pci, 0, 3, 0, 0, 4), 0x10441AF4);
	desc(0, 0x10000, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	kick();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used(0).len, 64);
	assert_memory_not_equal(mem.base + 0x10000, zero, 64);
	assert_int_equal(nmsi, 1);
	/* a readable buffer is not an entropy request */
	desc(1, 0x10000, 64, 0, 0);
	offer(1);
	kick();
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
}

/* hvc0: what the guest transmits lands in the file; input waits for the guest's buffers. */
static void test_console(void **state)
{
	struct dm_dev ccfg = { .kind = DM_DEV_VIRTIO_CONSOLE };
	char why[128], got[64] = { 0 };
	uint16_t *avail1 = (uint16_t *)(mem.base + AVAIL + 0x8000);
	int fd;

	(void)state;
	close(d.fd);
	memset(&d, 0, sizeof(d));
	ccfg.console.nports = 1;
	ccfg.console.port[0].backend = DM_CHR_FILE;
	snprintf(ccfg.console.port[0].path, sizeof(ccfg.console.port[0].path), "%s", path);
	assert_int_equal(virtio_console_open(&d, &ccfg, why, sizeof(why)), 0);
	attach();
	assert_int_equal(pcicfg_read(&pci, 0, 3, 0, 0, 4), 0x10431AF4);
	/* transmitq: two readable buffers, one line */
	memcpy(mem.base + 0x10000, "hello ", 6);
	memcpy(mem.base + 0x10100, "hvc0\n", 5);
	memcpy(mem.base + DESC + 0x8000, &(struct virtq_desc){ 0x10000, 6, VIRTQ_DESC_F_NEXT, 1 }, 16);
	memcpy(mem.base + DESC + 0x8000 + 16, &(struct virtq_desc){ 0x10100, 5, 0, 0 }, 16);
	avail1[2] = 0;
	avail1[1] = 1;
	wr(VP_NOTIFY + VP_NOTIFY_MULT, 2, 1);
	virtio_pci_run(&d.vp);
	assert_int_equal(*(uint16_t *)(mem.base + USED + 0x8000 + 2), 1);
	assert_int_equal(nmsi, 1);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, got, sizeof(got)), 11);
	assert_string_equal(got, "hello hvc0\n");
	close(fd);
	/* input before the guest has buffers waits; a buffer of 4 takes 4, the rest waits again */
	virtio_console_input(&d, (const uint8_t *)"typed", 5);
	assert_int_equal(nmsi, 1);
	desc(0, 0x11000, 4, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	kick();
	assert_int_equal(used_idx(), 1);
	assert_int_equal(used(0).len, 4);
	assert_memory_equal(mem.base + 0x11000, "type", 4);
	assert_int_equal(nmsi, 2);
	desc(1, 0x12000, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(1);
	kick();
	assert_int_equal(used(1).len, 1);
	assert_int_equal(mem.base[0x12000], 'd');
	/* no buffer, input that does not fit: dropped and counted */
	for (unsigned i = 0; i < 5; i++)
		virtio_console_input(&d, mem.base + 0x20000, 1000);
	assert_int_equal(d.rx_len, 4096);
	assert_int_equal(d.rx_dropped, 904);
	free(d.rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blk_config, setup_rw, teardown),
		cmocka_unit_test_setup_teardown(test_blk_requests_in_flight, setup_rw, teardown),
		cmocka_unit_test_setup_teardown(test_blk_read_only, setup_ro, teardown),
		cmocka_unit_test_setup_teardown(test_blk_malformed_breaks, setup_rw, teardown),
		cmocka_unit_test_setup_teardown(test_rng, setup_rw, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup_rw, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
