/* The host interrupt handler registry (include/irq.h). */
#include "lib.h"
#include "irq.h"
#include "lapic.h"
#include "spinlock.h"

static struct irq_slot {
	irq_handler_t fn;
	void *ctx;
} slots[256];
static spinlock_t irq_lock = SPINLOCK_INIT;

int irq_register(u8 first, unsigned count, irq_handler_t fn, void *ctx)
{
	int ret = 0;

	if (!count || first < 0x20 || first + count > 256 || !fn)
		return -EINVAL;
	spin_lock(&irq_lock);
	for (unsigned v = first; v < first + count; v++)
		if (slots[v].fn)
			ret = -EBUSY;
	for (unsigned v = first; v < first + count && !ret; v++)
		slots[v] = (struct irq_slot){ fn, ctx };
	spin_unlock(&irq_lock);
	return ret;
}

void irq_dispatch(u8 vector)
{
	/* written once at boot, before any CPU takes these vectors */
	const struct irq_slot *s = &slots[vector];

	if (s->fn)
		s->fn(vector, s->ctx);
	lapic_eoi();
}
