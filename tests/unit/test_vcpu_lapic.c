/*
 * What the CPU does for a vCPU's vLAPIC (vmm/vcpu_lapic.c), with the real
 * vLAPIC, a fake VMCS and a fake host timer: APIC virtualization only for
 * an x2APIC vLAPIC on a CPU that has it (controls, virtual-APIC page, the
 * vCPU's own MSR bitmap, EOI-exit bitmap and RVI/SVI from the page), and
 * back to the emulated path; the TSC deadline passed through to the host
 * timer in TSC-deadline mode, the armed deadline moving with it both ways;
 * an I/O wait holding the guest's deadline; new IRR bits reaching RVI; an
 * EOI-induced exit reaching the vLAPIC; no bitmap page, no APICv.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "lapic.h"
#include "mm.h"
#include "vm.h"
#include "vmm_internal.h"
#include "vlapic.h"
#include "fake_vmcs.h"
#include "fake_pages.h"

#define MSR_X2APIC_LVT_TIMER	0x832
#define LVT_TSC_DEADLINE	(2u << 17)
#define MSR_X2APIC_TPR		0x808

struct vmx_caps vmx_caps;
bool lapic_tsc_deadline;
static u64 host_deadline;		/* the host timer's armed deadline (0: off or fired) */
static unsigned host_arms;
void lapic_arm_deadline(u64 tsc) { host_deadline = tsc; host_arms++; }
u64 lapic_deadline(void) { return host_deadline; }

static u64 now_tsc = 1000;
static u64 now(void) { return now_tsc; }
static void kick(struct vlapic *l) { (void)l; }
static u8 eoi_vector;
static unsigned eois;
static void eoi(struct vlapic_group *g, u8 vector) { (void)g; eoi_vector = vector; eois++; }

static struct vm vm;
static struct vcpu v;
static u8 vm_bitmap[PAGE_SIZE] __attribute__((aligned(4096)));

static void caps_apicv(bool on)
{
	vmx_caps.proc = (u64)PROC_TPR_SHADOW << 32;
	vmx_caps.proc2 = on ? (u64)PROC2_APICV << 32 : 0;
}

static int setup(void **state)
{
	(void)state;
	page_free(v.msr_bitmap, 1);
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&vmx_caps, 0, sizeof(vmx_caps));
	fake_page_budget = -1;
	caps_apicv(true);
	lapic_tsc_deadline = false;
	host_deadline = 0;
	host_arms = eois = 0;
	vm.lapics.now = now;
	vm.lapics.kick = kick;
	vm.lapics.eoi = eoi;
	vm.lapics.tsc_khz = 1000000;
	vm.msr_bitmap = vm_bitmap;
	vmx_msr_bitmap_init(vm_bitmap);
	v.vm = &vm;
	vlapic_init(&v.vlapic, &vm.lapics, 0, true);
	vlapic_mmio_write(&v.vlapic, APIC_SVR, 0x1FF);
	fake_vmcs_reset();
	fake_vmcs_set(VMCS_PROC_CTLS, PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT | PROC_INTR_WINDOW);
	fake_vmcs_set(VMCS_MSR_BITMAP, virt_to_phys(vm_bitmap));
	return 0;
}

static void to_x2apic(void)
{
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_IA32_APIC_BASE,
					  VLAPIC_BASE | APIC_BASE_EN | APIC_BASE_EXTD), 0);
}

static void assert_emulated(void)
{
	u64 proc = fake_vmcs_get(VMCS_PROC_CTLS);

	assert_false(v.apicv);
	assert_false(proc & PROC_TPR_SHADOW);
	assert_true(proc & PROC_CR8_LOAD_EXIT);
	assert_true(proc & PROC_CR8_STORE_EXIT);
	assert_int_equal(fake_vmcs_get(VMCS_PROC_CTLS2) & PROC2_APICV, 0);
}

/* xAPIC mode, or a CPU without APICv: the VMCS as set up, nothing written. */
static void test_emulated_untouched(void **state)
{
	(void)state;
	vcpu_lapic_update(&v);
	assert_false(fake_vmcs_written(VMCS_PROC_CTLS));
	assert_false(fake_vmcs_written(VMCS_MSR_BITMAP));
	assert_null(v.msr_bitmap);
	caps_apicv(false);
	to_x2apic();
	vcpu_lapic_update(&v);
	assert_false(fake_vmcs_written(VMCS_PROC_CTLS));
	assert_false(v.apicv);
	/* apicv=off masks the capability as on a CPU without it */
	caps_apicv(true);
	vmx_mask_apicv();
	vcpu_lapic_update(&v);
	assert_false(v.apicv);
}

static void test_apicv_on_and_off(void **state)
{
	u64 proc;

	(void)state;
	to_x2apic();
	/* interrupts already there: an edge one in IRR, a level one staged, one in service */
	vlapic_accept_irq(&v.vlapic, 0x31, false);
	vlapic_accept_irq(&v.vlapic, 0x20, false);
	assert_int_equal(vlapic_pending_vector(&v.vlapic), 0x31);
	vlapic_ack(&v.vlapic, 0x31);		/* 0x31 in service */
	vlapic_accept_irq(&v.vlapic, 0x31, false);
	vcpu_lapic_update(&v);
	assert_true(v.apicv);
	proc = fake_vmcs_get(VMCS_PROC_CTLS);
	assert_true(proc & PROC_TPR_SHADOW);
	assert_false(proc & (PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT | PROC_INTR_WINDOW));
	assert_int_equal(fake_vmcs_get(VMCS_PROC_CTLS2) & PROC2_APICV, PROC2_APICV);
	assert_int_equal(fake_vmcs_get(VMCS_VIRT_APIC_ADDR), virt_to_phys(v.vlapic.regs));
	/* RVI the highest request, SVI the one in service */
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTR_STATUS), 0x31 << 8 | 0x31);
	/* its own bitmap: x2APIC reads pass, the VM's is unchanged */
	assert_non_null(v.msr_bitmap);
	assert_int_equal(fake_vmcs_get(VMCS_MSR_BITMAP), virt_to_phys(v.msr_bitmap));
	assert_false(msr_bitmap_exits(v.msr_bitmap, MSR_X2APIC_TPR, false));
	assert_true(msr_bitmap_exits(vm_bitmap, MSR_X2APIC_TPR, false));
	/* a level vector: staged until its EOI-exit bit is set */
	vlapic_accept_irq(&v.vlapic, 0x92, true);
	assert_false(fake_vmcs_get(VMCS_EOI_EXIT0 + 2 * 2) & BIT(0x92 & 63));
	vcpu_apicv_sync(&v);
	assert_true(fake_vmcs_get(VMCS_EOI_EXIT0 + 2 * 2) & BIT(0x92 & 63));
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTR_STATUS) & 0xFF, 0x92);
	/* its EOI exits: the vLAPIC hears it, and the group's owner (the vIOAPIC) */
	vlapic_ack(&v.vlapic, 0x92);
	fake_vmcs_set(VMCS_EXIT_QUAL, 0x92);
	assert_int_equal(vmx_exit_virt_eoi(&v), 0);
	assert_int_equal(eois, 1);
	assert_int_equal(eoi_vector, 0x92);

	/* out of x2APIC mode (to disabled: to xAPIC is refused): emulated, the VM's bitmap */
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_IA32_APIC_BASE, VLAPIC_BASE | APIC_BASE_EN), -EINVAL);
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_IA32_APIC_BASE, VLAPIC_BASE), 0);	/* disabled */
	vcpu_lapic_update(&v);
	assert_emulated();
	assert_int_equal(fake_vmcs_get(VMCS_MSR_BITMAP), virt_to_phys(vm_bitmap));
}

/* RVI moves only up, and only when a sender said IRR may have something new. */
static void test_apicv_sync(void **state)
{
	(void)state;
	to_x2apic();
	vcpu_lapic_update(&v);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTR_STATUS), 0);
	vlapic_accept_irq(&v.vlapic, 0x50, false);
	vcpu_apicv_sync(&v);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTR_STATUS), 0x50);
	assert_int_equal(v.vlapic.irr_hint, 0);
	fake_vmcs_set(VMCS_GUEST_INTR_STATUS, 0x70);	/* the CPU's RVI, higher */
	vlapic_accept_irq(&v.vlapic, 0x60, false);
	vcpu_apicv_sync(&v);
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTR_STATUS), 0x70);
	fake_vmcs_set(VMCS_GUEST_INTR_STATUS, 0);
	vcpu_apicv_sync(&v);				/* no new request: nothing read */
	assert_int_equal(fake_vmcs_get(VMCS_GUEST_INTR_STATUS), 0);
}

/* No page for the vCPU's bitmap: the emulated paths, on the VM's bitmap. */
static void test_no_bitmap_page(void **state)
{
	(void)state;
	to_x2apic();
	fake_page_budget = 0;
	vcpu_lapic_update(&v);
	assert_emulated();
	assert_null(v.msr_bitmap);
	assert_int_equal(fake_vmcs_get(VMCS_MSR_BITMAP), virt_to_phys(vm_bitmap));
}

static void test_deadline_passthrough(void **state)
{
	u64 d = 0;

	(void)state;
	lapic_tsc_deadline = true;
	caps_apicv(false);
	to_x2apic();
	/* the guest armed its deadline before its LVT timer was in that mode: ignored */
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_X2APIC_LVT_TIMER, LVT_TSC_DEADLINE | 0xEF), 0);
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_IA32_TSC_DEADLINE, 50000), 0);
	vcpu_lapic_update(&v);
	/* the deadline moves to the host's timer; the guest writes it without exits */
	assert_true(v.deadline_pt);
	assert_int_equal(host_deadline, 50000);
	assert_int_equal(vlapic_msr_read(&v.vlapic, MSR_IA32_TSC_DEADLINE, &d), 0);
	assert_int_equal(d, 0);
	assert_non_null(v.msr_bitmap);
	assert_false(msr_bitmap_exits(v.msr_bitmap, MSR_IA32_TSC_DEADLINE, true));
	assert_false(v.apicv);
	/* the guest moves it (in the host's MSR now), then its vCPU leaves the pCPU: back to the vLAPIC */
	host_deadline = 70000;
	vcpu_lapic_leave(&v);
	assert_false(v.deadline_pt);
	assert_int_equal(host_deadline, 0);
	assert_int_equal(vlapic_msr_read(&v.vlapic, MSR_IA32_TSC_DEADLINE, &d), 0);
	assert_int_equal(d, 70000);
	/* leaving again changes nothing */
	host_arms = 0;
	vcpu_lapic_leave(&v);
	assert_int_equal(host_arms, 0);
	/* out of TSC-deadline mode: emulated again */
	vcpu_lapic_update(&v);
	assert_true(v.deadline_pt);
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_X2APIC_LVT_TIMER, 0xEF), 0);
	vcpu_lapic_update(&v);
	assert_false(v.deadline_pt);
	assert_int_equal(fake_vmcs_get(VMCS_MSR_BITMAP), virt_to_phys(vm_bitmap));
}

/* An I/O wait holds the guest's deadline aside and gives it back. */
static void test_deadline_hold(void **state)
{
	u64 d = 0;

	(void)state;
	lapic_tsc_deadline = true;
	to_x2apic();
	assert_int_equal(vlapic_msr_write(&v.vlapic, MSR_X2APIC_LVT_TIMER, LVT_TSC_DEADLINE | 0xEF), 0);
	vcpu_lapic_update(&v);
	host_deadline = 5000;			/* the guest's, in the host MSR */
	/* the earlier of the guest's and the wait's */
	assert_int_equal(vcpu_deadline_hold(&v, 9000), 5000);
	host_deadline = 9000;			/* armed by the wait */
	assert_int_equal(vcpu_deadline_hold(&v, 4000), 4000);	/* held once, not re-read */
	vcpu_deadline_release(&v);
	assert_int_equal(host_deadline, 5000);
	assert_false(v.deadline_held);
	/* a guest deadline already fired (0): the wait's own */
	host_deadline = 0;
	assert_int_equal(vcpu_deadline_hold(&v, 9000), 9000);
	/* leaving while one is held: the held one goes back to the vLAPIC */
	host_deadline = 9000;
	v.held_deadline = 6000;
	vcpu_lapic_leave(&v);
	assert_false(v.deadline_held);
	assert_int_equal(vlapic_msr_read(&v.vlapic, MSR_IA32_TSC_DEADLINE, &d), 0);
	assert_int_equal(d, 6000);
	assert_int_equal(host_deadline, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_emulated_untouched, setup),
		cmocka_unit_test_setup(test_apicv_on_and_off, setup),
		cmocka_unit_test_setup(test_apicv_sync, setup),
		cmocka_unit_test_setup(test_no_bitmap_page, setup),
		cmocka_unit_test_setup(test_deadline_passthrough, setup),
		cmocka_unit_test_setup(test_deadline_hold, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
