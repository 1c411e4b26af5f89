/*
 * The boot flow after boot/ (vmm/main.c) with every layer below faked and
 * ports recorded: hv_main's order (heap after the image and the boot
 * modules in its way, modules moved into the hypervisor's memory for an
 * identity-mapped Service VM and their old place zeroed, PICs masked,
 * interrupt owners, VT-d before VMX, APICv off on request, the host's ECAM
 * from the MCFG, the MADT's CPUs started, the VMs, the shell), then this
 * CPU's vCPU or the idle loop; an AP waits for the VMs; what stops the
 * boot (no VT-x, VMXON failing, no heap, no room for a module); the idle
 * loop (a post-launched VM's pCPU waits for its vCPU, one CPU serves the
 * console and the statistics, the others park); the end of the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "acpi.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "console.h"
#include "hv_main.h"
#include "lapic.h"
#include "mm.h"
#include "pci.h"
#include "pci_dev.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vtd.h"
#include "x86.h"
#include "fake_pages.h"

/* The image, and room after it for the heap: the scenario's hypervisor memory. */
asm(".pushsection .data\n.balign 4096\n.globl __image_start, __image_end\n"
    "__image_start: .skip 0x2000\n__image_end: .skip 0x8000\n.popsection");
extern u8 __image_start[], __image_end[];
#define HV_SIZE 0xA000

static struct vm_config cfgs[2] = { { .name = "sos", .kind = VM_SERVICE } };
const struct scenario_config scenario = { .nr_vms = 1, .vms = cfgs,
					  .hv_mem = { (u64)__image_start, HV_SIZE } };
struct pcpu pcpus[CONFIG_MAX_CPUS];
unsigned nr_pcpus = 2;
struct vm vms[CONFIG_MAX_VMS];
unsigned nr_vms;
struct vmx_caps vmx_caps;
u64 tsc_khz = 1;

enum { PANICKED = 1, RAN_VCPU, PARKED, POLLED_OUT };
static jmp_buf back;
static struct pcpu *cur = &pcpus[0];
static struct {
	char log[256];			/* the boot steps, in order */
	char panic[200];
	char ports[64];			/* bytes written to port 0x8900 */
	u8 pic[2];
	u32 qemu_exit;
	u64 heap_start, heap_end, ecam;
	int poll_us;			/* what vcpu_poll_init got (-1: not called) */
	u8 ecam_buses[2];
	u32 aps[CONFIG_MAX_CPUS];
	unsigned nr_aps, kicks, nmis, exit_prints, polls, waits, stop_polls_at, vcpu_at_wait;
	void (*ap_entry)(void);
	int vtd_err, caps_err, vmxon_err, madt_n, create_err;
	bool mcfg, madt;
	struct vcpu *ran;
} fk;

static void note(const char *step)
{
	strncat(fk.log, step, sizeof(fk.log) - strlen(fk.log) - 1);
	strncat(fk.log, " ", sizeof(fk.log) - strlen(fk.log) - 1);
}

struct pcpu *this_cpu(void) { return cur; }
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.panic, sizeof(fk.panic), fmt, ap);
	va_end(ap);
	longjmp(back, PANICKED);
}
void cpu_park(void) { longjmp(back, PARKED); }
void vcpu_run_loop(struct vcpu *v) { fk.ran = v; longjmp(back, RAN_VCPU); }

void outb(u16 port, u8 v)
{
	if (port == 0x8900)
		fk.ports[strlen(fk.ports)] = (char)v;
	else if (port == 0x21 || port == 0xA1)
		fk.pic[port == 0xA1] = v;
}
void outl(u16 port, u32 v) { if (port == 0xf4) fk.qemu_exit = v | 0x100; }

/* ---- the layers below ---- */
void mm_init(u64 start, u64 end) { fk.heap_start = start, fk.heap_end = end; note("heap"); }
u64 mm_free_bytes(void) { return fk.heap_end - fk.heap_start; }
u32 lapic_id(void) { return 0x10; }
void lapic_init(void) { note("lapic"); }
void tsc_calibrate(void) { note("tsc"); }
int vcpu_irq_init(void) { note("irqs"); return 0; }
void vcpu_poll_init(unsigned max_us) { fk.poll_us = (int)max_us; }
int ptirq_init(void) { return 0; }
int vm_vpci_msi_init(void) { return 0; }
int vtd_init(const struct boot_info *bi) { (void)bi; note("vtd"); return fk.vtd_err; }
void vtd_selftest_run(void) { note("selftest"); }
int vmx_check_caps(void) { note("vmx"); return fk.caps_err; }
void vcpu_spec_init(void) { note("spec"); }
int vmx_cpu_enable(void) { note("vmxon"); return fk.vmxon_err; }
void pci_cfg_set_ecam(u64 base, u8 start, u8 end) { fk.ecam = base, fk.ecam_buses[0] = start, fk.ecam_buses[1] = end; }
int pci_enumerate(void) { note("pci"); return 3; }
int vm_create_all(const struct boot_info *bi) { (void)bi; note("vms"); return fk.create_err; }
void shell_init(void) { note("shell"); }
void console_flush(void) { note("flush"); }
void vm_print_exit_counters(const struct vm *vm) { (void)vm; fk.exit_prints++; }
void vcpu_kick(struct vcpu *v) { fk.kicks++; if (v->id == 0) v->exit_count[EXIT_EXT_INTR]++; }
void udelay(u64 us) { (void)us; }
void lapic_send_nmi(u32 apic_id) { (void)apic_id; fk.nmis++; }
bool vm_is_post_pcpu(unsigned cpu) { return cpu == 1; }

void shell_poll(void)
{
	if (++fk.polls == fk.stop_polls_at)
		longjmp(back, POLLED_OUT);
}

/* A post-launched VM's pCPU sleeps until START_VM hands it a vCPU. */
static struct vcpu handed;
void cpu_wait_for_interrupt(void)
{
	if (++fk.waits == fk.vcpu_at_wait)
		cur->vcpu = &handed;
}

static u8 mcfg[44 + 16], madt_table[64];
const struct acpi_sdt_header *acpi_find_table(const struct boot_info *bi, const char sig[4])
{
	(void)bi;
	if (!memcmp(sig, "MCFG", 4))
		return fk.mcfg ? (const void *)mcfg : NULL;
	return fk.madt ? (const void *)madt_table : NULL;
}
int acpi_madt_cpus(const struct acpi_sdt_header *madt, u32 *ids, unsigned max)
{
	(void)madt;
	assert_true(max >= 3);
	ids[0] = 0x10, ids[1] = 0x12, ids[2] = 0x14;
	return fk.madt_n;
}
unsigned smp_start_aps(const u32 *ids, unsigned n, void (*entry)(void))
{
	memcpy(fk.aps, ids, n * sizeof(*ids));
	fk.nr_aps = n;
	fk.ap_entry = entry;
	note("aps");
	return n;
}

static struct boot_info bi;
static struct hv_options opt;
static u8 *mod_a, mod_b[64];

static int setup(void **state)
{
	struct acpi_sdt_header *h = (struct acpi_sdt_header *)mcfg;
	u64 ecam = 0xE0000000;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(pcpus, 0, sizeof(pcpus));
	memset(&bi, 0, sizeof(bi));
	memset(&opt, 0, sizeof(opt));
	opt.halt_poll_us = 200;
	fk.poll_us = -1;
	cur = &pcpus[0];
	pcpus[1].id = 1;
	fk.madt_n = 3;
	fk.mcfg = fk.madt = true;
	fk.stop_polls_at = 1000;			/* an idle loop never left is a failure, not a hang */
	cfgs[0].flags = 0;
	h->length = sizeof(mcfg);
	memcpy(mcfg + 44, &ecam, 8);
	mcfg[44 + 10] = 0, mcfg[44 + 11] = 0x3F;
	memset(&vmx_caps, 0, sizeof(vmx_caps));
	vmx_caps.proc = (u64)PROC_TPR_SHADOW << 32;
	vmx_caps.proc2 = (u64)PROC2_APICV << 32;
	fake_page_budget = -1;
	log_level = LOG_INFO;
	return 0;
}

static int boot(void)
{
	int r = setjmp(back);

	if (!r)
		hv_main(&bi, &opt);
	return r;
}

static void add_mod(const void *p, size_t len, const char *tag)
{
	struct boot_module *m = &bi.mods[bi.nr_mods++];

	m->start = (u64)(uintptr_t)p;
	m->end = m->start + len;
	snprintf(m->string, sizeof(m->string), "%s", tag);
}

static void test_boot_order(void **state)
{
	static struct vm_config cfg;
	struct vcpu bsp = { 0 }, v0 = { .id = 0, .state = VCPU_RUNNING }, v1 = { .id = 1, .state = VCPU_RUNNING };
	struct pcpu p1 = { .apic_id = 2 };
	int r;

	(void)state;
	pcpus[0].vcpu = &bsp;
	opt.stats_secs = 1;
	log_level = LOG_ERR;				/* loglevel=0: no info lines, the same boot */
	assert_int_equal(boot(), RAN_VCPU);
	assert_string_equal(fk.log, "heap irqs lapic tsc vtd vmx spec pci aps vms shell vmxon ");
	assert_ptr_equal(fk.ran, &bsp);
	assert_int_equal(pcpus[0].apic_id, 0x10);
	/* the heap: from the image's end to the end of the scenario's memory */
	assert_int_equal(fk.heap_start, (u64)(uintptr_t)__image_end);
	assert_int_equal(fk.heap_end, (u64)(uintptr_t)__image_start + HV_SIZE);
	/* the legacy PICs masked */
	assert_int_equal(fk.pic[0], 0xFF);
	assert_int_equal(fk.pic[1], 0xFF);
	/* the host's ECAM from the MCFG; the MADT's CPUs started */
	assert_int_equal(fk.ecam, 0xE0000000);
	assert_int_equal(fk.ecam_buses[1], 0x3F);
	assert_int_equal(fk.nr_aps, 3);
	assert_int_equal(fk.aps[2], 0x14);
	assert_true(vmx_has_apicv());			/* left on */
	assert_int_equal(fk.poll_us, 200);		/* halt polling as the options say */

	/*
	 * An AP after the VMs are ready, with nothing to run: VMXON, then the
	 * idle loop; the first such CPU serves the console and the statistics,
	 * every VM's counters, and an NMI for a vCPU that takes no exit for a kick.
	 */
	nr_vms = 1;
	vms[0].cfg = &cfg;
	vms[0].state = VM_RUNNING;
	vms[0].nr_vcpus = 2;
	vms[0].vcpus[0] = &v0;				/* exits for the kick (fake vcpu_kick) */
	vms[0].vcpus[1] = &v1;				/* does not: stuck in the hypervisor */
	v0.pcpu = &pcpus[0];
	v1.pcpu = &p1;
	tsc_khz = 0;					/* the statistics are due at once */
	fk.stop_polls_at = 2;
	cur = &pcpus[2];
	memset(fk.log, 0, sizeof(fk.log));
	r = setjmp(back);
	if (!r)
		fk.ap_entry();
	assert_int_equal(r, POLLED_OUT);
	assert_string_equal(fk.log, "vmxon ");
	assert_int_equal(fk.exit_prints, 1);
	assert_int_equal(fk.kicks, 2);
	assert_int_equal(fk.nmis, 1);
	assert_true(p1.nmi_dump);
	assert_false(pcpus[0].nmi_dump);
	/* the next CPU with nothing to run parks */
	cur = &pcpus[3];
	r = setjmp(back);
	if (!r)
		fk.ap_entry();
	assert_int_equal(r, PARKED);
	nr_vms = 0;
	tsc_khz = 1;
}

static void test_boot_options(void **state)
{
	(void)state;
	/* VT-d self-checks on request, APICv off on request; no MCFG, no MADT, no VM */
	opt.vtd_selftest = true;
	opt.apicv_off = true;
	fk.mcfg = fk.madt = false;
	fk.create_err = -ENOENT;
	assert_int_equal(boot(), PARKED);		/* no vCPU here: idle (the console is served) */
	assert_string_equal(fk.log, "heap irqs lapic tsc vtd selftest vmx spec pci vms shell vmxon ");
	assert_false(vmx_has_apicv());
	assert_int_equal(fk.ecam, 0);
	/* halt polling off on request */
	setup(NULL);
	opt.halt_poll_us = 0;
	fk.mcfg = fk.madt = false;
	fk.create_err = -ENOENT;
	assert_int_equal(boot(), PARKED);
	assert_int_equal(fk.poll_us, 0);
	assert_int_equal(fk.nr_aps, 0);
	/* an empty MADT: the boot CPU alone */
	setup(NULL);
	fk.madt_n = 0;
	assert_int_equal(boot(), PARKED);
	assert_int_equal(fk.nr_aps, 0);
}

static void test_boot_stops(void **state)
{
	(void)state;
	fk.caps_err = -ENODEV;
	assert_int_equal(boot(), PANICKED);
	assert_non_null(strstr(fk.panic, "VT-x is not usable"));
	assert_null(strstr(fk.log, "vms"));		/* no VM built */
	setup(NULL);
	fk.vmxon_err = -EIO;
	assert_int_equal(boot(), PANICKED);
	assert_string_equal(fk.panic, "VMX could not be enabled on CPU 0");
}

static void test_heap_and_modules(void **state)
{
	(void)state;
	/* a module GRUB put right behind the image: the heap starts after it */
	add_mod(__image_end, 0x1800, "guest");
	pcpus[0].vcpu = &handed;
	assert_int_equal(boot(), RAN_VCPU);
	assert_int_equal(fk.heap_start, (u64)(uintptr_t)__image_end + 0x1800);
	/* modules filling the region: no heap */
	setup(NULL);
	add_mod(__image_end, HV_SIZE - 0x2000, "big");
	assert_int_equal(boot(), PANICKED);
	assert_non_null(strstr(fk.panic, "no heap"));
}

/* An identity-mapped Service VM gets all free RAM: modules outside the hypervisor's memory move in. */
static void test_relocate_modules(void **state)
{
	(void)state;
	mod_a = malloc(3000);
	memset(mod_a, 0xA5, 3000);
	add_mod(mod_a, 3000, "linux");
	add_mod(__image_end + 0x100, 0x100, "inside");	/* already in its memory: stays */
	add_mod(mod_b, 0, "empty");
	cfgs[0].flags = VM_FLAG_IDENTITY_MEM;
	pcpus[0].vcpu = &handed;
	assert_int_equal(boot(), RAN_VCPU);
	assert_int_not_equal(bi.mods[0].start, (u64)(uintptr_t)mod_a);
	assert_int_equal(bi.mods[0].end - bi.mods[0].start, 3000);
	for (unsigned i = 0; i < 3000; i++) {
		assert_int_equal(((u8 *)(uintptr_t)bi.mods[0].start)[i], 0xA5);
		assert_int_equal(mod_a[i], 0);		/* the old place is the Service VM's now */
	}
	assert_int_equal(bi.mods[1].start, (u64)(uintptr_t)__image_end + 0x100);
	assert_int_equal(bi.mods[2].start, (u64)(uintptr_t)mod_b);
	free((void *)(uintptr_t)bi.mods[0].start);
	fake_pages_outstanding = 0;
	/* no room for it: the boot stops, saying which */
	setup(NULL);
	cfgs[0].flags = VM_FLAG_IDENTITY_MEM;
	add_mod(mod_a, 3000, "linux");
	fake_page_budget = 0;
	assert_int_equal(boot(), PANICKED);
	assert_non_null(strstr(fk.panic, "boot module 'linux'"));
	free(mod_a);
}

/* A post-launched VM's pCPU waits until START_VM hands it a vCPU. */
static void test_idle_post_pcpu(void **state)
{
	int r;

	(void)state;
	cur = &pcpus[1];
	fk.vcpu_at_wait = 3;
	r = setjmp(back);
	if (!r)
		idle_loop();
	assert_int_equal(r, RAN_VCPU);
	assert_ptr_equal(fk.ran, &handed);
	assert_int_equal(fk.waits, 3);
}

/* The last VM's stop ends the emulator's run, once. */
static void test_all_stopped(void **state)
{
	(void)state;
	opt.exit = EXIT_BOCHS;
	pcpus[0].vcpu = &handed;
	assert_int_equal(boot(), RAN_VCPU);		/* the options in place */
	memset(fk.log, 0, sizeof(fk.log));
	hv_all_vms_stopped();
	assert_string_equal(fk.ports, "Shutdown");
	assert_string_equal(fk.log, "flush ");		/* what was said goes out first */
	hv_all_vms_stopped();				/* a second VM seeing the last stop too */
	assert_string_equal(fk.ports, "Shutdown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_boot_order, setup),
		cmocka_unit_test_setup(test_boot_options, setup),
		cmocka_unit_test_setup(test_boot_stops, setup),
		cmocka_unit_test_setup(test_heap_and_modules, setup),
		cmocka_unit_test_setup(test_relocate_modules, setup),
		cmocka_unit_test_setup(test_idle_post_pcpu, setup),
		cmocka_unit_test_setup(test_all_stopped, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
