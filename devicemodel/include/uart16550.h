/*
 * A 16550A UART register model (pure: no I/O, no locks). The device model
 * feeds it the guest's port accesses and bytes from its input; the model says
 * what to transmit and whether its interrupt line is asserted. Transmission
 * is instant: the THR is empty again as soon as it is written, so a guest
 * that enabled the THR-empty interrupt gets one per byte.
 */
#ifndef DM_UART16550_H
#define DM_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART_RX_FIFO	64

/* register offsets */
#define UART_RBR_THR	0	/* DLAB=0: receive / transmit; DLAB=1: divisor low */
#define UART_IER	1	/* DLAB=1: divisor high */
#define UART_IIR_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01
#define UART_IER_THRI	0x02
#define UART_IER_RLSI	0x04
#define UART_IER_MSI	0x08
#define UART_IIR_NONE	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_FIFO	0xC0
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_LCR_DLAB	0x80
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_OE	0x02
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

struct uart16550 {
	uint8_t ier, lcr, mcr, scr, dll, dlm, msr;
	bool fifo_on;
	bool thre_pending;	/* THR-empty interrupt raised, not yet taken by an IIR read or THR write */
	bool overrun;
	uint8_t rx[UART_RX_FIFO];
	unsigned rx_head, rx_len;
	/* out: the bytes the guest transmitted (not in loopback) go here */
	void (*tx)(void *ctx, uint8_t byte);
	void *tx_ctx;
	uint64_t tx_bytes, rx_bytes;
};

/* Power-on state; @tx receives each transmitted byte (may be NULL). */
void uart_init(struct uart16550 *u, void (*tx)(void *ctx, uint8_t byte), void *ctx);
uint8_t uart_read(struct uart16550 *u, unsigned off);
void uart_write(struct uart16550 *u, unsigned off, uint8_t v);
/* A byte from the outside (stdin): false when the receive FIFO is full (the byte is lost, OE set). */
bool uart_receive(struct uart16550 *u, uint8_t byte);
/* The interrupt request as the IIR would report it (OUT2 gates it to the line, as on a PC). */
bool uart_irq_pending(const struct uart16550 *u);
bool uart_irq_line(const struct uart16550 *u);

#endif
