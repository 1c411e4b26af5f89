/*
 * libFuzzer: the boot loader's info block parser (boot/bootinfo.c), for
 * multiboot2 (self-contained tags, EFI memory map included) and multiboot1
 * (pointers to the command line, modules, memory map).
 * Each part lies at the very end of its own slot of a 32-bit-addressable
 * arena, right before a page the harness makes inaccessible, so reading
 * past it faults. The loader is trusted about where its memory is:
 * multiboot2's total_size is cut to the input; multiboot1's pointers are
 * set by the harness to parts the input supplies (their lengths cut to the
 * part), so what is fuzzed is the parser's handling of the layout, not
 * reads the loader never asked for.
 * Input: a selector byte (bit 0: multiboot1), then the multiboot2 block,
 * or the multiboot1 header (68 bytes; a non-zero pointer field means
 * "present") followed by its parts: strings, module table, memory map,
 * each a length byte and the bytes.
 * Properties: the documented return values; on -EINVAL the result is empty;
 * otherwise counts within their arrays, no empty memory map entry, modules
 * that end at or after their start, strings terminated, an RSDP copy of 0,
 * 20 or 36 bytes.
 */
#include <sys/mman.h>
#include "fuzz_check.h"
#include "bootinfo.h"
#include "errno.h"
#include "lib.h"

#define SLOT (64u << 10)	/* the last page of each is inaccessible */
#define NR_SLOTS 4
#define PAGE 4096u

static u8 *arena;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_level = LOG_ERR - 1;
	arena = mmap(NULL, SLOT * NR_SLOTS, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	FUZZ_CHECK(arena != MAP_FAILED);
	for (unsigned i = 0; i < NR_SLOTS; i++)
		FUZZ_CHECK(mprotect(arena + SLOT * (i + 1) - PAGE, PAGE, PROT_NONE) == 0);
	return 0;
}

/* n bytes placed to end right before slot i's inaccessible page, 8-aligned below. */
static u8 *place(unsigned i, const u8 *p, size_t n)
{
	u8 *at = arena + SLOT * (i + 1) - PAGE - n;

	at = (u8 *)((uintptr_t)at & ~(uintptr_t)7);
	memmove(at, p, n);
	return at;
}

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static u32 addr(const u8 *p) { return (u32)(uintptr_t)p; }

/* mb1_info field offsets */
enum { F_CMDLINE = 16, F_MODS_COUNT = 20, F_MODS_ADDR = 24, F_MMAP_LEN = 44, F_MMAP_ADDR = 48,
       F_LOADER = 64, MB1_INFO_LEN = 68 };

/* The next part of the input: a length byte, then that many bytes (or what is left). */
static size_t part(struct fuzz_in *in, const u8 **p)
{
	size_t n = (size_t)fuzz_take(in, 1) * 4;

	n = MIN(n, in->left);
	*p = in->p;
	in->p += n;
	in->left -= n;
	return n;
}

/* Slot 0: the header; 1: strings; 2: module table; 3: memory map. */
static u8 *mb1_layout(struct fuzz_in *in)
{
	u8 hdr[MB1_INFO_LEN], str[1024 + 1], *s, *mods;
	const u8 *p;
	size_t n, ns;

	memcpy(hdr, in->p, MB1_INFO_LEN);
	in->p += MB1_INFO_LEN;
	in->left -= MB1_INFO_LEN;
	ns = part(in, &p);
	memcpy(str, p, ns);
	str[ns++] = 0;		/* the last string ends inside */
	s = place(1, str, ns);
	if (rd32(hdr + F_CMDLINE))
		wr32(hdr + F_CMDLINE, addr(s + rd32(hdr + F_CMDLINE) % ns));
	if (rd32(hdr + F_LOADER))
		wr32(hdr + F_LOADER, addr(s + rd32(hdr + F_LOADER) % ns));
	n = part(in, &p) & ~(size_t)15;
	mods = place(2, p, n);
	for (size_t i = 0; i < n; i += 16)
		if (rd32(mods + i + 8))
			wr32(mods + i + 8, addr(s + rd32(mods + i + 8) % ns));
	if (rd32(hdr + F_MODS_ADDR)) {
		wr32(hdr + F_MODS_ADDR, addr(mods));
		if (MIN(rd32(hdr + F_MODS_COUNT), (u32)BOOTINFO_MAX_MODS) > n / 16)
			wr32(hdr + F_MODS_COUNT, (u32)(n / 16));
	}
	n = part(in, &p);
	if (rd32(hdr + F_MMAP_ADDR)) {
		wr32(hdr + F_MMAP_ADDR, addr(place(3, p, n)));
		wr32(hdr + F_MMAP_LEN, MIN(rd32(hdr + F_MMAP_LEN), (u32)n));
	}
	return place(0, hdr, MB1_INFO_LEN);
}

static bool terminated(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct boot_info bi;
	struct fuzz_in in = { data + 1, len - 1 };
	bool mb1;
	u8 *b;
	int r;

	if (len < 2 || len > SLOT / 2)
		return 0;
	mb1 = data[0] & 1;
	if (in.left < (mb1 ? MB1_INFO_LEN : 8))	/* the fixed header is always there */
		return 0;
	if (mb1) {
		b = mb1_layout(&in);
	} else {
		b = place(0, in.p, in.left);
		if (rd32(b) > in.left)
			wr32(b, (u32)in.left);
	}

	r = bootinfo_parse(mb1 ? MB1_BOOTLOADER_MAGIC : MB2_BOOTLOADER_MAGIC, (uintptr_t)b, &bi);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG);
	FUZZ_CHECK(bi.loader && bi.rsdp == (bi.rsdp_len ? (uintptr_t)bi.rsdp_copy : 0));
	if (r == -EINVAL) {
		FUZZ_CHECK(bi.nr_mmap == 0 && bi.nr_mods == 0 && bi.cmdline[0] == 0 &&
			   bi.rsdp_len == 0);
		return 0;
	}
	FUZZ_CHECK(bi.nr_mmap <= BOOTINFO_MAX_MMAP && bi.nr_mods <= BOOTINFO_MAX_MODS);
	for (unsigned i = 0; i < bi.nr_mmap; i++)
		FUZZ_CHECK(bi.mmap[i].len != 0);
	for (unsigned i = 0; i < bi.nr_mods; i++)
		FUZZ_CHECK(bi.mods[i].end >= bi.mods[i].start &&
			   terminated(bi.mods[i].string, BOOTINFO_MODSTR_LEN));
	FUZZ_CHECK(terminated(bi.cmdline, BOOTINFO_CMDLINE_LEN));
	FUZZ_CHECK(terminated(bi.loader_name, BOOTINFO_NAME_LEN));
	FUZZ_CHECK(bi.rsdp_len == 0 || bi.rsdp_len == 20 || bi.rsdp_len == 36);
	return 0;
}
