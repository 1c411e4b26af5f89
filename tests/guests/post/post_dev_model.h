/*
 * The post-launched test guest's devices as a device model emulates them:
 * one copy for both device models (dm64, freestanding in the test Service
 * VM, and hsmtest, a Linux program). Each turns its own request structs
 * (include/public's or <linux/acrn.h>'s, the same layout) into these
 * calls and does what the returned event asks with its own hypercalls or
 * ioctls. Plain C types, like post_dev.h.
 *
 * Emulated: COM1 (output only: whole lines to line_out), ACPI PM1a_CNT
 * (S5 is an event), the test device at POSTDEV_PORT_BASE and
 * POSTDEV_MMIO_BASE, PCI function 00:05.0. Anything else reads all ones
 * and drops writes, as an empty bus would.
 */
#ifndef GUEST_POST_DEV_MODEL_H
#define GUEST_POST_DEV_MODEL_H

#include "post_dev.h"

#define POSTDEV_COM1_BASE	0x3F8
#define POSTDEV_COM1_LSR	5
#define POSTDEV_LSR_IDLE	0x60	/* THR empty, transmitter empty */
#define POSTDEV_PM1A_CNT	0x404
#define POSTDEV_PM1A_SLP_EN	0x2000
#define POSTDEV_LINE_MAX	160

struct postdev_model {
	unsigned int phase;			/* what POSTDEV_PHASE reads */
	/* device state: survives the VM's reset, like a real device's */
	unsigned int counter, port_scratch, mmio_scratch;
	char line[POSTDEV_LINE_MAX];
	unsigned int line_len;
	void (*line_out)(const char *line);	/* one COM1 line, without its newline */
};

/* What a port write asks of the device model besides the register's state. */
enum postdev_event {
	POSTDEV_EV_NONE,
	POSTDEV_EV_PHASE_DONE,	/* the value: the phase the guest finished */
	POSTDEV_EV_BENCH,	/* the value: the guest's average round trip */
	POSTDEV_EV_IRQ,		/* inject POSTDEV_MSI_VECTOR, pulse POSTDEV_IRQ_GSI */
	POSTDEV_EV_POWER_OFF,	/* S5 written to PM1a_CNT */
};

static inline unsigned long long postdev_size_mask(unsigned long long size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static inline int postdev_size_ok(unsigned long long size)
{
	return size == 1 || size == 2 || size == 4;
}

static inline void postdev_emit_line(struct postdev_model *m)
{
	m->line[m->line_len] = '\0';
	m->line_out(m->line);
	m->line_len = 0;
}

/* What the guest wrote since its last newline (at the end of a phase). */
static inline void postdev_flush_line(struct postdev_model *m)
{
	if (m->line_len)
		postdev_emit_line(m);
}

static inline void postdev_uart_write(struct postdev_model *m, unsigned long long off,
				      unsigned int v)
{
	char c = (char)v;

	/* the guest library only writes THR (and LCR once): other registers are dropped */
	if (off != 0 || c == '\r')
		return;
	if (c == '\n') {
		postdev_emit_line(m);
		return;
	}
	m->line[m->line_len++] = c;
	if (m->line_len == POSTDEV_LINE_MAX - 1)
		postdev_emit_line(m);
}

static inline unsigned int postdev_pio_read(struct postdev_model *m, unsigned long long port)
{
	if (port >= POSTDEV_COM1_BASE && port < POSTDEV_COM1_BASE + 8)
		return port - POSTDEV_COM1_BASE == POSTDEV_COM1_LSR ? POSTDEV_LSR_IDLE : 0;
	switch (port) {
	case POSTDEV_COUNTER:
		return POSTDEV_COUNTER_MAGIC + ++m->counter;
	case POSTDEV_SCRATCH:
		return m->port_scratch;
	case POSTDEV_PHASE:
		return m->phase;
	case POSTDEV_BENCH:
		return 0;
	default:
		return ~0U;
	}
}

static inline enum postdev_event postdev_pio_write(struct postdev_model *m, unsigned long long port,
						   unsigned long long size, unsigned int v)
{
	if (port >= POSTDEV_COM1_BASE && port < POSTDEV_COM1_BASE + 8) {
		postdev_uart_write(m, port - POSTDEV_COM1_BASE, v);
		return POSTDEV_EV_NONE;
	}
	switch (port) {
	case POSTDEV_SCRATCH:
		m->port_scratch = v;
		return POSTDEV_EV_NONE;
	case POSTDEV_PHASE:
		return POSTDEV_EV_PHASE_DONE;
	case POSTDEV_BENCH:
		return POSTDEV_EV_BENCH;
	case POSTDEV_IRQ:
		return POSTDEV_EV_IRQ;
	case POSTDEV_PM1A_CNT:
		/* the guest library powers off this way, e.g. after an unexpected exception */
		return size == 2 && (v & POSTDEV_PM1A_SLP_EN) ? POSTDEV_EV_POWER_OFF : POSTDEV_EV_NONE;
	default:
		return POSTDEV_EV_NONE;
	}
}

/*
 * One port request: a read's value in *val, a write's in *val masked to its
 * size and its event in *ev; 0 when malformed (a size other than 1, 2, 4).
 */
static inline int postdev_pio(struct postdev_model *m, unsigned long long port,
			      unsigned long long size, int write, unsigned int *val,
			      enum postdev_event *ev)
{
	*ev = POSTDEV_EV_NONE;
	if (!postdev_size_ok(size))
		return 0;
	if (write) {
		*val &= (unsigned int)postdev_size_mask(size);
		*ev = postdev_pio_write(m, port, size, *val);
	} else {
		*val = postdev_pio_read(m, port) & (unsigned int)postdev_size_mask(size);
	}
	return 1;
}

/* One PCI config request (reg: the byte offset; an access never crosses its dword). */
static inline int postdev_pcicfg(unsigned int bus, unsigned int dev, unsigned int func,
				 unsigned int reg, unsigned long long size, int write,
				 unsigned int *val)
{
	if (!postdev_size_ok(size) || reg >= 0x100 || (reg & 3) + size > 4)
		return 0;
	/* writes: 00:05.0 has nothing writable, and an empty slot drops them */
	if (!write)
		*val = (postdev_pci_dword(bus, dev, func, reg) >> ((reg & 3) * 8)) &
		       (unsigned int)postdev_size_mask(size);
	return 1;
}

/* One MMIO request (sizes 1, 2, 4, 8). */
static inline int postdev_mmio(struct postdev_model *m, unsigned long long addr,
			       unsigned long long size, int write, unsigned long long *val)
{
	if (!postdev_size_ok(size) && size != 8)
		return 0;
	if (!write)
		*val = postdev_mmio_read(addr, m->mmio_scratch) & postdev_size_mask(size);
	else if (addr == POSTDEV_MMIO_BASE + POSTDEV_MMIO_SCRATCH && size == 4)
		m->mmio_scratch = (unsigned int)*val;
	return 1;
}

#endif
