/* The 16550 under the console (arch/x86/console.c): thin register access, no policy. */
#include "lib.h"
#include "console.h"
#include "x86.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_IER_RDI BIT(0)
#define UART_MCR_OUT2 BIT(3)	/* gates the interrupt line on PC UARTs */
#define UART_LSR_DR BIT(0)
#define UART_LSR_THRE BIT(5)
#define UART_LSR_TEMT BIT(6)

static u16 uart_port = 0x3F8;
static bool uart_off;
static unsigned fifo_depth = 1;	/* bytes the transmitter takes when THRE is set */
static u8 ier;

void uart_init(u16 port)
{
	uart_port = port;
	uart_off = false;
	ier = 0;
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80);	/* DLAB: 115200 baud */
	outb(port + 0, 0x01);
	outb(port + 1, 0x00);
	outb(port + UART_LCR, 0x03);	/* 8n1 */
	outb(port + UART_FCR, 0x07);
	/* IIR bits 7:6 = 11: a 16550A's 16-byte FIFOs are on; else one byte at a time */
	fifo_depth = (inb(port + UART_IIR) & 0xC0) == 0xC0 ? 16 : 1;
	outb(port + UART_MCR, 0x03 | UART_MCR_OUT2);
}

void uart_disable(void)
{
	uart_off = true;
}

u16 uart_port_base(void)
{
	return uart_off ? 0 : uart_port;
}

unsigned uart_tx_room(void)
{
	if (uart_off)
		return 1024;	/* no UART: everything "sent" at once */
	return (inb(uart_port + UART_LSR) & UART_LSR_THRE) ? fifo_depth : 0;
}

void uart_tx_put(char c)
{
	if (!uart_off)
		outb(uart_port + UART_THR, c);
}

bool uart_tx_idle(void)
{
	return uart_off || (inb(uart_port + UART_LSR) & UART_LSR_TEMT);
}

static void set_ier(u8 bit, bool on)
{
	u8 v = on ? ier | bit : ier & ~bit;

	/* written only on a change: a kick per guest line costs no port write */
	if (v == ier || uart_off)
		return;
	ier = v;
	outb(uart_port + UART_IER, v);
}

void uart_rx_irq(bool on)
{
	set_ier(UART_IER_RDI, on);
}

bool uart_irq_pending(void)
{
	/* reading IIR also acknowledges a transmit-empty interrupt */
	return !uart_off && !(inb(uart_port + UART_IIR) & 0x01);
}

int uart_getc(void)
{
	if (uart_off || !(inb(uart_port + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}
