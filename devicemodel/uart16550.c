/*
 * 16550A register model (include/uart16550.h). What Linux's 8250 driver
 * probes is answered as a real 16550A would: the scratch register, IER
 * keeping its low four bits, the loopback test (MSR mirrors MCR), FIFO bits
 * in the IIR once FCR enables them, and the THR-empty interrupt that
 * re-arms when IER.THRI is set with the THR empty (its THRE test).
 */
#include <string.h>

#include "uart16550.h"

void uart_init(struct uart16550 *u, void (*tx)(void *ctx, uint8_t byte), void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->dll = 12;	/* 9600 baud */
	u->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	u->tx = tx;
	u->tx_ctx = ctx;
}

static uint8_t msr_value(struct uart16550 *u)
{
	if (u->mcr & UART_MCR_LOOP) {
		uint8_t m = 0;

		if (u->mcr & UART_MCR_RTS)
			m |= UART_MSR_CTS;
		if (u->mcr & UART_MCR_DTR)
			m |= UART_MSR_DSR;
		if (u->mcr & UART_MCR_OUT1)
			m |= UART_MSR_RI;
		if (u->mcr & UART_MCR_OUT2)
			m |= UART_MSR_DCD;
		return m;
	}
	return u->msr;
}

static uint8_t iir_value(const struct uart16550 *u)
{
	uint8_t fifo = u->fifo_on ? UART_IIR_FIFO : 0;

	if ((u->ier & UART_IER_RDI) && u->rx_len)
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return fifo | UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & 0x0F))
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NONE;
}

bool uart_irq_pending(const struct uart16550 *u)
{
	return !(iir_value(u) & UART_IIR_NONE);
}

bool uart_irq_line(const struct uart16550 *u)
{
	return uart_irq_pending(u) && (u->mcr & UART_MCR_OUT2);
}

static bool rx_push(struct uart16550 *u, uint8_t b)
{
	if (u->rx_len == UART_RX_FIFO) {
		u->overrun = true;
		return false;
	}
	u->rx[(u->rx_head + u->rx_len) % UART_RX_FIFO] = b;
	u->rx_len++;
	u->rx_bytes++;
	return true;
}

uint8_t uart_read(struct uart16550 *u, unsigned off)
{
	uint8_t v;

	switch (off & 7) {
	case UART_RBR_THR:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		if (!u->rx_len)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
		u->rx_len--;
		return v;
	case UART_IER:
		return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
	case UART_IIR_FCR:
		v = iir_value(u);
		if ((v & 0x0F) == UART_IIR_THRI)
			u->thre_pending = false;	/* reading the IIR takes the THRE interrupt */
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = UART_LSR_THRE | UART_LSR_TEMT | (u->rx_len ? UART_LSR_DR : 0) |
		    (u->overrun ? UART_LSR_OE : 0);
		u->overrun = false;
		return v;
	case UART_MSR:
		v = msr_value(u);
		u->msr &= 0xF0;		/* reading clears the delta bits */
		return v;
	default:
		return u->scr;
	}
}

void uart_write(struct uart16550 *u, unsigned off, uint8_t v)
{
	switch (off & 7) {
	case UART_RBR_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = v;
			return;
		}
		if (u->mcr & UART_MCR_LOOP)
			rx_push(u, v);
		else {
			u->tx_bytes++;
			if (u->tx)
				u->tx(u->tx_ctx, v);
		}
		u->thre_pending = true;	/* sent at once: the THR is empty again */
		return;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* enabling THRI with the THR empty raises it, as a 16550A does */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thre_pending = true;
		u->ier = v & 0x0F;
		return;
	case UART_IIR_FCR:
		u->fifo_on = v & UART_FCR_ENABLE;
		if ((v & UART_FCR_CLR_RX) || !u->fifo_on)
			u->rx_head = u->rx_len = 0;
		return;
	case UART_LCR:
		u->lcr = v;
		return;
	case UART_MCR:
		u->mcr = v & 0x1F;
		return;
	case UART_LSR:
	case UART_MSR:
		return;		/* read-only here */
	default:
		u->scr = v;
		return;
	}
}

bool uart_receive(struct uart16550 *u, uint8_t byte)
{
	return rx_push(u, byte);
}
