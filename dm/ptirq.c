/*
 * INTx passthrough: a passthrough device's GSI is routed on the physical
 * IOAPIC to a host vector on the pCPU of the VM's vCPU 0. When it fires,
 * the physical pin is masked and the VM's vIOAPIC line asserted; when the
 * guest EOIs that vector, the virtual line drops and the physical pin is
 * unmasked (a device still asserting INTx then interrupts again). Level
 * interrupts thus never storm the host, whatever the guest does.
 */
#include "lib.h"
#include "ratelimit.h"
#include "ioapic.h"
#include "percpu.h"
#include "vm.h"
#include "ptirq.h"
#include "vtd.h"
#include "vm_unit.h"

#define INTX_GSIS IRQ_INTX_COUNT

static struct intx_route {
	struct vm *vm;
	u32 vgsi;
	bool asserted;
} routes[INTX_GSIS];
static spinlock_t routes_lock = SPINLOCK_INIT;

/* PCI INTx on the physical pin: level, active low; remappable where VT-d remaps interrupts. */
static int route_pin(u32 gsi, u32 dest)
{
	u8 vector = (u8)(IRQ_INTX_BASE + gsi), id;
	u64 rte;
	int ret = ioapic_gsi_id(gsi, &id);

	if (ret)
		return ret;
	if (vtd_active()) {
		u16 irte;

		ret = vtd_ioapic_setup(id, vector, dest, true, true, &irte, &rte);
		if (ret)
			return ret;
	} else {
		rte = ioapic_rte(vector, dest, true, true);
	}
	return ioapic_write_rte(gsi, rte);
}

int ptirq_intx_add(struct vm *vm, u32 gsi, u32 vgsi)
{
	int ret;

	if (gsi >= INTX_GSIS || vgsi >= VIOAPIC_PINS)
		return -EINVAL;
	spin_lock(&routes_lock);
	if (routes[gsi].vm && routes[gsi].vm != vm) {
		const char *holder = routes[gsi].vm->name;	/* static: safe after unlock */

		spin_unlock(&routes_lock);
		printk_ratelimited("VM %s: GSI %u is already passed through to VM %s (shared INTx lines "
		       "between VMs are not supported)\n", vm->name, gsi, holder);
		return -EBUSY;
	}
	routes[gsi] = (struct intx_route){ vm, vgsi, false };
	ret = route_pin(gsi, vm->vcpus[0]->pcpu->apic_id);
	if (ret)
		routes[gsi].vm = NULL;
	spin_unlock(&routes_lock);
	if (ret)
		printk_ratelimited("VM %s: GSI %u cannot be routed on the IOAPIC (%d)\n", vm->name, gsi, ret);
	return ret;
}

/* A passthrough INTx fired on this pCPU (external-interrupt exit). */
bool ptirq_intx_deliver(u8 vector)
{
	struct intx_route *r;
	u32 gsi = (u32)vector - IRQ_INTX_BASE;

	if (vector < IRQ_INTX_BASE || gsi >= INTX_GSIS)
		return false;
	r = &routes[gsi];
	/* locked: the line may be moving to another VM right now (interrupts are off here) */
	spin_lock(&routes_lock);
	ioapic_mask(gsi, true);
	/* latched in the vIOAPIC even while the VM is not running: its EOI unmasks the pin */
	if (r->vm && r->vm->state != VM_STOPPED) {
		r->asserted = true;
		vioapic_set_irq(&r->vm->vioapic, r->vgsi, true);
	}
	spin_unlock(&routes_lock);
	return true;
}

static void intx_irq(u8 vector)
{
	ptirq_intx_deliver(vector);
}

/* Boot: the INTx vectors are ptirq's. */
int ptirq_init(void)
{
	return irq_register(IRQ_OWNER_INTX, intx_irq);
}

/* The guest EOIed vector: drop the lines it served, let the device speak again. */
void ptirq_eoi(struct vm *vm, u8 vector)
{
	/* locked: a line may be moving to another VM (a paused VM's vCPU can still be here) */
	spin_lock(&routes_lock);
	for (u32 gsi = 0; gsi < INTX_GSIS; gsi++) {
		struct intx_route *r = &routes[gsi];

		if (r->vm != vm || !r->asserted || (vioapic_rte(&vm->vioapic, r->vgsi) & 0xff) != vector)
			continue;
		r->asserted = false;
		vioapic_set_irq(&vm->vioapic, r->vgsi, false);
		ioapic_mask(gsi, false);
	}
	spin_unlock(&routes_lock);
}

/* vm's vIOAPIC was reset: nothing it latched will be EOIed, so its pins start over. */
void ptirq_reset(struct vm *vm)
{
	spin_lock(&routes_lock);
	for (u32 gsi = 0; gsi < INTX_GSIS; gsi++)
		if (routes[gsi].vm == vm && routes[gsi].asserted) {
			routes[gsi].asserted = false;
			ioapic_mask(gsi, false);
		}
	spin_unlock(&routes_lock);
}

/* A stopped VM's pins go quiet and free. */
void ptirq_release(struct vm *vm)
{
	spin_lock(&routes_lock);
	for (u32 gsi = 0; gsi < INTX_GSIS; gsi++)
		if (routes[gsi].vm == vm) {
			ioapic_mask(gsi, true);
			routes[gsi].vm = NULL;
		}
	spin_unlock(&routes_lock);
}

/*
 * Hand GSI gsi's route from VM from (or from nobody) to vm at its vIOAPIC
 * pin vgsi (device moves between VMs). A line some other VM holds, e.g. a
 * pre-launched VM's device sharing the pin, is not taken: -EBUSY.
 */
int ptirq_intx_move(u32 gsi, struct vm *from, struct vm *vm, u32 vgsi)
{
	struct intx_route *r;

	if (gsi >= INTX_GSIS || vgsi >= VIOAPIC_PINS)
		return -EINVAL;
	r = &routes[gsi];
	spin_lock(&routes_lock);
	if (r->vm && r->vm != from && r->vm != vm) {
		const char *holder = r->vm->name;	/* static: safe after unlock */

		spin_unlock(&routes_lock);
		printk_ratelimited("VM %s: GSI %u belongs to VM %s: not moved\n", vm->name, gsi, holder);
		return -EBUSY;
	}
	if (r->vm && r->asserted)
		vioapic_set_irq(&r->vm->vioapic, r->vgsi, false);
	ioapic_mask(gsi, true);
	r->vm = NULL;
	spin_unlock(&routes_lock);
	return ptirq_intx_add(vm, gsi, vgsi);
}

bool ptirq_intx_find(const struct vm *vm, u32 vgsi, bool pic, u32 *gsi)
{
	if (pic)
		return false;	/* no vPIC */
	for (u32 g = 0; g < INTX_GSIS; g++)
		if (routes[g].vm == vm && routes[g].vgsi == vgsi) {
			*gsi = g;
			return true;
		}
	return false;
}

struct vm *ptirq_intx_owner(u32 gsi)
{
	return gsi < INTX_GSIS ? routes[gsi].vm : NULL;
}

struct vm *ptirq_intx_route(u32 gsi, u32 *vgsi)
{
	struct vm *vm;

	if (gsi >= INTX_GSIS)
		return NULL;
	spin_lock(&routes_lock);
	vm = routes[gsi].vm;
	*vgsi = routes[gsi].vgsi;
	spin_unlock(&routes_lock);
	return vm;
}

/* Lines are routed by the vPCI unit (ptirq_intx_add) and moved by ASSIGN/SET_PTDEV_INTR. */
const struct vm_unit ptirq_unit = {
	.name = "INTx routes", .kinds = UNIT_ALL_VMS,
	.reset = ptirq_reset, .release = ptirq_release,
};
