/* The host interrupt handler registry (include/irq.h): one handler per owner of a vector range. */
#include "lib.h"
#include "irq.h"
#include "lapic.h"

static irq_handler_t handlers[NR_IRQ_OWNERS];

int irq_register(enum irq_owner owner, irq_handler_t fn)
{
	/* owners register at boot, on the boot CPU, before their vectors are programmed */
	if (owner >= NR_IRQ_OWNERS || !fn)
		return -EINVAL;
	if (handlers[owner])
		return -EBUSY;
	handlers[owner] = fn;
	return 0;
}

void irq_dispatch(u8 vector)
{
	enum irq_owner owner = irq_owner_of(vector);

	if (owner != IRQ_OWNER_NONE && handlers[owner])
		handlers[owner](vector);
	lapic_eoi();
}
