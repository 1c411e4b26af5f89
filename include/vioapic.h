/*
 * Virtual IOAPIC (version 0x20: 24 pins and an EOI register), pure logic.
 * Interrupts leave through vlapic_deliver() to the VM's struct vlapic_group.
 *
 * Pin levels are logical (true = asserted); the RTE polarity bit is kept for
 * the guest to read back but not applied. Edge pins deliver on a rising
 * edge; level pins deliver while asserted and remote IRR is clear, set
 * remote IRR, and are delivered again after the EOI if still asserted.
 * Masked pins deliver nothing (edges arriving while masked are lost).
 *
 * An internal spinlock serializes all entry points; do not call them from
 * a hypervisor interrupt handler that may interrupt a holder on the same
 * pCPU. vioapic_eoi() is meant to be called from the group's eoi hook.
 */
#ifndef BH_VIOAPIC_H
#define BH_VIOAPIC_H

#include "types.h"

struct vlapic_group;

#define VIOAPIC_BASE		0xFEC00000ULL	/* guest physical */
#define VIOAPIC_SIZE		0x1000
#define VIOAPIC_PINS		24
#define VIOAPIC_VERSION		0x20

/* MMIO offsets */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_EOI		0x40

/* indirect registers */
#define IOAPIC_ID		0x00
#define IOAPIC_VER		0x01
#define IOAPIC_ARB		0x02
#define IOAPIC_RTE_LO(pin)	(0x10 + 2 * (pin))
#define IOAPIC_RTE_HI(pin)	(0x11 + 2 * (pin))

/* redirection table entry bits */
#define IOAPIC_RTE_VECTOR	0xFFULL
#define IOAPIC_RTE_DM_SHIFT	8
#define IOAPIC_RTE_LOGICAL	BIT(11)
#define IOAPIC_RTE_BUSY		BIT(12)
#define IOAPIC_RTE_ACTIVE_LOW	BIT(13)
#define IOAPIC_RTE_REMOTE_IRR	BIT(14)
#define IOAPIC_RTE_LEVEL	BIT(15)
#define IOAPIC_RTE_MASKED	BIT(16)
#define IOAPIC_RTE_DEST_SHIFT	56

struct vioapic {
	struct vlapic_group *group;
	u32 id;				/* ID register, bits 27:24 */
	u32 regsel;			/* IOREGSEL */
	u32 lines;			/* asserted pins, bit per pin */
	u32 lock;
	u64 rte[VIOAPIC_PINS];
};

/* Power-up: all pins masked, lines low. */
void vioapic_init(struct vioapic *v, struct vlapic_group *g, u8 id);

/*
 * offset in the 4 KiB window: IOREGSEL (size 1, 2 or 4), IOWIN (size 4),
 * EOI (size 4, write only). Other offsets read 0 and ignore writes.
 * -EINVAL for a size the register does not take.
 */
int vioapic_mmio_read(struct vioapic *v, u32 offset, u32 size, u32 *val);
int vioapic_mmio_write(struct vioapic *v, u32 offset, u32 size, u32 val);

/* Set the logical level of an input pin; -EINVAL for pin >= VIOAPIC_PINS. */
int vioapic_set_irq(struct vioapic *v, u32 pin, bool level);
/* A vLAPIC EOIed a level-triggered vector (also the EOI register). */
void vioapic_eoi(struct vioapic *v, u8 vector);
/* Current redirection entry (RTE) of pin, for debugging and tests. */
u64 vioapic_rte(struct vioapic *v, u32 pin);

#endif
