/* The hypervisor's own log console (a physical 16550 UART). */
#ifndef BH_CONSOLE_H
#define BH_CONSOLE_H

#include "types.h"

void uart_init(u16 port);
void uart_disable(void);
void uart_putc(char c);
void uart_flush(void);		/* wait until the transmitter is empty */
int uart_getc(void);		/* -1 if nothing received */

/* Write a whole string under the console lock, so lines of CPUs don't mix. */
void console_write(const char *s, size_t len);

#endif
