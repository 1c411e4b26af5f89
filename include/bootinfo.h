/*
 * What the boot loader tells the hypervisor: GRUB (multiboot1 or multiboot2, on
 * BIOS or UEFI firmware) or bulkhead.efi (boot/efi/, which hands over a multiboot2
 * block of its own making).
 */
#ifndef BH_BOOTINFO_H
#define BH_BOOTINFO_H

#include "types.h"

#define MB1_BOOTLOADER_MAGIC	0x2BADB002u	/* EAX at a multiboot1 entry */
#define MB2_BOOTLOADER_MAGIC	0x36D76289u	/* EAX at a multiboot2 entry */

#define BOOTINFO_CMDLINE_LEN	256	/* including the NUL */
#define BOOTINFO_MAX_MMAP	64
#define BOOTINFO_MAX_MODS	16
#define BOOTINFO_MODSTR_LEN	64	/* including the NUL */
#define BOOTINFO_NAME_LEN	64
#define BOOTINFO_MB2_MAX_SIZE	(1u << 20)	/* sanity bound on total_size */

struct boot_mmap_entry {
	u64 base, len;
	u32 type;		/* multiboot types = e820 types (1 = RAM) */
};

struct boot_module {
	u64 start, end;		/* physical, end exclusive */
	char string[BOOTINFO_MODSTR_LEN];	/* "tag args...", truncated */
};

struct boot_info {
	char cmdline[BOOTINFO_CMDLINE_LEN];	/* truncated to fit */
	struct boot_mmap_entry mmap[BOOTINFO_MAX_MMAP];
	unsigned nr_mmap;
	struct boot_module mods[BOOTINFO_MAX_MODS];
	unsigned nr_mods;
	/*
	 * Physical address of rsdp_copy below (memory is identity-mapped), so
	 * it stays valid after the loader's info block is reused; 0 if the
	 * loader passed no RSDP (multiboot2 tags 14/15 only). The ACPI 2.0
	 * copy (tag 15) is preferred over the 1.0 one (tag 14).
	 */
	u64 rsdp;
	u8 rsdp_copy[36];
	unsigned rsdp_len;	/* 20 (ACPI 1.0) or 36 */
	const char *loader;	/* protocol: "multiboot1" or "multiboot2" */
	u64 entry_tsc;		/* TSC at the entry (boot/main.c; the boot_to_guest figure) */
	char loader_name[BOOTINFO_NAME_LEN];	/* e.g. "GRUB 2.06", may be "" */
	bool has_meminfo;
	u32 mem_lower_kb, mem_upper_kb;
	/*
	 * UEFI (multiboot2 tags 12, 17, 18): the EFI system table's physical
	 * address (0 on BIOS; bulkhead calls no EFI service, boot or runtime, so
	 * it is only reported), whether the memory map came from the EFI map
	 * (tag 17, when the loader gave no tag 6), and whether the loader says
	 * boot services were NOT exited (tag 18): boot/main.c refuses that.
	 */
	u64 efi_systab;
	bool efi_mmap_used;
	bool efi_bs_active;
};

/*
 * Parse the loader's info block at @info_phys (identity-mapped, so a
 * pointer) for the protocol named by @magic. Unknown tags and flags are
 * skipped; strings are cut to fit; zero-length memory map entries dropped.
 * Returns 0; -E2BIG when more memory map entries or modules were passed
 * than fit (the first ones are kept, the rest dropped, everything else is
 * parsed); -EINVAL for an unknown magic or a malformed block (bad sizes,
 * misaligned tags, total_size out of bounds, module end < start, pointers
 * that do not fit in 32 bits), in which case @out is left empty.
 */
int bootinfo_parse(u32 magic, u64 info_phys, struct boot_info *out);

/*
 * The UEFI memory map (GetMemoryMap's buffer: @map_size bytes of descriptors,
 * @desc_size bytes apart) -> boot_mmap_entry[] in e820 terms, sorted by base,
 * adjacent entries of one type merged. Free memory after ExitBootServices
 * (conventional, loader and boot-services code/data) is RAM (1); ACPI reclaim
 * 3, ACPI NVS 4, unusable 5, persistent 7; everything else (runtime services,
 * MMIO, reserved, unaccepted, types this code does not know) reserved (2).
 * Entries of zero pages are dropped. Returns 0; -E2BIG when more entries
 * result than @max (the lowest @max are kept); -EINVAL for a map the
 * hypervisor cannot trust (descriptor size under 40 or not a multiple of 8,
 * a size not a whole number of descriptors, a base not 4 KiB-aligned, a range
 * past 2^64, two descriptors overlapping); -ENOENT when it holds no RAM.
 * On -EINVAL and -ENOENT *@nr is 0. Pure: used by bootinfo.c (tag 17) and by
 * bulkhead.efi before it exits boot services.
 */
#define EFI_MD_MIN_SIZE		40	/* EFI_MEMORY_DESCRIPTOR, UEFI 2.x */
int efi_mmap_convert(const void *map, u64 map_size, u64 desc_size,
		     struct boot_mmap_entry *out, unsigned max, unsigned *nr);

/* Queries on a parsed boot_info: inline, as every layer that loads VMs asks them. */
static inline size_t bootinfo_first_word(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	return n;
}

/* Find the module whose string's first word is @tag (exact match). */
static inline bool bootinfo_find_module(const struct boot_info *bi, const char *tag,
					const struct boot_module **m)
{
	size_t tlen = tag ? bootinfo_first_word(tag) : 0;

	if (!tlen || tag[tlen])
		return false;	/* empty, or more than one word: no module has that tag */
	for (unsigned i = 0; i < bi->nr_mods && i < BOOTINFO_MAX_MODS; i++) {
		const char *s = bi->mods[i].string;
		size_t n = 0;

		while (n < tlen && s[n] == tag[n])
			n++;
		if (n == tlen && bootinfo_first_word(s) == tlen) {
			if (m)
				*m = &bi->mods[i];
			return true;
		}
	}
	return false;
}

/* The module string after its first word and the blanks following it. */
static inline const char *bootinfo_module_args(const struct boot_module *m)
{
	const char *s = m->string + bootinfo_first_word(m->string);

	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

#endif
