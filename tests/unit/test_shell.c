/*
 * The hypervisor shell (vmm/shell.c, shell_cmds.c) driven through a fake
 * UART, its output read back: a typed line runs its command ("\r\n" one
 * Enter, backspace erases, unknown commands and too many words said so);
 * Ctrl-] moves the input to each VM with a COM1 in turn and back; what
 * each command prints from the VM manager's state; loglevel and vm_console
 * refuse what they cannot do and change nothing then; how the input is
 * served (an idle CPU, else the UART's interrupt routed to CPU 0, else
 * nothing, said so).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib.h"
#include "console.h"
#include "ioapic.h"
#include "irq.h"
#include "mm.h"
#include "pci_dev.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vtd.h"
#include "vuart.h"
#include "shell.h"

/* ---- the machine ---- */
struct pcpu pcpus[CONFIG_MAX_CPUS];
unsigned nr_pcpus = 2;
struct vm vms[CONFIG_MAX_VMS];
unsigned nr_vms;
static struct vm post;
static struct vm_config sos_cfg = { .kind = VM_SERVICE }, pre_cfg = { .kind = VM_PRE_LAUNCHED };
const struct board_config board_info = { .console = { .type = BOARD_CONSOLE_PIO, .base = 0x3E8, .irq = 7 } };
const struct scenario_config scenario = { .hv_mem = { 0x1000000, 0x800000 } };
struct console_src console_hv = { .size = 4096, .dropped = 3 };
struct pci_pdev pci_pdevs[PCI_MAX_PDEVS];
unsigned pci_nr_pdevs;

static struct {
	const char *input;		/* what the UART has received, not read yet */
	u16 port;
	bool vtd, post_cpu;
	int gsi_err, route_err;
	u32 rte_gsi;
	u64 rte;
	irq_handler_t irq;
	unsigned rx_irq, kicks, flushes, exit_prints, irq_pending;
	char rx[2][32];			/* what each VM's COM1 received */
	struct vm *intx_owner;
} fk;

int uart_getc(void) { return fk.input && *fk.input ? (u8)*fk.input++ : -1; }
u16 uart_port_base(void) { return fk.port; }
void uart_rx_irq(bool on) { fk.rx_irq = on; }
bool uart_irq_pending(void) { return fk.irq_pending ? fk.irq_pending-- > 0 : false; }
void console_kick(void) { fk.kicks++; }
void console_flush(void) { fk.flushes++; }
u32 console_src_pending(const struct console_src *s) { return s == &console_hv ? 100 : 7; }
u64 mm_free_bytes(void) { return 5 << 20; }
bool vm_is_post_pcpu(unsigned cpu) { return fk.post_cpu && cpu == 1; }
struct vm *vmm_get_vm(u16 vmid) { return vmid == 2 ? &post : NULL; }
void vm_print_exit_counters(const struct vm *vm) { (void)vm; fk.exit_prints++; }

int vuart_rx_put(struct vm *vm, u8 c)
{
	char *rx = fk.rx[vm - vms];
	size_t n = strlen(rx);

	assert_true(n + 1 < sizeof(fk.rx[0]));
	rx[n] = (char)c;
	return 0;
}

struct vm *vm_vpci_msi_route(unsigned i, u64 *gaddr, u32 *gdata)
{
	if (i != 5)
		return NULL;
	*gaddr = 0xFEE00000;
	*gdata = 0x41;
	return &vms[1];
}

struct vm *ptirq_intx_route(u32 gsi, u32 *vgsi)
{
	if (gsi != 11)
		return NULL;
	*vgsi = 10;
	return &post;
}

struct vm *ptirq_intx_owner(u32 gsi) { (void)gsi; return fk.intx_owner; }
int ioapic_gsi_id(u32 gsi, u8 *id) { *id = 0; return gsi < 24 ? fk.gsi_err : -ENOENT; }
int ioapic_write_rte(u32 gsi, u64 rte) { fk.rte_gsi = gsi; fk.rte = rte; return fk.route_err; }
bool vtd_active(void) { return fk.vtd; }
int vtd_ioapic_setup(u8 ioapic_id, u8 vector, u32 dest, bool level, bool active_low, u16 *irte, u64 *rte)
{
	(void)ioapic_id;
	(void)level;
	(void)active_low;
	*irte = 3;
	*rte = 0xAB00 | vector | (u64)dest << 56;
	return 0;
}

int irq_register(enum irq_owner owner, irq_handler_t fn)
{
	assert_int_equal(owner, IRQ_OWNER_CONSOLE);
	fk.irq = fn;
	return 0;
}

/* ---- what the shell prints (printk: host_stubs.c, to stderr) ---- */
static char out[8192];
static int saved_stderr = -1;
static FILE *capture;

static void capture_begin(void)
{
	fflush(stderr);
	capture = tmpfile();
	assert_non_null(capture);
	saved_stderr = dup(2);
	dup2(fileno(capture), 2);
}

static const char *capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capture);
	n = fread(out, 1, sizeof(out) - 1, capture);
	out[n] = 0;
	fclose(capture);
	return out;
}

/* Type these bytes; what the shell printed meanwhile. */
static const char *type(const char *bytes)
{
	capture_begin();
	fk.input = bytes;
	while (*fk.input)
		shell_poll();
	return capture_end();
}

static void assert_has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' not in:\n%s", part, text);
}

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(vms, 0, sizeof(vms));
	memset(&post, 0, sizeof(post));
	memset(pcpus, 0, sizeof(pcpus));
	nr_vms = 2;
	vms[0].name = "sos", vms[0].cfg = &sos_cfg, vms[0].state = VM_RUNNING;
	vms[1].name = "rtvm", vms[1].cfg = &pre_cfg, vms[1].state = VM_STOPPED;
	strcpy(vms[1].stop_reason, "triple fault");
	vms[0].vuart.out.registered = true;	/* both have a COM1 */
	vms[1].vuart.out.registered = true;
	post.name = "user-0", post.post = true, post.state = VM_PAUSED;
	type("\x1d\x1d\x1d");			/* the input back at the shell, whatever the last test left */
	memset(fk.rx, 0, sizeof(fk.rx));
	log_level = LOG_WARN;
	return 0;
}

static void test_line_editing(void **state)
{
	const char *o;

	(void)state;
	o = type("loglevel\r\n");
	assert_has(o, "loglevel");		/* echoed */
	assert_has(o, "log level 1\n");
	assert_has(o, "bh> ");
	/* "\r\n" was one Enter: one prompt, no empty second line run */
	assert_null(strstr(strstr(o, "bh> ") + 4, "bh> "));
	o = type("logx\blevel 3\r");
	assert_has(o, "\b \b");
	assert_int_equal(log_level, LOG_DEBUG);
	o = type("frobnicate\r");
	assert_has(o, "unknown command 'frobnicate'");
	o = type("a b c d e\r");
	assert_has(o, "too many words");
	o = type("\r");				/* an empty line: a new prompt only */
	assert_string_equal(o, "\nbh> ");
	assert_true(fk.kicks > 0);		/* the output drains after each poll */
}

static void test_console_switch(void **state)
{
	const char *o;

	(void)state;
	o = type("\x1d");
	assert_has(o, "console of VM sos");
	type("ls\r");
	assert_string_equal(fk.rx[0], "ls\r");	/* every byte to its COM1, Enter too */
	o = type("\x1d");
	assert_has(o, "console of VM rtvm");
	type("x\r\n");
	assert_string_equal(fk.rx[1], "x\r\n");
	o = type("\x1d");			/* back to the shell */
	assert_has(o, "bulkhead shell");
	/* a VM without a COM1 is passed over */
	vms[0].vuart.out.registered = false;
	o = type("\x1d");
	assert_has(o, "console of VM rtvm");
	type("\x1d");
	/* vm_console: by name or id; not a VM without COM1, nor one that does not exist */
	o = type("vm_console rtvm\r");
	assert_has(o, "console of VM rtvm");
	type("\x1d");
	o = type("vm_console 1\r");
	assert_has(o, "console of VM rtvm");
	type("\x1d");
	o = type("vm_console 0\r");
	assert_has(o, "usage: vm_console");
	o = type("vm_console sos\r");		/* by name, no COM1: said so too */
	assert_has(o, "usage: vm_console");
	o = type("vm_console 2\r");
	assert_has(o, "usage: vm_console");
	o = type("vm_console\r");
	assert_has(o, "usage: vm_console");
	type("x\r");
	assert_string_equal(fk.rx[0], "ls\r");	/* still the shell's */
	assert_int_equal(shell_focus_vm(5), -EINVAL);
}

static void test_lists(void **state)
{
	struct vcpu v0 = { .state = VCPU_RUNNING }, v1 = { .state = VCPU_HALTED };
	struct pcpu p1 = { .id = 1, .apic_id = 2 };
	const char *o;

	(void)state;
	o = type("help\r");
	for (unsigned i = 0; i < shell_nr_cmds; i++)
		assert_has(o, shell_cmds[i].name);
	assert_has(o, "Ctrl-]");
	o = type("vm_list\r");
	assert_has(o, " 0 sos              service        running  0\n");
	assert_has(o, " 1 rtvm             pre-launched   stopped  0  triple fault\n");
	assert_has(o, " 4 user-0           post-launched  paused   0\n");	/* post vmid 2 */
	vms[0].nr_vcpus = 2;
	vms[0].vcpus[0] = &v0;
	vms[0].vcpus[1] = &v1;
	v1.pcpu = &p1;
	o = type("vcpu_list\r");
	assert_has(o, "sos                 0    0    0 running\n");
	assert_has(o, "sos                 1    1    2 halted\n");
	vms[0].nr_vcpus = 0;
	/* PCI functions and their owners */
	pci_nr_pdevs = 2;
	pci_pdevs[0] = (struct pci_pdev){ .bdf = PCI_BDF(0, 3, 0), .vendor = 0x8086, .device = 0x100e,
					  .class_rev = 0x02000003, .owner = &post.vpci };
	pci_pdevs[1] = (struct pci_pdev){ .bdf = PCI_BDF(1, 0, 1), .vendor = 0x1af4, .device = 0x1041 };
	o = type("pci_list\r");
	assert_has(o, "00:03.0  8086:100e     020000 user-0\n");
	assert_has(o, "01:00.1  1af4:1041     000000 -\n");
	pci_nr_pdevs = 0;
	o = type("int\r");
	assert_has(o, "MSI -> VM rtvm vector 0x41");
	assert_has(o, "GSI 11 -> VM user-0 vGSI 10");
	assert_has(o, "served by nothing");
	o = type("exits\r");
	assert_int_equal(fk.exit_prints, 3);	/* each VM */
	assert_has(o, "not measured at run time");
}

static void test_mem(void **state)
{
	const char *o;

	(void)state;
	vms[1].ram.nr = 2;
	vms[1].ram.r[0].size = 1 << 20;
	vms[1].ram.r[1].size = 3 << 20;
	vms[1].ept_pages = 5;
	vms[1].vuart.out.registered = false;
	post.ram.mapped = 2 << 20;		/* a post-launched VM's: what its EPT maps */
	vms[0].vuart.out.size = 1024;
	vms[0].vuart.rx_dropped = 9;
	o = type("mem\r");
	assert_has(o, "hypervisor memory 8192 KiB at 0x1000000, heap free 5120 KiB");
	assert_has(o, "hypervisor ring 100 of 4096 bytes queued, 3 dropped");
	assert_has(o, "VM rtvm             RAM 4096 KiB, EPT 5 pages (20 KiB)\n");
	assert_has(o, "VM user-0           RAM 2048 KiB");
	assert_has(o, "console ring 7 of 1024 bytes, 0 dropped, 9 input bytes dropped");
}

static void test_loglevel_refused(void **state)
{
	const char *o;

	(void)state;
	log_level = LOG_INFO;
	const char *bad[] = { "loglevel 4\r", "loglevel x\r", "loglevel 1 2\r", "loglevel -1\r" };
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		o = type(bad[i]);
		assert_has(o, "usage: loglevel");
		assert_int_equal(log_level, LOG_INFO);
	}
	o = type("loglevel 0x0\r");
	assert_has(o, "log level 0");
	assert_int_equal(log_level, 0);
}

/* ---- shell_init: how the input is served ---- */
static const char *init(void)
{
	capture_begin();
	shell_init();
	return capture_end();
}

static void test_init(void **state)
{
	const char *o;

	(void)state;
	/* no UART: nothing */
	assert_string_equal(init(), "");
	assert_null(fk.irq);
	fk.port = 0x3F8;
	/* an idle CPU polls */
	pcpus[0].online = pcpus[1].online = true;
	pcpus[0].vcpu = &(struct vcpu){ 0 };
	o = init();
	assert_has(o, "served by an idle CPU's loop");
	assert_null(fk.irq);
	assert_string_equal(shell_served_by(), "an idle CPU's loop");
	/* its CPU is post-launched VMs' to take: the interrupt, at the PC's GSI for COM1 */
	fk.post_cpu = true;
	pcpus[0].apic_id = 6;
	o = init();
	assert_has(o, "the UART's receive interrupt on CPU 0");
	assert_non_null(fk.irq);
	assert_int_equal(fk.rx_irq, 1);
	assert_int_equal(fk.rte_gsi, 4);
	assert_int_equal(fk.rte, ioapic_rte(CONSOLE_VECTOR, 6, false, false));
	/* the board's line for its own UART; COM2's convention; a remapped RTE with VT-d */
	fk.port = 0x3E8;
	fk.vtd = true;
	init();
	assert_int_equal(fk.rte_gsi, 7);
	assert_int_equal(fk.rte, 0xAB00 | CONSOLE_VECTOR | 6ULL << 56);
	fk.vtd = false;
	fk.port = 0x2F8;
	init();
	assert_int_equal(fk.rte_gsi, 3);
	/* no line known, the line a VM holds, no IOAPIC pin: said so, nothing served */
	fk.rte_gsi = 0;
	fk.port = 0x1234;
	o = init();
	assert_has(o, "no interrupt for the UART at 0x1234");
	assert_string_equal(shell_served_by(), "nothing (no interrupt, no idle CPU)");
	assert_int_equal(fk.rte_gsi, 0);
	fk.port = 0x3F8;
	fk.intx_owner = &vms[0];
	o = init();
	assert_has(o, "(-16)");
	fk.intx_owner = NULL;
	fk.gsi_err = -ENOENT;
	o = init();
	assert_has(o, "(-2)");
}

/* The receive interrupt: served until IIR says nothing is pending, the output sent before the guest goes on. */
static void test_console_irq(void **state)
{
	(void)state;
	fk.port = 0x3F8;
	init();
	assert_non_null(fk.irq);
	capture_begin();
	fk.input = "loglevel 2\r";
	fk.irq_pending = 3;
	fk.irq(CONSOLE_VECTOR);
	capture_end();
	assert_int_equal(log_level, LOG_INFO);
	assert_int_equal(fk.irq_pending, 0);
	assert_int_equal(fk.flushes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_line_editing, setup),
		cmocka_unit_test_setup(test_console_switch, setup),
		cmocka_unit_test_setup(test_lists, setup),
		cmocka_unit_test_setup(test_mem, setup),
		cmocka_unit_test_setup(test_loglevel_refused, setup),
		cmocka_unit_test_setup(test_init, setup),
		cmocka_unit_test_setup(test_console_irq, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
