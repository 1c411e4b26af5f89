/*
 * Interrupt line passthrough: a GSI is routed on the physical IOAPIC to a
 * host vector on the pCPU of the VM's vCPU 0 and delivered on the VM's
 * vIOAPIC pin as the route's trigger mode says:
 * - level (PCI INTx): when it fires, the physical pin is masked and the
 *   virtual line asserted; when the guest EOIs that vector, the line drops
 *   and the pin is unmasked (a device still asserting then interrupts
 *   again). A level line never storms the host, whatever the guest does.
 * - edge (ISA lines: the RTC, HPET timers): each edge is a pulse on the
 *   virtual pin, nothing waits for an EOI. An edge source can fire as fast
 *   as the guest sets it (an HPET comparator), so a route with
 *   PTIRQ_EDGE_BURST edges in one window has its pin masked until the
 *   window is over (ptirq_poll): an edge line cannot storm the host either.
 * A PTIRQ_FOLLOW_VRTE route takes trigger and polarity from the guest's
 * vIOAPIC RTE (the Service VM's OS programs it from its MADT and device
 * descriptions, as it would the physical pin), and its mask: a line the
 * guest has not opened costs the host nothing.
 */
#include "lib.h"
#include "ratelimit.h"
#include "ioapic.h"
#include "lapic.h"
#include "percpu.h"
#include "vm.h"
#include "ptirq.h"
#include "vtd.h"
#include "vm_unit.h"
#include "x86.h"

#define INTX_GSIS IRQ_INTX_COUNT

static struct intx_route {
	struct vm *vm;
	u32 vgsi;
	u8 mode;		/* PTIRQ_* */
	bool asserted;		/* level: the virtual line is up, the pin masked */
	bool throttled;		/* edge: masked until its window is over */
	bool vmasked;		/* following: the guest's vIOAPIC pin is masked */
	bool warned;
	u32 edges;		/* edges since win_start */
	u64 win_start;		/* TSC */
} routes[INTX_GSIS];
static spinlock_t routes_lock = SPINLOCK_INIT;
static unsigned nr_throttled;	/* lets ptirq_poll return at once */

static u64 window_ticks(void)
{
	return tsc_khz * PTIRQ_EDGE_WINDOW_MS;
}

/* The route's trigger and polarity on the physical pin; remappable where VT-d remaps interrupts. */
static int route_pin(u32 gsi, u32 dest, unsigned mode)
{
	bool level = mode & PTIRQ_LEVEL, low = mode & PTIRQ_ACTIVE_LOW;
	u8 vector = (u8)(IRQ_INTX_BASE + gsi), id;
	u64 rte;
	int ret = ioapic_gsi_id(gsi, &id);

	if (ret)
		return ret;
	if (vtd_active()) {
		u16 irte;

		ret = vtd_ioapic_setup(id, vector, dest, level, low, &irte, &rte);
		if (ret)
			return ret;
	} else {
		rte = ioapic_rte(vector, dest, level, low);
	}
	return ioapic_write_rte(gsi, rte);
}

/* Trigger and polarity as the guest programmed its vIOAPIC pin. */
static unsigned vrte_mode(u64 rte)
{
	return (rte & IOAPIC_RTE_LEVEL ? PTIRQ_LEVEL : 0) |
	       (rte & IOAPIC_RTE_ACTIVE_LOW ? PTIRQ_ACTIVE_LOW : 0);
}

/* The physical pin is open unless a latched level, the storm limit or the guest closes it. */
static void pin_mask_update(u32 gsi, const struct intx_route *r)
{
	ioapic_mask(gsi, r->asserted || r->throttled || r->vmasked);
}

static void unthrottle(struct intx_route *r)
{
	if (r->throttled) {
		r->throttled = false;
		nr_throttled--;
	}
}

int ptirq_route_add(struct vm *vm, u32 gsi, u32 vgsi, unsigned mode)
{
	u64 vrte;
	int ret;

	if (gsi >= INTX_GSIS || vgsi >= VIOAPIC_PINS)
		return -EINVAL;
	vrte = vioapic_rte(&vm->vioapic, vgsi);
	if (mode & PTIRQ_FOLLOW_VRTE)
		mode = PTIRQ_FOLLOW_VRTE | vrte_mode(vrte);
	spin_lock(&routes_lock);
	if (routes[gsi].vm && routes[gsi].vm != vm) {
		const char *holder = routes[gsi].vm->name;	/* static: safe after unlock */

		spin_unlock(&routes_lock);
		printk_ratelimited("VM %s: GSI %u is already passed through to VM %s (shared INTx lines "
		       "between VMs are not supported)\n", vm->name, gsi, holder);
		return -EBUSY;
	}
	unthrottle(&routes[gsi]);
	routes[gsi] = (struct intx_route){ .vm = vm, .vgsi = vgsi, .mode = (u8)mode,
		.vmasked = (mode & PTIRQ_FOLLOW_VRTE) && (vrte & IOAPIC_RTE_MASKED) };
	ret = route_pin(gsi, vm->vcpus[0]->pcpu->apic_id, mode);
	if (ret)
		routes[gsi].vm = NULL;
	else if (routes[gsi].vmasked)
		ioapic_mask(gsi, true);
	spin_unlock(&routes_lock);
	if (ret)
		printk_ratelimited("VM %s: GSI %u cannot be routed on the IOAPIC (%d)\n", vm->name, gsi, ret);
	return ret;
}

int ptirq_intx_add(struct vm *vm, u32 gsi, u32 vgsi)
{
	return ptirq_route_add(vm, gsi, vgsi, PTIRQ_PCI_INTX);
}

/* One edge: a pulse on the virtual pin, counted against the storm limit. */
static void deliver_edge(u32 gsi, struct intx_route *r, u64 now)
{
	if (now - r->win_start >= window_ticks()) {
		r->win_start = now;
		r->edges = 0;
	}
	vioapic_set_irq(&r->vm->vioapic, r->vgsi, true);
	vioapic_set_irq(&r->vm->vioapic, r->vgsi, false);
	if (++r->edges < PTIRQ_EDGE_BURST)
		return;
	ioapic_mask(gsi, true);
	r->throttled = true;
	nr_throttled++;
	if (!r->warned) {
		r->warned = true;
		printk("VM %s: GSI %u fired %u times within %u ms: masked for the rest of it "
		       "(said once)\n", r->vm->name, gsi, r->edges, PTIRQ_EDGE_WINDOW_MS);
	}
}

/* A passthrough line fired on this pCPU (external-interrupt exit). */
bool ptirq_intx_deliver(u8 vector, u64 now)
{
	struct intx_route *r;
	u32 gsi = (u32)vector - IRQ_INTX_BASE;

	if (vector < IRQ_INTX_BASE || gsi >= INTX_GSIS)
		return false;
	r = &routes[gsi];
	/* locked: the line may be moving to another VM right now (interrupts are off here) */
	spin_lock(&routes_lock);
	if (!r->vm || r->vm->state == VM_STOPPED) {
		ioapic_mask(gsi, true);		/* nobody takes it: quiet until routed again */
	} else if (r->mode & PTIRQ_LEVEL) {
		/* latched in the vIOAPIC even while the VM is not running: its EOI unmasks the pin */
		ioapic_mask(gsi, true);
		r->asserted = true;
		vioapic_set_irq(&r->vm->vioapic, r->vgsi, true);
	} else {
		deliver_edge(gsi, r, now);
	}
	spin_unlock(&routes_lock);
	return true;
}

static void intx_irq(u8 vector)
{
	ptirq_intx_deliver(vector, rdtsc());
}

/* Boot: the INTx vectors are ptirq's. */
int ptirq_init(void)
{
	return irq_register(IRQ_OWNER_INTX, intx_irq);
}

/* The guest EOIed vector: drop the level lines it served, let the device speak again. */
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
		pin_mask_update(gsi, r);
	}
	spin_unlock(&routes_lock);
}

/*
 * The guest wrote its vIOAPIC: a following route takes the mask of its pin,
 * and a new trigger or polarity reprograms the physical pin (nothing
 * latched is kept: the guest is setting the line up).
 */
void ptirq_vrte_written(struct vm *vm)
{
	spin_lock(&routes_lock);
	for (u32 gsi = 0; gsi < INTX_GSIS; gsi++) {
		struct intx_route *r = &routes[gsi];
		unsigned mode;
		u64 vrte;
		bool vmasked;

		if (r->vm != vm || !(r->mode & PTIRQ_FOLLOW_VRTE))
			continue;
		vrte = vioapic_rte(&vm->vioapic, r->vgsi);
		mode = PTIRQ_FOLLOW_VRTE | vrte_mode(vrte);
		vmasked = vrte & IOAPIC_RTE_MASKED;
		if (mode == r->mode && vmasked == r->vmasked)
			continue;
		r->vmasked = vmasked;
		if (mode == r->mode) {
			pin_mask_update(gsi, r);
			continue;
		}
		if (r->asserted) {
			r->asserted = false;
			vioapic_set_irq(&vm->vioapic, r->vgsi, false);
		}
		unthrottle(r);
		r->mode = (u8)mode;
		if (route_pin(gsi, vm->vcpus[0]->pcpu->apic_id, mode)) {
			ioapic_mask(gsi, true);
			printk("VM %s: GSI %u cannot be set to %s, %s: masked\n", vm->name, gsi,
			       mode & PTIRQ_LEVEL ? "level" : "edge",
			       mode & PTIRQ_ACTIVE_LOW ? "active low" : "active high");
		} else if (vmasked) {
			ioapic_mask(gsi, true);
		}
	}
	spin_unlock(&routes_lock);
}

/* Edge lines masked by the storm limit speak again once their window is over. */
void ptirq_poll(u64 now)
{
	if (!__atomic_load_n(&nr_throttled, __ATOMIC_RELAXED))
		return;
	spin_lock(&routes_lock);
	for (u32 gsi = 0; gsi < INTX_GSIS; gsi++) {
		struct intx_route *r = &routes[gsi];

		if (!r->throttled || now - r->win_start < window_ticks())
			continue;
		unthrottle(r);
		r->win_start = now;
		r->edges = 0;
		pin_mask_update(gsi, r);
	}
	spin_unlock(&routes_lock);
}

/* vm's vIOAPIC was reset: nothing it latched will be EOIed, so its pins start over. */
void ptirq_reset(struct vm *vm)
{
	spin_lock(&routes_lock);
	for (u32 gsi = 0; gsi < INTX_GSIS; gsi++) {
		struct intx_route *r = &routes[gsi];

		if (r->vm != vm || (!r->asserted && !r->throttled))
			continue;
		r->asserted = false;
		unthrottle(r);
		r->edges = 0;
		pin_mask_update(gsi, r);
	}
	spin_unlock(&routes_lock);
}

/* One line of vm's goes quiet and free (its device went to another VM). */
void ptirq_route_del(struct vm *vm, u32 gsi)
{
	if (gsi >= INTX_GSIS)
		return;
	spin_lock(&routes_lock);
	if (routes[gsi].vm == vm) {
		ioapic_mask(gsi, true);
		unthrottle(&routes[gsi]);
		routes[gsi].vm = NULL;
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
			unthrottle(&routes[gsi]);
			routes[gsi].vm = NULL;
		}
	spin_unlock(&routes_lock);
}

/*
 * Hand GSI gsi's route from VM from (or from nobody) to vm at its vIOAPIC
 * pin vgsi (device moves between VMs). A line some other VM holds, e.g. a
 * pre-launched VM's device sharing the pin, is not taken, nor one of the
 * holder's ISA devices (its RTC, its HPET: no PCI function is on it): -EBUSY.
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
	if (r->vm && (r->mode & PTIRQ_FOLLOW_VRTE)) {
		spin_unlock(&routes_lock);
		printk("VM %s: GSI %u is an ISA line of VM %s's (RTC, HPET), not a PCI function's: "
		       "not moved\n", vm->name, gsi, r->vm->name);
		return -EBUSY;
	}
	if (r->vm && r->asserted)
		vioapic_set_irq(&r->vm->vioapic, r->vgsi, false);
	ioapic_mask(gsi, true);
	unthrottle(r);
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

unsigned ptirq_route_mode(u32 gsi)
{
	return gsi < INTX_GSIS && routes[gsi].vm ? routes[gsi].mode : 0;
}

/* Lines are routed by the vPCI unit and isa_irq.c, and moved by ASSIGN/SET_PTDEV_INTR. */
const struct vm_unit ptirq_unit = {
	.name = "INTx routes", .kinds = UNIT_ALL_VMS,
	.reset = ptirq_reset, .release = ptirq_release,
};
