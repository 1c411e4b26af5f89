/*
 * The device model proper: serves the post VM's forwarded I/O requests from
 * the shared ioreq page. Slot n belongs to vCPU n; the hypervisor marks it
 * PENDING and sends the upcall, we mark it PROCESSING, emulate, store a
 * read's value, mark it COMPLETE and call NOTIFY_REQUEST_FINISH.
 *
 * Emulated: COM1 (lines relayed as "post: ..." on our console), ACPI PM1a
 * (S5 ends the phase), the test device (post/post_dev.h) at ports
 * 0x5000.. and MMIO 0xD0000000, and PCI function 00:05.0. Anything else
 * reads all ones and drops writes, as an empty bus would.
 */
#include "dm.h"
#include "post_dev_model.h"

struct abi_io_request_buffer ioreq_page __aligned(4096);
u32 serve_watchdog_ms = DM_WATCHDOG_MS;
bool (*serve_hook)(volatile struct abi_io_request *req, unsigned vcpu);
bool serve_polling;

static u16 post_vmid;

static void relay_line(const char *line)
{
	dm_printf("post: %s\n", line);
}

static struct postdev_model model = { .line_out = relay_line };

/* POSTDEV_IRQ: an MSI to the guest's vCPU 0 and a pulse on one of its vIOAPIC lines. */
static struct abi_msi_entry msi;

static void inject_irqs(struct serve_stats *st)
{
	msi = (struct abi_msi_entry){ .msi_addr = 0xFEE00000ULL, .msi_data = POSTDEV_MSI_VECTOR };
	st->msi_ret = hcall(HC_INJECT_MSI, post_vmid, (u64)&msi);
	st->irqline_ret = hcall(HC_SET_IRQLINE, post_vmid,
				((u64)ABI_GSI_RAISING_PULSE << 32) | POSTDEV_IRQ_GSI);
}

static bool emulate_pio(volatile struct abi_pio_request *p, struct serve_stats *st)
{
	bool write = p->direction != ABI_IOREQ_DIR_READ;
	u32 v = p->value;
	enum postdev_event ev;

	if (!postdev_pio(&model, p->address, p->size, write, &v, &ev))
		return false;
	if (!write) {
		p->value = v;
		if (p->address == POSTDEV_BENCH)
			st->bench_reqs++;
	}
	switch (ev) {
	case POSTDEV_EV_PHASE_DONE:
		st->done = v;
		break;
	case POSTDEV_EV_BENCH:
		st->rt_ticks = v;
		break;
	case POSTDEV_EV_IRQ:
		inject_irqs(st);
		break;
	case POSTDEV_EV_POWER_OFF:
		st->powered_off = true;
		break;
	case POSTDEV_EV_NONE:
		break;
	}
	return true;
}

/* Emulate one request in place; false if it is malformed (still completed). */
static bool emulate(volatile struct abi_io_request *req, struct serve_stats *st)
{
	u32 type = req->type;

	if (type < ARRAY_SIZE(st->by_type))
		st->by_type[type]++;
	if (type == ABI_IOREQ_TYPE_PORTIO)
		return emulate_pio(&req->reqs.pio_request, st);
	if (type == ABI_IOREQ_TYPE_PCICFG) {
		volatile struct abi_pci_request *c = &req->reqs.pci_request;
		u32 v = c->value;

		if (!postdev_pcicfg(c->bus, c->dev, c->func, c->reg, c->size,
				    c->direction != ABI_IOREQ_DIR_READ, &v))
			return false;
		c->value = v;
		return true;
	}
	if (type == ABI_IOREQ_TYPE_MMIO) {
		volatile struct abi_mmio_request *m = &req->reqs.mmio_request;
		unsigned long long v = m->value;

		if (!postdev_mmio(&model, m->address, m->size, m->direction != ABI_IOREQ_DIR_READ, &v))
			return false;
		m->value = v;
		return true;
	}
	return false;
}

static bool serve_slot(unsigned vcpu, struct serve_stats *st)
{
	volatile struct abi_io_request *req = &ioreq_page.req_slot[vcpu];
	s64 ret;

	if (req->processed != ABI_IOREQ_STATE_PENDING)
		return false;
	req->processed = ABI_IOREQ_STATE_PROCESSING;
	/* the hypervisor filled the slot before PENDING (x86 keeps stores in order) */
	asm volatile("" ::: "memory");
	if (serve_hook && serve_hook(req, vcpu))
		return true;
	if (req->type == ABI_IOREQ_TYPE_PORTIO && req->reqs.pio_request.address == POSTDEV_SILENT) {
		/* left PROCESSING on purpose: the hypervisor's time-out has to stop the VM */
		st->silent = true;
		st->silent_since = rdtsc();
		return true;
	}
	if (!emulate(req, st)) {
		st->bad++;
		dm_printf("# malformed request in slot %u: type %u size %lu\n", vcpu, req->type,
			  (unsigned long)req->reqs.pio_request.size);
	}
	/* the value must be visible before COMPLETE */
	asm volatile("mfence" ::: "memory");
	if (req->type == ABI_IOREQ_TYPE_PORTIO && req->reqs.pio_request.address == POSTDEV_BENCH &&
	    req->reqs.pio_request.direction == ABI_IOREQ_DIR_READ)
		st->dm_ticks += rdtsc() - upcall_tsc;
	req->processed = ABI_IOREQ_STATE_COMPLETE;
	if (serve_polling)
		return true;	/* the hypervisor sees COMPLETE itself */
	ret = hcall(HC_NOTIFY_REQUEST_FINISH, post_vmid, vcpu);
	if (ret) {
		st->bad++;
		dm_printf("# NOTIFY_REQUEST_FINISH(%u, %u): %s\n", post_vmid, vcpu,
			  errno_name(ret) ? errno_name(ret) : "?");
	}
	return true;
}

void serve_init(u16 vmid)
{
	post_vmid = vmid;
	memset(&ioreq_page, 0, sizeof(ioreq_page));
}

void serve_phase(u32 phase, struct serve_stats *st)
{
	u64 limit = serve_watchdog_ms * tsc_khz(), quiet_since = rdtsc();
	u32 seen = upcalls;

	memset(st, 0, sizeof(*st));
	st->msi_ret = st->irqline_ret = 1;
	model.phase = phase;
	while (st->done != phase && !st->powered_off) {
		unsigned served = 0;

		/* sleep unless an upcall came since the last scan: STI's shadow covers HLT */
		asm volatile("cli" ::: "memory");
		if (upcalls == seen)
			asm volatile("sti; hlt" ::: "memory");
		else
			asm volatile("sti" ::: "memory");
		seen = upcalls;
		for (unsigned i = 0; i < ABI_IO_REQUEST_MAX; i++)
			served += serve_slot(i, st);
		if (st->silent && rdtsc() - st->silent_since > DM_SILENT_WAIT_MS * tsc_khz())
			break;		/* the hypervisor has given up on the request by now */
		if (served) {
			quiet_since = rdtsc();
		} else if (rdtsc() - quiet_since > limit) {
			st->timed_out = true;
			break;
		}
	}
	postdev_flush_line(&model);
}
