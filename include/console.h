/*
 * The hypervisor's console: one physical 16550 shared by the hypervisor's
 * log and every VM's COM1 output. Writers never wait for the UART: each
 * source (the hypervisor, each VM) has a ring of whole lines, and the rings
 * are drained into the UART's FIFO without waiting, line by line in turn
 * (arch/x86/console.c), by whoever adds output, by VMs touching their
 * COM1, by an idle CPU and by the shell's input. A fast VM fills only its
 * own ring; what does not fit is counted and said once, in its place.
 */
#ifndef BH_CONSOLE_H
#define BH_CONSOLE_H

#include "types.h"
#include "spinlock.h"

/* ---- the 16550 (arch/x86/uart.c); tests replace these ---- */
void uart_init(u16 port);
void uart_disable(void);
u16 uart_port_base(void);	/* 0 when disabled */
int uart_getc(void);		/* -1 if nothing received */
unsigned uart_tx_room(void);	/* bytes the UART takes now without waiting */
void uart_tx_put(char c);	/* one byte, room checked by the caller */
void uart_rx_irq(bool on);	/* receive interrupt on/off */
bool uart_tx_idle(void);	/* transmitter and FIFO empty */
bool uart_irq_pending(void);	/* IIR: an interrupt condition is pending (reading acknowledges THRE) */

/* ---- output sources ---- */
#define CONSOLE_HV_RING 16384
#define CONSOLE_VM_RING 32768	/* a power of two: a Linux boot log's burst, from the heap */
#define CONSOLE_MAX_SRCS 17

struct console_src {
	const char *name;
	char *buf;
	u32 size;		/* a power of two */
	u32 head, tail;		/* free-running: producer, consumer */
	u64 dropped;		/* bytes dropped in total */
	u32 dropping;		/* bytes dropped since the last note */
	bool registered;
	spinlock_t lock;	/* producers */
};

extern struct console_src console_hv;	/* the hypervisor's own log */

void console_src_init(struct console_src *s, const char *name, char *buf, u32 size);
/* Drained from now on (a VM's COM1 at build); -ENOSPC when the table is full. */
int console_src_add(struct console_src *s);
void console_src_remove(struct console_src *s);
/*
 * Queue one line (len bytes, ending in '\n') whole, or drop it and count
 * it: 0 or -ENOSPC. After a drop, lines are dropped until half the ring
 * is free again; the next line is then preceded by a note naming how many
 * bytes were lost. Never waits for the UART.
 */
int console_put_line(struct console_src *s, const char *line, size_t len);
/* Bytes queued, not yet sent. */
u32 console_src_pending(const struct console_src *s);

/* Move what the UART takes now, without waiting; a busy drainer is left to it; no I/O when idle. */
void console_kick(void);
/* Send everything queued, waiting for the UART (shutdown, panic). */
void console_flush(void);

/* Hypervisor log text (printk): queued, or written waiting when its ring is full. */
void console_write(const char *s, size_t len);

#endif
