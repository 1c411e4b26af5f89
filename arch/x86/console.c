/*
 * Console output without waiting: each source's ring of lines is drained
 * into the UART's FIFO only as far as it has room, one whole line of a
 * source at a time, the sources in turn. Whoever adds output kicks the
 * drain, and so do VMs touching their COM1, an idle CPU's loop and the
 * shell's input; a drain already running elsewhere is left to finish it.
 */
#include "lib.h"
#include "console.h"
#include "x86.h"

static char hv_buf[CONSOLE_HV_RING];
struct console_src console_hv = {
	.name = "hypervisor", .buf = hv_buf, .size = CONSOLE_HV_RING, .registered = true,
};

static struct console_src *srcs[CONSOLE_MAX_SRCS] = { &console_hv };
static unsigned nr_srcs = 1;
static spinlock_t srcs_lock = SPINLOCK_INIT;

/* The drainer: who holds drain_lock sends; a mid-line source keeps the UART. */
static spinlock_t drain_lock = SPINLOCK_INIT;
static struct console_src *cur;		/* the source being sent, NULL between lines */
static struct console_src *last;	/* whose byte went out last */
static bool at_line_start = true;	/* the UART's output is at the start of a line */
static bool cr_sent;			/* '\r' of cur's '\n' already sent */
static unsigned next_src;
static u32 kick_pending;

void console_src_init(struct console_src *s, const char *name, char *buf, u32 size)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->buf = buf;
	s->size = size;
}

int console_src_add(struct console_src *s)
{
	int ret = -ENOSPC;

	spin_lock(&srcs_lock);
	if (s->registered) {
		ret = 0;
	} else if (nr_srcs < CONSOLE_MAX_SRCS) {
		s->registered = true;
		/* published after the source is whole: the drainer reads nr_srcs unlocked */
		__atomic_store_n(&srcs[nr_srcs], s, __ATOMIC_RELEASE);
		__atomic_store_n(&nr_srcs, nr_srcs + 1, __ATOMIC_RELEASE);
		ret = 0;
	}
	spin_unlock(&srcs_lock);
	return ret;
}

u32 console_src_pending(const struct console_src *s)
{
	return __atomic_load_n(&s->head, __ATOMIC_ACQUIRE) - __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE);
}

/* Producer side, with s->lock held. */
static u32 src_free(const struct console_src *s)
{
	return s->size - (s->head - __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE));
}

static void src_put(struct console_src *s, const char *p, size_t len)
{
	u32 h = s->head;

	for (size_t i = 0; i < len; i++)
		s->buf[(h + i) & (s->size - 1)] = p[i];
	__atomic_store_n(&s->head, h + (u32)len, __ATOMIC_RELEASE);
}

int console_put_line(struct console_src *s, const char *line, size_t len)
{
	char note[96];
	int n = 0;

	spin_lock(&s->lock);
	if (s->dropping)
		n = snprintf(note, sizeof(note), "console: %s: %u bytes of output dropped (writing faster "
			     "than the UART sends)\n", s->name, s->dropping);
	n = MIN(n, (int)sizeof(note) - 1);
	/* once dropping, until half the ring is free: one note per flood, not one per line */
	if (len + (size_t)n > src_free(s) || (s->dropping && src_free(s) < s->size / 2)) {
		s->dropped += len;
		s->dropping += (u32)len;
		spin_unlock(&s->lock);
		return -ENOSPC;
	}
	if (n) {
		src_put(s, note, (size_t)n);
		s->dropping = 0;
	}
	src_put(s, line, len);
	spin_unlock(&s->lock);
	return 0;
}

static struct console_src *pick(void)
{
	unsigned n = __atomic_load_n(&nr_srcs, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		unsigned k = (next_src + i) % n;
		struct console_src *s = __atomic_load_n(&srcs[k], __ATOMIC_ACQUIRE);

		if (console_src_pending(s)) {
			next_src = k + 1;
			return s;
		}
	}
	return NULL;
}

static bool any_pending(void)
{
	unsigned n = __atomic_load_n(&nr_srcs, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (console_src_pending(__atomic_load_n(&srcs[i], __ATOMIC_ACQUIRE)))
			return true;
	return false;
}

/*
 * With drain_lock held: fill the UART's room. A source that stopped
 * mid-line (a prompt) keeps the UART until others have lines waiting; then
 * its line is ended, so a VM's line always starts a line. True: more to send.
 */
static bool pump(void)
{
	unsigned room = uart_tx_room();

	while (room) {
		char c;
		u32 t;

		if (!cur) {
			/* the source whose line is open goes on with it first */
			cur = !at_line_start && last && console_src_pending(last) ? last : pick();
			cr_sent = false;
			if (!cur)
				return false;
		}
		if (!at_line_start && cur != last) {
			if (room < 2)
				return true;
			uart_tx_put('\r');
			uart_tx_put('\n');
			room -= 2;
			at_line_start = true;
			continue;
		}
		t = cur->tail;
		if (t == __atomic_load_n(&cur->head, __ATOMIC_ACQUIRE)) {
			cur = NULL;	/* mid-line and empty: others may go */
			if (!any_pending())
				return false;
			continue;
		}
		c = cur->buf[t & (cur->size - 1)];
		last = cur;
		room--;
		if (c == '\n' && !cr_sent) {
			uart_tx_put('\r');
			cr_sent = true;
			at_line_start = false;
			continue;
		}
		uart_tx_put(c);
		__atomic_store_n(&cur->tail, t + 1, __ATOMIC_RELEASE);
		at_line_start = c == '\n';
		if (at_line_start)
			cur = NULL;
	}
	return any_pending();
}

void console_kick(void)
{
	/* nothing queued: no port access (VMs kick on every COM1 access) */
	if (!any_pending())
		return;
	/* bounded: a kick that comes while we drain is ours to finish, a few times over */
	for (int tries = 0; tries < 4; tries++) {
		__atomic_store_n(&kick_pending, 1, __ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&drain_lock.locked, 1, __ATOMIC_ACQUIRE))
			return;		/* the holder sees kick_pending */
		__atomic_store_n(&kick_pending, 0, __ATOMIC_SEQ_CST);
		pump();
		spin_unlock(&drain_lock);
		if (!__atomic_load_n(&kick_pending, __ATOMIC_SEQ_CST))
			return;
	}
}

void console_flush(void)
{
	unsigned spins = 0;
	bool locked;

	/* bounded: a CPU that stopped while draining must not hang the others' last words */
	while (!(locked = !__atomic_exchange_n(&drain_lock.locked, 1, __ATOMIC_ACQUIRE)) &&
	       ++spins < 10000000)
		cpu_relax();
	spins = 0;
	while (pump() && ++spins < 10000000)
		cpu_relax();
	if (locked)
		spin_unlock(&drain_lock);
	for (spins = 0; !uart_tx_idle() && spins < 1000000; spins++)
		cpu_relax();
}

void console_write(const char *s, size_t len)
{
	struct console_src *h = &console_hv;

	spin_lock(&h->lock);
	while (len) {
		size_t n = MIN(len, (size_t)h->size);

		if (n > src_free(h))
			console_flush();	/* the hypervisor's own log may wait; guests' never do */
		n = MIN(n, (size_t)src_free(h));
		src_put(h, s, n);
		s += n;
		len -= n;
	}
	spin_unlock(&h->lock);
	console_kick();
}
