/* 16550 UART driver for the hypervisor log (polled, no interrupts). */
#include "lib.h"
#include "console.h"
#include "spinlock.h"
#include "x86.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_DR BIT(0)
#define UART_LSR_THRE BIT(5)
#define UART_LSR_TEMT BIT(6)

static u16 uart_port = 0x3F8;
static bool uart_off;
static spinlock_t console_lock = SPINLOCK_INIT;

void uart_init(u16 port)
{
	uart_port = port;
	uart_off = false;
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80);	/* DLAB: 115200 baud */
	outb(port + 0, 0x01);
	outb(port + 1, 0x00);
	outb(port + UART_LCR, 0x03);	/* 8n1 */
	outb(port + UART_FCR, 0x07);
	outb(port + UART_MCR, 0x03);
}

void uart_disable(void)
{
	uart_off = true;
}

void uart_putc(char c)
{
	unsigned spins = 0;

	if (uart_off)
		return;
	/* bounded wait: a missing UART must not hang the hypervisor */
	while (!(inb(uart_port + UART_LSR) & UART_LSR_THRE) && ++spins < 100000)
		cpu_relax();
	outb(uart_port + UART_THR, c);
}

void uart_flush(void)
{
	unsigned spins = 0;

	if (uart_off)
		return;
	while (!(inb(uart_port + UART_LSR) & UART_LSR_TEMT) && ++spins < 1000000)
		cpu_relax();
}

int uart_getc(void)
{
	if (uart_off || !(inb(uart_port + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}

void console_write(const char *s, size_t len)
{
	spin_lock(&console_lock);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
	spin_unlock(&console_lock);
}
