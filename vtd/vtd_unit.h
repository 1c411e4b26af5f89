/*
 * Internals shared by the files of vtd/ (and their unit tests): one
 * remapping unit, the domains, and the invalidation primitives.
 */
#ifndef BH_VTD_UNIT_H
#define BH_VTD_UNIT_H

#include "types.h"
#include "spinlock.h"
#include "vtd.h"
#include "vtd_ctx.h"
#include "vtd_dmar.h"
#include "vtd_fault.h"
#include "vtd_pt.h"
#include "vtd_regs.h"

#define VTD_IRT_ORDER		7	/* IRTA.S: 2^(S+1) = 256 entries, one page */
#define VTD_IRT_ENTRIES		(1u << (VTD_IRT_ORDER + 1))
#define VTD_QI_ENTRIES		256	/* one page of 128-bit descriptors */
#define VTD_POLL_US		1000000	/* register handshakes give up after 1 s */
#define VTD_FAULT_BURST		10	/* fault lines per unit per second */

struct vtd_unit {
	unsigned index;
	u64 reg_base;
	volatile u8 *regs;
	u16 segment;
	u64 cap, ecap;
	struct vtd_caps caps;
	spinlock_t lock;		/* tables and invalidation of this unit */
	u64 *root;			/* 256 root entries */
	u64 *ctx[VTD_TABLE_ENTRIES];	/* context table per bus, NULL until used */
	u64 *qi;			/* invalidation queue, NULL: register based */
	unsigned qi_tail;
	volatile u32 qi_status;		/* written by wait descriptors */
	u32 qi_seq;
	u64 *irt;			/* interrupt remapping table, NULL: no IR */
	u32 irt_used[VTD_IRT_ENTRIES / 32];
	unsigned dom_refs[VTD_MAX_DOMAINS];	/* devices of each domain behind this unit */
	struct vtd_ratelimit rl;
	u64 nr_faults;
};

/* A domain: one DID on every unit, one second-level table tree shared by all. */
struct vtd_domain {
	bool used;
	u16 did;
	char name[16];
	struct vtd_pt pt;
	unsigned nr_devices;
};

struct vtd_state {
	bool dmar_found;
	bool active;			/* units up, translation on */
	bool ir_active;			/* ... and interrupt remapping on every unit */
	struct vtd_dmar_info dmar;
	struct vtd_scope_res res[VTD_MAX_SCOPES];
	struct vtd_unit units[VTD_MAX_UNITS];
	unsigned nr_units;
	unsigned levels, aw_bits;	/* what every unit accepts */
	bool big_2m, big_1g;
	bool need_clflush;		/* some unit is not coherent */
	unsigned max_did;		/* exclusive */
	struct vtd_domain domains[VTD_MAX_DOMAINS];
};

extern struct vtd_state vtd_sys;

/* unit.c: bring-up and global command handshakes */
int vtd_unit_probe(struct vtd_unit *u);
int vtd_unit_gcmd(struct vtd_unit *u, u32 bit, bool on);
int vtd_unit_bringup(struct vtd_unit *u, bool want_ir, u8 fault_vector, u32 fault_dest);
void vtd_unit_flush(const struct vtd_unit *u, const void *p, size_t len);

/* inval.c: queued invalidation, register-based fallback */
int vtd_inv_context(struct vtd_unit *u, enum vtd_inv_gran g, u16 did, u16 sid);
int vtd_inv_iotlb(struct vtd_unit *u, enum vtd_inv_gran g, u16 did, u64 addr, unsigned am);
int vtd_inv_iec(struct vtd_unit *u, bool global, u16 index);
void vtd_write_buffer_flush(struct vtd_unit *u);
int vtd_qi_enable(struct vtd_unit *u);
/* IOTLB invalidation for [iova, iova + size) of @did: page-selective chunks or the domain. */
int vtd_inv_iotlb_range(struct vtd_unit *u, u16 did, u64 iova, u64 size);
/* Split a range into at most @max naturally aligned PSI chunks; 0 when it needs more. */
struct vtd_psi { u64 addr; unsigned am; };
unsigned vtd_psi_plan(u64 iova, u64 size, unsigned mamv, struct vtd_psi *out, unsigned max);

/* context.c */
int vtd_ctx_set(struct vtd_unit *u, u16 bdf, const struct vtd_domain *d);
int vtd_ctx_get(const struct vtd_unit *u, u16 bdf, u64 e[2]);

/* fault.c */
unsigned vtd_unit_fault_drain(struct vtd_unit *u, struct vtd_fault *out, unsigned max);

/* ir.c */
int vtd_ir_setup(struct vtd_unit *u);
int vtd_irte_alloc(struct vtd_unit *u);
int vtd_irte_write(struct vtd_unit *u, unsigned index, const u64 e[2]);
void vtd_irte_free(struct vtd_unit *u, unsigned index);

#endif
