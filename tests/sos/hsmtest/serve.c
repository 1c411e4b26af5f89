/* hsmtest: the device model proper: the post guest's I/O requests, ioeventfd/irqfd. */
#include "hsmtest.h"

/* ---- the device model proper ---- */

struct acrn_io_request_buffer *ioreq_buf;
uint16_t vmid;
unsigned vcpu_num;


static uint32_t cur_phase, counter, port_scratch, mmio_scratch;
static char line[LINE_MAX];
static unsigned line_len;

static void uart_flush(void)
{
	line[line_len] = '\0';
	printf("post: %s\n", line);
	fflush(stdout);
	line_len = 0;
}

static void uart_write(uint64_t off, uint32_t v)
{
	char c = (char)v;

	if (off != 0 || c == '\r')
		return;
	if (c == '\n') {
		uart_flush();
		return;
	}
	line[line_len++] = c;
	if (line_len == LINE_MAX - 1)
		uart_flush();
}

static void inject_irqs(struct serve_stats *st)
{
	struct acrn_msi_entry msi = { .msi_addr = 0xFEE00000ULL, .msi_data = POSTDEV_MSI_VECTOR };

	st->msi_ret = hioctl(ACRN_IOCTL_INJECT_MSI, &msi);
	st->irqline_ret = ioctl(hsm, ACRN_IOCTL_SET_IRQLINE,
				((uint64_t)GSI_RAISING_PULSE << 32) | POSTDEV_IRQ_GSI) < 0 ? errno : 0;
}

static uint32_t pio_read(uint64_t port)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8)
		return port - COM1_BASE == COM1_LSR ? LSR_IDLE : 0;
	switch (port) {
	case POSTDEV_COUNTER:
		return POSTDEV_COUNTER_MAGIC + ++counter;
	case POSTDEV_SCRATCH:
		return port_scratch;
	case POSTDEV_PHASE:
		return cur_phase;
	case POSTDEV_BENCH:
		return 0;
	default:
		return ~0U;
	}
}

static void pio_write(uint64_t port, uint64_t size, uint32_t v, struct serve_stats *st)
{
	if (port >= COM1_BASE && port < COM1_BASE + 8) {
		uart_write(port - COM1_BASE, v);
		return;
	}
	switch (port) {
	case POSTDEV_SCRATCH:
		port_scratch = v;
		break;
	case POSTDEV_PHASE:
		st->done = v;
		break;
	case POSTDEV_IRQ:
		inject_irqs(st);
		break;
	case PM1A_CNT:
		if (size == 2 && (v & PM1A_SLP_EN))
			st->powered_off = true;
		break;
	default:
		break;
	}
}

static uint64_t size_mask(uint64_t size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static bool size_ok(uint64_t size)
{
	return size == 1 || size == 2 || size == 4;
}

static bool emulate(struct acrn_io_request *req, struct serve_stats *st)
{
	uint32_t type = req->type;

	if (type < 4)
		st->by_type[type]++;
	if (type == ACRN_IOREQ_TYPE_PORTIO) {
		struct acrn_pio_request *p = &req->reqs.pio_request;

		if (!size_ok(p->size))
			return false;
		if (p->direction == ACRN_IOREQ_DIR_READ)
			p->value = pio_read(p->address) & (uint32_t)size_mask(p->size);
		else
			pio_write(p->address, p->size, p->value & (uint32_t)size_mask(p->size), st);
		return true;
	}
	if (type == ACRN_IOREQ_TYPE_PCICFG) {
		struct acrn_pci_request *c = &req->reqs.pci_request;
		uint32_t reg = (uint32_t)c->reg;

		if (!size_ok(c->size) || reg >= 0x100 || (reg & 3) + c->size > 4)
			return false;
		if (c->direction == ACRN_IOREQ_DIR_READ)
			c->value = (postdev_pci_dword(c->bus, c->dev, c->func, reg) >> ((reg & 3) * 8)) &
				   (uint32_t)size_mask(c->size);
		return true;
	}
	if (type == ACRN_IOREQ_TYPE_MMIO) {
		struct acrn_mmio_request *m = &req->reqs.mmio_request;

		if (!size_ok(m->size) && m->size != 8)
			return false;
		if (m->direction == ACRN_IOREQ_DIR_READ)
			m->value = postdev_mmio_read(m->address, mmio_scratch) & size_mask(m->size);
		else if (m->address == POSTDEV_MMIO_BASE + POSTDEV_MMIO_SCRATCH && m->size == 4)
			mmio_scratch = (uint32_t)m->value;
		return true;
	}
	return false;
}

volatile sig_atomic_t alarmed;

void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* Serve until the guest says the phase is done (port 0x5008), powers off or goes quiet. */
void serve_phase(uint32_t phase, struct serve_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->msi_ret = st->irqline_ret = -1;
	cur_phase = phase;
	while (st->done != phase && !st->powered_off) {
		alarmed = 0;
		alarm(WATCHDOG_S);
		if (ioctl(hsm, ACRN_IOCTL_ATTACH_IOREQ_CLIENT, 0) < 0) {
			int e = errno;

			alarm(0);
			if (e == EINTR && alarmed) {
				st->timed_out = true;
				break;
			}
			if (e == EINTR)
				continue;
			st->attach_failed = true;
			st->attach_err = e;
			break;
		}
		alarm(0);
		for (unsigned i = 0; i < vcpu_num && i < ACRN_IO_REQUEST_MAX; i++) {
			struct acrn_io_request *req = &ioreq_buf->req_slot[i];
			struct acrn_ioreq_notify n = { .vmid = vmid, .vcpu = i };

			if (__atomic_load_n(&req->processed, __ATOMIC_ACQUIRE) !=
			    ACRN_IOREQ_STATE_PROCESSING || req->kernel_handled)
				continue;
			if (!emulate(req, st)) {
				st->bad++;
				printf("# malformed request in slot %u: type %u\n", i, req->type);
			}
			/* the driver marks it COMPLETE (after our stores) and notifies the hypervisor */
			if (hioctl(ACRN_IOCTL_NOTIFY_REQUEST_FINISH, &n))
				st->notify_fail++;
		}
	}
	if (line_len)
		uart_flush();
}

/* ioeventfd -> irqfd: a write of port POSTDEV_EVFD, completed in the kernel, answered by an MSI */
int ioevent_fd = -1, irq_fd = -1;
volatile unsigned ioevents;

void *evfd_thread(void *arg)
{
	uint64_t n, one = 1;

	(void)arg;
	for (;;) {
		if (read(ioevent_fd, &n, sizeof(n)) != sizeof(n))
			return NULL;
		__atomic_add_fetch(&ioevents, (unsigned)n, __ATOMIC_SEQ_CST);
		if (write(irq_fd, &one, sizeof(one)) != sizeof(one))
			return NULL;
	}
}

bool report_phase(uint32_t phase, const struct serve_stats *st)
{
	bool ok;

	if (st->attach_failed)
		ok = tap(false, "phase %u: ATTACH_IOREQ_CLIENT failed: %s", phase,
			 err_str(st->attach_err));
	else if (st->timed_out)
		ok = tap(false, "phase %u: no request for %u s (the post VM stopped?)", phase,
			 WATCHDOG_S);
	else if (st->powered_off)
		ok = tap(false, "phase %u: the post guest powered off instead", phase);
	else
		ok = tap(st->done == phase, "the post guest ran phase %u and said so on port %#x",
			 phase, POSTDEV_PHASE);
	tap(st->by_type[ACRN_IOREQ_TYPE_PORTIO] && st->by_type[ACRN_IOREQ_TYPE_MMIO] &&
	    st->by_type[ACRN_IOREQ_TYPE_PCICFG] && !st->by_type[3] && !st->bad && !st->notify_fail,
	    "phase %u requests served and completed: %u port I/O, %u MMIO, %u PCI config, "
	    "%u other, %u malformed, %u NOTIFY_REQUEST_FINISH failed", phase,
	    st->by_type[ACRN_IOREQ_TYPE_PORTIO], st->by_type[ACRN_IOREQ_TYPE_MMIO],
	    st->by_type[ACRN_IOREQ_TYPE_PCICFG], st->by_type[3], st->bad, st->notify_fail);
	return ok;
}
