/*
 * gbench: the device model's figures, measured from inside a Linux VM with
 * RDTSC (in Bochs the TSC counts emulated instructions). Static, in the
 * post-launched guest's initramfs and in the Service VM's (the echo server).
 * Each figure subcommand prints "bench NAME VALUE UNIT" lines; exit 0, or 1
 * with the reason on stderr (no line then).
 *
 *   gbench tsc                        "gbench: init TSC N" (the boot figure's end)
 *   gbench elapsed NAME START END     bench NAME END-START insns (START <= END)
 *   gbench blk DEV N                  N O_DIRECT 4 KiB preads: median insns and exits
 *   gbench kick VVVV:DDDD Q N NAME    N notifies of queue Q of that virtio PCI device
 *   gbench echo-server PORT           UDP echo, forever (the Service VM's side)
 *   gbench echo-client IP PORT N      N UDP round trips of 64 bytes: median insns
 */
#define _GNU_SOURCE		/* O_DIRECT */
#include <arpa/inet.h>
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define HV_LEAF_EXIT_COUNT	0x40000100	/* bulkhead: this vCPU's VM exits so far (EAX) */
#define MAX_SAMPLES		1000
#define PCI_DEVICES		"/sys/bus/pci/devices"
#define PCI_CAP_ID_VNDR		0x09
#define VIRTIO_CAP_COMMON	1
#define VIRTIO_CAP_NOTIFY	2
/* the common configuration's queue fields (virtio 1.x 4.1.4.3) */
#define C_QSEL			0x16
#define C_QENABLE		0x1C
#define C_QNOTIFY		0x1E

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	/* lfence: the stores and loads before it are done when the TSC is read */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* This vCPU's exit count (the CPUID itself is one exit, counted before it answers). */
static uint32_t exits_now(void)
{
	unsigned a, b, c, d;

	__cpuid(HV_LEAF_EXIT_COUNT, a, b, c, d);
	(void)b, (void)c, (void)d;
	return a;
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "gbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	return 1;
}

static int parse_count(const char *s, unsigned long *n, unsigned long max)
{
	char *end;

	errno = 0;
	*n = strtoul(s, &end, 10);
	return (errno || end == s || *end || *n == 0 || *n > max) ? -1 : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the median (the lower of the middle two): sorts v */
static uint64_t median(uint64_t *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(n - 1) / 2];
}

static int cmd_elapsed(const char *name, const char *a, const char *b)
{
	char *e1, *e2;
	unsigned long long start, end;

	errno = 0;
	start = strtoull(a, &e1, 10);
	end = strtoull(b, &e2, 10);
	if (errno || e1 == a || *e1 || e2 == b || *e2)
		return fail("elapsed: START and END must be decimal TSC values (%s)", name);
	if (end < start)
		return fail("elapsed %s: END is before START: not the same clock", name);
	printf("bench %s %llu insns\n", name, end - start);
	return 0;
}

/* ---- virtio-blk: one 4 KiB read through the page-cache-free path ---- */

static int cmd_blk(const char *dev, unsigned long n)
{
	static uint64_t insns[MAX_SAMPLES], exits[MAX_SAMPLES];
	void *buf;
	int fd = open(dev, O_RDONLY | O_DIRECT);

	if (fd < 0)
		return fail("blk: cannot open %s with O_DIRECT", dev);
	if (posix_memalign(&buf, 4096, 4096))
		return fail("blk: %s", "no memory");
	for (unsigned long i = 0; i < n; i++) {
		/* a different block each time: nothing below the guest may serve it from a cache of its own */
		off_t off = (off_t)(i * 2 + 1) * 4096;
		uint32_t e0 = exits_now();
		uint64_t t0 = rdtsc();
		ssize_t got = pread(fd, buf, 4096, off);
		uint64_t t1 = rdtsc();
		uint32_t e1 = exits_now();

		if (got != 4096) {
			close(fd);
			return fail("blk: a 4 KiB pread of %s failed", dev);
		}
		insns[i] = t1 - t0;
		exits[i] = (uint32_t)(e1 - e0 - 1);	/* less the second CPUID's own exit */
	}
	close(fd);
	free(buf);
	printf("bench virtio_blk_read_4k_insns %llu insns\n", (unsigned long long)median(insns, n));
	printf("bench virtio_blk_read_4k_exits %llu exits\n", (unsigned long long)median(exits, n));
	return 0;
}

/* ---- a virtqueue notify from user space ---- */

struct vcap { int bar; uint32_t off, len, mult; };

/* The function of that vendor:device id, as "0000:00:04.0" in path. */
static int find_function(const char *id, char *path, size_t len)
{
	DIR *d = opendir(PCI_DEVICES);
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found && (e = readdir(d))) {
		char p[300], v[16] = "", dv[16] = "", want[40];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), PCI_DEVICES "/%s/vendor", e->d_name);
		if ((f = fopen(p, "r"))) {
			if (!fgets(v, sizeof(v), f))
				v[0] = 0;
			fclose(f);
		}
		snprintf(p, sizeof(p), PCI_DEVICES "/%s/device", e->d_name);
		if ((f = fopen(p, "r"))) {
			if (!fgets(dv, sizeof(dv), f))
				dv[0] = 0;
			fclose(f);
		}
		v[strcspn(v, "\n")] = dv[strcspn(dv, "\n")] = 0;
		snprintf(want, sizeof(want), "%s:%s", v[0] ? v + 2 : "", dv[0] ? dv + 2 : "");
		if (!strcmp(want, id)) {
			snprintf(path, len, PCI_DEVICES "/%s", e->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

/* The virtio vendor capability of cfg_type type in config space (256 bytes). */
static int find_cap(const uint8_t *cfg, int type, struct vcap *c)
{
	unsigned at = cfg[0x34] & 0xFC;

	for (int hops = 0; at && at < 0xF0 && hops < 48; hops++, at = cfg[at + 1] & 0xFC) {
		if (cfg[at] != PCI_CAP_ID_VNDR || cfg[at + 3] != type)
			continue;
		c->bar = cfg[at + 4];
		memcpy(&c->off, cfg + at + 8, 4);
		memcpy(&c->len, cfg + at + 12, 4);
		c->mult = 0;
		if (type == VIRTIO_CAP_NOTIFY && cfg[at + 2] >= 20)
			memcpy(&c->mult, cfg + at + 16, 4);
		return 0;
	}
	return -1;
}

static volatile uint8_t *map_bar(const char *fn, int bar, size_t *size)
{
	char p[320];
	struct stat st;
	void *m;
	int fd;

	snprintf(p, sizeof(p), "%s/resource%d", fn, bar);
	fd = open(p, O_RDWR | O_SYNC);
	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*size = (size_t)st.st_size;
	m = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return m == MAP_FAILED ? NULL : m;
}

/*
 * Time writes of queue q's index to its notify address, as the driver's own
 * kick does. The queue's notify offset is read from the common configuration
 * (queue_select written, then put back: the driver touches it only while it
 * sets queues up, done long before). A notify with nothing new in the queue
 * is a kick the device must take and find nothing in (virtio 1.x: the driver
 * may notify at any time); what the guest waits for is the same either way.
 */
static int cmd_kick(const char *id, unsigned long q, unsigned long n, const char *name)
{
	static uint64_t insns[MAX_SAMPLES];
	char fn[300], p[320];
	uint8_t cfg[256];
	struct vcap common, notify;
	volatile uint8_t *cbar, *nbar;
	size_t csize, nsize;
	uint16_t saved, noff, enabled;
	uint64_t at;
	FILE *f;

	if (find_function(id, fn, sizeof(fn)))
		return fail("kick: no PCI function %s", id);
	snprintf(p, sizeof(p), "%s/config", fn);
	f = fopen(p, "rb");
	if (!f || fread(cfg, 1, sizeof(cfg), f) != sizeof(cfg)) {
		if (f)
			fclose(f);
		return fail("kick: cannot read %s (root, 256 bytes)", p);
	}
	fclose(f);
	if (find_cap(cfg, VIRTIO_CAP_COMMON, &common) || find_cap(cfg, VIRTIO_CAP_NOTIFY, &notify))
		return fail("kick: %s has no virtio common or notify capability", id);
	cbar = map_bar(fn, common.bar, &csize);
	nbar = notify.bar == common.bar ? cbar : map_bar(fn, notify.bar, &nsize);
	if (notify.bar == common.bar)
		nsize = csize;
	if (!cbar || !nbar || common.off + 0x20 > csize)
		return fail("kick: cannot map the BARs of %s (sysfs resourceN)", fn);
	saved = *(volatile uint16_t *)(cbar + common.off + C_QSEL);
	*(volatile uint16_t *)(cbar + common.off + C_QSEL) = (uint16_t)q;
	noff = *(volatile uint16_t *)(cbar + common.off + C_QNOTIFY);
	enabled = *(volatile uint16_t *)(cbar + common.off + C_QENABLE);
	*(volatile uint16_t *)(cbar + common.off + C_QSEL) = saved;
	if (enabled != 1)
		return fail("kick: queue not enabled by the driver (%s)", id);
	at = notify.off + (uint64_t)noff * notify.mult;
	if (at + 2 > notify.off + notify.len || at + 2 > nsize)
		return fail("kick: the notify address is outside the capability (%s)", id);
	for (unsigned long i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		*(volatile uint16_t *)(nbar + at) = (uint16_t)q;
		insns[i] = rdtsc() - t0;
	}
	printf("bench %s %llu insns\n", name, (unsigned long long)median(insns, n));
	return 0;
}

/* ---- UDP echo over virtio-net ---- */

static int cmd_echo_server(const char *port_s, unsigned long port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	char buf[2048];
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
		return fail("echo-server: cannot bind UDP port %s", port_s);
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t k = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (k >= 0)
			sendto(s, buf, (size_t)k, 0, (struct sockaddr *)&from, fl);
	}
}

static int cmd_echo_client(const char *ip, unsigned long port, unsigned long n)
{
	static uint64_t insns[MAX_SAMPLES];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 5 };
	char out[64], in[64];
	int s;

	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
		return fail("echo-client: '%s' is not an IPv4 address", ip);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)))
		return fail("echo-client: cannot set up a UDP socket to %s", ip);
	for (unsigned long i = 0; i < n; i++) {
		uint64_t t0, t1;
		ssize_t k;

		memset(out, (int)('a' + i % 26), sizeof(out));
		t0 = rdtsc();
		k = send(s, out, sizeof(out), 0);
		if (k == (ssize_t)sizeof(out))
			k = recv(s, in, sizeof(in), 0);
		t1 = rdtsc();
		if (k != (ssize_t)sizeof(in) || memcmp(in, out, sizeof(in))) {
			close(s);
			return fail("echo-client: no echo of 64 bytes from %s (5 s)", ip);
		}
		insns[i] = t1 - t0;
	}
	close(s);
	printf("bench virtio_net_echo_insns %llu insns\n", (unsigned long long)median(insns, n));
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: gbench tsc | elapsed NAME START END | blk DEV N | "
		"kick VENDOR:DEVICE QUEUE N NAME | echo-server PORT | echo-client IP PORT N\n"
		"  (N: 1..%d samples; the figure is their median)\n", MAX_SAMPLES);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long n, q, port;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "tsc")) {
		printf("gbench: init TSC %llu\n", (unsigned long long)rdtsc());
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "elapsed"))
		return cmd_elapsed(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "blk") && !parse_count(argv[3], &n, MAX_SAMPLES))
		return cmd_blk(argv[2], n);
	if (argc == 6 && !strcmp(argv[1], "kick") && !parse_count(argv[4], &n, MAX_SAMPLES) &&
	    (!strcmp(argv[3], "0") || !parse_count(argv[3], &q, 0xFFFF))) {
		if (!strcmp(argv[3], "0"))
			q = 0;
		return cmd_kick(argv[2], q, n, argv[5]);
	}
	if (argc == 3 && !strcmp(argv[1], "echo-server") && !parse_count(argv[2], &port, 0xFFFF))
		return cmd_echo_server(argv[2], port);
	if (argc == 5 && !strcmp(argv[1], "echo-client") && !parse_count(argv[3], &port, 0xFFFF) &&
	    !parse_count(argv[4], &n, MAX_SAMPLES))
		return cmd_echo_client(argv[2], port, n);
	return usage();
}
