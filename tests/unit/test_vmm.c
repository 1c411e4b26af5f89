/*
 * The VM manager's side of the hypercalls (vmm/vmm.c), with the real RAM
 * table and EPT (vmm/vm_ram.c, arch/x86/ept.c) and fakes below them: guest
 * copies refused outside RAM; vmids and states as the Service VM sees them;
 * a memory region only from the Service VM's RAM and within the template's
 * size, mapped for DMA first and undone there when the EPT cannot take it,
 * committed or rolled back with its batch; what counts as a used GPA range
 * (RAM, emulated windows, BARs, moved MMIO devices, also through the
 * batch's shortcut below the lowest of them); IRQ line operations; the
 * order of a destruction; a Service VM vCPU's removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "fake_pages.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vm_ram.h"
#include "vtd.h"
#include "vtd_pt.h"

#define MB		(1ULL << 20)
#define SVM_RAM_GPA	0x100000ULL	/* the Service VM's RAM: two ranges */
#define SVM_RAM_HPA	0x40000000ULL
#define SVM_RAM2_GPA	0x10000000ULL
#define SVM_RAM2_HPA	0x80000000ULL
#define WIN_BASE	0xC0000000ULL	/* the 32-bit MMIO window */
#define WIN_SIZE	0x10000000ULL

u64 tsc_khz = 1;
struct vm post_vms[VMM_MAX_POST_VMS];
static struct vm svm;
struct vm *service_vm = &svm;
static struct vm_config svm_cfg = {
	.name = "sos", .flags = VM_FLAG_PRIVILEGED, .nr_mem = 2,
	.mem = { { .gpa = SVM_RAM_GPA, .hpa = SVM_RAM_HPA, .size = 16 * MB },
		 { .gpa = SVM_RAM2_GPA, .hpa = SVM_RAM2_HPA, .size = 16 * MB } },
};
static struct vm_config post_cfg = { .name = "post" };
static u8 guest_page[64];
static char domain;			/* a VT-d domain: only its address counts */

static struct {
	char calls[64];			/* the life-cycle and release calls, in order */
	int wait_left;			/* vm_post_wait_left's answer */
	int dma_map_fails;
	unsigned dma_maps, dma_unmaps, flushes, perm;
	u64 dma_mapped;			/* bytes mapped for DMA now */
	u64 moved_gpa, moved_size;	/* an MMIO device moved into the VM */
	char irq[16];			/* vIOAPIC pin levels set, in order: '1' or '0' */
	struct vcpu *claims;		/* the vCPU a kick makes leave (else it stays) */
} fk;

static void note(char c)
{
	size_t n = strlen(fk.calls);

	assert_true(n + 1 < sizeof(fk.calls));
	fk.calls[n] = c;
}

void invept_single(u64 eptp) { (void)eptp; }
void *vm_gpa_to_hva(const struct vm *vm, u64 gpa, u64 len)
{
	assert_ptr_equal(vm, &svm);
	return gpa >= 0x1000 && len <= sizeof(guest_page) && gpa - 0x1000 <= sizeof(guest_page) - len
	       ? guest_page + (gpa - 0x1000) : NULL;
}
int vm_post_create(const struct vmm_vm_params *p, u16 *vmid) { (void)p; *vmid = 3; note('c'); return 0; }
int vm_post_start(struct vm *vm) { (void)vm; note('s'); return 0; }
int vm_post_pause(struct vm *vm) { (void)vm; note('p'); return 0; }
int vm_post_reset(struct vm *vm) { (void)vm; note('r'); return 0; }
int vm_post_wait_left(struct vm *vm) { (void)vm; note('w'); return fk.wait_left; }
void vm_post_destroy(struct vm *vm) { (void)vm; note('d'); }
u64 vm_post_pcpu_mask(void) { return 0xC; }
void vmm_dev_release_all(struct vm *vm) { (void)vm; note('D'); }
void vmm_mmio_release_all(struct vm *vm) { (void)vm; note('M'); }

bool vmm_mmio_moved_overlaps(const struct vm *vm, u64 gpa, u64 size)
{
	(void)vm;
	return fk.moved_size && ranges_overlap(gpa, size, fk.moved_gpa, fk.moved_size);
}

void vm_vpci_windows(u64 *base, u64 *size, u64 *ecam)
{
	*base = WIN_BASE, *size = WIN_SIZE, *ecam = 0xE0000000;
}

int vtd_domain_map(struct vtd_domain *d, u64 iova, u64 hpa, u64 size, unsigned perm)
{
	(void)iova;
	(void)hpa;
	assert_ptr_equal(d, &domain);
	if (fk.dma_map_fails)
		return fk.dma_map_fails;
	fk.dma_maps++;
	fk.perm = perm;
	fk.dma_mapped += size;
	return 0;
}

int vtd_domain_unmap(struct vtd_domain *d, u64 iova, u64 size)
{
	(void)iova;
	assert_ptr_equal(d, &domain);
	fk.dma_unmaps++;
	fk.dma_mapped -= size;
	return 0;
}

int vm_flush_ept(struct vm *vm) { (void)vm; fk.flushes++; return 0; }
int vlapic_deliver_msi(struct vlapic_group *g, u64 addr, u32 data)
{
	(void)g;
	return addr == 0xFEE00000 && data == 0x31 ? 0 : -EINVAL;
}

int vioapic_set_irq(struct vioapic *v, u32 pin, bool level)
{
	size_t n = strlen(fk.irq);

	(void)v;
	assert_int_equal(pin, 9);
	assert_true(n + 1 < sizeof(fk.irq));
	fk.irq[n] = level ? '1' : '0';
	return 0;
}

/* The kicked vCPU: it claims its removal and leaves its pCPU, or (not fk.claims) stays in the guest. */
void lapic_send_ipi(u32 apic_id, u8 vector)
{
	struct vcpu *v = fk.claims;

	(void)apic_id;
	assert_int_equal(vector, KICK_VECTOR);
	if (v) {
		assert_int_equal(v->removed, VCPU_REMOVE_ASKED);
		v->removed = VCPU_REMOVE_LEAVING;
		v->pcpu->vcpu = NULL;
	}
}

static struct vm *post;

static int setup(void **state)
{
	(void)state;
	memset(&fk, 0, sizeof(fk));
	memset(post_vms, 0, sizeof(post_vms));
	memset(&svm, 0, sizeof(svm));
	svm.cfg = &svm_cfg;
	svm.name = "sos";
	post = &post_vms[3];
	post->cfg = &post_cfg;
	post->name = "post";
	post->post = true;
	post->state = VM_CREATED;
	post->dma_domain = (struct vtd_domain *)&domain;
	post_cfg.template_mem_size = 0;
	fake_page_budget = -1;
	assert_int_equal(ept_init(post), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ept_destroy(post);
	assert_int_equal(fake_pages_outstanding, 0);
	return 0;
}

static void test_guest_copies(void **state)
{
	u8 buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[8];

	(void)state;
	assert_int_equal(vmm_copy_to_guest(&svm, 0x1010, buf, sizeof(buf)), 0);
	assert_memory_equal(guest_page + 0x10, buf, sizeof(buf));
	assert_int_equal(vmm_copy_from_guest(&svm, 0x1010, back, sizeof(back)), 0);
	assert_memory_equal(back, buf, sizeof(buf));
	/* outside its RAM, or nothing to copy */
	memset(back, 0, sizeof(back));
	assert_int_equal(vmm_copy_from_guest(&svm, 0x1000 + sizeof(guest_page) - 4, back, 8), -EFAULT);
	assert_int_equal(vmm_copy_to_guest(&svm, 0x0, buf, 8), -EFAULT);
	assert_int_equal(vmm_copy_from_guest(&svm, 0x1010, back, 0), -EFAULT);
	assert_int_equal(vmm_copy_to_guest(&svm, 0x1010, buf, 0), -EFAULT);
	assert_int_equal(back[0], 0);
}

static void test_queries(void **state)
{
	u8 uuid[16] = { 7 };
	struct vcpu v0 = { 0 }, v1 = { 0 };

	(void)state;
	assert_ptr_equal(vmm_get_vm(3), post);
	assert_null(vmm_get_vm(2));			/* a free slot */
	assert_null(vmm_get_vm(VMM_MAX_POST_VMS));
	assert_null(vmm_get_vm(0xFFFF));
	assert_true(vmm_is_service_vm(&svm));
	assert_false(vmm_is_service_vm(post));
	const enum vm_state st[] = { VM_CREATED, VM_RUNNING, VM_PAUSED, VM_STOPPED };
	const enum vmm_vm_state want[] = { VMM_VM_CREATED, VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED };
	for (unsigned i = 0; i < ARRAY_SIZE(st); i++) {
		post->state = st[i];
		assert_int_equal(vmm_vm_state(post), want[i]);
	}
	assert_int_equal(vmm_post_pcpu_mask(), 0xC);
	assert_int_equal(vmm_vm_gpa_limit(post), 1ULL << 39);
	/* UUIDs of live post-launched VMs only */
	assert_false(vmm_uuid_in_use(uuid));
	memcpy(post->uuid, uuid, 16);
	assert_true(vmm_uuid_in_use(uuid));
	post->post = false;
	assert_false(vmm_uuid_in_use(uuid));
	post->post = true;
	/* a LAPIC id names a vCPU that is not removed */
	post->nr_vcpus = 2;
	post->vcpus[0] = &v0;
	post->vcpus[1] = &v1;
	v0.vlapic.apic_id = 4;
	v1.vlapic.apic_id = 6;
	assert_int_equal(vmm_vcpu_from_lapic_id(post, 6), 1);
	assert_int_equal(vmm_vcpu_from_lapic_id(post, 5), -ENOENT);
	v1.removed = VCPU_REMOVE_LEAVING;
	assert_int_equal(vmm_vcpu_from_lapic_id(post, 6), -ENOENT);
	post->nr_vcpus = 0;
}

static void test_mmio_window(void **state)
{
	(void)state;
	assert_true(vmm_mmio_window_contains(post, WIN_BASE, PAGE_SIZE));
	assert_true(vmm_mmio_window_contains(post, WIN_BASE + WIN_SIZE - PAGE_SIZE, PAGE_SIZE));
	assert_true(vmm_mmio_window_contains(post, WIN_BASE, WIN_SIZE));
	assert_false(vmm_mmio_window_contains(post, WIN_BASE - PAGE_SIZE, 2 * PAGE_SIZE));
	assert_false(vmm_mmio_window_contains(post, WIN_BASE + WIN_SIZE - PAGE_SIZE, 2 * PAGE_SIZE));
	assert_false(vmm_mmio_window_contains(post, WIN_BASE, WIN_SIZE + PAGE_SIZE));
	/* sizes that would wrap an end computed as gpa + size */
	assert_false(vmm_mmio_window_contains(post, WIN_BASE + PAGE_SIZE, ~0ULL - PAGE_SIZE + 1));
	assert_false(vmm_mmio_window_contains(post, ~0ULL - PAGE_SIZE + 1, PAGE_SIZE));
}

static bool ram_at(u64 gpa, u64 *hpa)
{
	return vm_ram_post_lookup(post, gpa, 1, hpa);
}

static void test_map_region(void **state)
{
	u64 hpa;

	(void)state;
	vmm_mem_batch_begin(post);
	/* only the Service VM's RAM, each region within one of its ranges */
	assert_int_equal(vmm_map_region(post, 0, 0x1000, PAGE_SIZE, ABI_MEM_ACCESS_RWX), -EFAULT);
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA + 16 * MB - PAGE_SIZE, 2 * PAGE_SIZE,
					ABI_MEM_ACCESS_RWX), -EFAULT);
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA, 0, ABI_MEM_ACCESS_RWX), -EFAULT);
	assert_int_equal(fk.dma_maps, 0);
	/* read and execute: EPT without W, DMA read-only */
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA + 0x3000, PAGE_SIZE,
					ABI_MEM_ACCESS_READ | ABI_MEM_ACCESS_EXEC), 0);
	assert_int_equal(fk.perm, VTD_PERM_R);
	/* the second range, read-write: the last range found is tried first, the first still works */
	assert_int_equal(vmm_map_region(post, MB, SVM_RAM2_GPA + MB, 2 * MB, ABI_MEM_ACCESS_RWX), 0);
	assert_int_equal(fk.perm, VTD_PERM_R | VTD_PERM_W);
	assert_int_equal(vmm_map_region(post, 4 * MB, SVM_RAM_GPA, PAGE_SIZE, ABI_MEM_ACCESS_RWX), 0);
	/* mapped at once; the batch knows them */
	assert_true(vmm_gpa_range_in_batch(post, MB, PAGE_SIZE));
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
	assert_false(vmm_gpa_range_in_batch(post, MB, PAGE_SIZE));
	assert_true(ram_at(0x10, &hpa));
	assert_int_equal(hpa, SVM_RAM_HPA + 0x3010);
	assert_true(ept_translate(post, 0, PAGE_SIZE, EPT_R | EPT_X, &hpa));
	assert_false(ept_translate(post, 0, PAGE_SIZE, EPT_W, &hpa));
	assert_true(ram_at(MB + MB + 5, &hpa));
	assert_int_equal(hpa, SVM_RAM2_HPA + 2 * MB + 5);
	assert_true(ram_at(4 * MB, &hpa));
	assert_int_equal(hpa, SVM_RAM_HPA);
	assert_int_equal(fk.dma_mapped, 3 * MB + 2 * PAGE_SIZE - MB);
	assert_true(vmm_gpa_range_in_use(post, MB + MB, 1));
	assert_false(vmm_gpa_range_in_use(post, 8 * MB, MB));
	assert_int_equal(fk.flushes, 0);		/* nothing was unmapped */

	/* unmapping: gone at the commit, for DMA too, and the vCPUs flush */
	vmm_mem_batch_begin(post);
	assert_int_equal(vmm_unmap_region(post, MB, 2 * MB), 0);
	assert_true(ram_at(MB, &hpa));			/* until the batch ends */
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
	assert_false(ram_at(MB, &hpa));
	assert_int_equal(fk.dma_mapped, 2 * PAGE_SIZE);
	assert_int_equal(fk.flushes, 1);
}

static void test_map_region_rolled_back(void **state)
{
	u64 hpa;

	(void)state;
	vmm_mem_batch_begin(post);
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA, 2 * MB, ABI_MEM_ACCESS_RWX), 0);
	assert_int_equal(vmm_mem_batch_end(post, false), 0);
	assert_false(ram_at(0, &hpa));
	assert_int_equal(fk.dma_mapped, 0);
	/* no page left for EPT tables: the DMA mapping made first is undone */
	vmm_mem_batch_begin(post);
	fake_page_budget = 0;
	assert_int_equal(vmm_map_region(post, 64 * MB, SVM_RAM_GPA, PAGE_SIZE, ABI_MEM_ACCESS_RWX), -ENOMEM);
	assert_int_equal(fk.dma_mapped, 0);
	fake_page_budget = -1;
	/* VT-d refuses: nothing in the EPT */
	fk.dma_map_fails = -ENOMEM;
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA, PAGE_SIZE, ABI_MEM_ACCESS_RWX), -ENOMEM);
	assert_false(ram_at(0, &hpa));
	fk.dma_map_fails = 0;
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
	assert_false(ram_at(0, &hpa));
	/* a VM without VT-d maps its RAM all the same */
	post->dma_domain = NULL;
	vmm_mem_batch_begin(post);
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA, PAGE_SIZE, ABI_MEM_ACCESS_RWX), 0);
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
	assert_true(ram_at(0, &hpa));
	assert_int_equal(fk.dma_maps, 2);		/* the two tries above only */
}

static void test_template_mem_size(void **state)
{
	(void)state;
	post_cfg.template_mem_size = 4 * MB;
	vmm_mem_batch_begin(post);
	assert_int_equal(vmm_map_region(post, 0, SVM_RAM_GPA, 3 * MB, ABI_MEM_ACCESS_RWX), 0);
	/* the rest of the template's size, and not a page more */
	assert_int_equal(vmm_map_region(post, 4 * MB, SVM_RAM_GPA, MB + PAGE_SIZE, ABI_MEM_ACCESS_RWX),
			 -ENOMEM);
	assert_int_equal(fk.dma_maps, 1);
	assert_int_equal(vmm_map_region(post, 4 * MB, SVM_RAM_GPA, MB, ABI_MEM_ACCESS_RWX), 0);
	assert_int_equal(vmm_map_region(post, 8 * MB, SVM_RAM_GPA, PAGE_SIZE, ABI_MEM_ACCESS_RWX), -ENOMEM);
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
}

/* Used: RAM, an emulated window, a memory BAR (not an I/O one), a moved MMIO device. */
static void test_gpa_in_use(void **state)
{
	struct vpci_vdev *d = &post->vpci.vdev[0];

	(void)state;
	post->nr_mmio = 1;
	post->mmio[0] = (struct mmio_handler){ .base = 0xFEC00000, .len = 0x1000 };
	post->vpci.nr_vdevs = 1;
	d->bar[0] = (struct vpci_bar){ .gpa = 0xD0000000, .size = 0x10000, .type = PCI_BAR_MEM32 };
	d->bar[1] = (struct vpci_bar){ .gpa = 0x2000, .size = 0x100, .type = PCI_BAR_IO };
	fk.moved_gpa = 0x90000000;
	fk.moved_size = 0x1000;
	for (int in_batch = 0; in_batch < 2; in_batch++) {
		if (in_batch)
			vmm_mem_batch_begin(post);
		assert_true(vmm_gpa_range_in_use(post, 0xFEC00FFF, 1));
		assert_false(vmm_gpa_range_in_use(post, 0xFEC01000, 0x1000));
		assert_true(vmm_gpa_range_in_use(post, 0xCFFFF000, 0x2000));
		assert_false(vmm_gpa_range_in_use(post, 0x2000, 0x1000));	/* port numbers */
		assert_true(vmm_gpa_range_in_use(post, 0x90000000, 0x1000));
		assert_false(vmm_gpa_range_in_use(post, 0x80000000, 0x1000));
		if (in_batch)
			assert_int_equal(vmm_mem_batch_end(post, true), 0);
	}
	/* a moved device below every window and BAR: the batch's shortcut must not hide it */
	fk.moved_gpa = 0x1000;
	vmm_mem_batch_begin(post);
	assert_true(vmm_gpa_range_in_use(post, 0x1000, 0x1000));
	assert_false(vmm_gpa_range_in_use(post, 0x3000, 0x1000));
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
	/* RAM, mapped or in the batch */
	fk.moved_size = 0;
	vmm_mem_batch_begin(post);
	assert_int_equal(vmm_map_region(post, 0x100000, SVM_RAM_GPA, PAGE_SIZE, ABI_MEM_ACCESS_RWX), 0);
	assert_true(vmm_gpa_range_in_use(post, 0x100000, 1));
	assert_int_equal(vmm_mem_batch_end(post, true), 0);
	assert_true(vmm_gpa_range_in_use(post, 0xFF000, 0x2000));
	memset(d, 0, sizeof(*d));
	post->vpci.nr_vdevs = 0;
	post->nr_mmio = 0;
}

static void test_irqline(void **state)
{
	(void)state;
	assert_int_equal(vmm_set_irqline(post, 9, ABI_GSI_SET_HIGH), 0);
	assert_int_equal(vmm_set_irqline(post, 9, ABI_GSI_SET_LOW), 0);
	assert_int_equal(vmm_set_irqline(post, 9, ABI_GSI_RAISING_PULSE), 0);
	assert_int_equal(vmm_set_irqline(post, 9, ABI_GSI_FALLING_PULSE), 0);
	assert_string_equal(fk.irq, "10" "10" "01");
	assert_int_equal(vmm_inject_msi(post, 0xFEE00000, 0x31), 0);
	assert_int_equal(vmm_inject_msi(post, 0xFEE00000, 0x32), -EINVAL);
}

static void test_life_cycle(void **state)
{
	u16 vmid = 0;
	struct vcpu v = { 0 };
	struct abi_regs regs = { 0 };

	(void)state;
	assert_int_equal(vmm_create_vm(NULL, &vmid), 0);
	assert_int_equal(vmid, 3);
	assert_int_equal(vmm_start_vm(post), 0);
	assert_int_equal(vmm_pause_vm(post), 0);
	assert_int_equal(vmm_reset_vm(post), 0);
	assert_string_equal(fk.calls, "cspr");
	/* destruction: nothing released while its vCPUs have not left */
	memset(fk.calls, 0, sizeof(fk.calls));
	fk.wait_left = -EBUSY;
	assert_int_equal(vmm_destroy_vm(post), -EBUSY);
	assert_string_equal(fk.calls, "w");
	fk.wait_left = 0;
	assert_int_equal(vmm_destroy_vm(post), 0);
	assert_string_equal(fk.calls, "wwDMd");		/* devices back before the VM goes */
	/* start registers, kept for START */
	post->vcpus[0] = &v;
	regs.rip = 0x1234;
	assert_int_equal(vmm_set_vcpu_regs(post, 0, &regs), 0);
	assert_true(v.has_start_regs);
	assert_int_equal(v.start_regs.rip, 0x1234);
	assert_int_equal(vmm_set_callback_vector(&svm, 0xF2), 0);
	assert_int_equal(svm.callback_vector, 0xF2);
}

static void test_remove_service_vcpu(void **state)
{
	static struct pcpu pc = { .id = 1, .apic_id = 2 };
	struct vcpu v = { 0 };

	(void)state;
	svm.vcpus[1] = &v;
	v.pcpu = &pc;
	pc.vcpu = &v;
	/* running guest code */
	v.state = VCPU_RUNNING;
	assert_int_equal(vmm_remove_service_vcpu(&svm, 1), -EBUSY);
	assert_int_equal(v.removed, VCPU_REMOVE_NONE);
	/* offline, but it went back to the guest before it saw the kick: nothing changes */
	v.state = VCPU_HALTED;
	assert_int_equal(vmm_remove_service_vcpu(&svm, 1), -EBUSY);
	assert_int_equal(v.removed, VCPU_REMOVE_NONE);
	assert_ptr_equal(pc.vcpu, &v);
	/* offline and answering: it leaves its pCPU */
	v.state = VCPU_WAIT_SIPI;
	fk.claims = &v;
	assert_int_equal(vmm_remove_service_vcpu(&svm, 1), 0);
	assert_int_equal(v.removed, VCPU_REMOVE_LEAVING);
	assert_null(pc.vcpu);
	/* once removed, never again */
	assert_int_equal(vmm_remove_service_vcpu(&svm, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_guest_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_region_rolled_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_template_mem_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpa_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irqline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_life_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_service_vcpu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
