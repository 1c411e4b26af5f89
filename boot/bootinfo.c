/*
 * Multiboot1/2 boot information -> struct boot_info. The loader's block is
 * untrusted input: every size is checked before it is used, every string is
 * bounded, and nothing past a declared size is read.
 */
#include "bootinfo.h"
#include "errno.h"
#include "lib.h"

#define FOUR_GIB	(1ULL << 32)

/* Multiboot1 info flags we use. */
#define MB1_F_MEM	BIT(0)
#define MB1_F_CMDLINE	BIT(2)
#define MB1_F_MODS	BIT(3)
#define MB1_F_MMAP	BIT(6)
#define MB1_F_LOADER	BIT(9)

/* Multiboot1 info block, up to the field we read last. */
struct mb1_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
} __packed;

struct mb1_module {
	u32 start, end, string, reserved;
} __packed;

/* An mb1 mmap entry; 'size' counts the bytes after itself (>= 20). */
#define MB1_MMAP_MIN	20

enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_EFI64 = 12,		/* EFI64 system table pointer */
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,		/* the EFI memory map */
	MB2_TAG_EFI_BS = 18,		/* boot services not terminated */
};

#define MB2_HDR		8	/* total_size, reserved */
#define MB2_TAG_HDR	8	/* type, size */
#define MB2_MMAP_ENTRY	24	/* base, len, type, reserved */
#define RSDP_V1_LEN	20
#define RSDP_V2_LEN	36

static const u8 *bi_ptr(u64 pa)
{
	return (const u8 *)(uintptr_t)pa;
}

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Copy at most @max source bytes, stopping at NUL, always terminating. */
static void bi_copy_str(char *dst, size_t dstlen, const u8 *src, size_t max)
{
	size_t i;

	for (i = 0; i + 1 < dstlen && i < max && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

static int bi_add_mmap(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	struct boot_mmap_entry *e;

	if (!len)
		return 0;
	if (bi->nr_mmap == BOOTINFO_MAX_MMAP)
		return -E2BIG;
	e = &bi->mmap[bi->nr_mmap++];
	e->base = base;
	e->len = len;
	e->type = type;
	return 0;
}

static int bi_add_module(struct boot_info *bi, u64 start, u64 end,
			 const u8 *str, size_t strmax)
{
	struct boot_module *m;

	if (end < start)
		return -EINVAL;
	if (bi->nr_mods == BOOTINFO_MAX_MODS)
		return -E2BIG;
	m = &bi->mods[bi->nr_mods++];
	m->start = start;
	m->end = end;
	if (str)
		bi_copy_str(m->string, sizeof(m->string), str, strmax);
	return 0;
}

static int mb1_parse_mods(const struct mb1_info *mi, struct boot_info *bi)
{
	u32 take = MIN(mi->mods_count, (u32)BOOTINFO_MAX_MODS);

	if (take && (!mi->mods_addr ||
		     mi->mods_addr + (u64)take * sizeof(struct mb1_module) > FOUR_GIB))
		return -EINVAL;
	for (u32 i = 0; i < take; i++) {
		struct mb1_module m;
		int r;

		memcpy(&m, bi_ptr(mi->mods_addr + (u64)i * sizeof(m)), sizeof(m));
		r = bi_add_module(bi, m.start, m.end,
				  m.string ? bi_ptr(m.string) : NULL, ~(size_t)0);
		if (r)
			return r;
	}
	return mi->mods_count > take ? -E2BIG : 0;
}

static int mb1_parse_mmap(const struct mb1_info *mi, struct boot_info *bi)
{
	u64 len = mi->mmap_length, off = 0;
	const u8 *p = bi_ptr(mi->mmap_addr);

	if (len && (!mi->mmap_addr || mi->mmap_addr + len > FOUR_GIB))
		return -EINVAL;
	while (off < len) {
		u32 size;

		if (len - off < 4)
			return -EINVAL;
		size = rd32(p + off);
		if (size < MB1_MMAP_MIN || size > len - off - 4)
			return -EINVAL;
		if (bi_add_mmap(bi, rd64(p + off + 4), rd64(p + off + 12), rd32(p + off + 20)))
			return -E2BIG;	/* the rest is dropped */
		off += 4 + (u64)size;
	}
	return 0;
}

static int mb1_parse(u64 pa, struct boot_info *bi)
{
	struct mb1_info mi;
	int ret = 0, r;

	if (!pa || pa + sizeof(mi) > FOUR_GIB)
		return -EINVAL;
	memcpy(&mi, bi_ptr(pa), sizeof(mi));

	if (mi.flags & MB1_F_MEM) {
		bi->has_meminfo = true;
		bi->mem_lower_kb = mi.mem_lower;
		bi->mem_upper_kb = mi.mem_upper;
	}
	if ((mi.flags & MB1_F_CMDLINE) && mi.cmdline)
		bi_copy_str(bi->cmdline, sizeof(bi->cmdline), bi_ptr(mi.cmdline), ~(size_t)0);
	if ((mi.flags & MB1_F_LOADER) && mi.boot_loader_name)
		bi_copy_str(bi->loader_name, sizeof(bi->loader_name),
			    bi_ptr(mi.boot_loader_name), ~(size_t)0);
	if (mi.flags & MB1_F_MODS) {
		r = mb1_parse_mods(&mi, bi);
		if (r == -EINVAL)
			return r;
		ret = ret ? ret : r;
	}
	if (mi.flags & MB1_F_MMAP) {
		r = mb1_parse_mmap(&mi, bi);
		if (r == -EINVAL)
			return r;
		ret = ret ? ret : r;
	}
	return ret;
}

static int mb2_tag_mmap(const u8 *t, u32 size, struct boot_info *bi)
{
	u32 esz, body;

	if (size < MB2_TAG_HDR + 8)
		return -EINVAL;
	esz = rd32(t + 8);
	body = size - MB2_TAG_HDR - 8;
	if (esz < MB2_MMAP_ENTRY || esz % 8 || body % esz)
		return -EINVAL;
	for (u32 off = 0; off < body; off += esz) {
		const u8 *e = t + 16 + off;

		if (bi_add_mmap(bi, rd64(e), rd64(e + 8), rd32(e + 16)))
			return -E2BIG;
	}
	return 0;
}

static int mb2_tag_rsdp(const u8 *t, u32 size, u32 len, struct boot_info *bi)
{
	if (size < MB2_TAG_HDR + len)
		return -EINVAL;
	if (memcmp(t + MB2_TAG_HDR, "RSD PTR ", 8)) {
		pr_warn("bootinfo: ignoring RSDP copy without signature\n");
		return 0;
	}
	if (bi->rsdp_len > len)
		return 0;	/* keep the ACPI 2.0 copy */
	memcpy(bi->rsdp_copy, t + MB2_TAG_HDR, len);
	bi->rsdp_len = len;
	return 0;
}

static int mb2_tag(const u8 *t, u32 type, u32 size, struct boot_info *bi)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		bi_copy_str(bi->cmdline, sizeof(bi->cmdline), t + 8, size - 8);
		return 0;
	case MB2_TAG_LOADER:
		bi_copy_str(bi->loader_name, sizeof(bi->loader_name), t + 8, size - 8);
		return 0;
	case MB2_TAG_MODULE:
		if (size < 16)
			return -EINVAL;
		return bi_add_module(bi, rd32(t + 8), rd32(t + 12), t + 16, size - 16);
	case MB2_TAG_MEMINFO:
		if (size < 16)
			return -EINVAL;
		bi->has_meminfo = true;
		bi->mem_lower_kb = rd32(t + 8);
		bi->mem_upper_kb = rd32(t + 12);
		return 0;
	case MB2_TAG_MMAP:
		return mb2_tag_mmap(t, size, bi);
	case MB2_TAG_ACPI_OLD:
		return mb2_tag_rsdp(t, size, RSDP_V1_LEN, bi);
	case MB2_TAG_ACPI_NEW:
		return mb2_tag_rsdp(t, size, RSDP_V2_LEN, bi);
	case MB2_TAG_EFI64:
		if (size < 16)
			return -EINVAL;
		bi->efi_systab = rd64(t + 8);
		return 0;
	case MB2_TAG_EFI_BS:
		bi->efi_bs_active = true;
		return 0;
	default:		/* tag 17 is read after the walk (mb2_efi_mmap) */
		return 0;
	}
}

/*
 * Tag 17 (descriptor size, version, then the descriptors): the memory map when
 * the loader gave no tag 6 (GRUB gives both; tag 6 is its own reading of the
 * same map and wins).
 */
static int mb2_efi_mmap(const u8 *t, u32 size, struct boot_info *bi)
{
	int r;

	if (!t || bi->nr_mmap)
		return 0;
	if (size < MB2_TAG_HDR + 8)
		return -EINVAL;
	r = efi_mmap_convert(t + 16, size - 16, rd32(t + 8), bi->mmap, BOOTINFO_MAX_MMAP,
			     &bi->nr_mmap);
	if (r == -ENOENT)
		return -EINVAL;	/* no RAM at all: nothing to run on */
	bi->efi_mmap_used = true;
	return r;
}

static int mb2_parse(u64 pa, struct boot_info *bi)
{
	const u8 *base = bi_ptr(pa), *efi_mmap = NULL;
	u64 off = MB2_HDR;
	u32 total, efi_mmap_size = 0;
	int ret = 0;

	if (!pa || !IS_ALIGNED(pa, 8))
		return -EINVAL;
	total = rd32(base);
	if (total < MB2_HDR + MB2_TAG_HDR || total > BOOTINFO_MB2_MAX_SIZE)
		return -EINVAL;

	while (off + MB2_TAG_HDR <= total) {
		u32 type = rd32(base + off), size = rd32(base + off + 4);
		int r;

		if (size < MB2_TAG_HDR || size > total - off)
			return -EINVAL;
		if (type == MB2_TAG_END) {
			if (size != MB2_TAG_HDR)
				return -EINVAL;
			r = mb2_efi_mmap(efi_mmap, efi_mmap_size, bi);
			return r == -EINVAL ? r : (ret ? ret : r);
		}
		if (type == MB2_TAG_EFI_MMAP) {
			efi_mmap = base + off;
			efi_mmap_size = size;
		}
		r = mb2_tag(base + off, type, size, bi);
		if (r == -EINVAL)
			return r;
		ret = ret ? ret : r;
		off += ALIGN_UP((u64)size, 8);
	}
	return -EINVAL;		/* no end tag inside total_size */
}

int bootinfo_parse(u32 magic, u64 info_phys, struct boot_info *out)
{
	const char *loader;
	int ret;

	memset(out, 0, sizeof(*out));
	if (magic == MB1_BOOTLOADER_MAGIC) {
		loader = "multiboot1";
		ret = mb1_parse(info_phys, out);
	} else if (magic == MB2_BOOTLOADER_MAGIC) {
		loader = "multiboot2";
		ret = mb2_parse(info_phys, out);
	} else {
		loader = "unknown";
		ret = -EINVAL;
	}
	if (ret == -EINVAL)
		memset(out, 0, sizeof(*out));
	out->loader = loader;
	if (out->rsdp_len)
		out->rsdp = (u64)(uintptr_t)out->rsdp_copy;
	return ret;
}
