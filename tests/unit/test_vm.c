/*
 * Boot VMs (vmm/vm.c) with the real RAM table, EPT and e820, fake build and
 * loaders: every scenario VM but the template is created, checked first
 * (its RAM is host RAM, away from its own device area, the hypervisor and
 * the boot modules), built, its kernel loaded with an e820 that keeps the
 * legacy hole; an identity-mapped Service VM gets hypervisor pages over
 * the legacy area and EBDA; a VM that fails is left out and undone, the
 * others run; guest memory lookups stay inside one RAM range; the last VM
 * to release its devices closes the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "bootinfo.h"
#include "e820.h"
#include "guest_loader.h"
#include "mm.h"
#include "percpu.h"
#include "fake_pages.h"
#include "vmm_internal.h"
#include "vm_ram.h"

#define MB (1ULL << 20)
#define SVM_LOW		0x9E000ULL	/* the Service VM's low RAM: up to the EBDA */

struct pcpu pcpus[CONFIG_MAX_CPUS];
struct vm *service_vm;
void invept_single(u64 eptp) { (void)eptp; }

/* Host memory the VMs' RAM lives in (GPA -> HPA: an address in these). */
static u8 *svm_low, *svm_high, *pre_ram;
static u8 kernel[64], initrd[32];

#define HV_BASE 0x10000ULL			/* the hypervisor's memory (never touched here) */
static struct vm_config cfgs[3];
const struct scenario_config scenario = { .nr_vms = 3, .vms = cfgs, .hv_mem = { HV_BASE, 0x10000 } };
static struct boot_info bi;

static struct {
	int build_err, load_err, acpi_err;
	unsigned builds, unbuilds, releases, all_stopped, elf_loads, bz_loads;
	struct e820_map map, bz_map;		/* what the ELF and the Linux loader got */
	const void *initrd;
	char cmdline[64], bz_cmdline[64];
} fk;

/* ---- the build (vm_build.c): the EPT and one vCPU per pCPU ---- */
static struct vcpu vcpus[CONFIG_MAX_VMS][4];

int vm_build(struct vm *vm, u64 affinity)
{
	fk.builds++;
	if (fk.build_err)
		return fk.build_err;
	assert_int_equal(ept_init(vm), 0);
	for (unsigned cpu = 0; cpu < 4; cpu++)
		if (affinity & BIT(cpu)) {
			struct vcpu *v = &vcpus[vm->id][vm->nr_vcpus];

			v->vm = vm;
			v->pcpu = &pcpus[cpu];
			vm->vcpus[vm->nr_vcpus++] = v;
		}
	return 0;
}

/*
 * The hypervisor pages of a Service VM's firmware area: vm.c never gives
 * them back (a boot VM is not rebuilt; one whose kernel fails to load after
 * they were mapped keeps them), so the test frees them itself.
 */
static void free_firmware_area(struct vm *vm)
{
	if (vm->cfg && vm->ram.nr > vm->cfg->nr_mem) {
		struct vm_mem_range *r = &vm->ram.r[vm->ram.nr - 1];

		free(phys_to_virt(r->hpa));
		fake_pages_outstanding -= r->size / PAGE_SIZE;
		vm->ram.nr--;
	}
}

void vm_unbuild(struct vm *vm)
{
	fk.unbuilds++;
	free_firmware_area(vm);
	ept_destroy(vm);
	vm->nr_vcpus = 0;
}

void vm_release_units(struct vm *vm) { (void)vm; fk.releases++; }
void hv_all_vms_stopped(void) { fk.all_stopped++; }
int vm_acpi_build(struct vm *vm, struct e820_map *map) { (void)vm; (void)map; return fk.acpi_err; }

/* ---- the loaders: they write the guest through gm, as the real ones ---- */
int guest_elf_load(const void *image, size_t size, struct guest_mem *gm, struct vcpu_boot_state *st)
{
	assert_ptr_equal(image, kernel);
	assert_int_equal(size, sizeof(kernel));
	fk.elf_loads++;
	st->rip = 0x100000;
	if (gm->write(gm->ctx, 0x100000, "ELF!", 4) || gm->zero(gm->ctx, 0x100004, 4))
		return -EFAULT;
	/* past its RAM: refused, nothing written */
	assert_int_equal(gm->write(gm->ctx, gm->ram_size - 2, "xyz", 3), -EFAULT);
	assert_int_equal(gm->zero(gm->ctx, gm->ram_size, 1), -EFAULT);
	return 0;
}

int guest_mbinfo_build(struct guest_mem *gm, const char *cmdline, const struct e820_map *map,
		       struct vcpu_boot_state *st)
{
	(void)gm;
	(void)st;
	fk.map = *map;
	snprintf(fk.cmdline, sizeof(fk.cmdline), "%s", cmdline);
	return fk.load_err;
}

int guest_bzimage_load(const void *image, size_t size, const void *rd, size_t rd_size,
		       const char *cmdline, const struct e820_map *map, struct guest_mem *gm,
		       struct vcpu_boot_state *st, char *why, size_t why_len)
{
	(void)image;
	(void)size;
	(void)rd_size;
	(void)gm;
	fk.bz_loads++;
	fk.initrd = rd;
	fk.bz_map = *map;
	snprintf(fk.bz_cmdline, sizeof(fk.bz_cmdline), "%s", cmdline);
	st->rip = 0x1000000;
	if (fk.load_err)
		snprintf(why, why_len, "is not what it should be");
	return fk.load_err;
}

static u8 *host_ram(u64 size)
{
	u8 *p = aligned_alloc(PAGE_SIZE, size);

	memset(p, 0, size);
	return p;
}

static void add_mmap(const void *p, u64 len, u32 type)
{
	bi.mmap[bi.nr_mmap++] = (struct boot_mmap_entry){ (u64)(uintptr_t)p, len, type };
}

static void add_mod(const void *p, size_t len, const char *tag)
{
	struct boot_module *m = &bi.mods[bi.nr_mods++];

	m->start = (u64)(uintptr_t)p;
	m->end = m->start + len;
	snprintf(m->string, sizeof(m->string), "%s", tag);
}

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].nr_vcpus)
			vm_unbuild(&vms[i]);
	assert_int_equal(fake_pages_outstanding, 0);
	nr_vms = 0;
	service_vm = NULL;
	memset(vms, 0, sizeof(vms));
	memset(vcpus, 0, sizeof(vcpus));
	memset(pcpus, 0, sizeof(pcpus));
	memset(&fk, 0, sizeof(fk));
	memset(&bi, 0, sizeof(bi));
	fake_page_budget = -1;
	if (!svm_low) {
		svm_low = host_ram(SVM_LOW);
		svm_high = host_ram(MB);
		pre_ram = host_ram(2 * MB);
	}
	/* a Service VM (identity-mapped, Linux), a pre-launched VM (ELF), a template */
	cfgs[0] = (struct vm_config){ .name = "sos", .kind = VM_SERVICE, .cpu_affinity = 0x1,
		.flags = VM_FLAG_PRIVILEGED | VM_FLAG_IDENTITY_MEM, .kernel_type = VM_KERNEL_BZIMAGE,
		.kernel_tag = "linux", .initrd_tag = "rd", .bootargs = "console=ttyS0", .nr_mem = 2,
		.mem = { { 0, (u64)(uintptr_t)svm_low, SVM_LOW },
			 { MB, (u64)(uintptr_t)svm_high, MB } } };
	cfgs[1] = (struct vm_config){ .name = "pre", .kind = VM_PRE_LAUNCHED, .cpu_affinity = 0x6,
		.kernel_type = VM_KERNEL_ELF, .kernel_tag = "guest", .nr_mem = 1,
		.mem = { { 0, (u64)(uintptr_t)pre_ram, 2 * MB } } };
	cfgs[2] = (struct vm_config){ .name = "user", .kind = VM_POST_LAUNCHED, .cpu_affinity = 0x8 };
	add_mmap(svm_low, SVM_LOW, 1);
	add_mmap(svm_high, MB, 1);
	add_mmap(pre_ram, 2 * MB, 1);
	add_mod(kernel, sizeof(kernel), "guest");
	add_mod(kernel, sizeof(kernel), "linux");
	add_mod(initrd, sizeof(initrd), "rd");
	return 0;
}

static void test_create_all(void **state)
{
	struct vm *sos = &vms[0], *pre = &vms[1];
	u8 *p;

	(void)state;
	assert_int_equal(vm_create_all(&bi), 0);
	assert_int_equal(nr_vms, 2);			/* the template is not a VM */
	assert_ptr_equal(service_vm, sos);
	assert_int_equal(sos->state, VM_RUNNING);
	assert_int_equal(pre->state, VM_RUNNING);
	assert_int_equal(pre->id, 1);
	/* each vCPU holds its pCPU */
	assert_ptr_equal(pcpus[0].vcpu, sos->vcpus[0]);
	assert_ptr_equal(pcpus[2].vcpu, pre->vcpus[1]);
	assert_null(pcpus[3].vcpu);
	/* the ELF guest: written in its RAM, nothing past it; its e820 keeps the legacy hole */
	assert_int_equal(fk.elf_loads, 1);
	assert_memory_equal(pre_ram + 0x100000, "ELF!\0\0\0\0", 8);
	assert_int_equal(pre->boot.rip, 0x100000);
	/* Linux: its initrd and command line */
	assert_int_equal(fk.bz_loads, 1);
	assert_ptr_equal(fk.initrd, initrd);
	assert_string_equal(fk.bz_cmdline, "console=ttyS0");
	assert_string_equal(fk.cmdline, "");
	assert_int_equal(sos->boot.rip, 0x1000000);
	/* guest memory: inside one range only */
	p = vm_gpa_to_hva(pre, 0x1000, 16);
	assert_ptr_equal(p, pre_ram + 0x1000);
	assert_null(vm_gpa_to_hva(pre, 2 * MB - 8, 16));
	/* a length of 0 is 1, as for post-launched VMs: the byte past the end is not RAM */
	assert_ptr_equal(vm_gpa_to_hva(pre, 2 * MB - 1, 0), pre_ram + 2 * MB - 1);
	assert_null(vm_gpa_to_hva(pre, 2 * MB, 0));
	assert_ptr_equal(vm_gpa_to_hva(sos, MB + 0x10, 4), svm_high + 0x10);
	assert_null(vm_gpa_to_hva(sos, MB - 4, 8));	/* across two ranges */
	assert_true(vm_gpa_overlaps_ram(sos, MB - 4, 8));
	assert_false(vm_gpa_overlaps_ram(pre, 2 * MB, MB));
}

/* An identity-mapped Service VM: hypervisor pages over the legacy area and the EBDA pages below it. */
static void test_firmware_area(void **state)
{
	struct vm *sos = &vms[0];
	u8 *vga, *ebda;
	u64 hpa;

	(void)state;
	assert_int_equal(vm_create_all(&bi), 0);
	vga = vm_gpa_to_hva(sos, 0xA0000, 0x60000);	/* 0xA0000-0xFFFFF, one range */
	assert_non_null(vga);
	ebda = vm_gpa_to_hva(sos, SVM_LOW, 0x100000 - SVM_LOW);
	assert_non_null(ebda);
	assert_ptr_equal(vga, ebda + (0xA0000 - SVM_LOW));
	for (u64 i = 0; i < 0x100000 - SVM_LOW; i += 0x1000)
		assert_int_equal(ebda[i], 0);
	assert_true(ept_translate(sos, SVM_LOW, 0x100000 - SVM_LOW, EPT_R | EPT_W, &hpa));
	assert_int_equal(hpa, (u64)(uintptr_t)ebda);
	assert_false(ept_translate(sos, 0xA0000, PAGE_SIZE, EPT_X, &hpa));
	/* not RAM in the e820 the kernel gets: only the scenario's ranges */
	assert_int_equal(fk.bz_map.n, 2);
	assert_int_equal(fk.bz_map.e[0].addr, 0);
	assert_int_equal(fk.bz_map.e[0].size, SVM_LOW);
	assert_int_equal(fk.bz_map.e[1].addr, MB);
	assert_int_equal(fk.bz_map.e[1].size, MB);
	/* RAM from 0 past 640 KiB: the legacy hole as firmware reports it */
	assert_int_equal(fk.map.n, 2);
	assert_int_equal(fk.map.e[0].size, 0x9FC00);
	assert_int_equal(fk.map.e[1].addr, MB);
	assert_int_equal(fk.map.e[1].size, MB);
	/* a pre-launched VM gets none */
	assert_null(vm_gpa_to_hva(&vms[1], 0x100000 + 2 * MB, 1));
}

/* A VM whose memory is refused, or whose build or kernel fails, is left out; the others run. */
static void test_refused_vms(void **state)
{
	(void)state;
	/* not RAM on this machine */
	bi.mmap[2].type = 2;
	assert_int_equal(vm_create_all(&bi), 0);
	assert_int_equal(nr_vms, 1);
	assert_int_equal(fk.builds, 1);			/* checked before anything was built */
	assert_ptr_equal(vms[0].cfg, &cfgs[0]);
	assert_null(pcpus[1].vcpu);
}

static void test_memory_checks(void **state)
{
	(void)state;
	/* at GPAs of its own devices (the vIOAPIC) */
	cfgs[1].mem[0].gpa = 0xFEC00000;
	assert_int_equal(vm_create_all(&bi), 0);
	assert_int_equal(nr_vms, 1);
	setup(NULL);
	/* over the hypervisor (RAM as the firmware says) */
	cfgs[1].mem[0] = (struct vm_mem_range){ 0, HV_BASE + 0x8000, PAGE_SIZE };
	add_mmap((void *)(uintptr_t)HV_BASE, MB, 1);
	assert_int_equal(vm_create_all(&bi), 0);
	assert_int_equal(nr_vms, 1);
	setup(NULL);
	/* over a boot module */
	add_mod(pre_ram + 0x3000, 0x100, "stray");
	assert_int_equal(vm_create_all(&bi), 0);
	assert_int_equal(nr_vms, 1);
	assert_int_equal(fk.builds, 1);
}

static void test_load_fails(void **state)
{
	(void)state;
	/* the kernel's module missing: built, then undone */
	snprintf(bi.mods[0].string, sizeof(bi.mods[0].string), "other");
	assert_int_equal(vm_create_all(&bi), 0);
	assert_int_equal(nr_vms, 1);
	assert_int_equal(fk.builds, 2);
	assert_int_equal(fk.unbuilds, 1);
	assert_null(pcpus[1].vcpu);
	setup(NULL);
	/* the initrd missing, the loader refusing (with its reason), the vACPI: none starts */
	snprintf(bi.mods[2].string, sizeof(bi.mods[2].string), "other");
	fk.load_err = -EINVAL;
	assert_int_equal(vm_create_all(&bi), -ENOENT);
	assert_int_equal(nr_vms, 0);
	assert_int_equal(fk.unbuilds, 2);
	assert_null(service_vm);
	setup(NULL);
	/* the Linux loader says why it refuses the kernel */
	fk.load_err = -EINVAL;
	assert_int_equal(vm_create_all(&bi), -ENOENT);
	assert_int_equal(fk.bz_loads, 1);
	assert_int_equal(fk.unbuilds, 2);
	setup(NULL);
	fk.acpi_err = -ENOMEM;
	assert_int_equal(vm_create_all(&bi), -ENOENT);
	assert_int_equal(fk.unbuilds, 2);
	setup(NULL);
	fk.build_err = -EBUSY;
	assert_int_equal(vm_create_all(&bi), -ENOENT);
	assert_int_equal(fk.unbuilds, 0);
}

/* A post-launched VM's RAM is its EPT, looked up there. */
static void test_post_vm_lookups(void **state)
{
	static struct vm post;
	struct vm_ram_batch b;

	(void)state;
	memset(&post, 0, sizeof(post));
	post.post = true;
	post.state = VM_RUNNING;
	assert_int_equal(ept_init(&post), 0);
	vm_ram_batch_begin(&b, &post);
	assert_int_equal(vm_ram_batch_map(&b, 0x200000, (u64)(uintptr_t)pre_ram, MB, EPT_R | EPT_W,
					  EPT_MT_WB), 0);
	vm_ram_batch_end(&b, true, NULL, NULL);
	assert_ptr_equal(vm_gpa_to_hva(&post, 0x200010, 8), pre_ram + 0x10);
	assert_ptr_equal(vm_gpa_to_hva(&post, 0x200010, 0), pre_ram + 0x10);	/* a length of 0 is 1 */
	assert_null(vm_gpa_to_hva(&post, 0x200000 + MB - 4, 8));
	assert_true(vm_gpa_overlaps_ram(&post, 0x1FF000, 0x2000));
	assert_false(vm_gpa_overlaps_ram(&post, 0x300000, MB));
	ept_destroy(&post);
}

/* The last boot VM to release its devices ends the run; a post-launched VM's are the Service VM's call. */
static void test_release_devices(void **state)
{
	struct vm post = { .post = true };

	(void)state;
	assert_int_equal(vm_create_all(&bi), 0);
	vm_release_devices(&post);
	assert_int_equal(fk.releases, 0);
	vm_release_devices(&vms[1]);
	assert_int_equal(fk.releases, 1);
	assert_int_equal(fk.all_stopped, 0);
	vm_release_devices(&vms[0]);
	assert_int_equal(fk.releases, 2);
	assert_int_equal(fk.all_stopped, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_create_all, setup),
		cmocka_unit_test_setup(test_firmware_area, setup),
		cmocka_unit_test_setup(test_refused_vms, setup),
		cmocka_unit_test_setup(test_memory_checks, setup),
		cmocka_unit_test_setup(test_load_fails, setup),
		cmocka_unit_test_setup(test_post_vm_lookups, setup),
		cmocka_unit_test_setup(test_release_devices, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
