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

#define COM1_BASE	0x3F8
#define COM1_LSR	5
#define LSR_IDLE	0x60	/* THR empty, transmitter empty */
#define PM1A_CNT	0x404
#define PM1A_SLP_EN	0x2000
#define LINE_MAX	160
#define PCI_CFG_SIZE	0x100

struct abi_io_request_buffer ioreq_page __aligned(4096);
u32 serve_watchdog_ms = DM_WATCHDOG_MS;
bool (*serve_hook)(volatile struct abi_io_request *req, unsigned vcpu);
bool serve_polling;

static u16 post_vmid;
static u32 cur_phase;
static u32 counter, port_scratch, mmio_scratch;	/* survive the VM's reset, like a real device */
static char line[LINE_MAX];
static unsigned line_len;

static u64 size_mask(u64 size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void uart_flush(void)
{
	line[line_len] = '\0';
	dm_printf("post: %s\n", line);
	line_len = 0;
}

static void uart_write(u64 off, u32 v)
{
	char c = (char)v;

	/* the guest library only writes THR (and LCR once): other registers are dropped */
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

/* POSTDEV_IRQ: an MSI to the guest's vCPU 0 and a pulse on one of its vIOAPIC lines. */
static struct abi_msi_entry msi;

static void inject_irqs(struct serve_stats *st)
{
	msi = (struct abi_msi_entry){ .msi_addr = 0xFEE00000ULL, .msi_data = POSTDEV_MSI_VECTOR };
	st->msi_ret = hcall(HC_INJECT_MSI, post_vmid, (u64)&msi);
	st->irqline_ret = hcall(HC_SET_IRQLINE, post_vmid,
				((u64)ABI_GSI_RAISING_PULSE << 32) | POSTDEV_IRQ_GSI);
}

static u32 pio_read(u64 port, struct serve_stats *st)
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
		st->bench_reqs++;
		return 0;
	default:
		return ~0U;
	}
}

static void pio_write(u64 port, u64 size, u32 v, struct serve_stats *st)
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
	case POSTDEV_BENCH:
		st->rt_ticks = v;
		break;
	case POSTDEV_IRQ:
		inject_irqs(st);
		break;
	case PM1A_CNT:
		/* the guest library powers off this way, e.g. after an unexpected exception */
		if (size == 2 && (v & PM1A_SLP_EN))
			st->powered_off = true;
		break;
	default:
		break;
	}
}

static void mmio_write(u64 addr, u64 size, u64 v)
{
	if (addr == POSTDEV_MMIO_BASE + POSTDEV_MMIO_SCRATCH && size == 4)
		mmio_scratch = (u32)v;
}

static bool pio_size_ok(u64 size)
{
	return size == 1 || size == 2 || size == 4;
}

/* Emulate one request in place; false if it is malformed (still completed). */
static bool emulate(volatile struct abi_io_request *req, struct serve_stats *st)
{
	u32 type = req->type;

	if (type < ARRAY_SIZE(st->by_type))
		st->by_type[type]++;
	if (type == ABI_IOREQ_TYPE_PORTIO) {
		volatile struct abi_pio_request *p = &req->reqs.pio_request;
		u64 size = p->size;

		if (!pio_size_ok(size))
			return false;
		if (p->direction == ABI_IOREQ_DIR_READ)
			p->value = pio_read(p->address, st) & (u32)size_mask(size);
		else
			pio_write(p->address, size, p->value & (u32)size_mask(size), st);
		return true;
	}
	if (type == ABI_IOREQ_TYPE_PCICFG) {
		volatile struct abi_pci_request *c = &req->reqs.pci_request;
		u64 size = c->size;
		u32 reg = c->reg;

		/* reg is the byte offset; an access never crosses its dword */
		if (!pio_size_ok(size) || reg >= PCI_CFG_SIZE || (reg & 3) + size > 4)
			return false;
		if (c->direction == ABI_IOREQ_DIR_READ)
			c->value = (postdev_pci_dword(c->bus, c->dev, c->func, reg) >> ((reg & 3) * 8)) &
				   (u32)size_mask(size);
		/* writes: 00:05.0 has nothing writable, and an empty slot drops them */
		return true;
	}
	if (type == ABI_IOREQ_TYPE_MMIO) {
		volatile struct abi_mmio_request *m = &req->reqs.mmio_request;
		u64 size = m->size;

		if (!pio_size_ok(size) && size != 8)
			return false;
		if (m->direction == ABI_IOREQ_DIR_READ)
			m->value = postdev_mmio_read(m->address, mmio_scratch) & size_mask(size);
		else
			mmio_write(m->address, size, m->value);
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
	cur_phase = phase;
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
	if (line_len)
		uart_flush();
}
