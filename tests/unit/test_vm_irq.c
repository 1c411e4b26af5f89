/*
 * A VM's interrupt controllers wired up (vmm/vm_irq.c) with the real
 * vLAPIC, vIOAPIC and MMIO registry: their windows registered; LAPIC reads
 * of any part of a register, writes of whole registers only, an LVT timer
 * write updating the CPU's help; vIOAPIC writes telling the pass-through
 * lines; an EOI reaching the passed-through lines before the vIOAPIC; a
 * kick only for a vLAPIC with a vCPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "io_emul.h"
#include "vmm_internal.h"

#define RTE_REMOTE_IRR	BIT(14)
#define RTE_LEVEL	BIT(15)

u64 tsc_khz = 3000000;
static struct vm vm;
static struct vcpu v;
static struct {
	unsigned lapic_updates, vrte_writes, kicks, ptirq_eois;
	u8 eoi_vector;
	bool remote_irr_at_ptirq;	/* the pin's remote IRR when ptirq heard the EOI */
} fk;

void vcpu_lapic_update(struct vcpu *vc) { assert_ptr_equal(vc, &v); fk.lapic_updates++; }
void vcpu_kick(struct vcpu *vc) { assert_ptr_equal(vc, &v); fk.kicks++; }
void ptirq_vrte_written(struct vm *m) { assert_ptr_equal(m, &vm); fk.vrte_writes++; }
void ptirq_eoi(struct vm *m, u8 vector)
{
	assert_ptr_equal(m, &vm);
	fk.ptirq_eois++;
	fk.eoi_vector = vector;
	fk.remote_irr_at_ptirq = vioapic_rte(&vm.vioapic, 5) & RTE_REMOTE_IRR;
}

static const struct mmio_handler *window(u64 gpa)
{
	const struct mmio_handler *h = vm_find_mmio(&vm, gpa, 4);

	assert_non_null(h);
	return h;
}

static int mmio_read(u64 gpa, unsigned size, u64 *val)
{
	return window(gpa)->read(&v, NULL, gpa, size, val);
}

static int mmio_write(u64 gpa, unsigned size, u64 val)
{
	return window(gpa)->write(&v, NULL, gpa, size, val);
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&v, 0, sizeof(v));
	memset(&fk, 0, sizeof(fk));
	v.vm = &vm;
	assert_int_equal(vm_irq_init(&vm), 0);
	vlapic_init(&v.vlapic, &vm.lapics, 0, true);
	v.vlapic.priv = &v;
	return 0;
}

static void test_windows(void **state)
{
	u64 t0, t1;
	struct vm other;

	(void)state;
	assert_int_equal(vm.nr_mmio, 2);
	assert_int_equal(window(VLAPIC_BASE)->len, VLAPIC_SIZE);
	assert_int_equal(window(VIOAPIC_BASE + VIOAPIC_SIZE - 4)->base, VIOAPIC_BASE);
	assert_null(vm_find_mmio(&vm, VLAPIC_BASE + VLAPIC_SIZE, 4));
	/* the group's clock is the TSC, its rate the host's */
	assert_int_equal(vm.lapics.tsc_khz, 3000000);
	assert_ptr_equal(vm.lapics.priv, &vm);
	t0 = vm.lapics.now();
	t1 = vm.lapics.now();
	assert_true(t1 >= t0 && t0 > 0);
	/* a window already taken: refused */
	memset(&other, 0, sizeof(other));
	assert_int_equal(vm_register_mmio(&other, VIOAPIC_BASE, 16, NULL, NULL, NULL), 0);
	assert_int_equal(vm_irq_init(&other), -EEXIST);
}

static void test_lapic_access(void **state)
{
	u64 val = 0;

	(void)state;
	assert_int_equal(mmio_read(VLAPIC_BASE + APIC_VER, 4, &val), 0);
	assert_int_equal(val, vlapic_reg(&v.vlapic, APIC_VER));
	/* part of a register: its bytes */
	assert_int_equal(mmio_read(VLAPIC_BASE + APIC_VER + 2, 1, &val), 0);
	assert_int_equal(val, (vlapic_reg(&v.vlapic, APIC_VER) >> 16) & 0xFF);
	assert_int_equal(mmio_read(VLAPIC_BASE + APIC_VER + 1, 2, &val), 0);
	assert_int_equal(val, (vlapic_reg(&v.vlapic, APIC_VER) >> 8) & 0xFFFF);
	/* whole registers only; nothing changes otherwise */
	assert_int_equal(mmio_write(VLAPIC_BASE + APIC_TPR, 2, 0x20), -EINVAL);
	assert_int_equal(mmio_write(VLAPIC_BASE + APIC_TPR + 1, 4, 0x20), -EINVAL);
	assert_int_equal(vlapic_reg(&v.vlapic, APIC_TPR), 0);
	assert_int_equal(mmio_write(VLAPIC_BASE + APIC_TPR, 4, 0x20), 0);
	assert_int_equal(vlapic_reg(&v.vlapic, APIC_TPR), 0x20);
	assert_int_equal(fk.lapic_updates, 0);
	/* the LVT timer: the CPU's help may change with its mode */
	assert_int_equal(mmio_write(VLAPIC_BASE + APIC_LVT_TIMER, 4, 0xEF), 0);
	assert_int_equal(fk.lapic_updates, 1);
	/* another register (read only, the write ignored): no update */
	assert_int_equal(mmio_write(VLAPIC_BASE + APIC_VER, 4, 0), 0);
	assert_int_equal(fk.lapic_updates, 1);
}

/* Program pin 5: level, vector 0x55, to APIC id 0. */
static void route_pin5(void)
{
	assert_int_equal(mmio_write(VIOAPIC_BASE, 4, 0x10 + 2 * 5), 0);
	assert_int_equal(mmio_write(VIOAPIC_BASE + 0x10, 4, RTE_LEVEL | 0x55), 0);
	assert_int_equal(mmio_write(VIOAPIC_BASE, 4, 0x10 + 2 * 5 + 1), 0);
	assert_int_equal(mmio_write(VIOAPIC_BASE + 0x10, 4, 0), 0);
}

static void test_ioapic_and_eoi(void **state)
{
	u64 val = 0;

	(void)state;
	vlapic_mmio_write(&v.vlapic, APIC_SVR, 0x1FF);
	route_pin5();
	assert_int_equal(fk.vrte_writes, 4);
	assert_int_equal(mmio_write(VIOAPIC_BASE, 4, 0x10 + 2 * 5), 0);
	assert_int_equal(mmio_read(VIOAPIC_BASE + 0x10, 4, &val), 0);
	assert_int_equal(val & 0xFF, 0x55);
	/* a refused access: nothing to tell */
	assert_int_equal(mmio_write(VIOAPIC_BASE + 0x10, 2, 0), -EINVAL);
	assert_int_equal(fk.vrte_writes, 5);
	assert_int_equal(mmio_read(VIOAPIC_BASE + 0x10, 2, &val), -EINVAL);
	/* a level interrupt delivered, the line lowered, then the guest's EOI */
	assert_int_equal(vioapic_set_irq(&vm.vioapic, 5, true), 0);
	assert_int_equal(fk.kicks, 1);			/* its vCPU sees it */
	assert_true(vioapic_rte(&vm.vioapic, 5) & RTE_REMOTE_IRR);
	assert_int_equal(vlapic_pending_vector(&v.vlapic), 0x55);
	vlapic_ack(&v.vlapic, 0x55);
	assert_int_equal(vioapic_set_irq(&vm.vioapic, 5, false), 0);
	assert_int_equal(mmio_write(VLAPIC_BASE + APIC_EOI, 4, 0), 0);
	/* the passed-through lines heard it first, then the vIOAPIC cleared remote IRR */
	assert_int_equal(fk.ptirq_eois, 1);
	assert_int_equal(fk.eoi_vector, 0x55);
	assert_true(fk.remote_irr_at_ptirq);
	assert_false(vioapic_rte(&vm.vioapic, 5) & RTE_REMOTE_IRR);
}

/* A vLAPIC without a vCPU (being built) is not kicked. */
static void test_kick_needs_vcpu(void **state)
{
	(void)state;
	vlapic_mmio_write(&v.vlapic, APIC_SVR, 0x1FF);
	v.vlapic.priv = NULL;
	vlapic_accept_irq(&v.vlapic, 0x40, false);
	assert_int_equal(fk.kicks, 0);
	v.vlapic.priv = &v;
	vlapic_accept_irq(&v.vlapic, 0x41, false);
	assert_int_equal(fk.kicks, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_windows, setup),
		cmocka_unit_test_setup(test_lapic_access, setup),
		cmocka_unit_test_setup(test_ioapic_and_eoi, setup),
		cmocka_unit_test_setup(test_kick_needs_vcpu, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
