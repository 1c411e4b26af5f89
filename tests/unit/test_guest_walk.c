/*
 * Guest page-walk tests: page tables are built in a sparse fake guest memory
 * (4 KiB pages at arbitrary GPAs, above 4 GiB too) that the callbacks read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "guest_walk.h"
#include "errno.h"

#define CR0_PG BIT(31)
#define CR0_PE BIT(0)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_LA57 BIT(12)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

#define P BIT(0)
#define RW BIT(1)
#define US BIT(2)
#define A BIT(5)
#define D BIT(6)
#define PS BIT(7)
#define XD BIT(63)
#define FLAGS (P | RW | US | A)
/* High bits a 64-bit entry may carry that are not address: XD, PKEY, ignored. */
#define HIGH_JUNK (XD | (0xfULL << 59) | (0x7fULL << 52))

#define MAX_PAGES 32

struct fake_mem {
	struct {
		u64 gpa;
		u8 data[4096];
	} pages[MAX_PAGES];
	int npages;
	int reads;		/* paging-entry reads */
	unsigned last_size;
	u64 fail_gpa;		/* entry read at this gpa fails (when fail_set) */
	bool fail_set;
	int byte_reads;
	u64 fail_bytes_gpa;	/* read_bytes on this page fails (when set) */
	bool fail_bytes_set;
};

static struct fake_mem mem;

static void mem_reset(void)
{
	memset(&mem, 0, sizeof(mem));
}

static u8 *mem_page(u64 gpa, bool create)
{
	u64 base = gpa & ~0xfffULL;

	for (int i = 0; i < mem.npages; i++)
		if (mem.pages[i].gpa == base)
			return mem.pages[i].data;
	if (!create)
		return NULL;
	assert_true(mem.npages < MAX_PAGES);
	mem.pages[mem.npages].gpa = base;
	return mem.pages[mem.npages++].data;
}

static void set64(u64 gpa, u64 v)
{
	assert_true((gpa & 7) == 0);
	memcpy(mem_page(gpa, true) + (gpa & 0xfff), &v, 8);
}

static void set32(u64 gpa, u32 v)
{
	assert_true((gpa & 3) == 0);
	memcpy(mem_page(gpa, true) + (gpa & 0xfff), &v, 4);
}

static bool fake_rd(void *ctx, u64 gpa, u64 *pte, unsigned size)
{
	u8 *page;

	assert_ptr_equal(ctx, &mem);
	assert_true(size == 4 || size == 8);
	assert_true((gpa & (size - 1)) == 0);
	mem.reads++;
	mem.last_size = size;
	if (mem.fail_set && gpa == mem.fail_gpa)
		return false;
	page = mem_page(gpa, false);
	if (!page)
		return false;
	if (size == 4) {
		u32 v;

		memcpy(&v, page + (gpa & 0xfff), 4);
		/* Junk above the entry: the walker must look at 32 bits only. */
		*pte = 0xdead0000ffffffffULL & ~0xffffffffULL;
		*pte |= v;
	} else {
		memcpy(pte, page + (gpa & 0xfff), 8);
	}
	return true;
}

static bool fake_read_bytes(void *ctx, u64 gpa, void *buf, size_t len)
{
	u8 *page;

	assert_ptr_equal(ctx, &mem);
	/* The walker splits at 4 KiB boundaries. */
	assert_true((gpa & 0xfff) + len <= 4096);
	mem.byte_reads++;
	if (mem.fail_bytes_set && (gpa & ~0xfffULL) == mem.fail_bytes_gpa)
		return false;
	page = mem_page(gpa, false);
	if (!page)
		return false;
	memcpy(buf, page + (gpa & 0xfff), len);
	return true;
}

static int walk(const struct guest_paging *p, u64 gva, u64 *gpa)
{
	mem.reads = 0;
	*gpa = 0xbadbadbadULL;
	return guest_walk(p, gva, fake_rd, &mem, gpa);
}

/* ---- paging off ---- */

static void test_paging_off(void **state)
{
	const u64 gvas[] = { 0, 0xfee00000, 0x100000, 0xffffffff, 0x123456789aULL };
	struct guest_paging p = { .cr0 = CR0_PE, .cr3 = 0x5000, .cr4 = CR4_PAE, .efer = 0 };
	u64 gpa;

	(void)state;
	mem_reset();
	for (size_t i = 0; i < ARRAY_SIZE(gvas); i++) {
		assert_int_equal(walk(&p, gvas[i], &gpa), 0);
		assert_int_equal(gpa, gvas[i]);
		assert_int_equal(mem.reads, 0);
	}
}

/* ---- 32-bit paging ---- */

#define PD32 0x1000ULL
#define PT32 0x7000ULL

static struct guest_paging paging32(u64 cr4)
{
	/* PWT/PCD in CR3 must not leak into the table address. */
	return (struct guest_paging){ .cr0 = CR0_PG | CR0_PE, .cr3 = PD32 | 0x18, .cr4 = cr4 };
}

static void test_32bit_4k(void **state)
{
	struct guest_paging p = paging32(0);
	u64 gpa;

	(void)state;
	mem_reset();
	/* gva 0xc0123456: PDE 0x300, PTE 0x123, offset 0x456. */
	set32(PD32 + 0x300 * 4, PT32 | FLAGS);
	set32(PT32 + 0x123 * 4, 0x76543000 | FLAGS | D);
	assert_int_equal(walk(&p, 0xc0123456, &gpa), 0);
	assert_int_equal(gpa, 0x76543456);
	assert_int_equal(mem.reads, 2);
	assert_int_equal(mem.last_size, 4);

	/* Only 32 bits of linear address exist here. */
	assert_int_equal(walk(&p, 0xffffffff00000000ULL | 0xc0123fff, &gpa), 0);
	assert_int_equal(gpa, 0x76543fff);

	/* PS without CR4.PSE is ignored: the PDE still points at a table. */
	set32(PD32 + 0x300 * 4, PT32 | FLAGS | PS);
	assert_int_equal(walk(&p, 0xc0123456, &gpa), 0);
	assert_int_equal(gpa, 0x76543456);

	/* Same tables with PSE on, no PS: still 4 KiB. */
	p.cr4 = CR4_PSE;
	set32(PD32 + 0x300 * 4, PT32 | FLAGS);
	assert_int_equal(walk(&p, 0xc0123000, &gpa), 0);
	assert_int_equal(gpa, 0x76543000);
}

static void test_32bit_4m(void **state)
{
	struct guest_paging p = paging32(CR4_PSE);
	u64 gpa;

	(void)state;
	mem_reset();
	/* gva 0x80765432: PDE 0x201, offset 0x365432 in a 4 MiB page at 0x12c00000. */
	set32(PD32 + 0x201 * 4, 0x12c00000 | FLAGS | PS | BIT(12) /* PAT */);
	assert_int_equal(walk(&p, 0x80765432, &gpa), 0);
	assert_int_equal(gpa, 0x12f65432);
	assert_int_equal(mem.reads, 1);

	/* PSE-36: PDE bits 20:13 are gpa bits 39:32. */
	set32(PD32 + 0x201 * 4, 0x12c00000 | (0x5aU << 13) | FLAGS | PS);
	assert_int_equal(walk(&p, 0x80765432, &gpa), 0);
	assert_int_equal(gpa, 0x5a12f65432ULL);
}

static void test_32bit_not_present(void **state)
{
	struct guest_paging p = paging32(CR4_PSE);
	u64 gpa;

	(void)state;
	mem_reset();
	set32(PD32 + 0x300 * 4, PT32 | FLAGS);
	set32(PT32 + 0x123 * 4, 0x76543000 | FLAGS);

	/* PDE not present (other bits set). */
	set32(PD32 + 0x301 * 4, PT32 | (FLAGS & ~P));
	assert_int_equal(walk(&p, 0xc0523456, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 1);
	/* 4 MiB PDE not present. */
	set32(PD32 + 0x302 * 4, 0x12c00000 | PS | RW);
	assert_int_equal(walk(&p, 0xc0800000, &gpa), -EFAULT);
	/* PTE not present. */
	set32(PT32 + 0x124 * 4, 0x76544000 | RW);
	assert_int_equal(walk(&p, 0xc0124000, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 2);
	/* Page directory unreadable. */
	p.cr3 = 0x3000;
	assert_int_equal(walk(&p, 0xc0123456, &gpa), -EFAULT);
	/* Page table unreadable. */
	p.cr3 = PD32;
	set32(PD32 + 0x300 * 4, 0x9000 | FLAGS);
	assert_int_equal(walk(&p, 0xc0123456, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 2);
}

/* ---- PAE ---- */

#define PDPT_PAE 0x2020ULL	/* 32-byte aligned, not page aligned */
#define PD_PAE 0x0000000123456000ULL
#define PT_PAE 0x0000000045678000ULL

static struct guest_paging paging_pae(void)
{
	return (struct guest_paging){ .cr0 = CR0_PG | CR0_PE, .cr3 = PDPT_PAE | 0x18,
				      .cr4 = CR4_PAE | CR4_PSE };
}

static void test_pae_4k(void **state)
{
	struct guest_paging p = paging_pae();
	u64 gpa;

	(void)state;
	mem_reset();
	/* gva 0xc0654321: PDPTE 3, PDE 0x003, PTE 0x054, offset 0x321. */
	set64(PDPT_PAE + 3 * 8, PD_PAE | P);
	set64(PD_PAE + 0x003 * 8, PT_PAE | FLAGS | HIGH_JUNK);
	set64(PT_PAE + 0x054 * 8, 0x0000000f12345000ULL | FLAGS | D | HIGH_JUNK);
	assert_int_equal(walk(&p, 0xc0654321, &gpa), 0);
	assert_int_equal(gpa, 0xf12345321ULL);
	assert_int_equal(mem.reads, 3);
	assert_int_equal(mem.last_size, 8);

	/* Bits above 31 of the gva are not part of the walk. */
	assert_int_equal(walk(&p, 0x7700000000ULL | 0xc0654321, &gpa), 0);
	assert_int_equal(gpa, 0xf12345321ULL);

	/* PS in a PAE PDPTE is reserved; it does not make a 1 GiB page. */
	set64(PDPT_PAE + 3 * 8, PD_PAE | P | PS);
	assert_int_equal(walk(&p, 0xc0654321, &gpa), 0);
	assert_int_equal(gpa, 0xf12345321ULL);
}

static void test_pae_2m(void **state)
{
	struct guest_paging p = paging_pae();
	u64 gpa;

	(void)state;
	mem_reset();
	/* gva 0x4aa12345: PDPTE 1, PDE 0x055, offset 0x012345. */
	set64(PDPT_PAE + 1 * 8, PD_PAE | P);
	set64(PD_PAE + 0x055 * 8, 0x000abcdef0200000ULL | FLAGS | PS | BIT(12) | HIGH_JUNK);
	assert_int_equal(walk(&p, 0x4aa12345, &gpa), 0);
	assert_int_equal(gpa, 0x000abcdef0212345ULL);
	assert_int_equal(mem.reads, 2);
}

static void test_pae_not_present(void **state)
{
	struct guest_paging p = paging_pae();
	u64 gpa;

	(void)state;
	mem_reset();
	set64(PDPT_PAE + 0 * 8, PD_PAE & ~P);
	assert_int_equal(walk(&p, 0x00001000, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 1);

	set64(PDPT_PAE + 2 * 8, PD_PAE | P);
	set64(PD_PAE + 0x001 * 8, PT_PAE | RW | PS);	/* 2 MiB, not present */
	assert_int_equal(walk(&p, 0x80200000, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 2);

	set64(PD_PAE + 0x002 * 8, PT_PAE | FLAGS);
	set64(PT_PAE + 0x010 * 8, 0x5000 | RW | XD);
	assert_int_equal(walk(&p, 0x80410000, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 3);

	/* Callback failure on the PDPT itself. */
	mem.fail_set = true;
	mem.fail_gpa = PDPT_PAE + 2 * 8;
	assert_int_equal(walk(&p, 0x80410000, &gpa), -EFAULT);
	assert_int_equal(mem.reads, 1);
}

/* ---- 4- and 5-level ---- */

#define T5 0x0000000000003000ULL
#define T4 0x0000000000004000ULL
#define T3 0x0000000123457000ULL	/* table above 4 GiB */
#define T2 0x000fffffffffe000ULL	/* highest page of a 52-bit space */
#define T1 0x0000000000006000ULL

/* Index fields, stated independently of the walker. */
#define I5 0x0a5ULL
#define I4 0x1a3ULL
#define I3 0x0f5ULL
#define I2 0x12cULL
#define I1 0x077ULL
#define OFF 0xabcULL

static u64 gva_of(u64 i5, u64 i4, u64 i3, u64 i2, u64 i1, u64 off)
{
	return (i5 << 48) | (i4 << 39) | (i3 << 30) | (i2 << 21) | (i1 << 12) | off;
}

static struct guest_paging paging_long(bool la57)
{
	/* PCID in CR3's low bits must not leak into the table address. */
	return (struct guest_paging){
		.cr0 = CR0_PG | CR0_PE | BIT(16),
		.cr3 = (la57 ? T5 : T4) | 0xabc,
		.cr4 = CR4_PAE | CR4_PSE | (la57 ? CR4_LA57 : 0) | BIT(17),
		.efer = EFER_LME | EFER_LMA | BIT(11),
	};
}

/* Levels 4..1 (plus 5); the leaf is at the PTE. */
static void build_long(bool la57)
{
	if (la57)
		set64(T5 + I5 * 8, T4 | FLAGS | HIGH_JUNK);
	set64(T4 + I4 * 8, T3 | FLAGS | HIGH_JUNK);
	set64(T3 + I3 * 8, T2 | FLAGS | HIGH_JUNK);
	set64(T2 + I2 * 8, T1 | FLAGS | HIGH_JUNK);
	set64(T1 + I1 * 8, 0x000edcba98765000ULL | FLAGS | D | HIGH_JUNK);
}

static void test_long_4k(void **state)
{
	struct guest_paging p = paging_long(false);
	u64 gpa;

	(void)state;
	mem_reset();
	build_long(false);
	assert_int_equal(walk(&p, gva_of(0x1ff, I4, I3, I2, I1, OFF) | 0xff00000000000000ULL, &gpa), 0);
	assert_int_equal(gpa, 0x000edcba98765000ULL | OFF);
	assert_int_equal(mem.reads, 4);
	assert_int_equal(mem.last_size, 8);

	/* LME alone (caller's EFER copy without LMA) still means IA-32e. */
	p.efer = EFER_LME;
	assert_int_equal(walk(&p, gva_of(0, I4, I3, I2, I1, 0x10), &gpa), 0);
	assert_int_equal(gpa, 0x000edcba98765010ULL);

	/* PS in a PML4E is reserved, not a 512 GiB page. */
	set64(T4 + I4 * 8, T3 | FLAGS | PS);
	assert_int_equal(walk(&p, gva_of(0, I4, I3, I2, I1, 0x20), &gpa), 0);
	assert_int_equal(gpa, 0x000edcba98765020ULL);
}

static void test_long_2m_1g(void **state)
{
	struct guest_paging p = paging_long(false);
	u64 gpa;

	(void)state;
	mem_reset();
	build_long(false);
	set64(T2 + I2 * 8, 0x000c0ffee0000000ULL | FLAGS | PS | BIT(12) | HIGH_JUNK);
	assert_int_equal(walk(&p, gva_of(0, I4, I3, I2, I1, OFF), &gpa), 0);
	assert_int_equal(gpa, 0x000c0ffee0000000ULL | (I1 << 12) | OFF);
	assert_int_equal(mem.reads, 3);

	set64(T3 + I3 * 8, 0x000abc0040000000ULL | FLAGS | PS | BIT(12) | HIGH_JUNK);
	assert_int_equal(walk(&p, gva_of(0, I4, I3, I2, I1, OFF), &gpa), 0);
	assert_int_equal(gpa, 0x000abc0040000000ULL | (I2 << 21) | (I1 << 12) | OFF);
	assert_int_equal(mem.reads, 2);
}

static void test_la57(void **state)
{
	struct guest_paging p = paging_long(true);
	u64 gva = gva_of(I5, I4, I3, I2, I1, OFF), gpa;

	(void)state;
	mem_reset();
	build_long(true);
	assert_int_equal(walk(&p, gva, &gpa), 0);
	assert_int_equal(gpa, 0x000edcba98765000ULL | OFF);
	assert_int_equal(mem.reads, 5);

	/* Bits 56:48 select the PML5 entry: another index is a different walk. */
	assert_int_equal(walk(&p, gva_of(I5 + 1, I4, I3, I2, I1, OFF), &gpa), -EFAULT);
	assert_int_equal(mem.reads, 1);

	set64(T2 + I2 * 8, 0x0000000080000000ULL | FLAGS | PS);
	assert_int_equal(walk(&p, gva, &gpa), 0);
	assert_int_equal(gpa, 0x0000000080000000ULL | (I1 << 12) | OFF);
	assert_int_equal(mem.reads, 4);

	set64(T3 + I3 * 8, 0x0000004000000000ULL | FLAGS | PS);
	assert_int_equal(walk(&p, gva, &gpa), 0);
	assert_int_equal(gpa, 0x0000004000000000ULL | (I2 << 21) | (I1 << 12) | OFF);
	assert_int_equal(mem.reads, 3);

	/* Without LA57 the same tables are walked from CR3 as a PML4. */
	p.cr4 &= ~CR4_LA57;
	p.cr3 = T4;
	assert_int_equal(walk(&p, gva, &gpa), 0);
	assert_int_equal(mem.reads, 2);
}

/* Clear P, or fail the read, at each level in turn; the walk stops there. */
static void test_long_not_present(void **state)
{
	(void)state;
	for (int la57 = 0; la57 <= 1; la57++) {
		const u64 entry[5] = { T1 + I1 * 8, T2 + I2 * 8, T3 + I3 * 8, T4 + I4 * 8,
				       T5 + I5 * 8 };
		int levels = la57 ? 5 : 4;
		struct guest_paging p = paging_long(la57);
		u64 gva = gva_of(la57 ? I5 : 0, I4, I3, I2, I1, OFF), gpa, v;

		for (int lvl = 1; lvl <= levels; lvl++) {
			mem_reset();
			build_long(la57);
			memcpy(&v, mem_page(entry[lvl - 1], false) + (entry[lvl - 1] & 0xfff), 8);
			set64(entry[lvl - 1], v & ~P);
			assert_int_equal(walk(&p, gva, &gpa), -EFAULT);
			assert_int_equal(mem.reads, levels - lvl + 1);

			set64(entry[lvl - 1], v);
			assert_int_equal(walk(&p, gva, &gpa), 0);
			mem.fail_set = true;
			mem.fail_gpa = entry[lvl - 1];
			assert_int_equal(walk(&p, gva, &gpa), -EFAULT);
			assert_int_equal(mem.reads, levels - lvl + 1);
		}
	}
}

/* ---- copy ---- */

static void fill_page(u64 gpa, u8 seed)
{
	u8 *pg = mem_page(gpa, true);

	for (int i = 0; i < 4096; i++)
		pg[i] = (u8)(seed + i);
}

static void test_copy_cross_page(void **state)
{
	struct guest_paging p = paging_long(false);
	u64 gva = gva_of(0, I4, I3, I2, I1, 0xff9);
	u8 buf[15], want[15];
	size_t copied = 99;

	(void)state;
	mem_reset();
	build_long(false);
	/* Two consecutive virtual pages on scattered physical ones. */
	set64(T1 + I1 * 8, 0x9000 | FLAGS);
	set64(T1 + (I1 + 1) * 8, 0x0000000200002000ULL | FLAGS | XD);
	fill_page(0x9000, 0x10);
	fill_page(0x0000000200002000ULL, 0x80);
	for (int i = 0; i < 7; i++)
		want[i] = (u8)(0x10 + 0xff9 + i);
	for (int i = 7; i < 15; i++)
		want[i] = (u8)(0x80 + i - 7);

	memset(buf, 0, sizeof(buf));
	assert_int_equal(guest_walk_copy(&p, gva, buf, 15, fake_rd, fake_read_bytes, &mem), 0);
	assert_memory_equal(buf, want, 15);
	assert_int_equal(mem.byte_reads, 2);

	/* Within one page: one read. */
	mem.byte_reads = 0;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(guest_walk_copy(&p, gva - 0x100, buf, 15, fake_rd, fake_read_bytes, &mem),
			 0);
	assert_int_equal(buf[0], (u8)(0x10 + 0xef9));
	assert_int_equal(buf[14], (u8)(0x10 + 0xef9 + 14));
	assert_int_equal(mem.byte_reads, 1);

	/* Second page not present: the first part still arrives. */
	set64(T1 + (I1 + 1) * 8, 0x0000000200002000ULL | RW);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(guest_walk_copy_partial(&p, gva, buf, 15, fake_rd, fake_read_bytes, &mem,
						 &copied), -EFAULT);
	assert_int_equal(copied, 7);
	assert_memory_equal(buf, want, 7);
	assert_int_equal(guest_walk_copy(&p, gva, buf, 15, fake_rd, fake_read_bytes, &mem),
			 -EFAULT);

	/* Data read failure on the first page. */
	set64(T1 + (I1 + 1) * 8, 0x0000000200002000ULL | FLAGS);
	mem.fail_bytes_set = true;
	mem.fail_bytes_gpa = 0x9000;
	assert_int_equal(guest_walk_copy_partial(&p, gva, buf, 15, fake_rd, fake_read_bytes, &mem,
						 &copied), -EFAULT);
	assert_int_equal(copied, 0);

	/* Nothing to copy. */
	mem.byte_reads = 0;
	mem.reads = 0;
	assert_int_equal(guest_walk_copy_partial(&p, gva, buf, 0, fake_rd, fake_read_bytes, &mem,
						 &copied), 0);
	assert_int_equal(copied, 0);
	assert_int_equal(mem.reads + mem.byte_reads, 0);
}

static void test_copy_paging_off_and_wrap(void **state)
{
	struct guest_paging off = { .cr0 = CR0_PE };
	struct guest_paging p = paging32(0);
	u8 buf[15];

	(void)state;
	mem_reset();
	fill_page(0x8000, 0x33);
	fill_page(0x9000, 0x44);
	assert_int_equal(guest_walk_copy(&off, 0x8ffe, buf, 4, fake_rd, fake_read_bytes, &mem), 0);
	assert_int_equal(buf[0], (u8)(0x33 + 0xffe));
	assert_int_equal(buf[1], (u8)(0x33 + 0xfff));
	assert_int_equal(buf[2], 0x44);
	assert_int_equal(buf[3], 0x45);
	assert_int_equal(mem.reads, 0);

	/* 32-bit paging: the linear address wraps from 0xffffffff to 0. */
	set32(PD32 + 0x3ff * 4, PT32 | FLAGS);
	set32(PT32 + 0x3ff * 4, 0x8000 | FLAGS);
	set32(PD32 + 0x000 * 4, 0xa000 | FLAGS);
	set32(0xa000 + 0 * 4, 0x9000 | FLAGS);
	assert_int_equal(guest_walk_copy(&p, 0xfffffff8, buf, 15, fake_rd, fake_read_bytes, &mem),
			 0);
	assert_int_equal(buf[0], (u8)(0x33 + 0xff8));
	assert_int_equal(buf[7], (u8)(0x33 + 0xfff));
	assert_int_equal(buf[8], 0x44);
	assert_int_equal(buf[14], 0x44 + 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging_off),
		cmocka_unit_test(test_32bit_4k),
		cmocka_unit_test(test_32bit_4m),
		cmocka_unit_test(test_32bit_not_present),
		cmocka_unit_test(test_pae_4k),
		cmocka_unit_test(test_pae_2m),
		cmocka_unit_test(test_pae_not_present),
		cmocka_unit_test(test_long_4k),
		cmocka_unit_test(test_long_2m_1g),
		cmocka_unit_test(test_la57),
		cmocka_unit_test(test_long_not_present),
		cmocka_unit_test(test_copy_cross_page),
		cmocka_unit_test(test_copy_paging_off_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
