/* Boot flow after boot/: heap, interrupts, VT-d, VMX, PCI, CPUs, VMs; then every CPU runs its vCPU. */
#include "lib.h"
#include "acpi.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "hv_main.h"
#include "console.h"
#include "lapic.h"
#include "mm.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vtd.h"
#include "pci.h"
#include "pci_dev.h"
#include "x86.h"

extern u8 __image_start[], __image_end[];

static struct boot_info *boot_info;	/* boot/main.c's, parsed */
static const struct hv_options *options;
static volatile bool vms_ready;


void hv_all_vms_stopped(void)
{
	static bool done;

	if (__atomic_exchange_n(&done, true, __ATOMIC_SEQ_CST))
		return;		/* two VMs stopping at once both see the last stop */
	printk("bulkhead: all VMs stopped\n");
	console_flush();
	if (options->exit == EXIT_BOCHS) {
		for (const char *s = "Shutdown"; *s; s++)
			outb(0x8900, *s);
	} else if (options->exit == EXIT_QEMU) {
		outl(0xf4, 0);
	}
}

/* Exit counters, and where each running vCPU is (sampled by a kick). */
static void print_all_exit_counters(void)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		vm_print_exit_counters(vm);
		for (unsigned j = 0; j < vm->nr_vcpus && vm->state == VM_RUNNING; j++) {
			struct vcpu *v = vm->vcpus[j];
			u64 exits = v->exit_count[EXIT_EXT_INTR];

			vcpu_kick(v);
			udelay(1000);
			printk("  vCPU %u: state %d, guest RIP 0x%lx\n", j, v->state, v->sampled_rip);
			if (v->exit_count[EXIT_EXT_INTR] == exits && v->state == VCPU_RUNNING) {
				/* no exit for the kick: the pCPU is stuck in the hypervisor */
				v->pcpu->nmi_dump = true;
				lapic_send_nmi(v->pcpu->apic_id);
				udelay(1000);
			}
		}
	}
}

/*
 * pCPUs with nothing (left) to run: one of them serves the console (the
 * shell's input, the output rings: shell.c) and the periodic statistics;
 * the others sleep.
 */
void __noreturn idle_loop(void)
{
	static bool claimed;
	struct pcpu *p = this_cpu();
	u64 next;

	if (vm_is_post_pcpu(p->id)) {
		/* reserved for post-launched VMs: START_VM hands a vCPU over and kicks */
		for (;;) {
			struct vcpu *v = __atomic_load_n(&p->vcpu, __ATOMIC_ACQUIRE);

			if (v)
				vcpu_run_loop(v);
			cpu_wait_for_interrupt();
		}
	}
	if (__atomic_exchange_n(&claimed, true, __ATOMIC_SEQ_CST))
		cpu_park();
	next = rdtsc() + options->stats_secs * tsc_khz * 1000;
	for (;;) {
		shell_poll();
		if (options->stats_secs && rdtsc() >= next) {
			print_all_exit_counters();
			next = rdtsc() + options->stats_secs * tsc_khz * 1000;
		}
		cpu_relax();
	}
}

static void __noreturn run_this_cpu(void)
{
	struct pcpu *p = this_cpu();

	if (vmx_cpu_enable())
		panic("VMX could not be enabled on CPU %u", p->id);
	if (p->vcpu)
		vcpu_run_loop(p->vcpu);
	idle_loop();
}

static void __noreturn ap_main(void)
{
	while (!vms_ready)
		cpu_relax();
	run_this_cpu();
}

/* The heap starts after our image and any boot module GRUB put right behind it. */
static void heap_init(void)
{
	u64 start = (u64)__image_end, end = scenario.hv_mem.base + scenario.hv_mem.size;

	/* the heap runs from the image's end: the image must lie in the scenario's memory */
	if ((u64)__image_start < scenario.hv_mem.base || start > end)
		panic("image 0x%lx-0x%lx is not inside the scenario's hypervisor memory 0x%lx-0x%lx: "
		      "that memory must start at the link address 0x%lx and hold the image",
		      (u64)__image_start, start, scenario.hv_mem.base, end, (u64)__image_start);
	for (unsigned i = 0; i < boot_info->nr_mods; i++)
		if (boot_info->mods[i].start < end && boot_info->mods[i].end > start)
			start = boot_info->mods[i].end;
	if (start >= end)
		panic("no heap: boot modules fill the hypervisor region 0x%lx-0x%lx",
		      scenario.hv_mem.base, end);
	mm_init(start, end);
	pr_info("memory: hypervisor 0x%lx-0x%lx, heap %lu KiB\n", scenario.hv_mem.base, end,
		mm_free_bytes() >> 10);
}

/*
 * An identity-mapped Service VM gets all RAM nobody else has, wherever GRUB
 * put the boot modules: move the modules into the hypervisor's memory first.
 */
static void relocate_modules(void)
{
	bool identity = false;

	for (unsigned i = 0; i < scenario.nr_vms; i++)
		identity |= !!(scenario.vms[i].flags & VM_FLAG_IDENTITY_MEM);
	for (unsigned i = 0; identity && i < boot_info->nr_mods; i++) {
		struct boot_module *m = &boot_info->mods[i];
		u64 len = m->end - m->start;
		void *copy;

		if (!len || (m->start >= scenario.hv_mem.base &&
			     m->end <= scenario.hv_mem.base + scenario.hv_mem.size))
			continue;
		copy = page_alloc((unsigned)(ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE));
		if (!copy)
			panic("no room in the hypervisor's memory for boot module '%s' (%lu KiB)",
			      m->string, len >> 10);
		memcpy(copy, phys_to_virt(m->start), len);
		/* the old place is the Service VM's RAM now: other VMs' kernels are not its business */
		memset(phys_to_virt(m->start), 0, len);
		m->start = virt_to_phys(copy);
		m->end = m->start + len;
	}
}

/* Physical PCI: ECAM from the MCFG when there is one, then one enumeration. */
static void pci_init(void)
{
	const struct acpi_sdt_header *mcfg = acpi_find_table(boot_info, "MCFG");
	int n;

	if (mcfg && mcfg->length >= 44 + 16) {
		const u8 *e = (const u8 *)mcfg + 44;
		u64 base;

		memcpy(&base, e, 8);
		pci_cfg_set_ecam(base, e[10], e[11]);
		pr_info("PCI: ECAM at 0x%lx, buses %u-%u\n", base, e[10], e[11]);
	}
	n = pci_enumerate();
	if (n < 0)
		printk("PCI: enumeration stopped (%d): more functions than bulkhead keeps\n", n);
	else
		pr_info("PCI: %d functions\n", n);
}

/* The owners of host vector ranges (include/irq.h) take them before any interrupt can come. */
static void irq_owners_init(void)
{
	if (vcpu_irq_init() || ptirq_init() || vm_vpci_msi_init())
		panic("host interrupt vectors: a range is taken twice (include/irq.h)");
}

static void start_cpus(void)
{
	const struct acpi_sdt_header *madt = acpi_find_table(boot_info, "APIC");
	u32 ids[CONFIG_MAX_CPUS];
	int n = madt ? acpi_madt_cpus(madt, ids, CONFIG_MAX_CPUS) : -ENOENT;
	unsigned online;

	if (n <= 0) {
		pr_warn("no usable MADT (%d): running on the boot CPU only\n", n);
		return;
	}
	/* not inside pr_info: its arguments are not evaluated below loglevel=2 */
	online = smp_start_aps(ids, (unsigned)n, ap_main);
	pr_info("CPUs: %u online of %d in the MADT\n", online, n);
}

void __noreturn hv_main(struct boot_info *bi, const struct hv_options *opt)
{
	boot_info = bi;
	options = opt;
	pcpus[0].apic_id = lapic_id();
	heap_init();
	relocate_modules();
	/*
	 * The legacy PICs stay masked: interrupts come through the IOAPIC, and an
	 * idle CPU that enables interrupts must not take the BIOS's timer tick.
	 */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	irq_owners_init();
	lapic_init();
	tsc_calibrate();
	pr_info("TSC: %lu kHz\n", tsc_khz);
	vcpu_poll_init(options->halt_poll_us);
	if (!options->halt_poll_us)
		pr_info("halt polling: off (halt_poll_us=0)\n");
	/* VT-d first: its self-checks (QEMU, no VT-x there) end the run */
	vtd_init(boot_info);
	if (options->vtd_selftest)
		vtd_selftest_run();
	if (vmx_check_caps())
		panic("VT-x is not usable on this machine (see above); bulkhead cannot run VMs");
	vcpu_spec_init();
	if (options->apicv_off)
		vmx_mask_apicv();
	/* said only when off: a boot message costs boot_to_guest ~350 instructions a character */
	if (!vmx_has_apicv())
		pr_info("APIC virtualization: off (%s)\n", options->apicv_off ? "apicv=off" : "the CPU lacks it");
	pci_init();
	start_cpus();
	if (vm_create_all(boot_info))
		printk("bulkhead: no VM could be started\n");
	shell_init();
	vms_ready = true;
	run_this_cpu();
}

/* Boot-to-guest figure for the benchmarks: printed as the first vCPU enters its guest. */
void hv_report_first_entry(void)
{
	static bool done;

	if (!__atomic_exchange_n(&done, true, __ATOMIC_SEQ_CST))
		printk("bench boot_to_guest %lu insns\n", rdtsc() - boot_info->entry_tsc);
}
