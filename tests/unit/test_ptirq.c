/*
 * INTx passthrough routes (dm/ptirq.c) against a fake IOAPIC and vIOAPIC:
 * a line fires once and stays masked until the guest's EOI; moving a line
 * between the Service VM and a post-launched VM drops what the old owner
 * latched; a line another VM holds (a pre-launched VM's device sharing the
 * pin) is never taken; release and reset leave the pins quiet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "ioapic.h"
#include "irq.h"
#include "percpu.h"
#include "vm.h"
#include "ptirq.h"

#define GSI 11
#define VEC(gsi) (0xB0 + (gsi))

/* ---- the physical IOAPIC and the vIOAPICs, recorded ---- */
static struct {
	bool masked[24];
	bool routed[24];
	u32 dest[24];
	int route_ret;
} ioa;

int ioapic_gsi_id(u32 gsi, u8 *id)
{
	*id = 4;
	return gsi < 24 ? 0 : -ENODEV;
}

int ioapic_write_rte(u32 gsi, u64 rte)
{
	assert_int_equal(rte & 0xff, VEC(gsi));
	assert_true((rte & BIT(15)) && (rte & BIT(13)));	/* level, active low */
	if (ioa.route_ret)
		return ioa.route_ret;
	ioa.routed[gsi] = true;
	ioa.dest[gsi] = (u32)(rte >> 56);
	ioa.masked[gsi] = !!(rte & BIT(16));
	return 0;
}

/* no VT-d: compatibility-format RTEs */
bool vtd_active(void)
{
	return false;
}

int vtd_ioapic_setup(u8 ioapic_id, u8 vector, u32 dest, bool level, bool active_low, u16 *index,
		     u64 *rte)
{
	(void)ioapic_id, (void)vector, (void)dest, (void)level, (void)active_low, (void)index;
	(void)rte;
	fail();
	return -ENODEV;
}

int irq_register(enum irq_owner owner, irq_handler_t fn)
{
	(void)owner, (void)fn;
	return 0;
}

void ioapic_mask(u32 gsi, bool masked)
{
	ioa.masked[gsi] = masked;
}

int vioapic_set_irq(struct vioapic *v, u32 pin, bool level)
{
	v->rte[pin] = (v->rte[pin] & ~BIT(14)) | (level ? BIT(14) : 0);	/* remote IRR as "latched" */
	return 0;
}

u64 vioapic_rte(struct vioapic *v, u32 pin)
{
	return v->rte[pin];
}

static bool latched(struct vm *vm, u32 pin)
{
	return vm->vioapic.rte[pin] & BIT(14);
}

/* ---- three VMs: pre-launched, Service, post-launched ---- */
static struct pcpu cpus[3];
static struct vcpu vc[3];
static struct vm pre, svm, post;

static void vm_make(struct vm *vm, const char *name, unsigned i, bool is_post)
{
	memset(vm, 0, sizeof(*vm));
	vm->name = name;
	vm->post = is_post;
	vm->state = VM_RUNNING;
	vm->nr_vcpus = 1;
	vm->vcpus[0] = &vc[i];
	vc[i].pcpu = &cpus[i];
	cpus[i].apic_id = 10 + i;
	/* guest vectors 0x40 + pin, as a guest would program its vIOAPIC */
	for (u32 p = 0; p < 24; p++)
		vm->vioapic.rte[p] = 0x40 + p;
}

static int setup(void **state)
{
	(void)state;
	memset(&ioa, 0, sizeof(ioa));
	vm_make(&pre, "pre", 0, false);
	vm_make(&svm, "sos", 1, false);
	vm_make(&post, "post", 2, true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ptirq_release(&pre);
	ptirq_release(&svm);
	ptirq_release(&post);
	return 0;
}

static void test_fire_masks_until_eoi(void **state)
{
	(void)state;
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), 0);
	assert_int_equal(ioa.dest[GSI], 11);
	assert_ptr_equal(ptirq_intx_owner(GSI), &svm);
	assert_true(ptirq_intx_deliver(VEC(GSI)));
	assert_true(ioa.masked[GSI]);
	assert_true(latched(&svm, GSI));
	ptirq_eoi(&svm, 0x99);			/* another vector: nothing */
	assert_true(ioa.masked[GSI]);
	ptirq_eoi(&svm, 0x40 + GSI);
	assert_false(ioa.masked[GSI]);
	assert_false(latched(&svm, GSI));
	assert_false(ptirq_intx_deliver(0x30));	/* not an INTx vector */
}

static void test_move_between_service_and_post_vm(void **state)
{
	u32 gsi;

	(void)state;
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), 0);
	assert_true(ptirq_intx_deliver(VEC(GSI)));	/* latched in the Service VM */
	assert_int_equal(ptirq_intx_move(GSI, &svm, &post, 5), 0);
	assert_false(latched(&svm, GSI));		/* the old owner's line drops */
	assert_ptr_equal(ptirq_intx_owner(GSI), &post);
	assert_int_equal(ioa.dest[GSI], 12);		/* routed to the post VM's pCPU */
	assert_true(ptirq_intx_find(&post, 5, false, &gsi));
	assert_int_equal(gsi, GSI);
	assert_false(ptirq_intx_find(&post, 5, true, &gsi));	/* no vPIC */
	assert_false(ptirq_intx_find(&svm, GSI, false, &gsi));
	assert_true(ptirq_intx_deliver(VEC(GSI)));
	assert_true(latched(&post, 5));
	/* and back */
	assert_int_equal(ptirq_intx_move(GSI, &post, &svm, GSI), 0);
	assert_false(latched(&post, 5));
	assert_ptr_equal(ptirq_intx_owner(GSI), &svm);
	assert_int_equal(ptirq_intx_move(GSI, &svm, &post, 24), -EINVAL);
	assert_int_equal(ptirq_intx_move(24, &svm, &post, 5), -EINVAL);
	assert_ptr_equal(ptirq_intx_owner(GSI), &svm);
}

static void test_line_of_another_vm_is_not_taken(void **state)
{
	(void)state;
	/* the pre-launched VM's device uses GSI; the Service VM's sharing it cannot */
	assert_int_equal(ptirq_intx_add(&pre, GSI, 3), 0);
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), -EBUSY);
	assert_true(ptirq_intx_deliver(VEC(GSI)));
	assert_true(latched(&pre, 3));
	/* nor can a post-launched VM take it from "the Service VM" */
	assert_int_equal(ptirq_intx_move(GSI, &svm, &post, 5), -EBUSY);
	assert_ptr_equal(ptirq_intx_owner(GSI), &pre);
	assert_int_equal(ioa.dest[GSI], 10);
	assert_true(latched(&pre, 3));			/* untouched: still latched, still masked */
	assert_true(ioa.masked[GSI]);
	ptirq_eoi(&pre, 0x40 + 3);
	assert_false(ioa.masked[GSI]);
	assert_true(ptirq_intx_deliver(VEC(GSI)));
	assert_true(latched(&pre, 3));			/* still the pre-launched VM's */
	assert_false(latched(&post, 5));
	/* nor a reset hand it to the Service VM */
	assert_int_equal(ptirq_intx_move(GSI, &post, &svm, GSI), -EBUSY);
	assert_ptr_equal(ptirq_intx_owner(GSI), &pre);
}

static void test_release_and_reset(void **state)
{
	(void)state;
	assert_int_equal(ptirq_intx_add(&post, GSI, 5), 0);
	assert_true(ptirq_intx_deliver(VEC(GSI)));
	ptirq_reset(&post);				/* vIOAPIC reset: the pin starts over */
	assert_false(ioa.masked[GSI]);
	ptirq_release(&post);				/* stopped: quiet and free */
	assert_true(ioa.masked[GSI]);
	assert_null(ptirq_intx_owner(GSI));
	/* a line that fires for a stopped owner is masked, not delivered */
	assert_int_equal(ptirq_intx_add(&post, GSI, 5), 0);
	post.state = VM_STOPPED;
	post.vioapic.rte[5] = 0x45;
	assert_true(ptirq_intx_deliver(VEC(GSI)));
	assert_true(ioa.masked[GSI]);
	assert_false(latched(&post, 5));
	/* a route the IOAPIC refuses leaves no owner */
	ptirq_release(&post);
	ioa.route_ret = -EINVAL;
	assert_int_equal(ptirq_intx_add(&svm, GSI, GSI), -EINVAL);
	assert_null(ptirq_intx_owner(GSI));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fire_masks_until_eoi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_between_service_and_post_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_of_another_vm_is_not_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_and_reset, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
