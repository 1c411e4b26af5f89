/*
 * Guest loaders: put a kernel image into a VM's RAM and compute the vCPU
 * state it starts in. They reach guest memory only through struct
 * guest_mem, and check every image before writing anything.
 */
#ifndef BH_GUEST_LOADER_H
#define BH_GUEST_LOADER_H

#include "types.h"
#include "vcpu_boot.h"

struct e820_map;

/* Guest RAM accessor; callbacks return 0 or a negative errno. */
struct guest_mem {
	void *ctx;
	int (*write)(void *ctx, u64 gpa, const void *src, size_t len);
	int (*zero)(void *ctx, u64 gpa, size_t len);
	u64 ram_size;		/* ELF/multiboot loaders: RAM is GPA 0 .. ram_size */
};

static inline bool guest_mem_range_ok(const struct guest_mem *gm, u64 gpa, u64 len)
{
	return gpa + len >= gpa && gpa + len <= gm->ram_size;
}

/*
 * Fixed guest-physical layout, all below 1 MiB.
 *
 * Multiboot (ELF) guests, per the guest contract:
 *   0x6000  multiboot1 info struct   (the whole page 0x6000-0x6FFF is ours)
 *   0x6100  its mmap, 24-byte entries, up to 74 of them
 *   0x6800  its cmdline, up to 2047 chars + NUL
 *   0x8000  free for the guest's AP trampoline (loaders never touch it)
 *
 * Linux (bzImage, 64-bit boot protocol):
 *   0x7000  zero page (struct boot_params, 4 KiB)
 *   0x9000  GDT: 0x10 = __BOOT_CS (64-bit code), 0x18 = __BOOT_DS
 *   0xA000  PML4
 *   0xB000  PDPT
 *   0xC000  4 page directories (to 0xFFFF): 0-4 GiB identity, 2 MiB pages
 *   0x20000 kernel command line, up to 0xFFFF bytes with the NUL
 *   kernel  relocatable: lowest kernel_alignment-aligned address at or above
 *           pref_address (and 1 MiB) where init_size fits in one RAM range;
 *           not relocatable: pref_address, which must be RAM
 *   initrd  highest page-aligned RAM below initrd_addr_max, not overlapping
 *           the kernel's init_size
 */
#define GUEST_MB1_BOOT_MAGIC		0x2BADB002u
#define GUEST_MBINFO_GPA		0x6000ULL
#define GUEST_MBINFO_MMAP_GPA		0x6100ULL
#define GUEST_MBINFO_MMAP_MAX		74
#define GUEST_MBINFO_CMDLINE_GPA	0x6800ULL
#define GUEST_MBINFO_CMDLINE_MAX	2047
#define GUEST_AP_TRAMPOLINE_GPA		0x8000ULL

#define GUEST_LINUX_ZERO_PAGE_GPA	0x7000ULL
#define GUEST_LINUX_GDT_GPA		0x9000ULL
#define GUEST_LINUX_PML4_GPA		0xA000ULL
#define GUEST_LINUX_PDPT_GPA		0xB000ULL
#define GUEST_LINUX_PD_GPA		0xC000ULL
#define GUEST_LINUX_CMDLINE_GPA		0x20000ULL
#define GUEST_LINUX_CMDLINE_MAX		0xFFFFULL	/* bytes incl. the NUL */
#define GUEST_LINUX_LOW_END		0x30000ULL	/* RAM needed for the above */
#define GUEST_LINUX_BOOT_CS		0x10
#define GUEST_LINUX_BOOT_DS		0x18

/* Lowest GPA an ELF segment may occupy; the first page stays unused. */
#define GUEST_ELF_MIN_GPA		0x1000ULL

/* True if the image starts with the ELF magic. */
bool guest_elf_probe(const void *image, size_t size);

/*
 * Load an ELF32 i386 or ELF64 x86-64 executable (ET_EXEC): copy each
 * PT_LOAD segment's file bytes to its physical address (p_paddr) and zero
 * the rest of its memsz. Both classes are entered the multiboot way, in
 * 32-bit protected mode with paging off: an ELF64 kernel must bring its own
 * 32-bit entry stub, as for GRUB's multiboot loader. The entry (e_entry,
 * translated from p_vaddr to p_paddr through the segment holding it) must
 * lie in a loaded segment and below 4 GiB.
 * Fills @st completely: VCPU_BOOT_PROT32, rip = entry, rflags = 0x2,
 * rax = 0x2BADB002, cr0 = PE|ET, everything else 0 (default GDT). Call
 * guest_mbinfo_build() afterwards for rbx.
 * Rejects (-EINVAL, nothing written): bad magic/class/data/version, type
 * not EXEC, wrong machine for the class, phdrs or segment bytes outside the
 * file, filesz > memsz, segments below 0x1000, past ram_size, over the boot
 * info page 0x6000-0x6FFF or wrapping, no non-empty PT_LOAD, entry outside
 * every segment. Errors from @gm are passed on.
 */
int guest_elf_load(const void *image, size_t size, struct guest_mem *gm,
		   struct vcpu_boot_state *st);

/*
 * Write the multiboot1 info the guest contract promises at 0x6000: flags
 * bit0|bit2|bit6, mem_lower = 640, mem_upper = KiB of the RAM entry that
 * holds 1 MiB above 1 MiB, @map as multiboot mmap entries at 0x6100, and
 * @cmdline (NULL = "") at 0x6800. The rest of the page is zeroed. Sets
 * st->rbx = 0x6000, st->rax = 0x2BADB002; nothing else in @st.
 * -EINVAL if RAM does not cover the page or no RAM entry holds 1 MiB;
 * -E2BIG if the map has more than 74 entries or the cmdline is longer than
 * 2047 chars (nothing written then).
 */
int guest_mbinfo_build(struct guest_mem *gm, const char *cmdline,
		       const struct e820_map *map, struct vcpu_boot_state *st);

/* Room for any reason guest_bzimage_load() gives, with the NUL. */
#define GUEST_LOAD_WHY_LEN		320

/* True if the image carries a Linux boot-protocol header ("HdrS", 0xAA55). */
bool guest_bzimage_probe(const void *image, size_t size);

/*
 * Load a Linux bzImage for the 64-bit boot protocol (2.12+, XLF_KERNEL_64)
 * at the layout above: kernel, optional initrd (@initrd_size 0 = none),
 * zero page with the image's setup header, type_of_loader 0xFF, cmd_line_ptr,
 * ramdisk_image/size (+ ext_ high halves), e820 table from @map; GDT and
 * identity page tables. Fills @st completely: VCPU_BOOT_LONG64,
 * rip = kernel + 0x200, rsi = zero page, cr0 = PE|ET|NE|PG, cr4 = PAE,
 * efer = LME|LMA, cr3 = PML4, gdt 0x9000/0x1F, cs 0x10, ds 0x18,
 * rflags = 0x2.
 *
 * The VM's RAM is the type-1 (RAM) entries of @map (gm->ram_size is not
 * used): the kernel's [addr, addr + max(init_size, image)), the initrd and
 * 0x7000-0x30000 must each lie in one of them, below 4 GiB (the end of the
 * identity map). A relocatable kernel goes to the lowest kernel_alignment
 * aligned address >= MAX(pref_address, 1 MiB) that fits: Linux moves itself
 * up to pref_address when loaded below it (boot.rst, init_size), so a lower
 * address would not keep it out of a hole there. min_alignment is not used.
 * A non-relocatable one goes to pref_address or nowhere.
 *
 * On failure, if @why is not NULL, it gets a one-line reason without a
 * newline (cut to @why_size; GUEST_LOAD_WHY_LEN holds any of them), worded
 * to follow "kernel 'name' ", e.g.
 * "(not relocatable) wants 0x1000000-0x1a00000 (init_size 10 MiB), which is
 * not RAM of this VM (0x1000000-0x3000000 is a hole in its memory): build it
 * with CONFIG_RELOCATABLE or give the VM RAM there"; on success why[0] = 0.
 * Returns (nothing written on any error but a failing @gm write):
 *   -EINVAL   bad arguments; too small, bad boot_flag/"HdrS", header or setup
 *             size beyond the image or the zero page's header area;
 *             relocatable with a kernel_alignment that is not a power of two
 *   -ENOTSUP  protocol < 2.12, not 64-bit capable, not LOADED_HIGH
 *   -ENOSPC   the kernel, the initrd or 0x7000-0x30000 finds no RAM: nothing
 *             fits (relocatable), pref_address below 1 MiB or not RAM (not
 *             relocatable)
 *   -E2BIG    cmdline longer than the kernel's cmdline_size or 0xFFFE
 *   errors of @gm's callbacks, passed on
 */
int guest_bzimage_load(const void *image, size_t size, const void *initrd,
		       size_t initrd_size, const char *cmdline,
		       const struct e820_map *map, struct guest_mem *gm,
		       struct vcpu_boot_state *st, char *why, size_t why_size);

#endif
