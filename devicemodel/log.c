/* One place that prints, so tests can see the lines and storms stay short. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "dm_log.h"

static void (*log_sink)(const char *line);
static uint64_t (*log_clock)(void);

void dm_log_set_sink(void (*sink)(const char *line)) { log_sink = sink; }
void dm_log_set_clock(uint64_t (*now_ns)(void)) { log_clock = now_ns; }

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (log_clock)
		return log_clock();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void emit(const char *fmt, va_list ap, unsigned suppressed)
{
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (suppressed && n >= 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, " (%u similar lines suppressed)", suppressed);
	if (log_sink)
		log_sink(line);
	else
		fprintf(stderr, "bulkhead-dm: %s\n", line);
}

void dm_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(fmt, ap, 0);
	va_end(ap);
}

void dm_log_limited(struct dm_ratelimit *rl, const char *fmt, ...)
{
	uint64_t t = now_ns();
	unsigned suppressed;
	va_list ap;

	if (rl->used == 0 || t - rl->window_start >= rl->period_ns) {
		rl->window_start = t;
		rl->used = 0;
	}
	if (rl->used >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->used++;
	suppressed = rl->suppressed;
	rl->suppressed = 0;
	va_start(ap, fmt);
	emit(fmt, ap, suppressed);
	va_end(ap);
}

int dm_verr_after(char *buf, size_t n, int at, const char *fmt, va_list ap)
{
	if (at >= 0 && (size_t)at < n)
		vsnprintf(buf + at, n - (size_t)at, fmt, ap);
	return -1;
}

int dm_err(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dm_verr_after(buf, n, 0, fmt, ap);
	va_end(ap);
	return -1;
}
