/* printk: format into a buffer (lib/) and queue it on the console (console.c); rate limits on the TSC. */
#include "lib.h"
#include "console.h"
#include "lapic.h"
#include "ratelimit.h"
#include "x86.h"

int log_level = LOG_INFO;

int printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	console_write(buf, n);
	return n;
}

bool ratelimit_ok(struct ratelimit *rl)
{
	u32 missed;
	/* before calibration tsc_khz is 0: every line is in one window */
	bool ok = ratelimit_check(rl, rdtsc(), (tsc_khz ? tsc_khz : 1) * 1000 * RATELIMIT_SECS,
				  RATELIMIT_BURST, &missed);

	if (ok && missed)
		printk("(%u lines like the next held back)\n", missed);
	return ok;
}
