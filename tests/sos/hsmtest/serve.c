/* hsmtest: the device model proper: the post guest's I/O requests, ioeventfd/irqfd. */
#include "hsmtest.h"
#include "post_dev_model.h"

/* ---- the device model proper ---- */

struct acrn_io_request_buffer *ioreq_buf;
uint16_t vmid;
unsigned vcpu_num;


static void relay_line(const char *line)
{
	printf("post: %s\n", line);
	fflush(stdout);
}

static struct postdev_model model = { .line_out = relay_line };

static void inject_irqs(struct serve_stats *st)
{
	struct acrn_msi_entry msi = { .msi_addr = 0xFEE00000ULL, .msi_data = POSTDEV_MSI_VECTOR };

	st->msi_ret = hioctl(ACRN_IOCTL_INJECT_MSI, &msi);
	st->irqline_ret = ioctl(hsm, ACRN_IOCTL_SET_IRQLINE,
				((uint64_t)GSI_RAISING_PULSE << 32) | POSTDEV_IRQ_GSI) < 0 ? errno : 0;
}

static bool emulate_pio(struct acrn_pio_request *p, struct serve_stats *st)
{
	bool write = p->direction != ACRN_IOREQ_DIR_READ;
	unsigned int v = p->value;
	enum postdev_event ev;

	if (!postdev_pio(&model, p->address, p->size, write, &v, &ev))
		return false;
	if (!write)
		p->value = v;
	switch (ev) {
	case POSTDEV_EV_PHASE_DONE:
		st->done = v;
		break;
	case POSTDEV_EV_IRQ:
		inject_irqs(st);
		break;
	case POSTDEV_EV_POWER_OFF:
		st->powered_off = true;
		break;
	case POSTDEV_EV_BENCH:	/* the round-trip figure is dm64's (scenario bench) */
	case POSTDEV_EV_NONE:
		break;
	}
	return true;
}

static bool emulate(struct acrn_io_request *req, struct serve_stats *st)
{
	uint32_t type = req->type;

	if (type < 4)
		st->by_type[type]++;
	if (type == ACRN_IOREQ_TYPE_PORTIO)
		return emulate_pio(&req->reqs.pio_request, st);
	if (type == ACRN_IOREQ_TYPE_PCICFG) {
		struct acrn_pci_request *c = &req->reqs.pci_request;
		unsigned int v = c->value;

		if (!postdev_pcicfg(c->bus, c->dev, c->func, (unsigned int)c->reg, c->size,
				    c->direction != ACRN_IOREQ_DIR_READ, &v))
			return false;
		c->value = v;
		return true;
	}
	if (type == ACRN_IOREQ_TYPE_MMIO) {
		struct acrn_mmio_request *m = &req->reqs.mmio_request;
		unsigned long long v = m->value;

		if (!postdev_mmio(&model, m->address, m->size, m->direction != ACRN_IOREQ_DIR_READ, &v))
			return false;
		m->value = v;
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
	model.phase = phase;
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
	postdev_flush_line(&model);
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
