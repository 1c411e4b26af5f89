/* COM1 console (polled THR/LSR) and a small printf. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include "gtypes.h"

#define COM1_BASE 0x3F8
#define UART_THR 0
#define UART_LCR 3
#define UART_LCR_8N1 0x03
#define UART_LSR 5
#define UART_LSR_THRE BIT(5)
#define UART_LSR_TEMT BIT(6)

/* 8 data bits, no parity, 1 stop bit; the baud divisor is left alone. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, size_t len);
/* Wait until the UART has sent everything (before powering off). */
void console_flush(void);

/*
 * printf subset: %d %i %u %x %X %s %c %p %% with flags '-', '0', '#',
 * width (digits or '*') and length l/ll (%llx, %llu, %lld). Each call
 * is written under a lock, so whole lines from different CPUs never mix.
 */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
