/*
 * hsmtest: the Service VM's own devices, with working interrupts. Its CMOS
 * RTC's and its HPET's lines are routed to it by the hypervisor (dm/isa_irq.c,
 * edge until its vIOAPIC says else) and described in its vACPI (IRQ 8 in the
 * RTC's _CRS, an HPET table, IRQ 0 -> GSI 2):
 * - RTC update interrupts (RTC_UIE_ON on /dev/rtc0) arrive on IRQ 8; with the
 *   HPET in legacy replacement mode Linux raises them from HPET timer 1,
 *   which also interrupts on GSI 8 (/proc/driver/rtc says "HPET_emulated");
 * - Linux found the HPET (its clocksource and clock event device);
 * - a free HPET timer (/dev/hpet: the first of its IOAPIC routes from GSI 16
 *   on, level, active low as Linux programs it) interrupts us periodically.
 */
#include <linux/hpet.h>
#include <linux/rtc.h>
#include <poll.h>

#include "hsmtest.h"

#define EVENTS		2	/* interrupts waited for on each device */
#define EVENT_WAIT_MS	5000
#define HPET_HZ		16

/* IRQ irq's count in /proc/interrupts (all CPUs), or -1; its line's tail into name. */
static long irq_count(unsigned irq, char *name, size_t name_size)
{
	char line[512], want[16];
	FILE *f = fopen("/proc/interrupts", "r");
	long sum = -1;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%u:", irq);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		p += strspn(p, " ");
		if (strncmp(p, want, strlen(want)))
			continue;
		p += strlen(want);
		sum = 0;
		for (;;) {
			long n = strtol(p, &end, 10);

			if (end == p)
				break;
			sum += n;
			p = end;
		}
		if (name) {
			p += strspn(p, " ");
			p[strcspn(p, "\n")] = '\0';
			snprintf(name, name_size, "%s", p);
		}
		break;
	}
	fclose(f);
	return sum;
}

/* The IRQ number of the /proc/interrupts line that ends in name, or -1. */
static int irq_named(const char *name)
{
	char line[512];
	FILE *f = fopen("/proc/interrupts", "r");
	int irq = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n"), k = strlen(name);

		line[n] = '\0';
		if (n > k && !strcmp(line + n - k, name) && line[n - k - 1] == ' ') {
			irq = atoi(line);
			break;
		}
	}
	fclose(f);
	return irq;
}

/* Wait for n interrupt events on fd (each read returns one unsigned long); how many came. */
static unsigned wait_events(int fd, unsigned n)
{
	unsigned got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		unsigned long data;

		if (poll(&p, 1, EVENT_WAIT_MS) != 1 || read(fd, &data, sizeof(data)) != sizeof(data))
			break;
		got++;
	}
	return got;
}

static bool file_has(const char *path, const char *what)
{
	char buf[4096];

	return read_file(path, buf, sizeof(buf)) == 0 && strstr(buf, what);
}

static void rtc_check(void)
{
	char name[128] = "";
	long before = irq_count(8, NULL, 0), after;
	int fd = open("/dev/rtc0", O_RDONLY | O_CLOEXEC), r = 0;
	unsigned got = 0;

	if (fd < 0)
		r = errno;
	else if (ioctl(fd, RTC_UIE_ON, 0) < 0)
		r = errno;
	else
		got = wait_events(fd, EVENTS);
	if (fd >= 0) {
		ioctl(fd, RTC_UIE_OFF, 0);
		close(fd);
	}
	after = irq_count(8, name, sizeof(name));
	tap(!r && got == EVENTS && before >= 0 && after > before,
	    "RTC update interrupts on IRQ 8: /dev/rtc0 %s, %u of %u update(s) read, IRQ 8 (%s) "
	    "count %ld -> %ld%s", err_str(r), got, EVENTS, name, before, after,
	    file_has("/proc/driver/rtc", "HPET_emulated\t: yes") ? " (raised by HPET timer 1)" : "");
}

static void hpet_found_check(void)
{
	bool cs = file_has("/sys/devices/system/clocksource/clocksource0/available_clocksource",
			   "hpet");
	bool ce = file_has("/proc/timer_list", "Clock Event Device: hpet");

	tap(cs && ce, "Linux uses the HPET its vACPI describes: clocksource %s, clock event "
	    "device %s", cs ? "hpet" : "missing", ce ? "hpet" : "missing");
}

static void hpet_irq_check(void)
{
	char name[128] = "";
	int fd = open("/dev/hpet", O_RDONLY | O_CLOEXEC), r = 0, irq = -1;
	long before = -1, after = -1;
	unsigned got = 0;

	if (fd < 0) {
		r = errno;
	} else if (ioctl(fd, HPET_IRQFREQ, (unsigned long)HPET_HZ) < 0) {
		r = errno;
	} else if (ioctl(fd, HPET_EPI, 0), ioctl(fd, HPET_IE_ON, 0) < 0) {
		r = errno;	/* periodic if the timer can; else the driver re-arms it */
	} else {
		irq = irq_named("hpet2");	/* the first timer Linux leaves to /dev/hpet */
		before = irq >= 0 ? irq_count((unsigned)irq, NULL, 0) : -1;
		got = wait_events(fd, EVENTS);
		after = irq >= 0 ? irq_count((unsigned)irq, name, sizeof(name)) : -1;
	}
	if (fd >= 0) {
		ioctl(fd, HPET_IE_OFF, 0);
		close(fd);
	}
	tap(!r && got == EVENTS && irq >= 0 && after >= before + EVENTS,
	    "HPET timer interrupts at %u Hz through /dev/hpet: %s, %u of %u read, IRQ %d (%s) "
	    "count %ld -> %ld", HPET_HZ, err_str(r), got, EVENTS, irq, name, before, after);
}

/* What the checks saw, for the log: the lines of the timers and clocks. */
static void show(void)
{
	char line[512];
	FILE *f = fopen("/proc/interrupts", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "timer") || strstr(line, "rtc") || strstr(line, "hpet"))
			printf("# %s", line);
	if (f)
		fclose(f);
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (f && fgets(line, sizeof(line), f))
		printf("# current clocksource: %s", line);
	if (f)
		fclose(f);
}

void machine_checks(void)
{
	rtc_check();
	hpet_found_check();
	hpet_irq_check();
	show();
}
