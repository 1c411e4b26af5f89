/*
 * EPT flush wait (arch/x86/vm_flush.c) against fake CPUs: a vCPU that
 * answers kicks gets no NMI; one that takes no exit for a kick (guest IF=0
 * in Bochs) is reached by NMIs, repeated until it answers; one that answers
 * nothing makes the wait fail, never succeed; the caller's own vCPU, vCPUs
 * off their pCPU and vCPUs already flushed are not waited for. The same
 * wait (vm_kick_until) for another condition, vCPUs leaving their pCPUs as
 * PAUSE_VM and DESTROY_VM wait for them: NMIs for the one that ignores
 * kicks, a time-out for one that answers nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "irq.h"
#include "lapic.h"
#include "percpu.h"
#include "vm.h"

u64 tsc_khz = 100000;	/* a "millisecond" of 100000 TSC ticks: the test runs in microseconds */

enum answer { KICK, NMI_ONLY, THIRD_NMI, NOTHING };

#define NR 3
static struct vm vm;
static struct vcpu vcpus[NR];
static struct pcpu cpus[NR];
static struct {
	enum answer answer[NR];
	unsigned ipis[NR], nmis[NR], invepts[NR];
	int running;		/* the fake pCPU whose code runs now (invept counts there) */
	bool leave;		/* an answer is the vCPU leaving its pCPU (a paused VM) */
} hw;

void invept_single(u64 eptp)
{
	assert_int_equal(eptp, vm.eptp);
	assert_true(hw.running >= 0);
	hw.invepts[hw.running]++;
}

/* The vCPU on that pCPU reaches its entry path (or NMI handler) and flushes there. */
static void runs_flush(unsigned i)
{
	hw.running = (int)i;
	vcpu_ack_flush(&vcpus[i]);
	if (hw.leave)
		cpus[i].vcpu = NULL;
	hw.running = -1;
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	assert_int_equal(vector, KICK_VECTOR);
	assert_true(apic_id < NR);
	hw.ipis[apic_id]++;
	if (hw.answer[apic_id] == KICK)
		runs_flush(apic_id);
}

void lapic_send_nmi(u32 apic_id)
{
	assert_true(apic_id < NR);
	hw.nmis[apic_id]++;
	if (hw.answer[apic_id] == NMI_ONLY || (hw.answer[apic_id] == THIRD_NMI && hw.nmis[apic_id] == 3))
		runs_flush(apic_id);
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&hw, 0, sizeof(hw));
	hw.running = -1;
	vm.eptp = 0x1234000 | 0x5e;
	vm.nr_vcpus = NR;
	for (unsigned i = 0; i < NR; i++) {
		memset(&vcpus[i], 0, sizeof(vcpus[i]));
		memset(&cpus[i], 0, sizeof(cpus[i]));
		cpus[i].apic_id = i;
		cpus[i].vcpu = &vcpus[i];
		vcpus[i].vm = &vm;
		vcpus[i].id = i;
		vcpus[i].pcpu = &cpus[i];
		vm.vcpus[i] = &vcpus[i];
	}
	return 0;
}

/* What vm_flush_ept does: a new generation, then the wait. */
static int flush(struct vcpu *self, unsigned *late)
{
	u64 gen = ++vm.flush_gen;

	return vm_flush_wait(&vm, gen, self, late);
}

static void test_kicks_answered_no_nmi(void **state)
{
	unsigned late = 99;

	(void)state;
	assert_int_equal(flush(NULL, &late), 0);
	for (unsigned i = 0; i < NR; i++) {
		assert_int_equal(hw.ipis[i], 1);
		assert_int_equal(hw.nmis[i], 0);
		assert_int_equal(hw.invepts[i], 1);
		assert_int_equal(vcpus[i].flushed_gen, 1);
	}
	assert_int_equal(late, 99);
}

static void test_kick_unanswered_gets_nmi(void **state)
{
	unsigned late;

	(void)state;
	hw.answer[1] = NMI_ONLY;
	hw.answer[2] = THIRD_NMI;
	assert_int_equal(flush(NULL, &late), 0);
	assert_int_equal(hw.nmis[0], 0);	/* it answered the kick */
	assert_int_equal(hw.nmis[1], 1);
	assert_int_equal(hw.nmis[2], 3);	/* NMIs go on until it answers */
	for (unsigned i = 0; i < NR; i++) {
		assert_int_equal(hw.ipis[i], 1);
		assert_int_equal(hw.invepts[i], 1);
		assert_int_equal(vcpus[i].flushed_gen, 1);
	}
}

static void test_no_answer_fails(void **state)
{
	unsigned late = 99;

	(void)state;
	hw.answer[2] = NOTHING;
	assert_int_equal(flush(NULL, &late), -ETIMEDOUT);
	assert_int_equal(late, 2);
	assert_true(hw.nmis[2] >= 2);
	assert_int_equal(vcpus[2].flushed_gen, 0);
	/* the next flush waits for it again: an old flush is never taken for a new one */
	hw.answer[2] = NMI_ONLY;
	assert_int_equal(flush(NULL, &late), 0);
	assert_int_equal(vcpus[2].flushed_gen, 2);
	assert_int_equal(hw.invepts[2], 1);
}

static void test_not_waited_for(void **state)
{
	unsigned late;

	(void)state;
	for (unsigned i = 0; i < NR; i++)
		hw.answer[i] = NOTHING;
	cpus[1].vcpu = NULL;			/* off its pCPU: flushes before it enters again */
	vcpus[2].pcpu = NULL;			/* never placed */
	hw.running = 0;				/* the caller is vCPU 0, in the hypervisor */
	assert_int_equal(vm_flush_wait(&vm, ++vm.flush_gen, &vcpus[0], &late), 0);
	assert_int_equal(hw.invepts[0], 1);	/* flushed itself, on its own pCPU */
	assert_int_equal(vcpus[0].flushed_gen, 1);
	for (unsigned i = 0; i < NR; i++) {
		assert_int_equal(hw.ipis[i], 0);
		assert_int_equal(hw.nmis[i], 0);
	}
	/* its pCPU back: this time it must answer */
	cpus[1].vcpu = &vcpus[1];
	hw.running = -1;
	assert_int_equal(flush(NULL, &late), -ETIMEDOUT);
	assert_int_equal(late, 0);
}

static void test_ack_flushes_once_per_generation(void **state)
{
	(void)state;
	runs_flush(0);
	assert_int_equal(hw.invepts[0], 0);	/* nothing asked */
	vm.flush_gen = 5;
	runs_flush(0);
	runs_flush(0);
	assert_int_equal(hw.invepts[0], 1);
	assert_int_equal(vcpus[0].flushed_gen, 5);
	vm.flush_gen = 6;
	runs_flush(0);
	assert_int_equal(hw.invepts[0], 2);
}

/* vmm/vm_post.c's condition: off its pCPU */
static bool left(const struct vcpu *v, u64 unused)
{
	(void)unused;
	return !v->pcpu || v->pcpu->vcpu != v;
}

static void test_kick_until_left(void **state)
{
	unsigned late = 99;

	(void)state;
	hw.leave = true;
	hw.answer[1] = THIRD_NMI;		/* a guest spinning with IF=0 in Bochs */
	cpus[2].vcpu = NULL;			/* already gone: not kicked */
	assert_int_equal(vm_kick_until(&vm, left, 0, 1000, &late), 0);
	assert_int_equal(hw.ipis[0], 1);
	assert_int_equal(hw.nmis[0], 0);
	assert_int_equal(hw.ipis[1], 1);
	assert_int_equal(hw.nmis[1], 3);
	assert_int_equal(hw.ipis[2] + hw.nmis[2], 0);
	for (unsigned i = 0; i < NR; i++)
		assert_null(cpus[i].vcpu);
	assert_int_equal(late, 99);
}

static void test_kick_until_times_out(void **state)
{
	unsigned late = 99;
	u64 t0;

	(void)state;
	hw.leave = true;
	hw.answer[1] = NOTHING;
	t0 = rdtsc();
	assert_int_equal(vm_kick_until(&vm, left, 0, 5, &late), -ETIMEDOUT);
	assert_true(rdtsc() - t0 >= 5 * tsc_khz);	/* the whole time-out, not less */
	assert_int_equal(late, 1);
	assert_ptr_equal(cpus[1].vcpu, &vcpus[1]);
	assert_true(hw.nmis[1] >= 2);
	assert_null(cpus[0].vcpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_kicks_answered_no_nmi, setup),
		cmocka_unit_test_setup(test_kick_unanswered_gets_nmi, setup),
		cmocka_unit_test_setup(test_no_answer_fails, setup),
		cmocka_unit_test_setup(test_not_waited_for, setup),
		cmocka_unit_test_setup(test_ack_flushes_once_per_generation, setup),
		cmocka_unit_test_setup(test_kick_until_left, setup),
		cmocka_unit_test_setup(test_kick_until_times_out, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
