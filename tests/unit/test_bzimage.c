/* The Linux bzImage loader (boot protocol, placement in the VM's RAM), against a fake guest RAM. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest_ram_fixture.h"

/* ---- bzImage ---- */

#define BZ_SETUP_SECTS	4
#define BZ_SETUP_SIZE	((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD	0x3000
#define BZ_SIZE		(BZ_SETUP_SIZE + BZ_PAYLOAD)
#define BZ_INIT_SIZE	(8 * MiB)

static u8 bz[BZ_SIZE];
static u8 initrd[MiB + 123];
static char why[GUEST_LOAD_WHY_LEN];

static void put16(u8 *p, u16 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

static void build_bz(void)
{
	memset(bz, 0, sizeof(bz));
	for (unsigned i = 0x1F1; i < 0x290; i++)
		bz[i] = (u8)(i * 7);		/* recognisable header bytes */
	bz[0x1F1] = BZ_SETUP_SECTS;
	put16(bz + 0x1FE, 0xAA55);
	bz[0x200] = 0xEB;
	bz[0x201] = 0x66;			/* header ends at 0x268 */
	memcpy(bz + 0x202, "HdrS", 4);
	put16(bz + 0x206, 0x020F);
	bz[0x210] = 0;
	bz[0x211] = 0x01;			/* LOADED_HIGH */
	put32(bz + 0x218, 0);
	put32(bz + 0x21C, 0);
	put32(bz + 0x228, 0);
	put32(bz + 0x22C, 0x7FFFFFFF);
	put32(bz + 0x230, 0x200000);
	bz[0x234] = 1;
	put16(bz + 0x236, 0x3);
	put32(bz + 0x238, 2047);
	put64(bz + 0x258, 0x1000000);
	put32(bz + 0x260, BZ_INIT_SIZE);
	for (unsigned i = 0; i < BZ_PAYLOAD; i++)
		bz[BZ_SETUP_SIZE + i] = (u8)(i ^ (i >> 8));
	for (size_t i = 0; i < sizeof(initrd); i++)
		initrd[i] = (u8)(i * 13 + 1);
}

static void bz_ram(void)
{
	ram_init(64 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9F000, E820_RAM);
	e820_add(&map, 0x9F000, 0x61000, E820_RESERVED);
	e820_add(&map, MiB, 63 * MiB, E820_RAM);
}

static int load_bz(size_t size, const char *cmdline, size_t initrd_size)
{
	memset(why, 'W', sizeof(why));
	return guest_bzimage_load(bz, size, initrd_size ? initrd : NULL, initrd_size,
				  cmdline, &map, &gm, &st, why, sizeof(why));
}

/* Walk the guest's page tables from cr3 as the CPU would. */
static u64 walk(u64 va)
{
	u64 e = rd64(st.cr3 + ((va >> 39) & 511) * 8);

	assert_true(e & 1);
	e = rd64((e & ~0xFFFULL) + ((va >> 30) & 511) * 8);
	assert_true(e & 1);
	assert_false(e & 0x80);
	e = rd64((e & ~0xFFFULL) + ((va >> 21) & 511) * 8);
	assert_true((e & 0x83) == 0x83);
	return (e & ~0x1FFFFFULL & 0x000FFFFFFFFFFFFFULL) | (va & 0x1FFFFF);
}

static void test_bzimage_load(void **state)
{
	const u64 zp = 0x7000;
	u64 initrd_at = (64 * MiB - sizeof(initrd)) & ~0xFFFULL;

	(void)state;
	build_bz();
	bz_ram();
	assert_true(guest_bzimage_probe(bz, sizeof(bz)));
	assert_false(guest_elf_probe(bz, sizeof(bz)));
	assert_int_equal(load_bz(BZ_SIZE, "console=ttyS0 root=/dev/ram0", sizeof(initrd)), 0);

	/* Kernel and initrd. */
	assert_memory_equal(ram.mem + 0x1000000, bz + BZ_SETUP_SIZE, BZ_PAYLOAD);
	assert_true(all_bytes(0x1000000 + BZ_PAYLOAD, 0x1000, POISON));
	assert_memory_equal(ram.mem + initrd_at, initrd, sizeof(initrd));
	assert_true(initrd_at + sizeof(initrd) <= 64 * MiB);
	assert_string_equal((char *)ram.mem + 0x20000, "console=ttyS0 root=/dev/ram0");

	/* Zero page: the setup header copied, our fields set, the rest zero. */
	assert_true(all_bytes(zp, 0xC0, 0));
	assert_int_equal(rd32(zp + 0xC0), 0);		/* ext_ramdisk_image */
	assert_int_equal(rd32(zp + 0xC4), 0);		/* ext_ramdisk_size */
	assert_int_equal(rd32(zp + 0xC8), 0);		/* ext_cmd_line_ptr */
	assert_true(all_bytes(zp + 0xCC, 0x1E8 - 0xCC, 0));
	assert_int_equal(ram.mem[zp + 0x1E8], 3);	/* e820_entries */
	assert_true(all_bytes(zp + 0x1E9, 0x1F1 - 0x1E9, 0));
	for (unsigned off = 0x1F1; off < 0x268; off++) {
		if (off == 0x210 || (off >= 0x218 && off < 0x220) || (off >= 0x228 && off < 0x22C))
			continue;
		assert_int_equal(ram.mem[zp + off], bz[off]);
	}
	assert_int_equal(ram.mem[zp + 0x210], 0xFF);	/* type_of_loader */
	assert_int_equal(rd32(zp + 0x218), initrd_at);
	assert_int_equal(rd32(zp + 0x21C), sizeof(initrd));
	assert_int_equal(rd32(zp + 0x228), 0x20000);
	assert_int_equal(ram.mem[zp + 0x211], 0x01);	/* loadflags kept */
	assert_memory_equal(ram.mem + zp + 0x202, "HdrS", 4);
	assert_true(all_bytes(zp + 0x268, 0x2D0 - 0x268, 0));	/* beyond the header */
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(rd64(zp + 0x2D0 + i * 20), map.e[i].addr);
		assert_int_equal(rd64(zp + 0x2D0 + i * 20 + 8), map.e[i].size);
		assert_int_equal(rd32(zp + 0x2D0 + i * 20 + 16), map.e[i].type);
	}
	assert_int_equal(rd64(zp + 0x2D0 + 40 + 8), 63 * MiB);
	assert_true(all_bytes(zp + 0x2D0 + 60, 0x1000 - 0x2D0 - 60, 0));

	/* GDT. */
	assert_int_equal(rd64(0x9000), 0);
	assert_int_equal(rd64(0x9008), 0);
	assert_int_equal(rd64(0x9010), 0x00AF9B000000FFFFULL);
	assert_int_equal(rd64(0x9018), 0x00CF93000000FFFFULL);
	assert_true(rd64(0x9010) & (1ULL << 53));	/* L */
	assert_false(rd64(0x9010) & (1ULL << 54));	/* D must be 0 with L */
	assert_true(rd64(0x9018) & (1ULL << 47));	/* present */

	/* Page tables: structure, then every 2 MiB page up to 4 GiB. */
	assert_int_equal(rd64(0xA000), 0xB003);
	assert_true(all_bytes(0xA008, 0xFF8, 0));
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(rd64(0xB000 + i * 8), (0xC000 + i * 0x1000) | 3);
	assert_true(all_bytes(0xB020, 0xFE0, 0));
	for (u64 i = 0; i < 2048; i++)
		assert_int_equal(rd64(0xC000 + i * 8), (i << 21) | 0x83);
	assert_int_equal(walk(0x1000200), 0x1000200);
	assert_int_equal(walk(zp + 0x228), zp + 0x228);
	assert_int_equal(walk(0x20000), 0x20000);
	assert_int_equal(walk(initrd_at + 5), initrd_at + 5);
	assert_int_equal(walk(0xFFFFF123), 0xFFFFF123);

	/* What the loader must not touch. */
	assert_true(all_bytes(0x6000, 0x1000, POISON));
	assert_true(all_bytes(0x8000, 0x1000, POISON));
	assert_true(all_bytes(0x10000, 0x10000, POISON));

	/* Entry state. */
	assert_int_equal(st.mode, VCPU_BOOT_LONG64);
	assert_int_equal(st.rip, 0x1000200);
	assert_int_equal(st.rsi, 0x7000);
	assert_int_equal(st.rflags, 0x2);
	assert_int_equal(st.cr0, 0x80000031);
	assert_int_equal(st.cr3, 0xA000);
	assert_int_equal(st.cr4, 0x20);
	assert_int_equal(st.efer, 0x500);
	assert_int_equal(st.gdt_base, 0x9000);
	assert_int_equal(st.gdt_limit, 0x1F);
	assert_int_equal(st.cs_sel, 0x10);
	assert_int_equal(st.ds_sel, 0x18);
	assert_int_equal(st.rax, 0);
	assert_int_equal(st.rbx, 0);
}

static void test_bzimage_no_initrd_setup_sects_zero(void **state)
{
	u8 *img = malloc(5 * 512 + 0x800);

	(void)state;
	build_bz();
	bz_ram();
	/* setup_sects 0 means 4: same setup size as ours. */
	memcpy(img, bz, 5 * 512 + 0x800);
	img[0x1F1] = 0;
	assert_int_equal(guest_bzimage_load(img, 5 * 512 + 0x800, NULL, 0, NULL, &map, &gm, &st,
					    NULL, 0), 0);
	assert_memory_equal(ram.mem + 0x1000000, img + 5 * 512, 0x800);
	assert_int_equal(rd32(0x7000 + 0x218), 0);
	assert_int_equal(rd32(0x7000 + 0x21C), 0);
	assert_int_equal(ram.mem[0x20000], 0);
	assert_int_equal(ram.mem[0x7000 + 0x1F1], 0);	/* copied as is */
	free(img);
}

static void expect_bz_reject(int err, size_t size, const char *cmdline, size_t initrd_size)
{
	ram.writes = 0;
	assert_int_equal(load_bz(size, cmdline, initrd_size), err);
	assert_int_equal(ram.writes, 0);
	assert_true(all_bytes(0x7000, 0x9000, POISON));
	assert_true(all_bytes(0x1000000, 0x1000, POISON));
	/* A reason, one line, NUL-terminated inside the buffer. */
	assert_non_null(memchr(why, '\0', sizeof(why)));
	assert_true(why[0] != '\0' && why[0] != 'W');
	assert_null(strchr(why, '\n'));
}

static void test_bzimage_header_rejects(void **state)
{
	(void)state;
	bz_ram();
	build_bz();					expect_bz_reject(-EINVAL, 0x3FF, "", 0);
	build_bz();					expect_bz_reject(-EINVAL, 0x100, "", 0);
	build_bz(); put16(bz + 0x1FE, 0x55AA);		expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	build_bz(); memcpy(bz + 0x202, "HdrT", 4);	expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	build_bz(); put16(bz + 0x206, 0x020B);		expect_bz_reject(-ENOTSUP, BZ_SIZE, "", 0);
	build_bz(); put16(bz + 0x206, 0x0100);		expect_bz_reject(-ENOTSUP, BZ_SIZE, "", 0);
	build_bz(); put16(bz + 0x236, 0x2);		expect_bz_reject(-ENOTSUP, BZ_SIZE, "", 0);
	build_bz(); bz[0x211] = 0x80;			expect_bz_reject(-ENOTSUP, BZ_SIZE, "", 0);
	build_bz(); bz[0x201] = 0x50;			expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	build_bz(); bz[0x201] = 0x90;			expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	build_bz(); bz[0x1F1] = 200;			expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	build_bz();			/* setup only, no kernel payload */
	expect_bz_reject(-EINVAL, BZ_SETUP_SIZE, "", 0);
	build_bz(); bz[0x234] = 1; put32(bz + 0x230, 0);	expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	build_bz(); put32(bz + 0x230, 0x300000);	expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
	/* Biggest header the zero page takes: accepted. */
	build_bz(); bz[0x201] = 0x8E;
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	assert_int_equal(ram.mem[0x7000 + 0x28F], bz[0x28F]);
	bz[0x201] = 0x62;				/* ends right after init_size: ok */
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	bz_ram();
	bz[0x201] = 0x61;				/* cuts init_size */
	expect_bz_reject(-EINVAL, BZ_SIZE, "", 0);
}

static void test_bzimage_placement(void **state)
{
	(void)state;
	/* pref_address 16 MiB fits: the lowest fit at or above it is 16 MiB. */
	bz_ram();
	build_bz();
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	assert_int_equal(st.rip, 0x1000200);
	assert_string_equal(why, "");

	/* Alignment 32 MiB: kernel at 32 MiB. */
	bz_ram();
	put32(bz + 0x230, 0x2000000);
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	assert_int_equal(st.rip, 0x2000200);
	assert_memory_equal(ram.mem + 0x2000000, bz + BZ_SETUP_SIZE, BZ_PAYLOAD);

	/* Alignment 64 MiB: no room. init_size too big. */
	bz_ram();
	put32(bz + 0x230, 0x4000000);			expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	build_bz(); put32(bz + 0x260, 60 * MiB);	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	build_bz(); put32(bz + 0x260, 48 * MiB);
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);	/* exactly to the end */

	/* Not relocatable: pref_address is used as is. */
	bz_ram();
	build_bz(); bz[0x234] = 0; put32(bz + 0x230, 0); put64(bz + 0x258, 0x2400000);
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	assert_int_equal(st.rip, 0x2400200);
	bz_ram();
	put64(bz + 0x258, 0x80000);			expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "below 1 MiB"));
	put64(bz + 0x258, ~0ULL - 0xFFF);		expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);

	/*
	 * Kernel range must be RAM in the map, not just below ram_size: a
	 * reserved page at 20 MiB keeps a relocatable kernel off 16-22 MiB
	 * (it was refused while the loader put every kernel at 16 MiB).
	 */
	build_bz();
	e820_add(&map, 20 * MiB, 0x1000, E820_RESERVED);
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	assert_int_equal(st.rip, 22 * MiB + 0x200);
	assert_memory_equal(ram.mem + 22 * MiB, bz + BZ_SETUP_SIZE, BZ_PAYLOAD);
	assert_true(all_bytes(MiB, 21 * MiB, POISON));
	bz[0x234] = 0;			/* not relocatable, at its 16 MiB */
	bz_ram();
	e820_add(&map, 20 * MiB, 0x1000, E820_RESERVED);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_string_equal(why, "(not relocatable) wants 0x1000000-0x1800000 (init_size 8 MiB), "
			    "which is not RAM of this VM (0x1400000-0x1401000 is reserved): build "
			    "it with CONFIG_RELOCATABLE or give the VM RAM there");

	/* RAM too small for anything. */
	build_bz();
	ram_init(17 * MiB);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
}

/*
 * An identity-mapped Service VM's RAM: the hypervisor owns 16-48 MiB and
 * something else 64-96 MiB. The fake RAM behind it is all there, so a write
 * into a hole would not fail: the tests check the holes stay untouched.
 */
static void sos_ram(void)
{
	ram_init(128 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9FC00, E820_RAM);
	e820_add(&map, MiB, 15 * MiB, E820_RAM);
	e820_add(&map, 48 * MiB, 16 * MiB, E820_RAM);
	e820_add(&map, 96 * MiB, 32 * MiB, E820_RAM);
}

static void load_at(u64 gpa)
{
	assert_int_equal(load_bz(BZ_SIZE, "", 0), 0);
	assert_string_equal(why, "");
	assert_int_equal(st.rip, gpa + 0x200);
	assert_memory_equal(ram.mem + gpa, bz + BZ_SETUP_SIZE, BZ_PAYLOAD);
}

static void test_bzimage_lowest_fit_with_holes(void **state)
{
	(void)state;
	/* pref_address 2 MiB: 1-16 MiB is too small for 16 MiB, 48 MiB is next. */
	build_bz();
	put64(bz + 0x258, 2 * MiB);
	put32(bz + 0x260, 16 * MiB);
	sos_ram();
	load_at(48 * MiB);
	assert_true(all_bytes(MiB, 47 * MiB, POISON));
	assert_true(all_bytes(64 * MiB, 64 * MiB, POISON));

	/* 20 MiB fits neither 1-16 nor 48-64 MiB: 96 MiB. */
	put32(bz + 0x260, 20 * MiB);
	sos_ram();
	load_at(96 * MiB);
	assert_true(all_bytes(MiB, 95 * MiB, POISON));

	/* 1-16 MiB holds 14 MiB at 2 MiB (aligned), not 15 MiB. */
	put32(bz + 0x260, 15 * MiB);
	sos_ram();
	load_at(48 * MiB);
	put32(bz + 0x260, 14 * MiB);
	sos_ram();
	load_at(2 * MiB);
	assert_true(all_bytes(16 * MiB, 112 * MiB, POISON));

	/* The kernel's pref_address 16 MiB is the hypervisor's: 48 MiB. */
	build_bz();
	sos_ram();
	load_at(48 * MiB);

	/*
	 * Linux moves itself up to pref_address when loaded below it, so
	 * 1-16 MiB does not count for a kernel that prefers 8 MiB if its
	 * 8-16 MiB is too small: 48 MiB, not 2 MiB.
	 */
	put64(bz + 0x258, 8 * MiB);
	put32(bz + 0x260, 10 * MiB);
	sos_ram();
	load_at(48 * MiB);
	put32(bz + 0x260, 8 * MiB);	/* 8-16 MiB exactly */
	sos_ram();
	load_at(8 * MiB);
}

static void test_bzimage_alignment(void **state)
{
	(void)state;
	build_bz();
	put64(bz + 0x258, MiB);
	ram_init(64 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9FC00, E820_RAM);
	e820_add(&map, 17 * MiB, 22 * MiB, E820_RAM);	/* 17-39 MiB */
	e820_add(&map, 48 * MiB, 16 * MiB, E820_RAM);
	/* 2 MiB: 18 MiB. 8 MiB: 24 MiB. 16 MiB: 32-40 MiB crosses 39 MiB, so 48 MiB. */
	load_at(18 * MiB);
	put32(bz + 0x230, 8 * MiB);
	load_at(24 * MiB);
	put32(bz + 0x230, 16 * MiB);
	load_at(48 * MiB);
	/* 32 MiB: 32 MiB crosses 39 MiB, 48 MiB is not aligned, 64 MiB is the end. */
	ram_init(64 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9FC00, E820_RAM);
	e820_add(&map, 17 * MiB, 22 * MiB, E820_RAM);
	e820_add(&map, 48 * MiB, 16 * MiB, E820_RAM);
	put32(bz + 0x230, 32 * MiB);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_true(all_bytes(0, 64 * MiB, POISON));
	assert_non_null(strstr(why, " 32 MiB-aligned "));
	/* min_alignment (0x235) is not used to go below kernel_alignment. */
	bz[0x235] = 21;
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
}

static void test_bzimage_exact_fit_and_nothing_fits(void **state)
{
	(void)state;
	build_bz();
	put32(bz + 0x260, 10 * MiB);
	ram_init(64 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9FC00, E820_RAM);
	e820_add(&map, MiB, 9 * MiB, E820_RAM);
	e820_add(&map, 16 * MiB, 10 * MiB, E820_RAM);	/* exactly init_size */
	e820_add(&map, 32 * MiB, 10 * MiB - 0x1000, E820_RAM);	/* a page short */
	load_at(16 * MiB);

	/* One page more and nothing fits: nothing written, and why. */
	put32(bz + 0x260, 10 * MiB + 0x1000);
	ram_init(64 * MiB);
	e820_init(&map);
	e820_add(&map, 0, 0x9FC00, E820_RAM);
	e820_add(&map, MiB, 9 * MiB, E820_RAM);
	e820_add(&map, 16 * MiB, 10 * MiB, E820_RAM);
	e820_add(&map, 32 * MiB, 10 * MiB - 0x1000, E820_RAM);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", sizeof(initrd));
	assert_true(all_bytes(0, 64 * MiB, POISON));
	assert_string_equal(why, "(relocatable) needs 10244 KiB (init_size) 2 MiB-aligned at or "
			    "above 0x1000000 (pref_address, where it moves itself if loaded lower) "
			    "and below 4 GiB, and no RAM range of this VM there has room (the "
			    "largest is 0x1000000-0x1a00000): give it more RAM there");

	/* No RAM at all above pref_address. */
	e820_init(&map);
	e820_add(&map, 0, 0x9FC00, E820_RAM);
	e820_add(&map, MiB, 15 * MiB, E820_RAM);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "this VM has no RAM there"));

	/* RAM above 4 GiB does not count: the identity map ends there. */
	e820_add(&map, 1ULL << 32, 1ULL << 30, E820_RAM);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	/* RAM across 4 GiB: a kernel crossing 4 GiB is refused all the same. */
	e820_add(&map, 4032 * MiB, 64 * MiB, E820_RAM);
	bz[0x234] = 0;
	put64(bz + 0x258, 4090 * MiB);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "page tables end at 4 GiB"));
}

static void test_bzimage_not_relocatable_over_a_hole(void **state)
{
	(void)state;
	build_bz();
	bz[0x234] = 0;
	put32(bz + 0x260, 10 * MiB);
	sos_ram();
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_string_equal(why, "(not relocatable) wants 0x1000000-0x1a00000 (init_size 10 MiB), "
			    "which is not RAM of this VM (0x1000000-0x3000000 is a hole in its "
			    "memory): build it with CONFIG_RELOCATABLE or give the VM RAM there");
	assert_true(all_bytes(0, 128 * MiB, POISON));

	/* Starting in RAM and running into the hole names the hole. */
	put64(bz + 0x258, 12 * MiB);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "wants 0xc00000-0x1600000 "));
	assert_non_null(strstr(why, "(0x1000000-0x3000000 is a hole in its memory)"));

	/* Past the last range. */
	put64(bz + 0x258, 124 * MiB);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "(it has no memory from 0x8000000 up)"));

	/* At pref_address in RAM it loads; the holes stay untouched. */
	put64(bz + 0x258, 48 * MiB);
	load_at(48 * MiB);
	assert_true(all_bytes(MiB, 47 * MiB, POISON));

	/* An image bigger than init_size is what counts then. */
	put32(bz + 0x260, 0x1000);
	put64(bz + 0x258, 64 * MiB - 0x1000);
	sos_ram();
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "wants 0x3fff000-0x4002000 (image size 12 KiB)"));
}

static void test_bzimage_low_structures_need_ram(void **state)
{
	(void)state;
	build_bz();
	bz_ram();
	e820_add(&map, 0x10000, 0x1000, E820_ACPI);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_string_equal(why, "needs RAM at 0x7000-0x30000 for its zero page, GDT, page tables "
			    "and command line, which is not RAM of this VM (0x10000-0x11000 is "
			    "ACPI tables)");
	e820_init(&map);
	e820_add(&map, MiB, 63 * MiB, E820_RAM);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 0);
	assert_non_null(strstr(why, "(0x7000-0x100000 is a hole in its memory)"));
}

static void test_bzimage_initrd_avoids_kernel_and_holes(void **state)
{
	u64 at;

	(void)state;
	build_bz();
	put32(bz + 0x260, 20 * MiB);		/* kernel at 96-116 MiB */
	sos_ram();
	assert_int_equal(load_bz(BZ_SIZE, "", sizeof(initrd)), 0);
	assert_int_equal(st.rip, 96 * MiB + 0x200);
	at = rd32(0x7218);
	assert_int_equal(at, (128 * MiB - sizeof(initrd)) & ~0xFFFULL);
	assert_memory_equal(ram.mem + at, initrd, sizeof(initrd));

	/* Below 100 MiB the kernel is in the way: 48-64 MiB, below a reserved 63 MiB. */
	put32(bz + 0x22C, 100 * MiB - 1);
	sos_ram();
	e820_add(&map, 63 * MiB, MiB, E820_RESERVED);
	assert_int_equal(load_bz(BZ_SIZE, "", sizeof(initrd)), 0);
	at = rd32(0x7218);
	assert_int_equal(at, (63 * MiB - sizeof(initrd)) & ~0xFFFULL);
	assert_memory_equal(ram.mem + at, initrd, sizeof(initrd));
	assert_true(all_bytes(16 * MiB, 32 * MiB, POISON));
	assert_true(all_bytes(63 * MiB, MiB, POISON));

	/* 15 MiB of initrd fits only 1-16 MiB, under the 2 MiB-aligned kernel at 48 MiB. */
	{
		u8 *big = malloc(15 * MiB);

		memset(big, 0x5A, 15 * MiB);
		put32(bz + 0x260, 16 * MiB);
		put32(bz + 0x22C, 0x7FFFFFFF);
		sos_ram();
		e820_add(&map, 100 * MiB, 28 * MiB, E820_RESERVED);
		assert_int_equal(guest_bzimage_load(bz, BZ_SIZE, big, 15 * MiB, "", &map, &gm,
						    &st, why, sizeof(why)), 0);
		assert_int_equal(st.rip, 48 * MiB + 0x200);
		assert_int_equal(rd32(0x7218), MiB);
		assert_memory_equal(ram.mem + MiB, big, 15 * MiB);
		/* A page more fits nowhere. */
		sos_ram();
		e820_add(&map, 100 * MiB, 28 * MiB, E820_RESERVED);
		ram.writes = 0;
		assert_int_equal(guest_bzimage_load(bz, BZ_SIZE, big, 15 * MiB + 1, "", &map, &gm,
						    &st, why, sizeof(why)), -ENOSPC);
		assert_int_equal(ram.writes, 0);
		assert_string_equal(why, "has an initrd of 0xf00001 bytes that fits in no RAM of "
				    "this VM from 1 MiB to 0x80000000 (initrd_addr_max) beside the "
				    "kernel at 0x3000000-0x4000000: give the VM more RAM below "
				    "0x80000000");
		free(big);
	}
}

static void test_bzimage_initrd_placement(void **state)
{
	u64 at;

	(void)state;
	build_bz();
	/* initrd_addr_max caps the end of the initrd (inclusive address). */
	bz_ram();
	put32(bz + 0x22C, 0x2FFFFFF);
	assert_int_equal(load_bz(BZ_SIZE, "", sizeof(initrd)), 0);
	at = rd32(0x7218);
	assert_int_equal(at, (48 * MiB - sizeof(initrd)) & ~0xFFFULL);
	assert_memory_equal(ram.mem + at, initrd, sizeof(initrd));

	/* No room above the kernel (16..24 MiB): goes below it. */
	bz_ram();
	put32(bz + 0x22C, 24 * MiB - 1);
	assert_int_equal(load_bz(BZ_SIZE, "", sizeof(initrd)), 0);
	at = rd32(0x7218);
	assert_int_equal(at, (16 * MiB - sizeof(initrd)) & ~0xFFFULL);
	assert_true(at + sizeof(initrd) <= 16 * MiB);

	/* Only the reserved hole or low memory left: no fit. */
	bz_ram();
	put32(bz + 0x22C, 0x7FFFFFFF);
	put32(bz + 0x260, 47 * MiB);	/* kernel 16..63 MiB */
	e820_add(&map, 0x200000, 14 * MiB, E820_RESERVED);
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", sizeof(initrd));
	/* Half a MiB fits in the last MiB. */
	assert_int_equal(load_bz(BZ_SIZE, "", MiB / 2), 0);
	assert_int_equal(rd32(0x7218), 64 * MiB - MiB / 2);

	/* Too big, or a size without data. */
	build_bz();
	bz_ram();
	expect_bz_reject(-ENOSPC, BZ_SIZE, "", 60 * MiB);
	ram.writes = 0;
	assert_int_equal(guest_bzimage_load(bz, BZ_SIZE, NULL, 10, "", &map, &gm, &st,
					    why, sizeof(why)), -EINVAL);
	assert_int_equal(ram.writes, 0);
}

static void test_bzimage_cmdline_limits(void **state)
{
	static char cl[3000];

	(void)state;
	build_bz();
	bz_ram();
	memset(cl, 'k', 2047);
	cl[2047] = '\0';
	assert_int_equal(load_bz(BZ_SIZE, cl, 0), 0);
	assert_int_equal(strlen((char *)ram.mem + 0x20000), 2047);
	bz_ram();
	cl[2047] = 'k';
	cl[2048] = '\0';
	expect_bz_reject(-E2BIG, BZ_SIZE, cl, 0);
	put32(bz + 0x238, 4096);
	assert_int_equal(load_bz(BZ_SIZE, cl, 0), 0);
	/* Our own 64 KiB window caps a huge cmdline_size. */
	bz_ram();
	put32(bz + 0x238, 0xFFFFFFFF);
	{
		char *huge = malloc(0x10000);

		memset(huge, 'h', 0xFFFF);
		huge[0xFFFF] = '\0';
		expect_bz_reject(-E2BIG, BZ_SIZE, huge, 0);
		huge[0xFFFE] = '\0';
		assert_int_equal(load_bz(BZ_SIZE, huge, 0), 0);
		assert_int_equal(ram.mem[0x2FFFD], 'h');
		assert_int_equal(ram.mem[0x2FFFE], 0);
		free(huge);
	}
}

static void test_bzimage_bad_args_and_write_error(void **state)
{
	(void)state;
	build_bz();
	bz_ram();
	assert_int_equal(guest_bzimage_load(bz, BZ_SIZE, NULL, 0, "", NULL, &gm, &st,
					    why, sizeof(why)), -EINVAL);
	map.n = E820_MAX_ENTRIES + 1;
	assert_int_equal(load_bz(BZ_SIZE, "", 0), -EINVAL);
	assert_int_equal(ram.writes, 0);
	bz_ram();
	ram.fail_at = 5;
	assert_int_equal(load_bz(BZ_SIZE, "", 0), -EIO);
	assert_string_equal(why, "could not be written into the VM's memory");
	assert_false(guest_bzimage_probe(bz, 0x205));
	{
		/* an ELF image is not a bzImage */
		static u8 elf[0x400] = { 0x7F, 'E', 'L', 'F', 1, 1, 1 };

		assert_false(guest_bzimage_probe(elf, sizeof(elf)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bzimage_load, teardown),
		cmocka_unit_test_teardown(test_bzimage_no_initrd_setup_sects_zero, teardown),
		cmocka_unit_test_teardown(test_bzimage_header_rejects, teardown),
		cmocka_unit_test_teardown(test_bzimage_placement, teardown),
		cmocka_unit_test_teardown(test_bzimage_lowest_fit_with_holes, teardown),
		cmocka_unit_test_teardown(test_bzimage_alignment, teardown),
		cmocka_unit_test_teardown(test_bzimage_exact_fit_and_nothing_fits, teardown),
		cmocka_unit_test_teardown(test_bzimage_not_relocatable_over_a_hole, teardown),
		cmocka_unit_test_teardown(test_bzimage_low_structures_need_ram, teardown),
		cmocka_unit_test_teardown(test_bzimage_initrd_avoids_kernel_and_holes, teardown),
		cmocka_unit_test_teardown(test_bzimage_initrd_placement, teardown),
		cmocka_unit_test_teardown(test_bzimage_cmdline_limits, teardown),
		cmocka_unit_test_teardown(test_bzimage_bad_args_and_write_error, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
