/* Guest loaders: ELF and multiboot1 info, against a fake guest RAM (bzImage: test_bzimage.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest_ram_fixture.h"

/* ---- ELF images ---- */

struct e32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __attribute__((packed));

struct e32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __attribute__((packed));

struct e64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __attribute__((packed));

struct e64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} __attribute__((packed));

#define ELF_SIZE 0x1400
static u8 elf[ELF_SIZE];
static struct e32_ehdr *eh32 = (struct e32_ehdr *)elf;
static struct e32_phdr *ph32 = (struct e32_phdr *)(elf + 52);
static struct e64_ehdr *eh64 = (struct e64_ehdr *)elf;
static struct e64_phdr *ph64 = (struct e64_phdr *)(elf + 64);

/* Text (0x200 bytes 'T') at 0x100000, data 0x100 'D' + bss to 0x1000 at 0x102000. */
static void elf_fill_payload(void)
{
	memset(elf + 0x1000, 'T', 0x200);
	memset(elf + 0x1200, 'D', 0x100);
}

static void build_elf32(void)
{
	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\177ELF\1\1\1", 7);
	eh32->type = 2;
	eh32->machine = 3;
	eh32->version = 1;
	eh32->entry = 0x100010;
	eh32->phoff = 52;
	eh32->ehsize = 52;
	eh32->phentsize = sizeof(struct e32_phdr);
	eh32->phnum = 3;
	ph32[0] = (struct e32_phdr){ 1, 0x1000, 0x100000, 0x100000, 0x200, 0x200, 5, 0x1000 };
	ph32[1] = (struct e32_phdr){ 4, 0x9999999, 0, 0, 0x10, 0x10, 4, 4 };	/* PT_NOTE */
	ph32[2] = (struct e32_phdr){ 1, 0x1200, 0x102000, 0x102000, 0x100, 0x1000, 6, 0x1000 };
	elf_fill_payload();
}

static void build_elf64(u64 vbase)
{
	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\177ELF\2\1\1", 7);
	eh64->type = 2;
	eh64->machine = 62;
	eh64->version = 1;
	eh64->entry = vbase + 0x10;
	eh64->phoff = 64;
	eh64->ehsize = 64;
	eh64->phentsize = sizeof(struct e64_phdr);
	eh64->phnum = 2;
	ph64[0] = (struct e64_phdr){ 1, 5, 0x1000, vbase, 0x100000, 0x200, 0x200, 0x1000 };
	ph64[1] = (struct e64_phdr){ 1, 6, 0x1200, vbase + 0x2000, 0x102000, 0x100, 0x1000, 0x1000 };
	elf_fill_payload();
}

static int load_elf(size_t size)
{
	return guest_elf_load(elf, size, &gm, &st);
}

static void expect_elf_loaded(void)
{
	assert_true(all_bytes(0x100000, 0x200, 'T'));
	assert_true(all_bytes(0x102000, 0x100, 'D'));
	assert_true(all_bytes(0x102100, 0xF00, 0));	/* bss zeroed */
	assert_true(all_bytes(0x100200, 0x1E00, POISON));
	assert_true(all_bytes(0x103000, 0x1000, POISON));
	assert_true(all_bytes(0, 0x100000, POISON));
	assert_int_equal(st.mode, VCPU_BOOT_PROT32);
	assert_int_equal(st.rip, 0x100010);
	assert_int_equal(st.rax, 0x2BADB002);
	assert_int_equal(st.rflags, 0x2);
	assert_int_equal(st.cr0, 0x11);
	assert_int_equal(st.cr3, 0);
	assert_int_equal(st.cr4, 0);
	assert_int_equal(st.efer, 0);
	assert_int_equal(st.gdt_base, 0);
	assert_int_equal(st.rbx, 0);
	assert_int_equal(st.rsi, 0);
}

static void test_elf32_load(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	build_elf32();
	assert_true(guest_elf_probe(elf, sizeof(elf)));
	assert_int_equal(load_elf(ELF_SIZE), 0);
	expect_elf_loaded();
}

static void test_elf64_load(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	/* Linked high, loaded by p_paddr; the entry is translated. */
	build_elf64(0xFFFFFFFF80100000ULL);
	assert_int_equal(load_elf(ELF_SIZE), 0);
	expect_elf_loaded();

	ram_init(4 * MiB);
	build_elf64(0x100000);
	assert_int_equal(load_elf(ELF_SIZE), 0);
	expect_elf_loaded();
}

static void test_elf_pure_bss_segment(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	build_elf32();
	ph32[2].filesz = 0;
	ph32[2].offset = 0xFFFFFFFF;	/* unused when filesz is 0 */
	assert_int_equal(load_elf(ELF_SIZE), 0);
	assert_true(all_bytes(0x102000, 0x1000, 0));
}

/* Every malformed case is rejected before anything is written. */
static void expect_elf_reject(size_t size)
{
	ram.writes = 0;
	assert_int_equal(load_elf(size), -EINVAL);
	assert_int_equal(ram.writes, 0);
	assert_true(all_bytes(0x100000, 0x4000, POISON));
}

static void test_elf_header_rejects(void **state)
{
	(void)state;
	ram_init(4 * MiB);

	build_elf32(); elf[0] = 0x7E;			expect_elf_reject(ELF_SIZE);
	build_elf32(); elf[4] = 3;			expect_elf_reject(ELF_SIZE);
	build_elf32(); elf[4] = 2;			expect_elf_reject(ELF_SIZE); /* class vs layout */
	build_elf32(); elf[5] = 2;			expect_elf_reject(ELF_SIZE); /* big endian */
	build_elf32(); elf[6] = 0;			expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->machine = 62;		expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->type = 3;			expect_elf_reject(ELF_SIZE); /* ET_DYN */
	build_elf32(); eh32->version = 0;		expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->phentsize = 56;		expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->phnum = 0;			expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->phnum = 0xFFFF;		expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->phoff = ELF_SIZE + 1;	expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->phoff = ELF_SIZE - 64;	expect_elf_reject(ELF_SIZE); /* 3 phdrs don't fit */
	build_elf32(); eh32->phoff = 0xFFFFFFF0;	expect_elf_reject(ELF_SIZE);
	build_elf32();					expect_elf_reject(40);	/* truncated header */
	build_elf32();					expect_elf_reject(3);
	build_elf32();					expect_elf_reject(100);	/* phdrs cut */
	build_elf64(0x100000); eh64->machine = 3;	expect_elf_reject(ELF_SIZE);
	build_elf64(0x100000); eh64->phentsize = 32;	expect_elf_reject(ELF_SIZE);
	build_elf64(0x100000); eh64->phoff = ~0ULL - 8;	expect_elf_reject(ELF_SIZE);
	build_elf64(0x100000);				expect_elf_reject(63);
}

static void test_elf_segment_rejects(void **state)
{
	(void)state;
	ram_init(4 * MiB);

	/* Segment bytes outside the file. */
	build_elf32(); ph32[2].offset = ELF_SIZE - 0x80;	expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[2].offset = 0xFFFFFF80;		expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[0].filesz = ph32[0].memsz = ELF_SIZE;	expect_elf_reject(ELF_SIZE);
	build_elf32();						expect_elf_reject(0x1280);
	/* filesz > memsz. */
	build_elf32(); ph32[2].memsz = 0x80;			expect_elf_reject(ELF_SIZE);
	/* Below 0x1000, across the boot info page, past RAM, wrapping. */
	build_elf32(); ph32[0].paddr = 0x800;			expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[0].paddr = 0;			expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[0].paddr = 0x5F00;			expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[0].paddr = 0x6FFF;			expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[2].paddr = 4 * MiB - 0x800;		expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[2].paddr = 0xFFFFF800;		expect_elf_reject(ELF_SIZE);
	build_elf64(0x100000); ph64[1].paddr = ~0ULL - 0x7FF;	expect_elf_reject(ELF_SIZE);
	build_elf64(0x100000); ph64[1].memsz = ~0ULL;		expect_elf_reject(ELF_SIZE);
	/* No PT_LOAD, or only empty ones. */
	build_elf32(); ph32[0].type = ph32[2].type = 6;		expect_elf_reject(ELF_SIZE);
	build_elf32(); ph32[0].filesz = ph32[0].memsz = 0;
	ph32[2].filesz = ph32[2].memsz = 0;			expect_elf_reject(ELF_SIZE);
	/* Entry outside every loaded segment (incl. the empty PT_NOTE). */
	build_elf32(); eh32->entry = 0x101000;			expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->entry = 0x100200;			expect_elf_reject(ELF_SIZE);
	build_elf32(); eh32->entry = 0;				expect_elf_reject(ELF_SIZE);
	build_elf64(0xFFFFFFFF80100000ULL); eh64->entry = 0x100010;	expect_elf_reject(ELF_SIZE);

	/* Just inside the limits is accepted: entry at the last bss byte. */
	build_elf32(); eh32->entry = 0x102FFF; ph32[0].paddr = ph32[0].vaddr = 0x7000;
	assert_int_equal(load_elf(ELF_SIZE), 0);
	assert_int_equal(st.rip, 0x102FFF);
	assert_true(all_bytes(0x7000, 0x200, 'T'));
}

static void test_elf_entry_above_4g(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	gm.ram_size = 8ULL << 30;	/* rejected before any access */
	build_elf64(0x100000);
	ph64[0].paddr = 0x100000000ULL;
	expect_elf_reject(ELF_SIZE);
}

static void test_elf_write_error(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	build_elf32();
	ram.fail_at = 2;
	assert_int_equal(load_elf(ELF_SIZE), -EIO);
}

/* ---- multiboot1 info ---- */

static void test_mbinfo_basic(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	st.rip = 0x1234;
	assert_int_equal(guest_mbinfo_build(&gm, "bench=1 name=vm0", &map, &st), 0);
	assert_int_equal(rd32(0x6000), 0x45);
	assert_int_equal(rd32(0x6004), 640);
	assert_int_equal(rd32(0x6008), (4 * MiB - MiB) / 1024);
	assert_int_equal(rd32(0x6010), 0x6800);
	assert_int_equal(rd32(0x602C), 24);
	assert_int_equal(rd32(0x6030), 0x6100);
	assert_int_equal(rd32(0x6100), 20);
	assert_int_equal(rd64(0x6104), 0);
	assert_int_equal(rd64(0x610C), 4 * MiB);
	assert_int_equal(rd32(0x6114), 1);
	assert_string_equal((char *)ram.mem + 0x6800, "bench=1 name=vm0");
	/* The rest of the page is zero, the neighbours untouched. */
	assert_true(all_bytes(0x6034, 0x6100 - 0x6034, 0));
	assert_true(all_bytes(0x6118, 0x6800 - 0x6118, 0));
	assert_true(all_bytes(0x6811, 0x7000 - 0x6811, 0));
	assert_true(all_bytes(0x5000, 0x1000, POISON));
	assert_true(all_bytes(0x7000, 0x2000, POISON));
	assert_int_equal(st.rbx, 0x6000);
	assert_int_equal(st.rax, 0x2BADB002);
	assert_int_equal(st.rip, 0x1234);	/* not touched */
}

static void test_mbinfo_holes_and_limits(void **state)
{
	char cl[GUEST_MBINFO_CMDLINE_MAX + 2];

	(void)state;
	ram_init(8 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9F000, E820_RAM);
	e820_add(&map, 0xF0000, 0x10000, E820_RESERVED);
	e820_add(&map, MiB, 6 * MiB, E820_RAM);
	e820_add(&map, 7 * MiB, MiB, E820_ACPI);
	assert_int_equal(guest_mbinfo_build(&gm, NULL, &map, &st), 0);
	assert_int_equal(rd32(0x6008), 6 * 1024);
	assert_int_equal(rd32(0x602C), 4 * 24);
	assert_int_equal(rd64(0x6100 + 24 + 4), 0xF0000);
	assert_int_equal(rd32(0x6100 + 24 + 20), 2);
	assert_int_equal(rd32(0x6100 + 72 + 20), 3);
	assert_int_equal(ram.mem[0x6800], 0);

	/* Longest cmdline ends exactly at the page end. */
	memset(cl, 'x', sizeof(cl));
	cl[GUEST_MBINFO_CMDLINE_MAX] = '\0';
	assert_int_equal(guest_mbinfo_build(&gm, cl, &map, &st), 0);
	assert_int_equal(ram.mem[0x6FFE], 'x');
	assert_int_equal(ram.mem[0x6FFF], 0);
	assert_true(all_bytes(0x7000, 0x100, POISON));

	ram.writes = 0;
	cl[GUEST_MBINFO_CMDLINE_MAX] = 'x';
	cl[GUEST_MBINFO_CMDLINE_MAX + 1] = '\0';
	assert_int_equal(guest_mbinfo_build(&gm, cl, &map, &st), -E2BIG);
	assert_int_equal(ram.writes, 0);
}

static void test_mbinfo_rejects(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	e820_init(&map);
	for (unsigned i = 0; i < GUEST_MBINFO_MMAP_MAX; i++)
		e820_add(&map, i * 0x20000ULL, 0x10000, i == 8 ? E820_RAM : E820_RESERVED);
	/* 74 entries fit; entry 8 = RAM at 1 MiB. */
	assert_int_equal(guest_mbinfo_build(&gm, "", &map, &st), 0);
	assert_int_equal(rd64(0x6100 + 73 * 24 + 4), 73 * 0x20000ULL);
	assert_int_equal(rd32(0x6008), 64);
	e820_add(&map, 0x3000000, 0x1000, E820_RESERVED);
	ram.writes = 0;
	assert_int_equal(guest_mbinfo_build(&gm, "", &map, &st), -E2BIG);
	assert_int_equal(ram.writes, 0);

	/* Nothing (or no RAM) at 1 MiB. */
	e820_init(&map);
	e820_add(&map, 0, 0x9F000, E820_RAM);
	assert_int_equal(guest_mbinfo_build(&gm, "", &map, &st), -EINVAL);
	e820_add(&map, MiB, MiB, E820_RESERVED);
	assert_int_equal(guest_mbinfo_build(&gm, "", &map, &st), -EINVAL);
	assert_int_equal(ram.writes, 0);

	/* RAM too small for the info page. */
	ram_init(0x6800);
	assert_int_equal(guest_mbinfo_build(&gm, "", &map, &st), -EINVAL);
	assert_int_equal(ram.writes, 0);

	ram_init(4 * MiB);
	ram.fail_at = 3;
	assert_int_equal(guest_mbinfo_build(&gm, "", &map, &st), -EIO);
}

static void test_elf_then_mbinfo(void **state)
{
	(void)state;
	ram_init(4 * MiB);
	build_elf32();
	assert_int_equal(load_elf(ELF_SIZE), 0);
	assert_int_equal(guest_mbinfo_build(&gm, "x", &map, &st), 0);
	assert_int_equal(st.mode, VCPU_BOOT_PROT32);
	assert_int_equal(st.rip, 0x100010);
	assert_int_equal(st.rax, 0x2BADB002);
	assert_int_equal(st.rbx, 0x6000);
	assert_int_equal(rd32(0x6008), 3072);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_elf32_load, teardown),
		cmocka_unit_test_teardown(test_elf64_load, teardown),
		cmocka_unit_test_teardown(test_elf_pure_bss_segment, teardown),
		cmocka_unit_test_teardown(test_elf_header_rejects, teardown),
		cmocka_unit_test_teardown(test_elf_segment_rejects, teardown),
		cmocka_unit_test_teardown(test_elf_entry_above_4g, teardown),
		cmocka_unit_test_teardown(test_elf_write_error, teardown),
		cmocka_unit_test_teardown(test_mbinfo_basic, teardown),
		cmocka_unit_test_teardown(test_mbinfo_holes_and_limits, teardown),
		cmocka_unit_test_teardown(test_mbinfo_rejects, teardown),
		cmocka_unit_test_teardown(test_elf_then_mbinfo, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
