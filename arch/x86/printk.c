/* printk: format into a buffer (lib/) and write it out under the console lock (uart.c). */
#include "lib.h"
#include "console.h"

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
