/* Host stand-ins for the hypervisor's logging, linked into every unit test. */
#include <stdarg.h>
#include <stdio.h>
#include "lib.h"
#include "ratelimit.h"

int log_level = LOG_WARN;
unsigned host_printk_calls;	/* tests that check "logged once" read it */

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	host_printk_calls++;
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

/* Every line is printed here; a test that counts them links its own (strong) one. */
__attribute__((weak)) bool ratelimit_ok(struct ratelimit *rl)
{
	(void)rl;
	return true;
}
