/*
 * What dm/ptirq.c drives, recorded (included once by test_ptirq.c and
 * test_isa_irq.c): the physical IOAPIC's pins (vector, trigger, polarity,
 * mask, destination), the vIOAPICs' lines (level latched in remote IRR,
 * rising edges counted), and three VMs: pre-launched, Service,
 * post-launched, each on its own pCPU with guest vectors 0x40 + pin.
 */
#ifndef PTIRQ_FIXTURE_H
#define PTIRQ_FIXTURE_H

#include "lib.h"
#include "ioapic.h"
#include "irq.h"
#include "percpu.h"
#include "vm.h"
#include "ptirq.h"

#define VEC(gsi) (0xB0 + (gsi))
#define TICKS_PER_MS 1000ULL
#define WINDOW (PTIRQ_EDGE_WINDOW_MS * TICKS_PER_MS)

u64 tsc_khz = TICKS_PER_MS;

static struct {
	bool masked[24];
	bool routed[24];
	bool level[24], low[24];
	u32 dest[24];
	unsigned writes[24];
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
	if (ioa.route_ret)
		return ioa.route_ret;
	ioa.routed[gsi] = true;
	ioa.level[gsi] = !!(rte & BIT(15));
	ioa.low[gsi] = !!(rte & BIT(13));
	ioa.dest[gsi] = (u32)(rte >> 56);
	ioa.masked[gsi] = !!(rte & BIT(16));
	ioa.writes[gsi]++;
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

/* rising edges seen by each VM's vIOAPIC (vioapic.id = the VM's index) */
static unsigned rises[3][24];

int vioapic_set_irq(struct vioapic *v, u32 pin, bool level)
{
	if (level && !(v->lines & BIT(pin)))
		rises[v->id][pin]++;
	v->lines = level ? v->lines | (u32)BIT(pin) : v->lines & ~(u32)BIT(pin);
	v->rte[pin] = (v->rte[pin] & ~BIT(14)) | (level ? BIT(14) : 0);	/* remote IRR as "latched" */
	return 0;
}

u64 vioapic_rte(struct vioapic *v, u32 pin)
{
	return v->rte[pin];
}

static inline bool latched(struct vm *vm, u32 pin)
{
	return vm->vioapic.rte[pin] & BIT(14);
}

/* the guest programs its vIOAPIC pin (the MMIO write ptirq_vrte_written follows) */
static inline void guest_rte(struct vm *vm, u32 pin, bool level, bool low)
{
	vm->vioapic.rte[pin] = (vm->vioapic.rte[pin] & ~(BIT(15) | BIT(13))) |
			       (level ? BIT(15) : 0) | (low ? BIT(13) : 0);
	ptirq_vrte_written(vm);
}

static struct pcpu cpus[3];
static struct vcpu vc[3];
static struct vm pre, svm, post;

static inline void vm_make(struct vm *vm, const char *name, unsigned i, bool is_post)
{
	memset(vm, 0, sizeof(*vm));
	vm->name = name;
	vm->post = is_post;
	vm->state = VM_RUNNING;
	vm->nr_vcpus = 1;
	vm->vcpus[0] = &vc[i];
	vm->vioapic.id = i;
	vc[i].pcpu = &cpus[i];
	cpus[i].apic_id = 10 + i;
	/* guest vectors 0x40 + pin, edge, active high, as a guest would program its vIOAPIC */
	for (u32 p = 0; p < 24; p++)
		vm->vioapic.rte[p] = 0x40 + p;
}

static inline void vms_make(void)
{
	memset(&ioa, 0, sizeof(ioa));
	memset(rises, 0, sizeof(rises));
	vm_make(&pre, "pre", 0, false);
	vm_make(&svm, "sos", 1, false);
	vm_make(&post, "post", 2, true);
}

static inline void vms_release(void)
{
	ptirq_release(&pre);
	ptirq_release(&svm);
	ptirq_release(&post);
}

static inline int vms_setup(void **state)
{
	(void)state;
	vms_make();
	return 0;
}

static inline int vms_teardown(void **state)
{
	(void)state;
	vms_release();
	return 0;
}

#endif
