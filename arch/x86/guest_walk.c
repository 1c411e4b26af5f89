/*
 * Guest page-table walker (see include/guest_walk.h). Layouts from the Intel
 * SDM vol. 3A, chapter 4 (paging).
 */
#include "guest_walk.h"
#include "errno.h"

#define CR0_PG BIT(31)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_LA57 BIT(12)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

#define PTE_P BIT(0)
#define PTE_PS BIT(7)

/* Physical-address field of a 64-bit entry or CR3: bits 51:12. */
#define PHYS_MASK_4K 0x000ffffffffff000ULL

static int read_entry(guest_walk_read_fn rd, void *ctx, u64 gpa, unsigned size, u64 *pte)
{
	u64 v = 0;

	if (!rd(ctx, gpa, &v, size))
		return -EFAULT;
	if (size == 4)
		v = (u32)v;
	if (!(v & PTE_P))
		return -EFAULT;
	*pte = v;
	return 0;
}

static int walk_32bit(const struct guest_paging *p, u32 va, guest_walk_read_fn rd, void *ctx,
		      u64 *gpa)
{
	u64 pde, pte;
	int ret;

	ret = read_entry(rd, ctx, (p->cr3 & 0xfffff000ULL) + ((va >> 22) << 2), 4, &pde);
	if (ret)
		return ret;
	if ((pde & PTE_PS) && (p->cr4 & CR4_PSE)) {
		/* 4 MiB page; PSE-36 keeps gpa bits 39:32 in PDE bits 20:13. */
		*gpa = (pde & 0xffc00000ULL) | (((pde >> 13) & 0xff) << 32) | (va & 0x3fffff);
		return 0;
	}
	ret = read_entry(rd, ctx, (pde & 0xfffff000ULL) + (((va >> 12) & 0x3ff) << 2), 4, &pte);
	if (ret)
		return ret;
	*gpa = (pte & 0xfffff000ULL) | (va & 0xfff);
	return 0;
}

/*
 * The 64-bit-entry walks share one loop. levels: 3 (PAE, 2-bit top index),
 * 4 or 5. Large pages are allowed at the PD (2 MiB) and, outside PAE, the
 * PDPT (1 GiB); PS in PML4/PML5 entries is reserved and ignored here.
 */
static int walk_64bit(const struct guest_paging *p, u64 va, int levels, guest_walk_read_fn rd,
		      void *ctx, u64 *gpa)
{
	u64 table, pte;
	int level, ret;

	/* PAE CR3 points at a 32-byte aligned PDPT below 4 GiB. */
	table = levels == 3 ? (p->cr3 & 0xffffffe0ULL) : (p->cr3 & PHYS_MASK_4K);
	for (level = levels; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		u64 idx = (va >> shift) & 0x1ff;

		if (levels == 3 && level == 3)
			idx &= 3;
		ret = read_entry(rd, ctx, table + idx * 8, 8, &pte);
		if (ret)
			return ret;
		if (level == 1 || ((pte & PTE_PS) && (level == 2 || (level == 3 && levels > 3)))) {
			u64 off_mask = BIT(shift) - 1;

			*gpa = (pte & PHYS_MASK_4K & ~off_mask) | (va & off_mask);
			return 0;
		}
		table = pte & PHYS_MASK_4K;
	}
	return -EFAULT;	/* not reached */
}

int guest_walk(const struct guest_paging *p, u64 gva, guest_walk_read_fn rd, void *ctx,
	       u64 *gpa_out)
{
	if (!(p->cr0 & CR0_PG)) {
		*gpa_out = gva;
		return 0;
	}
	if (!(p->cr4 & CR4_PAE))
		return walk_32bit(p, (u32)gva, rd, ctx, gpa_out);
	/* With paging on, LME implies LMA; accept either in case the caller's copy lags. */
	if (p->efer & (EFER_LMA | EFER_LME))
		return walk_64bit(p, gva, (p->cr4 & CR4_LA57) ? 5 : 4, rd, ctx, gpa_out);
	return walk_64bit(p, (u32)gva, 3, rd, ctx, gpa_out);
}

int guest_walk_copy_partial(const struct guest_paging *p, u64 gva, void *buf, size_t len,
			    guest_walk_read_fn rd, guest_walk_read_bytes_fn read_bytes, void *ctx,
			    size_t *copied)
{
	u8 *dst = buf;
	size_t done = 0;
	int ret = 0;

	while (done < len) {
		u64 va = gva + done, gpa;
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));

		if (chunk > len - done)
			chunk = len - done;
		ret = guest_walk(p, va, rd, ctx, &gpa);
		if (ret)
			break;
		if (!read_bytes(ctx, gpa, dst + done, chunk)) {
			ret = -EFAULT;
			break;
		}
		done += chunk;
	}
	if (copied)
		*copied = done;
	return ret;
}

int guest_walk_copy(const struct guest_paging *p, u64 gva, void *buf, size_t len,
		    guest_walk_read_fn rd, guest_walk_read_bytes_fn read_bytes, void *ctx)
{
	return guest_walk_copy_partial(p, gva, buf, len, rd, read_bytes, ctx, NULL);
}
