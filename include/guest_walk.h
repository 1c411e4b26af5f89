/*
 * Guest page-table walker: linear (guest-virtual) to guest-physical, for
 * fetching the instruction at guest RIP. Guest memory is read through
 * callbacks so the walk is pure and host-testable.
 *
 * Modes, chosen from the control registers as the CPU does:
 *   CR0.PG=0            no paging: gpa = gva
 *   CR4.PAE=0           32-bit 2-level, 4 KiB and (CR4.PSE) 4 MiB pages,
 *                       PSE-36 bits 20:13 of a 4 MiB PDE give gpa bits 39:32
 *   PAE, EFER.LMA=0     3-level PAE, 4 KiB and 2 MiB pages. PDPTEs are read
 *                       from memory at CR3, not from the CPU's PDPTE cache.
 *   PAE, EFER.LMA/LME=1 4-level IA-32e, 4 KiB, 2 MiB, 1 GiB pages; 5-level
 *                       when CR4.LA57
 * Only present bits are checked: no reserved-bit, permission, canonical or
 * A/D handling. Physical addresses take bits 51:12 (51:21, 51:30 for large
 * pages); XD and other high bits are dropped. In 32-bit and PAE modes the
 * gva is taken modulo 4 GiB.
 */
#ifndef BH_GUEST_WALK_H
#define BH_GUEST_WALK_H

#include "types.h"

/* Read one paging entry (size 4 or 8) at gpa; false if gpa is not readable. */
typedef bool (*guest_walk_read_fn)(void *ctx, u64 gpa, u64 *pte, unsigned size);
/* Read len bytes of guest memory at gpa (never crosses a 4 KiB page here). */
typedef bool (*guest_walk_read_bytes_fn)(void *ctx, u64 gpa, void *buf, size_t len);

struct guest_paging {
	u64 cr0, cr3, cr4, efer;
};

/* 0 and *gpa_out, or -EFAULT: an entry not present or a failed read. */
int guest_walk(const struct guest_paging *p, u64 gva, guest_walk_read_fn rd, void *ctx,
	       u64 *gpa_out);

/* Copy len bytes from gva, page by page. 0 or -EFAULT (buf then partly filled). */
int guest_walk_copy(const struct guest_paging *p, u64 gva, void *buf, size_t len,
		    guest_walk_read_fn rd, guest_walk_read_bytes_fn read_bytes, void *ctx);

/*
 * As guest_walk_copy, and *copied says how many leading bytes made it. For
 * instruction fetch: copy up to 15 bytes, decode what was copied, and treat
 * the fault as real only if the decoder still wants more (-E2BIG), since an
 * instruction can end right before an unmapped page.
 */
int guest_walk_copy_partial(const struct guest_paging *p, u64 gva, void *buf, size_t len,
			    guest_walk_read_fn rd, guest_walk_read_bytes_fn read_bytes, void *ctx,
			    size_t *copied);

#endif
