/* The host interrupt handler registry (include/irq.h). */
#include "lib.h"
#include "irq.h"
#include "lapic.h"
#include "spinlock.h"

static irq_handler_t handlers[256];
static spinlock_t irq_lock = SPINLOCK_INIT;

int irq_register(u8 first, unsigned count, irq_handler_t fn)
{
	int ret = 0;

	if (!count || first < 0x20 || first + count > 256 || !fn)
		return -EINVAL;
	spin_lock(&irq_lock);
	for (unsigned v = first; v < first + count; v++)
		if (handlers[v])
			ret = -EBUSY;
	for (unsigned v = first; v < first + count && !ret; v++)
		handlers[v] = fn;
	spin_unlock(&irq_lock);
	return ret;
}

void irq_dispatch(u8 vector)
{
	/* written once at boot, before any CPU takes these vectors */
	irq_handler_t fn = handlers[vector];

	if (fn)
		fn(vector);
	lapic_eoi();
}
