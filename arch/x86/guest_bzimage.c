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
};

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

	if (size < BZ_MIN_SIZE || !guest_bzimage_probe(img, size))
		return -EINVAL;
	if (rd16(img, BZ_VERSION) < BZ_MIN_VERSION)
		return -ENOTSUP;
	p->hdr_end = BZ_HEADER + rd8(img, BZ_JUMP_OFFSET);
	if (p->hdr_end < BZ_HDR_MIN_END || p->hdr_end > BP_HDR_MAX_END)
		return -EINVAL;
	if (!(rd16(img, BZ_XLOADFLAGS) & BZ_XLF_KERNEL_64) ||
	    !(rd8(img, BZ_LOADFLAGS) & BZ_LOADED_HIGH))
		return -ENOTSUP;
	sects = rd8(img, BZ_SETUP_SECTS);
	if (!sects)
		sects = 4;
	p->setup_size = (sects + 1) * 512ULL;
	if (p->setup_size >= size)
		return -EINVAL;
	p->kernel_len = size - p->setup_size;
	return 0;
}

static bool bz_fits(const struct guest_mem *gm, const struct e820_map *map, u64 gpa, u64 len)
{
	return gpa + len <= FOUR_GIB && guest_mem_range_ok(gm, gpa, len) &&
	       e820_contains(map, gpa, len, E820_RAM);
}

static int bz_place_kernel(const u8 *img, const struct e820_map *map,
			   const struct guest_mem *gm, struct bz_plan *p)
{
	u32 align = rd32(img, BZ_KERNEL_ALIGNMENT);

	if (rd8(img, BZ_RELOCATABLE)) {
		if (!align || (align & (align - 1)))
			return -EINVAL;
		p->kernel_gpa = ALIGN_UP(GUEST_LINUX_KERNEL_GPA, (u64)align);
	} else {
		p->kernel_gpa = rd64(img, BZ_PREF_ADDRESS);
	}
	p->kernel_span = MAX((u64)rd32(img, BZ_INIT_SIZE), p->kernel_len);
	if (p->kernel_gpa < ONE_MIB || !bz_fits(gm, map, p->kernel_gpa, p->kernel_span))
		return -ENOMEM;
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

static int bz_place_initrd(const u8 *img, u64 size, const struct e820_map *map,
			   const struct guest_mem *gm, struct bz_plan *p)
{
	u64 limit = MIN((u64)rd32(img, BZ_INITRD_ADDR_MAX) + 1, MIN(gm->ram_size, FOUR_GIB));
	u64 ks = p->kernel_gpa, ke = p->kernel_gpa + p->kernel_span;

	p->initrd_gpa = 0;
	if (!size)
		return 0;
	for (unsigned i = 0; i < map->n && i < E820_MAX_ENTRIES; i++) {
		const struct e820_entry *e = &map->e[i];
		u64 lo = MAX(e->addr, ONE_MIB), hi = MIN(e->addr + e->size, limit);

		if (e->type != E820_RAM)
			continue;
		/* Below and above the kernel. */
		p->initrd_gpa = MAX(p->initrd_gpa, bz_top_fit(lo, MIN(hi, ks), size));
		p->initrd_gpa = MAX(p->initrd_gpa, bz_top_fit(MAX(lo, ke), hi, size));
	}
	return p->initrd_gpa ? 0 : -ENOMEM;
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
		       struct vcpu_boot_state *st)
{
	const u8 *img = image;
	struct bz_plan p = { 0 };
	u64 cmax;
	int ret;

	if (!image || !map || map->n > E820_MAX_ENTRIES || (initrd_size && !initrd))
		return -EINVAL;
	if (!cmdline)
		cmdline = "";

	ret = bz_check_header(img, size, &p);
	if (ret)
		return ret;
	ret = bz_place_kernel(img, map, gm, &p);
	if (ret)
		return ret;
	if (!guest_mem_range_ok(gm, 0, GUEST_LINUX_LOW_END))
		return -ENOMEM;
	ret = bz_place_initrd(img, initrd_size, map, gm, &p);
	if (ret)
		return ret;
	p.cmdline_len = strlen(cmdline);
	cmax = MIN((u64)rd32(img, BZ_CMDLINE_SIZE), GUEST_LINUX_CMDLINE_MAX - 1);
	if (p.cmdline_len > cmax)
		return -E2BIG;

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
		return ret;

	bz_set_state(st, &p);
	return 0;
}
