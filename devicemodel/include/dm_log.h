/* bulkhead-dm's log: one line per message on stderr, or a sink tests set. */
#ifndef DM_LOG_H
#define DM_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void dm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * At most `burst` lines per `period_ns`; the rest are counted and the count
 * is said on the next line let through. A guest that breaks its device over
 * and over must not flood the Service VM's console.
 */
struct dm_ratelimit {
	uint64_t period_ns;
	unsigned burst;
	uint64_t window_start;
	unsigned used;
	unsigned suppressed;
};
#define DM_RATELIMIT_INIT(period_ms, n) { (uint64_t)(period_ms) * 1000000u, (n), 0, 0, 0 }

void dm_log_limited(struct dm_ratelimit *rl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * An error message for the caller to print (the command line's, a device's
 * refusal): fmt into buf, after the `at` bytes already there (a prefix the
 * caller wrote with snprintf, which may have been cut short: then nothing
 * more). Both return -1, the failure the callers pass on.
 */
int dm_verr_after(char *buf, size_t n, int at, const char *fmt, va_list ap);
int dm_err(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Tests capture lines here instead of stderr (NULL: back to stderr). */
void dm_log_set_sink(void (*sink)(const char *line));
/* Tests drive the rate limit's clock (NULL: CLOCK_MONOTONIC). */
void dm_log_set_clock(uint64_t (*now_ns)(void));

#endif
