/* The shell's commands: what the VM manager knows, printed; only loglevel and vm_console change anything. */
#include "lib.h"
#include "console.h"
#include "irq.h"
#include "mm.h"
#include "pci_dev.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "shell.h"

/* Boot VMs, then the post-launched VMs that exist now. */
static struct vm *vm_at(unsigned i)
{
	if (i < nr_vms)
		return &vms[i];
	i -= nr_vms;
	return i < VMM_MAX_POST_VMS ? vmm_get_vm((u16)i) : NULL;
}
#define NR_VM_SLOTS (nr_vms + VMM_MAX_POST_VMS)

static const char *vm_state_name(const struct vm *vm)
{
	static const char *const names[] = { "created", "running", "paused", "stopped" };

	return (unsigned)vm->state < ARRAY_SIZE(names) ? names[vm->state] : "?";
}

static const char *vm_kind_name(const struct vm *vm)
{
	if (vm->post)
		return "post-launched";
	return vm->cfg && vm->cfg->kind == VM_SERVICE ? "service" : "pre-launched";
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < shell_nr_cmds; i++)
		printk("  %-10s %-12s %s\n", shell_cmds[i].name, shell_cmds[i].args, shell_cmds[i].help);
	printk("  Ctrl-]                  switch the input: shell, each VM's COM1, shell\n");
	return 0;
}

static int cmd_vm_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("  id name             kind           state    vCPUs\n");
	for (unsigned i = 0; i < NR_VM_SLOTS; i++) {
		struct vm *vm = vm_at(i);

		if (!vm)
			continue;
		printk("  %2u %-16s %-14s %-8s %u%s%s\n", i, vm->name, vm_kind_name(vm), vm_state_name(vm),
		       vm->nr_vcpus, vm->state == VM_STOPPED && vm->stop_reason[0] ? "  " : "",
		       vm->state == VM_STOPPED ? vm->stop_reason : "");
	}
	return 0;
}

static int cmd_vcpu_list(int argc, char **argv)
{
	static const char *const names[] = { "waiting for SIPI", "running", "halted", "stopped" };

	(void)argc;
	(void)argv;
	printk("  VM               vCPU pCPU APIC state\n");
	for (unsigned i = 0; i < NR_VM_SLOTS; i++) {
		struct vm *vm = vm_at(i);

		for (unsigned j = 0; vm && j < vm->nr_vcpus; j++) {
			struct vcpu *v = vm->vcpus[j];
			struct pcpu *p = v->pcpu;

			printk("  %-16s %4u %4u %4u %s\n", vm->name, j, p ? p->id : 0, p ? p->apic_id : 0,
			       (unsigned)v->state < ARRAY_SIZE(names) ? names[v->state] : "?");
		}
	}
	return 0;
}

static const char *pdev_owner(const struct pci_pdev *d)
{
	for (unsigned i = 0; d->owner && i < NR_VM_SLOTS; i++) {
		struct vm *vm = vm_at(i);

		if (vm && d->owner == &vm->vpci)
			return vm->name;
	}
	return "-";
}

static int cmd_pci_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("  BDF      vendor:device class  owner\n");
	for (unsigned i = 0; i < pci_nr_pdevs; i++) {
		const struct pci_pdev *d = &pci_pdevs[i];

		printk("  %02x:%02x.%u  %04x:%04x     %06x %s\n", d->bdf >> 8, (d->bdf >> 3) & 0x1f,
		       d->bdf & 7, d->vendor, d->device, d->class_rev >> 8, pdev_owner(d));
	}
	return 0;
}

static int cmd_int(int argc, char **argv)
{
	u64 gaddr;
	u32 gdata, vgsi;

	(void)argc;
	(void)argv;
	printk("  vector owner / route\n");
	for (unsigned i = 0; i < IRQ_MSI_COUNT; i++) {
		struct vm *vm = vm_vpci_msi_route(i, &gaddr, &gdata);

		if (vm)
			printk("  0x%02x   MSI -> VM %s vector 0x%02x (address 0x%lx)\n", IRQ_MSI_BASE + i,
			       vm->name, gdata & 0xff, gaddr);
	}
	for (u32 gsi = 0; gsi < IRQ_INTX_COUNT; gsi++) {
		struct vm *vm = ptirq_intx_route(gsi, &vgsi);

		if (vm)
			printk("  0x%02x   GSI %u -> VM %s vGSI %u\n", IRQ_INTX_BASE + gsi, gsi, vm->name, vgsi);
	}
	printk("  0x%02x   hypervisor console (UART; served by %s)\n", CONSOLE_VECTOR, shell_served_by());
	printk("  0x%02x   VT-d fault events\n", VTD_FAULT_VECTOR);
	printk("  0x%02x   host timer: guest timer events\n", TIMER_VECTOR);
	printk("  0x%02x   kick: a vCPU sees new events\n", KICK_VECTOR);
	return 0;
}

static int cmd_exits(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < NR_VM_SLOTS; i++) {
		struct vm *vm = vm_at(i);

		if (vm)
			vm_print_exit_counters(vm);
	}
	/* a timestamp on every exit would cost every exit; make bench measures the paths */
	printk("  (cost per exit: not measured at run time; see build/bench/results.tsv)\n");
	return 0;
}

static u64 vm_ram_bytes(const struct vm *vm)
{
	u64 sum = 0;

	if (vm->post)
		return vm->ram.mapped;
	for (unsigned i = 0; i < vm->ram.nr; i++)
		sum += vm->ram.r[i].size;
	return sum;
}

static int cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("  hypervisor memory %lu KiB at 0x%lx, heap free %lu KiB\n", scenario.hv_mem.size >> 10,
	       scenario.hv_mem.base, mm_free_bytes() >> 10);
	printk("  console: hypervisor ring %u of %u bytes queued, %lu dropped\n",
	       console_src_pending(&console_hv), console_hv.size, console_hv.dropped);
	for (unsigned i = 0; i < NR_VM_SLOTS; i++) {
		struct vm *vm = vm_at(i);

		if (!vm)
			continue;
		printk("  VM %-16s RAM %lu KiB, EPT %u pages (%u KiB)", vm->name, vm_ram_bytes(vm) >> 10,
		       vm->ept_pages, vm->ept_pages * 4);
		if (vm->vuart.out.registered)
			printk(", console ring %u of %u bytes, %lu dropped, %lu input bytes dropped",
			       console_src_pending(&vm->vuart.out), vm->vuart.out.size,
			       vm->vuart.out.dropped, vm->vuart.rx_dropped);
		printk("\n");
	}
	return 0;
}

static int cmd_loglevel(int argc, char **argv)
{
	u64 n;

	if (argc > 2 || (argc == 2 && shell_number(argv[1], LOG_DEBUG, &n))) {
		printk("usage: loglevel [0-3] (0 errors, 1 warnings, 2 info, 3 debug)\n");
		return -EINVAL;
	}
	if (argc == 2)
		log_level = (int)n;
	printk("log level %d\n", log_level);
	return 0;
}

static int cmd_vm_console(int argc, char **argv)
{
	unsigned i = 0;
	u64 id;

	while (argc == 2 && i < nr_vms && strcmp(vms[i].name, argv[1]))
		i++;
	/* a name, else an id; either way a refusal says why */
	if (argc != 2 || (i < nr_vms ? shell_focus_vm(i) : shell_number(argv[1], nr_vms, &id) ||
				       shell_focus_vm((unsigned)id))) {
		printk("usage: vm_console ID|NAME (a pre-launched or Service VM with a COM1; vm_list)\n");
		return -EINVAL;
	}
	return 0;
}

const struct shell_cmd shell_cmds[] = {
	{ "help", "", "this list", cmd_help },
	{ "vm_list", "", "VMs: kind, state, vCPUs", cmd_vm_list },
	{ "vcpu_list", "", "vCPUs: the pCPU each runs on, state", cmd_vcpu_list },
	{ "pci_list", "", "physical PCI functions and the VM owning each", cmd_pci_list },
	{ "int", "", "host interrupt vectors: routes to VMs (vector, GSI)", cmd_int },
	{ "exits", "", "VM exits per VM by reason", cmd_exits },
	{ "mem", "", "hypervisor heap, each VM's RAM, EPT and console ring", cmd_mem },
	{ "loglevel", "[0-3]", "show or set the log level", cmd_loglevel },
	{ "vm_console", "ID|NAME", "give the input to that VM's COM1", cmd_vm_console },
};
const unsigned shell_nr_cmds = ARRAY_SIZE(shell_cmds);
