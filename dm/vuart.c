/*
 * The COM1 every VM gets: output is collected per line and queued as
 * "[vm] line" on the VM's own console ring (include/console.h), so the
 * consoles of VMs are told apart and a VM that prints fast never waits for
 * the physical UART or for another VM. Input comes from the hypervisor's
 * UART while the VM has the console focus (vmm/shell.c): vuart_rx_put.
 */
#include "lib.h"
#include "console.h"
#include "mm.h"
#include "vm.h"
#include "vm_unit.h"
#include "vuart.h"

#define COM1_BASE 0x3F8
#define LSR_DR BIT(0)
#define LSR_THRE BIT(5)
#define LSR_TEMT BIT(6)
#define LCR_DLAB BIT(7)
#define IER_ERBFI BIT(0)
#define IER_ETBEI BIT(1)
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define COM1_IRQ 4

static bool rx_ready(const struct vuart *u)
{
	return u->rx_head != u->rx_tail;
}

/* ISA IRQ 4 (edge) follows "data received or THR empty, and its interrupt enabled", like a 16550. */
static void update_irq(struct vm *vm)
{
	struct vuart *u = &vm->vuart;

	vioapic_set_irq(&vm->vioapic, COM1_IRQ, ((u->ier & IER_ETBEI) && u->thre_pending) ||
						((u->ier & IER_ERBFI) && rx_ready(u)));
}

/*
 * Queued whole; a full ring drops the line and counts it (console.c says so
 * once). Every COM1 access kicks the console's drain (a bounded step, no
 * wait; nothing when nothing is queued): with every CPU running a vCPU,
 * the VMs' own COM1 traffic is what moves the output on, not a transmit
 * interrupt every 16 bytes on the BSP's guest (docs/design.md).
 */
static void flush_line(struct vm *vm)
{
	struct vuart *u = &vm->vuart;
	char buf[sizeof(u->line) + 40];
	int n;

	u->line[u->len] = '\0';
	n = snprintf(buf, sizeof(buf), "[%s] %s\n", vm->name, u->line);
	u->len = 0;
	console_put_line(&u->out, buf, MIN((size_t)n, sizeof(buf) - 1));
	console_kick();
}

static void put_char(struct vm *vm, char c)
{
	struct vuart *u = &vm->vuart;

	if (c == '\n') {
		flush_line(vm);
		return;
	}
	if (c == '\r')
		return;
	if ((unsigned char)c < 0x20 && c != '\t')
		c = '.';		/* keep the hypervisor log printable */
	u->line[u->len++] = c;
	if (u->len == sizeof(u->line) - 1)
		flush_line(vm);
}

static int vuart_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	struct vuart *u = &v->vm->vuart;

	(void)opaque;
	(void)size;
	console_kick();		/* the console drains as VMs use their COM1: see flush_line */
	switch (port - COM1_BASE) {
	case 0:
		spin_lock(&u->lock);
		if (u->lcr & LCR_DLAB) {
			*val = u->dll;
		} else if (rx_ready(u)) {
			*val = u->rx[u->rx_tail++ & (VUART_RX_FIFO - 1)];
			update_irq(v->vm);
		} else {
			*val = 0;
		}
		spin_unlock(&u->lock);
		break;
	case 1:
		*val = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case 2:
		spin_lock(&u->lock);
		if ((u->ier & IER_ERBFI) && rx_ready(u)) {
			*val = IIR_RDA;		/* cleared by reading the data */
		} else if ((u->ier & IER_ETBEI) && u->thre_pending) {
			*val = IIR_THRE;	/* reading it acknowledges THRE */
			u->thre_pending = false;
			update_irq(v->vm);
		} else {
			*val = IIR_NONE;
		}
		spin_unlock(&u->lock);
		break;
	case 3:
		*val = u->lcr;
		break;
	case 4:
		*val = u->mcr;
		break;
	case 5:
		*val = LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0);
		break;
	case 6:
		*val = 0xB0;		/* MSR: DCD, DSR, CTS */
		break;
	default:
		*val = u->scr;
	}
	return 0;
}

static int vuart_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	struct vm *vm = v->vm;
	struct vuart *u = &vm->vuart;

	(void)opaque;
	(void)size;
	console_kick();
	spin_lock(&u->lock);
	switch (port - COM1_BASE) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = (u8)val;
		} else {
			put_char(vm, (char)val);
			u->thre_pending = true;	/* sent at once: empty again */
			update_irq(vm);
		}
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = (u8)val;
		} else {
			if ((val & IER_ETBEI) && !(u->ier & IER_ETBEI))
				u->thre_pending = true;
			u->ier = val & 0x0f;
			update_irq(vm);
		}
		break;
	case 3:
		u->lcr = (u8)val;
		break;
	case 4:
		u->mcr = val & 0x1f;
		break;
	case 7:
		u->scr = (u8)val;
		break;
	default:
		break;
	}
	spin_unlock(&u->lock);
	return 0;
}

/* A byte typed on the hypervisor's UART for this VM: -ENOSPC when its FIFO is full. */
int vuart_rx_put(struct vm *vm, u8 c)
{
	struct vuart *u = &vm->vuart;
	int ret = 0;

	spin_lock(&u->lock);
	if (u->rx_head - u->rx_tail >= VUART_RX_FIFO) {
		u->rx_dropped++;
		ret = -ENOSPC;
	} else {
		u->rx[u->rx_head++ & (VUART_RX_FIFO - 1)] = c;
		update_irq(vm);
	}
	spin_unlock(&u->lock);
	return ret;
}

/* The output ring is made once per VM and stays registered: the drainer may be reading it. */
static int vuart_init(struct vm *vm)
{
	struct vuart *u = &vm->vuart;

	memset(u, 0, offsetof(struct vuart, out));
	if (!u->out.buf) {
		char *buf = page_alloc(CONSOLE_VM_RING / PAGE_SIZE);

		if (!buf) {
			printk("VM %s: no memory for its console ring (%u KiB)\n", vm->name,
			       CONSOLE_VM_RING >> 10);
			return -ENOMEM;
		}
		console_src_init(&u->out, vm->name, buf, CONSOLE_VM_RING);
		if (console_src_add(&u->out))
			printk("VM %s: no console ring left (%u sources): its COM1 output is dropped\n",
			       vm->name, CONSOLE_MAX_SRCS);
	}
	return vm_register_pio(vm, COM1_BASE, 8, vuart_read, vuart_write, NULL);
}

const struct vm_unit vuart_unit = { .name = "COM1", .kinds = UNIT_BOOT_VMS, .init = vuart_init };
