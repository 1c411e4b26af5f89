/*
 * Linux bzImage loader, 64-bit boot protocol (Documentation/x86/boot.rst):
 * the kernel is entered in long mode at its load address + 0x200 with
 * %rsi = zero page, a GDT holding __BOOT_CS/__BOOT_DS, and identity page
 * tables covering the kernel, zero page and command line. Everything is
 * planned and checked first; guest memory is written only once it all fits.
 */
#include "guest_loader.h"
#include "e820.h"
#include "errno.h"
#include "lib.h"

/* Setup header fields: same offsets in the image and in boot_params. */
#define BZ_SETUP_SECTS		0x1F1
#define BZ_BOOT_FLAG		0x1FE
#define BZ_JUMP_OFFSET		0x201	/* 2nd byte of the short jmp at 0x200 */
#define BZ_HEADER		0x202
#define BZ_VERSION		0x206
#define BZ_TYPE_OF_LOADER	0x210
#define BZ_LOADFLAGS		0x211
#define BZ_RAMDISK_IMAGE	0x218
#define BZ_RAMDISK_SIZE		0x21C
#define BZ_CMD_LINE_PTR		0x228
#define BZ_INITRD_ADDR_MAX	0x22C
#define BZ_KERNEL_ALIGNMENT	0x230
#define BZ_RELOCATABLE		0x234
#define BZ_XLOADFLAGS		0x236
#define BZ_CMDLINE_SIZE		0x238
#define BZ_PREF_ADDRESS		0x258
#define BZ_INIT_SIZE		0x260
#define BZ_HDR_MIN_END		0x264	/* the 2.12 fields we read end here */

/* Other boot_params fields. */
#define BP_EXT_RAMDISK_IMAGE	0x0C0
#define BP_EXT_RAMDISK_SIZE	0x0C4
#define BP_EXT_CMD_LINE_PTR	0x0C8
#define BP_E820_ENTRIES		0x1E8
#define BP_HDR_MAX_END		0x290	/* edd_mbr_sig_buffer follows the header */
#define BP_E820_TABLE		0x2D0

#define BZ_MIN_SIZE		0x400	/* boot sector + one setup sector */
#define BZ_BOOT_FLAG_MAGIC	0xAA55
#define BZ_HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BZ_MIN_VERSION		0x020C	/* 2.12: xloadflags */
#define BZ_LOADED_HIGH		BIT(0)
#define BZ_XLF_KERNEL_64	BIT(0)
#define BZ_LOADER_UNDEFINED	0xFF
#define BZ_ENTRY64_OFFSET	0x200

#define FOUR_GIB		(1ULL << 32)
#define ONE_MIB			0x100000ULL
#define TWO_MIB			0x200000ULL

#define PTE_P			BIT(0)
#define PTE_RW			BIT(1)
#define PTE_PS			BIT(7)
#define BZ_NR_PD		4

/* Flat 4 GiB descriptors: 64-bit code (L=1, D=0) and data, accessed bit set. */
#define BZ_GDT_CODE64		0x00AF9B000000FFFFULL
#define BZ_GDT_DATA		0x00CF93000000FFFFULL
#define BZ_GDT_ENTRIES		4

#define X86_CR0_PE		BIT(0)
#define X86_CR0_ET		BIT(4)
#define X86_CR0_NE		BIT(5)
#define X86_CR0_PG		BIT(31)
#define X86_CR4_PAE		BIT(5)
#define X86_EFER_LME		BIT(8)
#define X86_EFER_LMA		BIT(10)

struct bz_plan {
	size_t hdr_end;		/* end of the setup header in the image */
	u64 setup_size;		/* real-mode part, skipped when loading */
	u64 kernel_gpa, kernel_len, kernel_span;
	u64 initrd_gpa;
	size_t cmdline_len;
	char *why;		/* the caller's buffer for why loading failed, or NULL */
	size_t why_size;
};

/* The boot structures at fixed low addresses all lie below any kernel. */
_Static_assert(GUEST_LINUX_LOW_END <= ONE_MIB, "low boot structures must stay below 1 MiB");

/* Say why in the caller's buffer (the text follows "kernel 'name' "); returns @err. */
static int __attribute__((format(printf, 3, 4)))
bz_fail(struct bz_plan *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->why_size) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->why_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

static u8 rd8(const u8 *p, size_t off)
{
	return p[off];
}

static u16 rd16(const u8 *p, size_t off)
{
	u16 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static u32 rd32(const u8 *p, size_t off)
{
	u32 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static u64 rd64(const u8 *p, size_t off)
{
	u64 v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

bool guest_bzimage_probe(const void *image, size_t size)
{
	const u8 *img = image;

	return size >= BZ_HEADER + 4 && rd16(img, BZ_BOOT_FLAG) == BZ_BOOT_FLAG_MAGIC &&
	       rd32(img, BZ_HEADER) == BZ_HDRS_MAGIC;
}

static int bz_check_header(const u8 *img, size_t size, struct bz_plan *p)
{
	unsigned sects;
	u16 version;

	if (size < BZ_MIN_SIZE || !guest_bzimage_probe(img, size))
		return bz_fail(p, -EINVAL, "is not a Linux bzImage (%zu bytes, no boot flag 0xAA55 "
			       "and \"HdrS\" header)", size);
	version = rd16(img, BZ_VERSION);
	if (version < BZ_MIN_VERSION)
		return bz_fail(p, -ENOTSUP, "speaks boot protocol %u.%02u; the 64-bit entry needs 2.12",
			       version >> 8, version & 0xFF);
	p->hdr_end = BZ_HEADER + rd8(img, BZ_JUMP_OFFSET);
	if (p->hdr_end < BZ_HDR_MIN_END || p->hdr_end > BP_HDR_MAX_END)
		return bz_fail(p, -EINVAL, "has a setup header ending at 0x%zx, outside 0x%x-0x%x",
			       p->hdr_end, BZ_HDR_MIN_END, BP_HDR_MAX_END);
	if (!(rd16(img, BZ_XLOADFLAGS) & BZ_XLF_KERNEL_64))
		return bz_fail(p, -ENOTSUP, "has no 64-bit entry (xloadflags without XLF_KERNEL_64)");
	if (!(rd8(img, BZ_LOADFLAGS) & BZ_LOADED_HIGH))
		return bz_fail(p, -ENOTSUP, "does not load high (loadflags without LOADED_HIGH)");
	sects = rd8(img, BZ_SETUP_SECTS);
	if (!sects)
		sects = 4;
	p->setup_size = (sects + 1) * 512ULL;
	if (p->setup_size >= size)
		return bz_fail(p, -EINVAL, "is %zu bytes, no more than its %u setup sectors: "
			       "no protected-mode kernel", size, sects);
	p->kernel_len = size - p->setup_size;
	return 0;
}

/* End of an entry, saturated instead of wrapping. */
static u64 bz_entry_end(const struct e820_entry *e)
{
	return e->size > ~0ULL - e->addr ? ~0ULL : e->addr + e->size;
}

/*
 * The VM's RAM is the type-1 entries of its e820 map; everything the loader
 * writes lies in one of them and below 4 GiB (the identity map's end).
 */
static bool bz_in_ram(const struct e820_map *map, u64 gpa, u64 len)
{
	return gpa + len >= gpa && gpa + len <= FOUR_GIB && e820_contains(map, gpa, len, E820_RAM);
}

static const char *bz_type_name(u32 type)
{
	switch (type) {
	case E820_RESERVED:	return "reserved";
	case E820_ACPI:		return "ACPI tables";
	case E820_NVS:		return "ACPI NVS";
	case E820_UNUSABLE:	return "unusable";
	default:		return "not RAM";
	}
}

/* Name what keeps [gpa, gpa+len) from being RAM of the VM, for a message. */
static void bz_what_is_in_the_way(const struct e820_map *map, u64 gpa, u64 len,
				  char *buf, size_t n)
{
	u64 end = gpa + len < gpa ? ~0ULL : gpa + len, at = gpa, next = ~0ULL;
	const struct e820_entry *e;

	/* Skip the RAM the range starts in, if any. */
	while ((e = e820_find(map, at)) && e->type == E820_RAM && bz_entry_end(e) < end)
		at = bz_entry_end(e);
	if (e && e->type != E820_RAM) {
		snprintf(buf, n, "0x%lx-0x%lx is %s", e->addr, bz_entry_end(e),
			 bz_type_name(e->type));
		return;
	}
	if (!e) {
		for (unsigned i = 0; i < map->n && i < E820_MAX_ENTRIES; i++)
			if (map->e[i].addr > at && map->e[i].addr < next)
				next = map->e[i].addr;
		if (next == ~0ULL)
			snprintf(buf, n, "it has no memory from 0x%lx up", at);
		else
			snprintf(buf, n, "0x%lx-0x%lx is a hole in its memory", at, next);
		return;
	}
	/* All RAM: only the identity map's end can be in the way. */
	snprintf(buf, n, "the loader's page tables end at 4 GiB");
}

/* "10 MiB", "12 KiB" or "0x1234 bytes". */
static void bz_size_str(u64 v, char *buf, size_t n)
{
	if (v && !(v % ONE_MIB))
		snprintf(buf, n, "%lu MiB", (u64)(v / ONE_MIB));
	else if (v && !(v % 1024))
		snprintf(buf, n, "%lu KiB", v / 1024);
	else
		snprintf(buf, n, "0x%lx bytes", v);
}

/*
 * A relocatable kernel decompresses to align_up(max(load address,
 * pref_address), kernel_alignment) (boot.rst, init_size): loaded lower it
 * moves up to pref_address anyway. So it goes to the lowest address at or
 * above pref_address (and 1 MiB), aligned to kernel_alignment, whose
 * [addr, addr + span) lies in one RAM range below 4 GiB; it then runs where
 * it was loaded. min_alignment is not used: kernel_alignment is honoured as
 * it stands in the image.
 */
static int bz_place_relocatable(const struct e820_map *map, u32 align, u64 pref,
				const char *span_what, struct bz_plan *p)
{
	u64 floor = MAX(pref, ONE_MIB), best = ~0ULL, big_lo = 0, big_len = 0;
	char sz[32], al[32];

	for (unsigned i = 0; i < map->n && i < E820_MAX_ENTRIES && floor < FOUR_GIB; i++) {
		const struct e820_entry *e = &map->e[i];
		u64 lo = MAX(e->addr, floor), hi = MIN(bz_entry_end(e), FOUR_GIB), at;

		if (e->type != E820_RAM || lo >= hi)
			continue;
		if (hi - lo > big_len) {
			big_lo = lo;
			big_len = hi - lo;
		}
		at = ALIGN_UP(lo, (u64)align);		/* lo < 4 GiB, align <= 2 GiB */
		if (at < hi && hi - at >= p->kernel_span && at < best)
			best = at;
	}
	if (best != ~0ULL) {
		p->kernel_gpa = best;
		return 0;
	}
	bz_size_str(p->kernel_span, sz, sizeof(sz));
	bz_size_str(align, al, sizeof(al));
	if (!big_len)
		return bz_fail(p, -ENOSPC, "(relocatable) needs %s (%s) %s-aligned at or above "
			       "0x%lx (pref_address, where it moves itself if loaded lower) and "
			       "below 4 GiB, and this VM has no RAM there: give it RAM there",
			       sz, span_what, al, floor);
	return bz_fail(p, -ENOSPC, "(relocatable) needs %s (%s) %s-aligned at or above 0x%lx "
		       "(pref_address, where it moves itself if loaded lower) and below 4 GiB, "
		       "and no RAM range of this VM there has room (the largest is "
		       "0x%lx-0x%lx): give it more RAM there", sz, span_what, al, floor,
		       big_lo, big_lo + big_len);
}

static int bz_place_kernel(const u8 *img, const struct e820_map *map, struct bz_plan *p)
{
	u32 align = rd32(img, BZ_KERNEL_ALIGNMENT), init_size = rd32(img, BZ_INIT_SIZE);
	u64 pref = rd64(img, BZ_PREF_ADDRESS);
	const char *span_what = init_size >= p->kernel_len ? "init_size" : "image size";
	char sz[32], way[96];

	p->kernel_span = MAX((u64)init_size, p->kernel_len);
	if (rd8(img, BZ_RELOCATABLE)) {
		if (!align || (align & (align - 1)))
			return bz_fail(p, -EINVAL, "is relocatable with kernel_alignment 0x%x, "
				       "not a power of two", align);
		return bz_place_relocatable(map, align, pref, span_what, p);
	}

	/* Not relocatable: pref_address (we require protocol 2.12, which has it) or nothing. */
	p->kernel_gpa = pref;
	bz_size_str(p->kernel_span, sz, sizeof(sz));
	if (pref < ONE_MIB)
		return bz_fail(p, -ENOSPC, "(not relocatable) wants 0x%lx (pref_address), below 1 MiB "
			       "where the loader's boot structures and the firmware area are: build "
			       "it with CONFIG_RELOCATABLE or a CONFIG_PHYSICAL_START of 1 MiB or more",
			       pref);
	if (!bz_in_ram(map, pref, p->kernel_span)) {
		bz_what_is_in_the_way(map, pref, p->kernel_span, way, sizeof(way));
		return bz_fail(p, -ENOSPC, "(not relocatable) wants 0x%lx-0x%lx (%s %s), which is "
			       "not RAM of this VM (%s): build it with CONFIG_RELOCATABLE or give the "
			       "VM RAM there", pref, (u64)(pref + p->kernel_span < pref ? ~0ULL :
			       pref + p->kernel_span), span_what, sz, way);
	}
	return 0;
}

/* Highest page-aligned start for @size bytes inside [lo, hi), or 0. */
static u64 bz_top_fit(u64 lo, u64 hi, u64 size)
{
	u64 at;

	if (hi <= lo || hi - lo < size)
		return 0;
	at = ALIGN_DOWN(hi - size, PAGE_SIZE);
	return at >= lo ? at : 0;
}

/* Highest page-aligned RAM from 1 MiB to below initrd_addr_max, beside the kernel. */
static int bz_place_initrd(const u8 *img, u64 size, const struct e820_map *map,
			   struct bz_plan *p)
{
	u64 limit = MIN((u64)rd32(img, BZ_INITRD_ADDR_MAX) + 1, FOUR_GIB);
	u64 ks = p->kernel_gpa, ke = p->kernel_gpa + p->kernel_span;
	char sz[32];

	p->initrd_gpa = 0;
	if (!size)
		return 0;
	for (unsigned i = 0; i < map->n && i < E820_MAX_ENTRIES; i++) {
		const struct e820_entry *e = &map->e[i];
		u64 lo = MAX(e->addr, ONE_MIB), hi = MIN(bz_entry_end(e), limit);

		if (e->type != E820_RAM)
			continue;
		/* Below and above the kernel. */
		p->initrd_gpa = MAX(p->initrd_gpa, bz_top_fit(lo, MIN(hi, ks), size));
		p->initrd_gpa = MAX(p->initrd_gpa, bz_top_fit(MAX(lo, ke), hi, size));
	}
	if (p->initrd_gpa)
		return 0;
	bz_size_str(size, sz, sizeof(sz));
	return bz_fail(p, -ENOSPC, "has an initrd of %s that fits in no RAM of this VM from 1 MiB "
		       "to 0x%lx (%s) beside the kernel at 0x%lx-0x%lx: give the VM more RAM "
		       "below 0x%lx", sz, limit, limit == FOUR_GIB ? "4 GiB" : "initrd_addr_max",
		       ks, ke, limit);
}

static int bz_put(struct guest_mem *gm, u64 gpa, const void *v, size_t len)
{
	return gm->write(gm->ctx, gpa, v, len);
}

static int bz_put8(struct guest_mem *gm, u64 off, u8 v)
{
	return bz_put(gm, GUEST_LINUX_ZERO_PAGE_GPA + off, &v, sizeof(v));
}

static int bz_put32(struct guest_mem *gm, u64 off, u32 v)
{
	return bz_put(gm, GUEST_LINUX_ZERO_PAGE_GPA + off, &v, sizeof(v));
}

static int bz_write_zero_page(const u8 *img, u64 initrd_size, const struct e820_map *map,
			      struct guest_mem *gm, const struct bz_plan *p)
{
	u64 zp = GUEST_LINUX_ZERO_PAGE_GPA;
	int ret;

	ret = gm->zero(gm->ctx, zp, PAGE_SIZE);
	if (!ret)
		ret = bz_put(gm, zp + BZ_SETUP_SECTS, img + BZ_SETUP_SECTS,
			     p->hdr_end - BZ_SETUP_SECTS);
	if (!ret)
		ret = bz_put8(gm, BZ_TYPE_OF_LOADER, BZ_LOADER_UNDEFINED);
	if (!ret)
		ret = bz_put32(gm, BZ_CMD_LINE_PTR, (u32)GUEST_LINUX_CMDLINE_GPA);
	if (!ret)
		ret = bz_put32(gm, BP_EXT_CMD_LINE_PTR, (u32)(GUEST_LINUX_CMDLINE_GPA >> 32));
	if (!ret)
		ret = bz_put32(gm, BZ_RAMDISK_IMAGE, (u32)p->initrd_gpa);
	if (!ret)
		ret = bz_put32(gm, BP_EXT_RAMDISK_IMAGE, (u32)(p->initrd_gpa >> 32));
	if (!ret)
		ret = bz_put32(gm, BZ_RAMDISK_SIZE, (u32)initrd_size);
	if (!ret)
		ret = bz_put32(gm, BP_EXT_RAMDISK_SIZE, (u32)(initrd_size >> 32));
	if (!ret)
		ret = bz_put8(gm, BP_E820_ENTRIES, (u8)map->n);
	if (!ret && map->n)
		ret = bz_put(gm, zp + BP_E820_TABLE, map->e, map->n * sizeof(map->e[0]));
	return ret;
}

static int bz_write_gdt(struct guest_mem *gm)
{
	static const u64 gdt[BZ_GDT_ENTRIES] = {
		[GUEST_LINUX_BOOT_CS / 8] = BZ_GDT_CODE64,
		[GUEST_LINUX_BOOT_DS / 8] = BZ_GDT_DATA,
	};

	return bz_put(gm, GUEST_LINUX_GDT_GPA, gdt, sizeof(gdt));
}

/* PML4 -> one PDPT -> 4 PDs of 2 MiB pages: 0..4 GiB, identity. */
static int bz_write_page_tables(struct guest_mem *gm)
{
	u64 chunk[64];
	u64 e;
	int ret;

	ret = gm->zero(gm->ctx, GUEST_LINUX_PML4_GPA, 2 * PAGE_SIZE);
	e = GUEST_LINUX_PDPT_GPA | PTE_P | PTE_RW;
	if (!ret)
		ret = bz_put(gm, GUEST_LINUX_PML4_GPA, &e, sizeof(e));
	for (unsigned i = 0; !ret && i < BZ_NR_PD; i++) {
		e = (GUEST_LINUX_PD_GPA + i * PAGE_SIZE) | PTE_P | PTE_RW;
		ret = bz_put(gm, GUEST_LINUX_PDPT_GPA + i * sizeof(e), &e, sizeof(e));
	}
	for (unsigned base = 0; !ret && base < BZ_NR_PD * 512; base += ARRAY_SIZE(chunk)) {
		for (unsigned j = 0; j < ARRAY_SIZE(chunk); j++)
			chunk[j] = (u64)(base + j) * TWO_MIB | PTE_P | PTE_RW | PTE_PS;
		ret = bz_put(gm, GUEST_LINUX_PD_GPA + base * sizeof(u64), chunk, sizeof(chunk));
	}
	return ret;
}

static void bz_set_state(struct vcpu_boot_state *st, const struct bz_plan *p)
{
	memset(st, 0, sizeof(*st));
	st->mode = VCPU_BOOT_LONG64;
	st->rip = p->kernel_gpa + BZ_ENTRY64_OFFSET;
	st->rsi = GUEST_LINUX_ZERO_PAGE_GPA;
	st->rflags = 0x2;
	st->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	st->cr3 = GUEST_LINUX_PML4_GPA;
	st->cr4 = X86_CR4_PAE;
	st->efer = X86_EFER_LME | X86_EFER_LMA;
	st->gdt_base = GUEST_LINUX_GDT_GPA;
	st->gdt_limit = BZ_GDT_ENTRIES * 8 - 1;
	st->cs_sel = GUEST_LINUX_BOOT_CS;
	st->ds_sel = GUEST_LINUX_BOOT_DS;
}

int guest_bzimage_load(const void *image, size_t size, const void *initrd,
		       size_t initrd_size, const char *cmdline,
		       const struct e820_map *map, struct guest_mem *gm,
		       struct vcpu_boot_state *st, char *why, size_t why_size)
{
	const u8 *img = image;
	struct bz_plan p = { .why = why, .why_size = why_size };
	u64 cmax, low = GUEST_LINUX_ZERO_PAGE_GPA, low_len = GUEST_LINUX_LOW_END - low;
	char way[96];
	int ret;

	if (why && why_size)
		why[0] = '\0';
	if (!image || !map || map->n > E820_MAX_ENTRIES || (initrd_size && !initrd))
		return bz_fail(&p, -EINVAL, "cannot be loaded: no image, no memory map or an "
			       "initrd size without data");
	if (!cmdline)
		cmdline = "";

	ret = bz_check_header(img, size, &p);
	if (ret)
		return ret;
	if (!bz_in_ram(map, low, low_len)) {
		bz_what_is_in_the_way(map, low, low_len, way, sizeof(way));
		return bz_fail(&p, -ENOSPC, "needs RAM at 0x%lx-0x%lx for its zero page, GDT, page "
			       "tables and command line, which is not RAM of this VM (%s)",
			       low, (u64)GUEST_LINUX_LOW_END, way);
	}
	ret = bz_place_kernel(img, map, &p);
	if (ret)
		return ret;
	ret = bz_place_initrd(img, initrd_size, map, &p);
	if (ret)
		return ret;
	p.cmdline_len = strlen(cmdline);
	cmax = MIN((u64)rd32(img, BZ_CMDLINE_SIZE), GUEST_LINUX_CMDLINE_MAX - 1);
	if (p.cmdline_len > cmax)
		return bz_fail(&p, -E2BIG, "gets a command line of %zu characters; it takes at most "
			       "%lu", p.cmdline_len, cmax);

	ret = bz_write_zero_page(img, initrd_size, map, gm, &p);
	if (!ret)
		ret = bz_put(gm, GUEST_LINUX_CMDLINE_GPA, cmdline, p.cmdline_len + 1);
	if (!ret)
		ret = bz_write_gdt(gm);
	if (!ret)
		ret = bz_write_page_tables(gm);
	if (!ret)
		ret = bz_put(gm, p.kernel_gpa, img + p.setup_size, p.kernel_len);
	if (!ret && initrd_size)
		ret = bz_put(gm, p.initrd_gpa, initrd, initrd_size);
	if (ret)
		return bz_fail(&p, ret, "could not be written into the VM's memory");

	bz_set_state(st, &p);
	return 0;
}
