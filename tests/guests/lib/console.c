/*
 * COM1 output. The contract only promises THR writes and LSR reads, so
 * the one setup write is LCR = 8N1 (bare Bochs resets to 5-bit words);
 * the divisor latch (DLAB) is never touched.
 */
#include "console.h"
#include "percpu.h"
#include "x86.h"

#define LSR_WAIT_SPINS 100000
#define PRINTF_BUF 256
#define NO_OWNER 0xFFFFFFFFu

static volatile u32 console_owner = NO_OWNER;
static u32 console_depth;

static void wait_lsr(u8 bits)
{
	/* Bounded: a console that never reports ready must not hang the test. */
	for (u32 i = 0; i < LSR_WAIT_SPINS; i++) {
		if ((inb(COM1_BASE + UART_LSR) & bits) == bits)
			return;
		cpu_relax();
	}
}

void console_init(void)
{
	outb(COM1_BASE + UART_LCR, UART_LCR_8N1);
}

void console_putc(char c)
{
	wait_lsr(UART_LSR_THRE);
	outb(COM1_BASE + UART_THR, (u8)c);
}

void console_flush(void)
{
	wait_lsr(UART_LSR_THRE | UART_LSR_TEMT);
}

/* Recursive per CPU, so an exception report from inside printf cannot deadlock. */
static void console_lock(void)
{
	u32 me = this_cpu()->index;

	if (console_owner == me) {
		console_depth++;
		return;
	}
	while (__sync_val_compare_and_swap(&console_owner, NO_OWNER, me) != NO_OWNER)
		cpu_relax();
	console_depth = 1;
}

static void console_unlock(void)
{
	if (--console_depth == 0)
		__atomic_store_n(&console_owner, NO_OWNER, __ATOMIC_RELEASE);
}

void console_write(const char *s, size_t len)
{
	console_lock();
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
	console_unlock();
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_BUF];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	console_write(buf, len);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
