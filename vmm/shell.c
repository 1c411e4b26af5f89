/*
 * The console switch and the shell's input. Bytes from the hypervisor's
 * UART go to the shell's line editor or, after Ctrl-], to one VM's COM1
 * receive path (dm/vuart.c). They are read by an idle CPU's loop when a
 * CPU is idle (it costs no guest anything); when every CPU runs a vCPU,
 * by the UART's receive interrupt (CONSOLE_VECTOR, to the BSP): it comes
 * only when someone types. The shell's output then goes out waiting (the
 * hypervisor's own log may wait; the guests never do).
 */
#include "lib.h"
#include "console.h"
#include "ioapic.h"
#include "irq.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vtd.h"
#include "vuart.h"
#include "shell.h"

static struct shell_edit edit;
static int focus = -1;		/* -1: the shell, else the index in vms[] */
static bool last_cr;
static spinlock_t input_lock = SPINLOCK_INIT;
static const char *served_by = "nothing (no UART)";

static bool has_com1(const struct vm *vm)
{
	return vm->vuart.out.registered;
}

/* No prompt at boot: an open prompt line would swallow the next log line's start (run.py parses those). */
static void show_focus_prompt(bool prompt)
{
	if (focus < 0)
		printk("\n-- bulkhead shell: 'help' lists commands, Ctrl-] switches to the VMs' consoles --\n%s",
		       prompt ? "bh> " : "");
	else
		printk("\n-- console of VM %s: input goes to its COM1, Ctrl-] switches on --\n",
		       vms[focus].name);
}

static void show_focus(void)
{
	show_focus_prompt(true);
}

int shell_focus_vm(unsigned index)
{
	if (index >= nr_vms || !has_com1(&vms[index]))
		return -EINVAL;
	focus = (int)index;
	show_focus();
	return 0;
}

/* Shell, then each VM with a COM1 in turn, then the shell again. */
static void switch_next(void)
{
	for (int i = focus + 1; i < (int)nr_vms; i++) {
		if (has_com1(&vms[i])) {
			focus = i;
			show_focus();
			return;
		}
	}
	focus = -1;
	edit.len = 0;
	edit.buf[0] = '\0';
	show_focus();
}

static void run_line(void)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = shell_split(edit.buf, argv, SHELL_MAX_ARGS);
	const struct shell_cmd *cmd;

	if (argc < 0) {
		printk("too many words (at most %d)\n", SHELL_MAX_ARGS);
	} else if (argc > 0) {
		cmd = shell_find(shell_cmds, shell_nr_cmds, argv[0]);
		if (cmd)
			cmd->fn(argc, argv);
		else
			printk("unknown command '%s': 'help' lists them\n", argv[0]);
	}
	edit.len = 0;
	edit.buf[0] = '\0';
	if (focus < 0)
		printk("bh> ");
}

static void input_byte(char c)
{
	bool lf_after_cr = c == '\n' && last_cr;

	last_cr = c == '\r';
	if (c == SHELL_SWITCH_KEY) {
		switch_next();
		return;
	}
	if (focus >= 0) {
		/* a full FIFO drops the byte (counted): the guest is not reading */
		vuart_rx_put(&vms[focus], (u8)c);
		return;
	}
	if (lf_after_cr)
		return;		/* "\r\n" is one Enter */
	switch (shell_edit_key(&edit, c)) {
	case SHELL_KEY_ADD:
		printk("%c", c);
		break;
	case SHELL_KEY_ERASE:
		printk("\b \b");
		break;
	case SHELL_KEY_ENTER:
		printk("\n");
		run_line();
		break;
	default:
		break;
	}
}

/* Whatever arrived, then the console's output: the idle loop and the UART's interrupt. */
void shell_poll(void)
{
	int c;

	if (!__atomic_exchange_n(&input_lock.locked, 1, __ATOMIC_ACQUIRE)) {
		for (unsigned n = 0; n < 64 && (c = uart_getc()) >= 0; n++)
			input_byte((char)c);
		spin_unlock(&input_lock);
	}
	console_kick();
}

/*
 * The UART's line is edge-triggered: serve it until IIR says nothing is
 * pending, or a condition left standing would hold the line high and no
 * new edge would ever come. What the shell printed is sent before the
 * guest goes on: no transmit interrupt follows it up.
 */
static void console_irq(u8 vector)
{
	(void)vector;
	for (unsigned n = 0; n < 8; n++) {
		bool pending = uart_irq_pending();

		shell_poll();
		if (!pending)
			break;
	}
	console_flush();
}

const char *shell_served_by(void)
{
	return served_by;
}

/* The UART's ISA line: the board's when it describes this UART, else the PC's convention. */
static int console_gsi(u16 port, u32 *gsi)
{
	const struct board_console *c = &board_info.console;

	if (c->type == BOARD_CONSOLE_PIO && c->base == port && c->irq) {
		*gsi = c->irq;
		return 0;
	}
	if (port == 0x3F8 || port == 0x3E8)
		*gsi = 4;
	else if (port == 0x2F8 || port == 0x2E8)
		*gsi = 3;
	else
		return -ENOENT;
	return 0;
}

/* Edge, active high, to the BSP; remappable where VT-d remaps interrupts. */
static int route_console(u32 gsi)
{
	u64 rte;
	u8 id;
	u16 irte;
	int ret = ioapic_gsi_id(gsi, &id);

	if (ret)
		return ret;
	if (ptirq_intx_owner(gsi))
		return -EBUSY;
	if (vtd_active()) {
		ret = vtd_ioapic_setup(id, CONSOLE_VECTOR, pcpus[0].apic_id, false, false, &irte, &rte);
		if (ret)
			return ret;
	} else {
		rte = ioapic_rte(CONSOLE_VECTOR, pcpus[0].apic_id, false, false);
	}
	return ioapic_write_rte(gsi, rte);
}

/* After the VMs are built: poll from an idle CPU if there will be one, else take the interrupt. */
void shell_init(void)
{
	u16 port = uart_port_base();
	u32 gsi;
	int ret;

	if (!port)
		return;
	for (unsigned i = 0; i < nr_pcpus; i++) {
		if (pcpus[i].online && !pcpus[i].vcpu && !vm_is_post_pcpu(i)) {
			served_by = "an idle CPU's loop";
			goto ready;
		}
	}
	ret = console_gsi(port, &gsi);
	if (!ret)
		ret = irq_register(IRQ_OWNER_CONSOLE, console_irq);
	if (!ret)
		ret = route_console(gsi);
	if (ret) {
		printk("console: no interrupt for the UART at 0x%x (%d) and no idle CPU: the shell "
		       "gets no input and output drains only as VMs print\n", port, ret);
		served_by = "nothing (no interrupt, no idle CPU)";
		return;
	}
	served_by = "the UART's receive interrupt on CPU 0";
	uart_rx_irq(true);
ready:
	printk("console: input and output served by %s; Ctrl-] switches between the shell and "
	       "the VMs' consoles\n", served_by);
	show_focus_prompt(false);
	console_kick();
}
