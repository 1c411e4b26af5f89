/*
 * The I/O request protocol, all of it: a post-launched VM's ioreq page
 * (SET_IOREQ_BUFFER), the request an access no in-hypervisor handler claims
 * becomes (slot = vCPU id; the VM's fallback, struct io_fallback), the
 * upcall to the Service VM's vCPU 0, the requesting vCPU's wait on its own
 * pCPU, and the completion (NOTIFY_REQUEST_FINISH, or the COMPLETE state
 * itself with completion polling). A Service VM that does not answer within
 * IOREQ_TIMEOUT_MS stops only the requesting VM.
 */
#include "lib.h"
#include "lapic.h"
#include "percpu.h"
#include "vmm_internal.h"
#include "vmm.h"
#include "x86.h"
#include "vm_unit.h"

#define IOREQ_TIMEOUT_MS	2000
#define IOREQ_POLL_MAX_US	1000	/* the most a vCPU polls for an answer before it sleeps */
#define IOREQ_POLL_STEP_US	50	/* the window's first size when it grows from 0 */
#define UPCALL_DEFAULT_VECTOR	0xF3	/* Linux's HYPERVISOR_CALLBACK_VECTOR */

struct vm *service_vm;

static void upcall(void)
{
	struct vm *svm = service_vm;
	u8 vector = svm->callback_vector ? svm->callback_vector : UPCALL_DEFAULT_VECTOR;

	if (svm->state == VM_RUNNING)
		vlapic_accept_irq(&svm->vcpus[0]->vlapic, vector, false);
}

/*
 * The wait armed the host timer for its time-out: take it back as the entry
 * would (arm_guest_timer), so that the re-entry stays plain.
 */
static void ioreq_timer_back(struct vcpu *v, u64 deadline)
{
	if (v->timer_armed != deadline)
		return;		/* not armed, or it fired (timer_irq) */
	if (v->deadline_pt) {
		vcpu_deadline_release(v);	/* the guest's own deadline back */
		return;
	}
	lapic_arm_deadline(0);
	v->timer_armed = 0;
}

static bool ioreq_done(struct vcpu *v, volatile struct abi_io_request *req, bool polling)
{
	/* a late notify for an earlier request does not complete this one */
	return req->processed == ABI_IOREQ_STATE_COMPLETE &&
	       (polling || __atomic_load_n(&v->ioreq_finished, __ATOMIC_SEQ_CST));
}

/*
 * Wait until the request completes: polling first, for the vCPU's poll
 * window (the pCPU is the vCPU's own, nothing else would run there; an
 * answer meanwhile needs no IPI and no timer), then asleep until the
 * notify's IPI, the guest's own timer or the time-out. A VM paused, reset
 * or stopped meanwhile takes its vCPU off the pCPU right here (the request
 * is dropped with it); what does that sends its own IPI (vm_kick_until).
 * The vCPU is still in its exit handler, so its guest's interrupts send
 * none meanwhile (vcpu_kick): they are looked at when the request is done.
 */
static void ioreq_wait(struct vcpu *v, volatile struct abi_io_request *req)
{
	struct vm *vm = v->vm;
	bool polling = vm->vm_flag & ABI_VM_FLAG_IO_COMPLETION_POLLING, slept = false;
	u64 start = rdtsc(), deadline = start + IOREQ_TIMEOUT_MS * tsc_khz;
	u64 poll_until = start + v->ioreq_poll, now;

	for (;;) {
		if (vm->state != VM_RUNNING)
			vcpu_leave_pcpu(v);
		if (ioreq_done(v, req, polling)) {
			ioreq_timer_back(v, deadline);
			now = rdtsc();
			/* answered while polling, the window fits; else it adapts */
			if (slept)
				poll_window_after_sleep(&v->ioreq_poll, now - start,
							IOREQ_POLL_STEP_US * tsc_khz / 1000,
							IOREQ_POLL_MAX_US * tsc_khz / 1000);
			v->idle_ticks += now - start;	/* the device model's time, not ours */
			return;
		}
		now = rdtsc();
		if (now >= deadline) {
			vm_stop(vm, "vCPU %u: the Service VM did not complete an I/O request "
				"(type %u) within %u ms", v->id, req->type, IOREQ_TIMEOUT_MS);
			vcpu_leave_pcpu(v);
		}
		if (polling || !lapic_tsc_deadline) {
			cpu_relax();
			continue;
		}
		if (now < poll_until) {
			cpu_poll_interrupts();	/* the host's own interrupts are not held up */
			continue;
		}
		/* the notify stores ioreq_finished, then looks here: one of us sees the other */
		__atomic_store_n(&v->ioreq_asleep, true, __ATOMIC_SEQ_CST);
		if (!ioreq_done(v, req, false)) {
			lapic_arm_deadline(v->deadline_pt ? vcpu_deadline_hold(v, deadline) : deadline);
			v->timer_armed = deadline;
			cpu_wait_for_interrupt();
		}
		__atomic_store_n(&v->ioreq_asleep, false, __ATOMIC_RELAXED);
		slept = true;
	}
}

/* Post the request in v's slot, wait for it, return the slot (still v's until freed). */
static volatile struct abi_io_request *ioreq_send(struct vcpu *v, u32 type, const void *body,
						  size_t len)
{
	struct vm *vm = v->vm;
	volatile struct abi_io_request *req = &vm->ioreq->req_slot[v->id];

	if (req->processed != ABI_IOREQ_STATE_FREE) {
		/* the Service VM still holds it: it broke the protocol */
		vm_stop(vm, "vCPU %u: ioreq slot in state %u, not free", v->id, req->processed);
		vcpu_leave_pcpu(v);
	}
	req->type = type;
	req->completion_polling = !!(vm->vm_flag & ABI_VM_FLAG_IO_COMPLETION_POLLING);
	req->kernel_handled = 0;
	memset((void *)&req->reqs, 0, sizeof(req->reqs));
	memcpy((void *)&req->reqs, body, len);
	__atomic_store_n(&v->ioreq_finished, false, __ATOMIC_RELAXED);
	__atomic_store_n(&req->processed, ABI_IOREQ_STATE_PENDING, __ATOMIC_RELEASE);
	upcall();
	ioreq_wait(v, req);
	return req;
}

/*
 * One request there and back: a read's value (PORTIO and PCICFG keep a u32
 * where MMIO keeps a u64, at the same offset), then the slot is free again.
 */
static u64 ioreq_round_trip(struct vcpu *v, u32 type, const void *body, size_t len)
{
	volatile struct abi_io_request *req = ioreq_send(v, type, body, len);
	u64 val = type == ABI_IOREQ_TYPE_MMIO ? req->reqs.mmio_request.value
					      : req->reqs.pio_request.value;

	__atomic_store_n(&req->processed, ABI_IOREQ_STATE_FREE, __ATOMIC_RELEASE);
	return val;
}

#define IOREQ_DIR(write) ((write) ? ABI_IOREQ_DIR_WRITE : ABI_IOREQ_DIR_READ)

int ioreq_forward_pio(struct vcpu *v, u16 port, unsigned size, bool write, u32 *val)
{
	struct abi_pio_request p = { .direction = IOREQ_DIR(write), .address = port, .size = size,
				     .value = write ? *val : 0 };
	u32 got = (u32)ioreq_round_trip(v, ABI_IOREQ_TYPE_PORTIO, &p, sizeof(p));

	if (!write)
		*val = got;
	return 0;
}

int ioreq_forward_mmio(struct vcpu *v, u64 gpa, unsigned size, bool write, u64 *val)
{
	struct abi_mmio_request m = { .direction = IOREQ_DIR(write), .address = gpa, .size = size,
				      .value = write ? *val : 0 };
	u64 got = ioreq_round_trip(v, ABI_IOREQ_TYPE_MMIO, &m, sizeof(m));

	if (!write)
		*val = got;
	return 0;
}

/* reg: byte offset in the function's config space (what Linux's HSM decodes). */
int ioreq_forward_pcicfg(struct vcpu *v, u16 bdf, u16 reg, unsigned size, bool write, u32 *val)
{
	struct abi_pci_request c = { .direction = IOREQ_DIR(write), .size = size,
				     .value = write ? *val : 0, .bus = PCI_BUS(bdf),
				     .dev = PCI_DEV(bdf), .func = PCI_FN(bdf), .reg = reg };
	u32 got = (u32)ioreq_round_trip(v, ABI_IOREQ_TYPE_PCICFG, &c, sizeof(c));

	if (!write)
		*val = got;
	return 0;
}

/* A post-launched VM's fallback: what no handler of its own claims goes to the device model. */
static int fwd_pio_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)opaque;
	return ioreq_forward_pio(v, port, size, false, val);
}

static int fwd_pio_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)opaque;
	return ioreq_forward_pio(v, port, size, true, &val);
}

static int fwd_mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	(void)opaque;
	return ioreq_forward_mmio(v, gpa, size, false, val);
}

static int fwd_mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val)
{
	(void)opaque;
	return ioreq_forward_mmio(v, gpa, size, true, &val);
}

static const struct pio_handler fwd_pio = { .read = fwd_pio_read, .write = fwd_pio_write };
static const struct mmio_handler fwd_mmio = { .read = fwd_mmio_read, .write = fwd_mmio_write };
const struct io_fallback ioreq_fallback = { &fwd_pio, &fwd_mmio, ioreq_forward_pcicfg };

/* ---- the Service VM's side (hypercalls, arguments validated by hypercall/ioreq.c) ---- */

u64 vmm_ioreq_buffer(const struct vm *vm)
{
	return vm->ioreq_gpa;
}

int vmm_set_ioreq_buffer(struct vm *vm, u64 gpa)
{
	struct abi_io_request_buffer *page = vm_gpa_to_hva(service_vm, gpa, sizeof(*page));

	if (!page)
		return -EFAULT;
	vm->ioreq = page;
	vm->ioreq_gpa = gpa;
	ioreq_reset_slots(vm);
	return 0;
}

/* Every slot FREE: a new buffer, or a VM reset (requests in flight were dropped with its vCPUs). */
void ioreq_reset_slots(struct vm *vm)
{
	if (!vm->ioreq)
		return;
	for (unsigned i = 0; i < ABI_IO_REQUEST_MAX; i++)
		vm->ioreq->req_slot[i].processed = ABI_IOREQ_STATE_FREE;
}

/*
 * A stray notify (the slot not COMPLETE) is refused. The page is read where
 * SET_IOREQ_BUFFER found it in the Service VM's RAM, under the lock that
 * orders notifies for one VM.
 */
int vmm_notify_request_finish(struct vm *vm, u16 vcpu_id)
{
	struct vcpu *v = vm->vcpus[vcpu_id];
	int ret = -EINVAL;

	spin_lock(&vm->ioreq_lock);
	if (vm->ioreq->req_slot[vcpu_id].processed == ABI_IOREQ_STATE_COMPLETE) {
		__atomic_store_n(&v->ioreq_finished, true, __ATOMIC_SEQ_CST);
		/* a vCPU still polling sees it without an IPI (ioreq_wait) */
		if (v->pcpu->vcpu == v && __atomic_load_n(&v->ioreq_asleep, __ATOMIC_SEQ_CST))
			lapic_send_ipi(v->pcpu->apic_id, KICK_VECTOR);
		ret = 0;
	}
	spin_unlock(&vm->ioreq_lock);
	return ret;
}

/* A post-launched VM starts with no buffer; what it does not claim goes to the device model. */
static int ioreq_vm_init(struct vm *vm)
{
	vm->ioreq = NULL;
	vm->ioreq_gpa = VMM_NO_IOREQ_BUFFER;
	vm->fallback = &ioreq_fallback;
	return 0;
}

const struct vm_unit ioreq_unit = {
	.name = "I/O requests", .kinds = UNIT_POST_VMS,
	.init = ioreq_vm_init, .reset = ioreq_reset_slots,
};
