/*
 * Physical IOAPIC access for INTx passthrough. The hypervisor uses no
 * device interrupts of its own, so it only touches the pins of devices it
 * passes through. What goes into a pin's RTE (compatibility format, or
 * remappable through a VT-d IRTE) is the caller's choice (dm/ptirq.c).
 */
#include "lib.h"
#include "ioapic.h"
#include "mm.h"
#include "spinlock.h"
#include "vm_config.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define RTE_MASKED BIT(16)

static spinlock_t ioapic_lock = SPINLOCK_INIT;

static const struct board_ioapic *find(u32 gsi, unsigned *pin)
{
	const struct board_config *b = scenario.board_info;

	for (unsigned i = 0; b && i < b->nr_ioapics; i++) {
		const struct board_ioapic *io = &b->ioapics[i];

		/* 24 pins each: what every IOAPIC of our boards has */
		if (gsi >= io->gsi_base && gsi < io->gsi_base + 24) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

static u32 rd(const struct board_ioapic *io, u32 reg)
{
	volatile u32 *b = phys_to_virt(io->base);

	b[IOREGSEL / 4] = reg;
	return b[IOWIN / 4];
}

static void wr(const struct board_ioapic *io, u32 reg, u32 val)
{
	volatile u32 *b = phys_to_virt(io->base);

	b[IOREGSEL / 4] = reg;
	b[IOWIN / 4] = val;
}

int ioapic_gsi_id(u32 gsi, u8 *ioapic_id)
{
	unsigned pin;
	const struct board_ioapic *io = find(gsi, &pin);

	if (!io)
		return -ENODEV;
	*ioapic_id = (u8)io->id;
	return 0;
}

int ioapic_write_rte(u32 gsi, u64 rte)
{
	unsigned pin;
	const struct board_ioapic *io = find(gsi, &pin);

	if (!io)
		return -ENODEV;
	spin_lock(&ioapic_lock);
	wr(io, 0x10 + 2 * pin, RTE_MASKED);
	wr(io, 0x11 + 2 * pin, (u32)(rte >> 32));
	wr(io, 0x10 + 2 * pin, (u32)rte);
	spin_unlock(&ioapic_lock);
	return 0;
}

void ioapic_mask(u32 gsi, bool masked)
{
	unsigned pin;
	const struct board_ioapic *io = find(gsi, &pin);
	u32 lo;

	if (!io)
		return;
	spin_lock(&ioapic_lock);
	lo = rd(io, 0x10 + 2 * pin);
	wr(io, 0x10 + 2 * pin, masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
	spin_unlock(&ioapic_lock);
}
