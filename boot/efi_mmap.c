/*
 * The UEFI memory map -> bulkhead's (e820-typed) memory map; see
 * include/bootinfo.h. The map is untrusted input: sizes are checked before a
 * descriptor is read, and the map is never written. No allocation: the
 * descriptors are checked pairwise for overlaps and then visited in base order
 * by selection (maps hold a few hundred entries; this runs once per boot).
 */
#include "bootinfo.h"
#include "errno.h"

#define EFI_PAGE_SHIFT	12

enum {
	EFI_RESERVED = 0, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA,
	EFI_RT_CODE, EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM,
	EFI_ACPI_NVS, EFI_MMIO, EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT,
	EFI_UNACCEPTED,
};

enum { E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3, E820_NVS = 4, E820_UNUSABLE = 5,
       E820_PMEM = 7 };

struct efi_md {
	u32 type;
	u32 pad;
	u64 phys;
	u64 virt;
	u64 pages;
	u64 attr;
};

static u32 efi_type_to_e820(u32 t)
{
	switch (t) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BS_CODE:
	case EFI_BS_DATA:
	case EFI_CONVENTIONAL:
		return E820_RAM;
	case EFI_ACPI_RECLAIM:
		return E820_ACPI;
	case EFI_ACPI_NVS:
		return E820_NVS;
	case EFI_UNUSABLE:
		return E820_UNUSABLE;
	case EFI_PERSISTENT:
		return E820_PMEM;
	default:	/* runtime services, MMIO, PAL, unaccepted, reserved, OEM/OS types */
		return E820_RESERVED;
	}
}

static void efi_md_read(const u8 *map, u64 desc_size, u64 i, struct efi_md *md)
{
	__builtin_memcpy(md, map + i * desc_size, sizeof(*md));
}

/* [phys, phys + pages * 4 KiB) of two non-empty, validated descriptors share a byte */
static bool efi_md_overlap(const struct efi_md *a, const struct efi_md *b)
{
	u64 a_last = a->phys + ((a->pages << EFI_PAGE_SHIFT) - 1);
	u64 b_last = b->phys + ((b->pages << EFI_PAGE_SHIFT) - 1);

	return a->phys <= b_last && b->phys <= a_last;
}

static int efi_mmap_check(const u8 *m, u64 n, u64 desc_size)
{
	for (u64 i = 0; i < n; i++) {
		struct efi_md md;

		efi_md_read(m, desc_size, i, &md);
		if (md.phys & ((1ULL << EFI_PAGE_SHIFT) - 1))
			return -EINVAL;
		/* no wrap past 2^64 (a range ending exactly at 2^64 is allowed) */
		if (md.pages > (~0ULL >> EFI_PAGE_SHIFT) ||
		    (md.pages && md.phys > ~0ULL - ((md.pages << EFI_PAGE_SHIFT) - 1)))
			return -EINVAL;
	}
	for (u64 i = 0; i < n; i++) {
		struct efi_md a;

		efi_md_read(m, desc_size, i, &a);
		if (!a.pages)
			continue;
		for (u64 j = i + 1; j < n; j++) {
			struct efi_md b;

			efi_md_read(m, desc_size, j, &b);
			if (b.pages && efi_md_overlap(&a, &b))
				return -EINVAL;
		}
	}
	return 0;
}

int efi_mmap_convert(const void *map, u64 map_size, u64 desc_size,
		     struct boot_mmap_entry *out, unsigned max, unsigned *nr)
{
	const u8 *m = map;
	u64 n, next = 0;
	bool full = false, ram = false;
	unsigned k = 0;

	*nr = 0;
	if (!map || desc_size < EFI_MD_MIN_SIZE || desc_size % 8 || map_size % desc_size)
		return -EINVAL;
	n = map_size / desc_size;
	if (efi_mmap_check(m, n, desc_size))
		return -EINVAL;

	/* no two overlap: visit them by base, each once (the lowest base >= next) */
	for (;;) {
		struct efi_md best = { 0 };
		bool found = false;
		u64 len;
		u32 type;

		for (u64 i = 0; i < n; i++) {
			struct efi_md md;

			efi_md_read(m, desc_size, i, &md);
			if (md.pages && md.phys >= next && (!found || md.phys < best.phys)) {
				best = md;
				found = true;
			}
		}
		if (!found)
			break;
		len = best.pages << EFI_PAGE_SHIFT;
		type = efi_type_to_e820(best.type);
		ram |= type == E820_RAM;
		if (k && out[k - 1].type == type && out[k - 1].base + out[k - 1].len == best.phys)
			out[k - 1].len += len;
		else if (k < max)
			out[k++] = (struct boot_mmap_entry){ .base = best.phys, .len = len, .type = type };
		else
			full = true;
		next = best.phys + len;
		if (!next)
			break;	/* it ended at 2^64: nothing lies above */
	}
	if (!ram)
		return -ENOENT;
	*nr = k;
	return full ? -E2BIG : 0;
}
