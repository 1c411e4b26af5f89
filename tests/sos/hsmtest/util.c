/* hsmtest: TAP lines, errors, files, and the hypervisor's free memory. */
#include "hsmtest.h"

int hsm = -1;
unsigned test_no;

/* ---- TAP ---- */

bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok;
}

const char *err_str(int e)
{
	static char buf[32];

	if (!e)
		return "0";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(e) ? strerrorname_np(e) : "E?");
	return buf;
}

/* ioctl: 0 or the errno */
int hioctl(unsigned long req, void *arg)
{
	return ioctl(hsm, req, arg) < 0 ? errno : 0;
}

bool tap_err(int got, int want, const char *what)
{
	return tap(got == want, "%s: %s (want %s)", what, err_str(got), err_str(want));
}

/* ---- the hypervisor's free memory (bulkhead's CPUID leaf, Service VM only) ---- */

unsigned long long hv_free_bytes(void)
{
	unsigned a, b, c, d;

	__cpuid(HV_LEAF_FREE_MEM, a, b, c, d);
	(void)b;
	(void)c;
	return ((unsigned long long)d << 32) | a;
}

/* ---- files ---- */

int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = errno;
	close(fd);
	return ret;
}

int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

unsigned int e1000_cfg(unsigned int off)
{
	return e1000_config(off);
}

uint32_t e1000_config(unsigned off)
{
	uint32_t v = 0xFFFFFFFFu;
	int fd = open(E1000_CONFIG, O_RDONLY);

	if (fd < 0)
		return v;
	if (pread(fd, &v, 4, off) != 4)
		v = 0xFFFFFFFFu;
	close(fd);
	return v;
}

/*
 * The e1000's interrupt cause through its BAR0 (sysfs resource0, ours
 * again), memory decoding turned on as a driver would. ~0: no mapping.
 */
uint32_t e1000_icr(void)
{
	int fd = open(E1000_CONFIG, O_RDWR);
	volatile uint32_t *regs;
	uint16_t cmd = 0;
	uint32_t v;

	if (fd < 0 || pread(fd, &cmd, 2, 0x04) != 2 ||
	    (cmd |= 0x2, pwrite(fd, &cmd, 2, 0x04) != 2))
		printf("# Command.MEM of the e1000 not set: %s\n", err_str(errno));
	if (fd >= 0)
		close(fd);
	fd = open(E1000_BAR0_FILE, O_RDWR | O_SYNC);
	if (fd < 0) {
		printf("# %s: %s\n", E1000_BAR0_FILE, err_str(errno));
		return 0xFFFFFFFFu;
	}
	regs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (regs == MAP_FAILED) {
		printf("# mmap of %s: %s\n", E1000_BAR0_FILE, err_str(errno));
		return 0xFFFFFFFFu;
	}
	v = regs[POST_E1000_ICR / 4];
	munmap((void *)regs, 4096);
	return v;
}
