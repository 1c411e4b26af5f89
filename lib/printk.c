/* printk: format into a buffer and write it out under the console lock. */
#include "lib.h"

int log_level = LOG_INFO;

/* The console driver plugs itself in (uart_init); until then lines are dropped. */
static void (*console_sink)(const char *s, size_t len);

void printk_set_console(void (*write)(const char *s, size_t len))
{
	console_sink = write;
}

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
	if (console_sink)
		console_sink(buf, n);
	return n;
}
