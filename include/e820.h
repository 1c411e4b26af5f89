/* E820-style physical memory maps: built for guests, read from the host. */
#ifndef BH_E820_H
#define BH_E820_H

#include "types.h"

#define E820_RAM	1
#define E820_RESERVED	2
#define E820_ACPI	3	/* ACPI tables, reclaimable after boot */
#define E820_NVS	4	/* ACPI NVS, must be preserved */
#define E820_UNUSABLE	5

/* Same limit as the Linux zero page's e820_table. */
#define E820_MAX_ENTRIES 128

/* Layout matches the Linux zero page and ACPI: 20 bytes, packed. */
struct e820_entry {
	u64 addr, size;
	u32 type;
} __packed;

/*
 * Always sorted by address, non-overlapping, with adjacent entries of the
 * same type merged, as long as it is only changed through e820_add().
 */
struct e820_map {
	struct e820_entry e[E820_MAX_ENTRIES];
	unsigned n;
};

void e820_init(struct e820_map *m);

/*
 * Add [addr, addr+size) of @type. Where it overlaps existing ranges the type
 * with the higher priority keeps the overlap, whatever the order of the adds:
 * RAM < ACPI < NVS < reserved/unusable/unknown (ties among those: the higher
 * type number). So a reserved range added later splits an earlier RAM range,
 * and RAM added later only fills the gaps around a reserved one.
 * Returns 0; -EINVAL for size 0, type 0 or a range wrapping past 2^64;
 * -ENOSPC (map unchanged) when the result would need more than 128 entries.
 */
int e820_add(struct e820_map *m, u64 addr, u64 size, u32 type);

/* The entry holding @addr, or NULL. */
const struct e820_entry *e820_find(const struct e820_map *m, u64 addr);

/* True if [addr, addr+size) lies wholly inside one entry of @type. */
bool e820_contains(const struct e820_map *m, u64 addr, u64 size, u32 type);

#endif
