/*
 * The COM1 every VM gets: output is collected per line and printed on the
 * hypervisor console as "[vm] line", so the consoles of VMs are told apart.
 */
#include "lib.h"
#include "vm.h"
#include "vm_unit.h"

#define COM1_BASE 0x3F8
#define LSR_THRE BIT(5)
#define LSR_TEMT BIT(6)
#define LCR_DLAB BIT(7)
#define IER_ETBEI BIT(1)
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define COM1_IRQ 4

/* ISA IRQ 4 (edge) follows "THR empty and its interrupt enabled", like a 16550. */
static void update_irq(struct vm *vm)
{
	struct vuart *u = &vm->vuart;

	vioapic_set_irq(&vm->vioapic, COM1_IRQ, (u->ier & IER_ETBEI) && u->thre_pending);
}

static void flush_line(struct vm *vm)
{
	struct vuart *u = &vm->vuart;

	u->line[u->len] = '\0';
	printk("[%s] %s\n", vm->name, u->line);
	u->len = 0;
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
	switch (port - COM1_BASE) {
	case 0:
		*val = (u->lcr & LCR_DLAB) ? u->dll : 0;	/* no input */
		break;
	case 1:
		*val = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case 2:
		spin_lock(&u->lock);
		if ((u->ier & IER_ETBEI) && u->thre_pending) {
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
		*val = LSR_THRE | LSR_TEMT;
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

static int vuart_init(struct vm *vm)
{
	memset(&vm->vuart, 0, sizeof(vm->vuart));
	return vm_register_pio(vm, COM1_BASE, 8, vuart_read, vuart_write, NULL);
}

const struct vm_unit vuart_unit = { .name = "COM1", .kinds = UNIT_BOOT_VMS, .init = vuart_init };
