/* The multiboot1 info block the guest contract promises at GPA 0x6000. */
#include "guest_loader.h"
#include "e820.h"
#include "errno.h"
#include "lib.h"

#define MBI_FLAG_MEM		BIT(0)
#define MBI_FLAG_CMDLINE	BIT(2)
#define MBI_FLAG_MMAP		BIT(6)

#define MBI_MEM_LOWER_KB	640
#define MBI_HIGH_MEM		0x100000ULL

/* Field offsets in the multiboot1 info struct. */
#define MBI_OFF_FLAGS		0
#define MBI_OFF_MEM_LOWER	4
#define MBI_OFF_MEM_UPPER	8
#define MBI_OFF_CMDLINE		16
#define MBI_OFF_MMAP_LENGTH	44
#define MBI_OFF_MMAP_ADDR	48

/* A multiboot mmap entry: 'size' counts the 20 bytes after itself. */
struct mbi_mmap_entry {
	u32 size;
	u64 base, len;
	u32 type;
} __packed;

static int mbi_put32(struct guest_mem *gm, u64 off, u32 v)
{
	return gm->write(gm->ctx, GUEST_MBINFO_GPA + off, &v, sizeof(v));
}

int guest_mbinfo_build(struct guest_mem *gm, const char *cmdline,
		       const struct e820_map *map, struct vcpu_boot_state *st)
{
	const struct e820_entry *high;
	size_t clen;
	u64 top, upper;
	int ret;

	if (!cmdline)
		cmdline = "";
	clen = strlen(cmdline);
	if (!guest_mem_range_ok(gm, GUEST_MBINFO_GPA, PAGE_SIZE))
		return -EINVAL;
	if (map->n > GUEST_MBINFO_MMAP_MAX || clen > GUEST_MBINFO_CMDLINE_MAX)
		return -E2BIG;
	high = e820_find(map, MBI_HIGH_MEM);
	if (!high || high->type != E820_RAM)
		return -EINVAL;
	top = MIN(high->addr + high->size, gm->ram_size);
	upper = top > MBI_HIGH_MEM ? (top - MBI_HIGH_MEM) / 1024 : 0;

	ret = gm->zero(gm->ctx, GUEST_MBINFO_GPA, PAGE_SIZE);
	if (!ret)
		ret = mbi_put32(gm, MBI_OFF_FLAGS, MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MMAP);
	if (!ret)
		ret = mbi_put32(gm, MBI_OFF_MEM_LOWER, MBI_MEM_LOWER_KB);
	if (!ret)
		ret = mbi_put32(gm, MBI_OFF_MEM_UPPER, (u32)MIN(upper, 0xFFFFFFFFULL));
	if (!ret)
		ret = mbi_put32(gm, MBI_OFF_CMDLINE, (u32)GUEST_MBINFO_CMDLINE_GPA);
	if (!ret)
		ret = mbi_put32(gm, MBI_OFF_MMAP_LENGTH,
				map->n * (u32)sizeof(struct mbi_mmap_entry));
	if (!ret)
		ret = mbi_put32(gm, MBI_OFF_MMAP_ADDR, (u32)GUEST_MBINFO_MMAP_GPA);
	for (unsigned i = 0; !ret && i < map->n; i++) {
		struct mbi_mmap_entry e = {
			.size = sizeof(e) - sizeof(e.size),
			.base = map->e[i].addr,
			.len = map->e[i].size,
			.type = map->e[i].type,
		};

		ret = gm->write(gm->ctx, GUEST_MBINFO_MMAP_GPA + i * sizeof(e), &e, sizeof(e));
	}
	if (!ret)
		ret = gm->write(gm->ctx, GUEST_MBINFO_CMDLINE_GPA, cmdline, clen + 1);
	if (ret)
		return ret;

	st->rbx = GUEST_MBINFO_GPA;
	st->rax = GUEST_MB1_BOOT_MAGIC;
	return 0;
}
