/*
 * I/O request forwarding (vmm/ioreq.c) against a fake Service VM: the slot a
 * request fills, the upcall, the value a read gets back, the slot freed
 * afterwards; completion by notification or by polling; a Service VM that
 * breaks the protocol or never answers stops only the requesting VM. With
 * a TSC-deadline timer the vCPU sleeps (cpu_wait_for_interrupt, played
 * here) with the time-out armed, the guest's own deadline held aside and
 * given back, and the timer taken back at the end; a COMPLETE slot without
 * the notification does not end the wait. The fallback of a post-launched VM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "vm_unit.h"

/* ---- what ioreq.c needs from the rest of the hypervisor ---- */
u64 tsc_khz = 1;		/* time-outs after 2000 TSC ticks: the host TSC runs past at once */
bool lapic_tsc_deadline;	/* false: wait by spinning; true: arm the timer and sleep */
static struct {
	unsigned arms, holds, releases, waits;
	u64 armed;			/* the host timer's deadline now (0: off) */
	u64 guest_deadline;		/* the guest's own, which a hold moves aside */
	unsigned complete_at;		/* the Service VM completes during this wait (0: never) */
	unsigned notify_at;		/* ... and notifies during this one */
	bool timer_fires;		/* the wake-up is the timer's own interrupt */
} hw;

void lapic_arm_deadline(u64 tsc) { hw.arms++; hw.armed = tsc; }
/* the earlier of the two deadlines: the guest's own goes on counting */
u64 vcpu_deadline_hold(struct vcpu *v, u64 until)
{
	(void)v;
	hw.holds++;
	return MIN(until, hw.guest_deadline);
}
void vcpu_deadline_release(struct vcpu *v) { hw.releases++; hw.armed = hw.guest_deadline; v->timer_armed = 0; }
static unsigned kicks;
void lapic_send_ipi(u32 apic_id, u8 vector) { (void)apic_id; assert_int_equal(vector, KICK_VECTOR); kicks++; }

static struct {
	unsigned upcalls;
	u8 vector;
	bool answer;		/* complete requests from the upcall */
	bool notify;		/* ... and notify (else: polling VM) */
	unsigned answer_on_poll;	/* else: complete and notify at this poll step (1..) */
	bool answer_asleep;		/* else: complete and notify when the vCPU sleeps */
	u64 asleep_ticks;		/* ... after this many TSC ticks */
	unsigned polls, sleeps;
	u32 value;		/* what reads get */
	struct abi_io_request seen;	/* the request as the upcall found it */
	unsigned stops, leaves;
	char stop_reason[160];
	jmp_buf left;
} fake;

static struct vm svm, post;
static struct abi_io_request_buffer page __attribute__((aligned(4096)));

/* The Service VM's RAM is the page at "GPA" 0x5000 */
void *vm_gpa_to_hva(const struct vm *vm, u64 gpa, u64 len)
{
	assert_ptr_equal(vm, &svm);
	return gpa == 0x5000 && len <= sizeof(page) ? &page : NULL;
}
static struct vcpu svcpu, pvcpu;
/* The Service VM's device model, run synchronously by the upcall. */
void vlapic_accept_irq(struct vlapic *l, u8 vector, bool level)
{
	struct abi_io_request *req = &page.req_slot[pvcpu.id];

	(void)level;
	assert_ptr_equal(l, &svcpu.vlapic);
	fake.upcalls++;
	fake.vector = vector;
	fake.seen = *req;
	assert_int_equal(req->processed, ABI_IOREQ_STATE_PENDING);
	if (!fake.answer)
		return;
	req->processed = ABI_IOREQ_STATE_PROCESSING;
	if (req->type == ABI_IOREQ_TYPE_MMIO)
		req->reqs.mmio_request.value = fake.value;
	else
		req->reqs.pio_request.value = fake.value;	/* PCICFG completes alike */
	req->processed = ABI_IOREQ_STATE_COMPLETE;
	if (fake.notify)
		pvcpu.ioreq_finished = true;
}

static void answer_now(void)
{
	struct abi_io_request *req = &page.req_slot[pvcpu.id];

	req->reqs.pio_request.value = fake.value;
	req->processed = ABI_IOREQ_STATE_COMPLETE;
	pvcpu.ioreq_finished = true;
}

/* The post vCPU's poll step (include/x86.h): the answer may come at one. */
void cpu_poll_interrupts(void)
{
	if (++fake.polls == fake.answer_on_poll)
		answer_now();
}

/* A sleep until an interrupt: the Service VM answers meanwhile, or the timer fires. */
void cpu_wait_for_interrupt(void)
{
	struct abi_io_request *req = &page.req_slot[pvcpu.id];
	u64 t = rdtsc(), until = t + fake.asleep_ticks;

	hw.waits++;
	fake.sleeps++;
	assert_int_not_equal(hw.armed, 0);		/* something will wake it */
	/* the notify looks at this after it stores finished: it must say asleep */
	assert_true(pvcpu.ioreq_asleep);
	assert_false(fake.answer_asleep && fake.answer_on_poll);
	if (hw.waits == hw.complete_at) {
		req->reqs.pio_request.value = fake.value;
		req->processed = ABI_IOREQ_STATE_COMPLETE;
	}
	if (hw.waits == hw.notify_at)
		pvcpu.ioreq_finished = true;
	if (hw.timer_fires)
		pvcpu.timer_armed = 0;			/* as the timer's handler takes it */
	while (rdtsc() == t || rdtsc() < until)		/* asleep for a while */
		cpu_relax();
	if (fake.answer_asleep)
		answer_now();
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	assert_ptr_equal(vm, &post);
	va_start(ap, fmt);
	vsnprintf(fake.stop_reason, sizeof(fake.stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	fake.stops++;
}

void vcpu_leave_pcpu(struct vcpu *v)
{
	assert_ptr_equal(v, &pvcpu);
	fake.leaves++;
	longjmp(fake.left, 1);
}

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	memset(&hw, 0, sizeof(hw));
	lapic_tsc_deadline = false;
	tsc_khz = 1;
	memset(&pvcpu, 0, sizeof(pvcpu));
	memset(&page, 0, sizeof(page));
	memset(&svm, 0, sizeof(svm));
	memset(&post, 0, sizeof(post));
	svm.state = VM_RUNNING;
	svm.vcpus[0] = &svcpu;
	svm.nr_vcpus = 1;
	service_vm = &svm;
	post.state = VM_RUNNING;
	post.post = true;
	post.ioreq = &page;
	post.vcpus[1] = &pvcpu;
	pvcpu.vm = &post;
	pvcpu.id = 1;
	pvcpu.ioreq_poll = 0;
	pvcpu.ioreq_asleep = false;
	tsc_khz = 1;
	lapic_tsc_deadline = false;
	for (unsigned i = 0; i < ABI_IO_REQUEST_MAX; i++)
		page.req_slot[i].processed = ABI_IOREQ_STATE_FREE;
	fake.answer = fake.notify = true;
	return 0;
}

static void test_pio_read_and_write(void **state)
{
	u32 v = 0;

	(void)state;
	fake.value = 0x5EED0001;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v), 0);
	assert_int_equal(v, 0x5EED0001);
	assert_int_equal(fake.upcalls, 1);
	assert_int_equal(fake.vector, 0xF3);		/* Linux's default until SET_CALLBACK_VECTOR */
	assert_int_equal(fake.seen.type, ABI_IOREQ_TYPE_PORTIO);
	assert_int_equal(fake.seen.completion_polling, 0);
	assert_int_equal(fake.seen.reqs.pio_request.direction, ABI_IOREQ_DIR_READ);
	assert_int_equal(fake.seen.reqs.pio_request.address, 0x5000);
	assert_int_equal(fake.seen.reqs.pio_request.size, 4);
	assert_int_equal(page.req_slot[1].processed, ABI_IOREQ_STATE_FREE);
	assert_int_equal(page.req_slot[0].processed, ABI_IOREQ_STATE_FREE);	/* other slots untouched */

	svm.callback_vector = 0xE9;
	v = 'x';
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x3F8, 1, true, &v), 0);
	assert_int_equal(fake.vector, 0xE9);
	assert_int_equal(fake.seen.reqs.pio_request.direction, ABI_IOREQ_DIR_WRITE);
	assert_int_equal(fake.seen.reqs.pio_request.value, 'x');
	assert_int_equal(fake.seen.reqs.pio_request.size, 1);
	assert_int_equal(fake.stops, 0);
}

static void test_mmio_and_pcicfg(void **state)
{
	u64 m = 0;
	u32 c = 0;

	(void)state;
	fake.value = 0xB0CC0DE5;
	assert_int_equal(ioreq_forward_mmio(&pvcpu, 0xD0000000, 4, false, &m), 0);
	assert_int_equal(m, 0xB0CC0DE5);
	assert_int_equal(fake.seen.type, ABI_IOREQ_TYPE_MMIO);
	assert_int_equal(fake.seen.reqs.mmio_request.address, 0xD0000000);
	m = 0x1122334455667788ULL;
	assert_int_equal(ioreq_forward_mmio(&pvcpu, 0xD0000008, 8, true, &m), 0);
	assert_int_equal(fake.seen.reqs.mmio_request.value, 0x1122334455667788ULL);
	assert_int_equal(fake.seen.reqs.mmio_request.direction, ABI_IOREQ_DIR_WRITE);

	fake.value = 0x10F0;
	assert_int_equal(ioreq_forward_pcicfg(&pvcpu, PCI_BDF(0, 5, 2), 0x2E, 2, false, &c), 0);
	assert_int_equal(c, 0x10F0);
	assert_int_equal(fake.seen.type, ABI_IOREQ_TYPE_PCICFG);
	assert_int_equal(fake.seen.reqs.pci_request.bus, 0);
	assert_int_equal(fake.seen.reqs.pci_request.dev, 5);
	assert_int_equal(fake.seen.reqs.pci_request.func, 2);
	assert_int_equal(fake.seen.reqs.pci_request.reg, 0x2E);
	assert_int_equal(fake.seen.reqs.pci_request.size, 2);
	assert_int_equal(page.req_slot[1].processed, ABI_IOREQ_STATE_FREE);
}

/* With completion polling the vCPU watches the slot; no notification comes. */
static void test_polling(void **state)
{
	u32 v = 0;

	(void)state;
	post.vm_flag = ABI_VM_FLAG_IO_COMPLETION_POLLING;
	fake.notify = false;
	fake.value = 7;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x60, 1, false, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(fake.seen.completion_polling, 1);
	assert_false(pvcpu.ioreq_finished);
}

/* Silence: the requesting VM is stopped after the time-out, its vCPU leaves. */
static void test_service_vm_never_answers(void **state)
{
	u32 v = 0;

	(void)state;
	fake.answer = false;
	if (!setjmp(fake.left))
		ioreq_forward_pio(&pvcpu, 0x5010, 4, false, &v);
	assert_int_equal(fake.leaves, 1);
	assert_int_equal(fake.stops, 1);
	assert_non_null(strstr(fake.stop_reason, "did not complete an I/O request"));
	assert_int_equal(post.state, VM_STOPPED);
	assert_int_equal(svm.state, VM_RUNNING);
}

/* A slot the Service VM still holds is a protocol error: stop, never overwrite it. */
static void test_slot_not_free(void **state)
{
	u32 v = 0;

	(void)state;
	page.req_slot[1].processed = ABI_IOREQ_STATE_PROCESSING;
	page.req_slot[1].reqs.pio_request.address = 0x1234;
	if (!setjmp(fake.left))
		ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v);
	assert_int_equal(fake.stops, 1);
	assert_int_equal(fake.upcalls, 0);
	assert_int_equal(page.req_slot[1].reqs.pio_request.address, 0x1234);
	assert_non_null(strstr(fake.stop_reason, "not free"));
}

/* A VM paused while its vCPU waits: the vCPU leaves at once, nothing is stopped. */
static void test_paused_while_waiting(void **state)
{
	u32 v = 0;

	(void)state;
	fake.answer = false;
	post.state = VM_PAUSED;
	if (!setjmp(fake.left))
		ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v);
	assert_int_equal(fake.leaves, 1);
	assert_int_equal(fake.stops, 0);
}

/* SET_IOREQ_BUFFER: the page is found in Service VM RAM and every slot starts FREE. */
static void test_set_buffer(void **state)
{
	(void)state;
	post.ioreq = NULL;
	post.ioreq_gpa = ~0ULL;
	page.req_slot[3].processed = ABI_IOREQ_STATE_PROCESSING;
	assert_int_equal(vmm_set_ioreq_buffer(&post, 0x6000), -EFAULT);	/* not its RAM */
	assert_null(post.ioreq);
	assert_int_equal(vmm_ioreq_buffer(&post), ~0ULL);
	assert_int_equal(vmm_set_ioreq_buffer(&post, 0x5000), 0);
	assert_ptr_equal(post.ioreq, &page);
	assert_int_equal(vmm_ioreq_buffer(&post), 0x5000);
	assert_int_equal(page.req_slot[3].processed, ABI_IOREQ_STATE_FREE);
	page.req_slot[2].processed = ABI_IOREQ_STATE_COMPLETE;
	ioreq_reset_slots(&post);		/* a reset VM starts over */
	assert_int_equal(page.req_slot[2].processed, ABI_IOREQ_STATE_FREE);
}

/*
 * The wait polls for its window, then sleeps; the window grows when the
 * answer came after the vCPU fell asleep but within the most it may poll
 * (1 ms), and halves when an answer took longer than that.
 */
static void test_poll_window(void **state)
{
	u64 step, max;
	u32 v = 0;

	(void)state;
	tsc_khz = 1000000;		/* 1 ms = 1,000,000 ticks */
	lapic_tsc_deadline = true;	/* the sleeping path exists */
	step = 50 * tsc_khz / 1000;
	max = tsc_khz;
	fake.answer = false;
	fake.value = 0x5EED0003;
	/* no window yet: it sleeps at once, asleep for the notify to see; answered soon */
	fake.answer_asleep = true;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5010, 4, false, &v), 0);
	assert_int_equal(v, 0x5EED0003);
	assert_int_equal(fake.polls, 0);
	assert_int_equal(fake.sleeps, 1);
	assert_false(pvcpu.ioreq_asleep);
	assert_int_equal(pvcpu.ioreq_poll, step);
	/* answered while polling: no sleep, the window kept */
	fake.answer_asleep = false;
	fake.answer_on_poll = 3;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5010, 4, false, &v), 0);
	assert_int_equal(fake.polls, 3);
	assert_int_equal(fake.sleeps, 1);
	assert_int_equal(pvcpu.ioreq_poll, step);
	assert_int_equal(page.req_slot[pvcpu.id].processed, ABI_IOREQ_STATE_FREE);
	/* an answer that comes only after the window, asleep: it doubles */
	fake.answer_on_poll = 0;
	fake.answer_asleep = true;
	fake.polls = 0;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5010, 4, false, &v), 0);
	assert_true(fake.polls > 0);
	assert_int_equal(fake.sleeps, 2);
	assert_int_equal(pvcpu.ioreq_poll, 2 * step);
	/* one slower than the most it may poll: halved */
	fake.asleep_ticks = 2 * max;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5010, 4, false, &v), 0);
	assert_int_equal(fake.sleeps, 3);
	assert_int_equal(pvcpu.ioreq_poll, step);
	/* a completion-polling VM never sleeps and keeps no window */
	post.vm_flag = ABI_VM_FLAG_IO_COMPLETION_POLLING;
	fake.answer_asleep = false;
	fake.answer_on_poll = 0;
	fake.answer = true;
	fake.notify = false;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5010, 4, false, &v), 0);
	assert_int_equal(fake.sleeps, 3);
	assert_int_equal(pvcpu.ioreq_poll, step);
	assert_int_equal(fake.stops, 0);
}

/* NOTIFY_REQUEST_FINISH marks a COMPLETE slot finished and kicks its vCPU; anything else is refused. */
static void test_notify(void **state)
{
	struct pcpu cpu = { .apic_id = 7 };

	(void)state;
	pvcpu.pcpu = &cpu;
	cpu.vcpu = &pvcpu;
	kicks = 0;
	for (u32 st = ABI_IOREQ_STATE_PENDING; st <= 7; st++) {
		if (st == ABI_IOREQ_STATE_COMPLETE)
			continue;
		page.req_slot[1].processed = st;
		assert_int_equal(vmm_notify_request_finish(&post, 1), -EINVAL);
		assert_false(pvcpu.ioreq_finished);
		assert_int_equal(kicks, 0);
	}
	/* a vCPU still polling for the answer sees it without an IPI ... */
	page.req_slot[1].processed = ABI_IOREQ_STATE_COMPLETE;
	pvcpu.ioreq_asleep = false;
	assert_int_equal(vmm_notify_request_finish(&post, 1), 0);
	assert_true(pvcpu.ioreq_finished);
	assert_int_equal(kicks, 0);
	/* ... one asleep gets it */
	pvcpu.ioreq_finished = false;
	pvcpu.ioreq_asleep = true;
	assert_int_equal(vmm_notify_request_finish(&post, 1), 0);
	assert_true(pvcpu.ioreq_finished);
	assert_int_equal(kicks, 1);
	pvcpu.ioreq_asleep = false;
	pvcpu.pcpu = NULL;
}

/* Waits that sleep on the TSC-deadline timer, with a time-out far beyond the test's time. */
static void sleep_setup(void)
{
	lapic_tsc_deadline = true;
	tsc_khz = 1ULL << 32;
}

/* With a TSC-deadline timer the vCPU sleeps, woken by the finish notification's kick. */
static void test_sleeps_until_notified(void **state)
{
	u32 v = 0;

	(void)state;
	sleep_setup();
	fake.answer = false;			/* not from the upcall: later, while it sleeps */
	fake.value = 0x77;
	hw.complete_at = hw.notify_at = 2;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v), 0);
	assert_int_equal(v, 0x77);
	assert_int_equal(hw.waits, 2);
	assert_int_equal(fake.stops, 0);
	/* the time-out's deadline, then the timer taken back: the re-entry stays plain */
	assert_int_equal(hw.arms, 3);
	assert_int_equal(hw.armed, 0);
	assert_int_equal(pvcpu.timer_armed, 0);
	assert_int_equal(hw.holds, 0);
	/* the time asleep is the device model's, not the hypervisor's */
	assert_true(pvcpu.idle_ticks > 0);
	assert_int_equal(page.req_slot[1].processed, ABI_IOREQ_STATE_FREE);
}

/* COMPLETE without the notification (a late one for an earlier request) does not end the wait. */
static void test_complete_needs_notify(void **state)
{
	u32 v = 0;

	(void)state;
	sleep_setup();
	fake.answer = false;
	fake.value = 0x99;
	hw.complete_at = 1;
	hw.notify_at = 3;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v), 0);
	assert_int_equal(hw.waits, 3);
	assert_int_equal(v, 0x99);
}

/* A guest whose TSC deadline the host timer carries: held during the wait, then given back. */
static void test_guest_deadline_kept(void **state)
{
	u32 v = 0;

	(void)state;
	sleep_setup();
	pvcpu.deadline_pt = true;
	hw.guest_deadline = 1;			/* long past: it fires first */
	fake.answer = false;
	hw.complete_at = hw.notify_at = 1;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v), 0);
	assert_int_equal(hw.holds, 1);
	assert_int_equal(hw.releases, 1);
	assert_int_equal(hw.armed, hw.guest_deadline);
	assert_int_equal(pvcpu.timer_armed, 0);
}

/* The timer fired during the wait: nothing to take back. */
static void test_timer_fired(void **state)
{
	u32 v = 0;

	(void)state;
	sleep_setup();
	fake.answer = false;
	hw.timer_fires = true;
	hw.complete_at = hw.notify_at = 1;
	assert_int_equal(ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v), 0);
	assert_int_equal(hw.arms, 1);		/* armed once, never disarmed */
	assert_int_equal(hw.releases, 0);
}

/* A Service VM not running gets no upcall: the request times out, only the requester stops. */
static void test_service_vm_not_running(void **state)
{
	u32 v = 0;

	(void)state;
	svm.state = VM_PAUSED;
	if (!setjmp(fake.left))
		ioreq_forward_pio(&pvcpu, 0x5000, 4, false, &v);
	assert_int_equal(fake.upcalls, 0);
	assert_int_equal(fake.stops, 1);
	assert_int_equal(post.state, VM_STOPPED);
	assert_int_equal(svm.state, VM_PAUSED);
}

/* A post-launched VM's fallback: what it does not claim goes to the device model. */
static void test_fallback(void **state)
{
	struct vm vm;
	u64 m = 0;
	u32 p = 0;

	(void)state;
	memset(&vm, 0xA5, sizeof(vm));
	assert_int_equal(ioreq_unit.init(&vm), 0);
	assert_null(vm.ioreq);				/* no buffer until SET_IOREQ_BUFFER */
	assert_int_equal(vmm_ioreq_buffer(&vm), VMM_NO_IOREQ_BUFFER);
	assert_ptr_equal(vm.fallback, &ioreq_fallback);
	ioreq_reset_slots(&vm);				/* no buffer: nothing to do */

	fake.value = 0xAB;
	assert_int_equal(ioreq_fallback.pio->read(&pvcpu, NULL, 0x71, 1, &p), 0);
	assert_int_equal(p, 0xAB);
	assert_int_equal(fake.seen.reqs.pio_request.address, 0x71);
	assert_int_equal(ioreq_fallback.pio->write(&pvcpu, NULL, 0x70, 1, 0x8F), 0);
	assert_int_equal(fake.seen.reqs.pio_request.direction, ABI_IOREQ_DIR_WRITE);
	assert_int_equal(fake.seen.reqs.pio_request.value, 0x8F);
	assert_int_equal(ioreq_fallback.mmio->read(&pvcpu, NULL, 0xFED00000, 4, &m), 0);
	assert_int_equal(m, 0xAB);
	assert_int_equal(fake.seen.type, ABI_IOREQ_TYPE_MMIO);
	assert_int_equal(ioreq_fallback.mmio->write(&pvcpu, NULL, 0xFED00010, 8, 0x1234567890ULL), 0);
	assert_int_equal(fake.seen.reqs.mmio_request.value, 0x1234567890ULL);
	assert_int_equal(fake.seen.reqs.mmio_request.size, 8);
	assert_ptr_equal(ioreq_fallback.pcicfg, ioreq_forward_pcicfg);
	assert_int_equal(fake.upcalls, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pio_read_and_write, setup),
		cmocka_unit_test_setup(test_mmio_and_pcicfg, setup),
		cmocka_unit_test_setup(test_polling, setup),
		cmocka_unit_test_setup(test_poll_window, setup),
		cmocka_unit_test_setup(test_service_vm_never_answers, setup),
		cmocka_unit_test_setup(test_slot_not_free, setup),
		cmocka_unit_test_setup(test_paused_while_waiting, setup),
		cmocka_unit_test_setup(test_set_buffer, setup),
		cmocka_unit_test_setup(test_notify, setup),
		cmocka_unit_test_setup(test_sleeps_until_notified, setup),
		cmocka_unit_test_setup(test_complete_needs_notify, setup),
		cmocka_unit_test_setup(test_guest_deadline_kept, setup),
		cmocka_unit_test_setup(test_timer_fired, setup),
		cmocka_unit_test_setup(test_service_vm_not_running, setup),
		cmocka_unit_test_setup(test_fallback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
