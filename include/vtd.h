/*
 * VT-d: DMA remapping (one domain per VM, devices of no VM blocked) and
 * interrupt remapping (source-verified IRTEs) on the host's remapping units.
 */
#ifndef BH_VTD_H
#define BH_VTD_H

#include "types.h"
#include "irq.h"
#include "vtd_ir.h"
#include "vtd_pt.h"

#define VTD_MAX_DOMAINS		16

struct boot_info;
struct vm_config;
struct vtd_domain;

/*
 * Boot: parse the DMAR, bring every unit up (root table, queued
 * invalidation, interrupt remapping, fault events on VTD_FAULT_VECTOR to
 * the calling CPU) and turn translation on with every device blocked.
 * Needs the heap, the LAPIC and the TSC. Prints what it found. Returns 0
 * when VT-d is active; -ENODEV without a DMAR table (Bochs), another
 * negative errno when the table or a unit is unusable (VT-d then stays
 * off on every unit).
 */
int vtd_init(const struct boot_info *bi);
bool vtd_active(void);		/* DMA remapping is on */
bool vtd_ir_active(void);	/* interrupt remapping too: compatibility-format MSIs blocked */
bool vtd_dmar_present(void);	/* the platform has a DMAR table */

/*
 * Self-checks with the QEMU edu device: TAP lines, then isa-debug-exit; it
 * returns only in a build without them (make VTD_SELFTEST=1 adds them).
 */
void vtd_selftest_run(void);

/*
 * Call on VTD_FAULT_VECTOR (or any time): decode, log (rate limited) and
 * clear every pending fault record of every unit. The caller sends the
 * LAPIC EOI.
 */
void vtd_fault_handle(void);
/* Faults seen since boot (all units), and the most recent one. */
u64 vtd_fault_count(void);
struct vtd_fault;
bool vtd_fault_last(struct vtd_fault *f);

/* Domains (one per VM): NULL when VT-d is off or no DID is left. */
struct vtd_domain *vtd_domain_create(const char *name);
/* Free a domain no device is in any more (-EBUSY otherwise); its DID can be reused. */
int vtd_domain_destroy(struct vtd_domain *d);
u16 vtd_domain_id(const struct vtd_domain *d);
/* Map/unmap DMA addresses (VTD_PERM_*), invalidating the IOTLBs that need it. */
int vtd_domain_map(struct vtd_domain *d, u64 iova, u64 hpa, u64 size, unsigned perm);
int vtd_domain_unmap(struct vtd_domain *d, u64 iova, u64 size);
int vtd_domain_translate(const struct vtd_domain *d, u64 iova, u64 *hpa, unsigned *perm);
/* Map exactly a VM's memory ranges, GPA -> HPA, read/write. */
int vtd_domain_map_vm(struct vtd_domain *d, const struct vm_config *vc);

/*
 * Put PCI device @bdf (segment 0) into @d: RMRR ranges the DMAR names for
 * it are identity-mapped into @d first, then the context entry is switched
 * with the invalidations the unit needs. Works for a first assignment and
 * for moving between domains. -ENODEV when no unit covers the device,
 * -EBUSY when an RMRR collides with a mapping of @d.
 */
int vtd_device_assign(struct vtd_domain *d, u16 bdf);
/* Block @bdf (context entry not present): its DMA faults. */
int vtd_device_block(u16 bdf);
/* The device's domain, NULL when blocked. */
struct vtd_domain *vtd_device_domain(u16 bdf);

/* A remapped MSI: program addr/data into the device's MSI capability. */
struct vtd_msi {
	u8 unit;
	u16 index;		/* IRTE */
	u32 addr_lo, addr_hi, data;
};

/*
 * Allocate an IRTE on the unit of @bdf that delivers @vector (fixed, edge)
 * to physical APIC id @dest and accepts requests from @bdf only. When @g
 * is given the entry must also be within that grant (-EPERM otherwise).
 */
int vtd_msi_setup(u16 bdf, u8 vector, u32 dest, const struct vtd_irq_grant *g,
		  struct vtd_msi *m);
/* Rewrite an allocated IRTE (new vector/destination, same checks). */
int vtd_msi_update(const struct vtd_msi *m, u16 bdf, u8 vector, u32 dest,
		   const struct vtd_irq_grant *g);
void vtd_msi_release(const struct vtd_msi *m);

/*
 * IRTE for IOAPIC @ioapic_id (source id from the DMAR scope) and the
 * remappable RTE to write into the pin. @index receives the IRTE.
 */
int vtd_ioapic_setup(u8 ioapic_id, u8 vector, u32 dest, bool level, bool active_low,
		     u16 *index, u64 *rte);

#endif
