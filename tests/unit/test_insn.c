/*
 * MMIO instruction decoder tests. Encodings were hand-assembled from the SDM
 * and cross-checked with objdump (-mi386:x86-64 / -mi386 / -mi8086).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "insn.h"
#include "errno.h"

#define R INSN_MMIO_READ
#define W INSN_MMIO_WRITE

/* "8b 03" -> bytes; returns the count. */
static size_t hex_bytes(const char *hex, u8 *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v = 0;

		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			fail_msg("bad hex char '%c'", *hex);
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < max);
			out[n++] = (u8)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

struct dec_case {
	const char *hex;
	int mode;
	u8 len, size, dir, op, reg;
	bool high8, has_imm;
	u64 imm;
	u8 dst_size, ext, addr_size;
	bool rip;
	u8 seg;
};

#define MOV INSN_OP_MOV
#define TST INSN_OP_TEST
#define STO INSN_OP_STOS
#define ZX INSN_EXT_ZERO
#define SX INSN_EXT_SIGN
#define NOSEG INSN_SEG_NONE

static const struct dec_case cases[] = {
	/* 64-bit mode */
	{ "8b 03", 64, 2, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8, .seg = NOSEG },
	{ "48 8b 05 78 56 34 12", 64, 7, 8, R, MOV, INSN_RAX, .dst_size = 8, .addr_size = 8,
	  .rip = true, .seg = NOSEG },
	{ "88 60 01", 64, 3, 1, W, MOV, INSN_RAX, .high8 = true, .addr_size = 8, .seg = NOSEG },
	{ "40 88 60 01", 64, 4, 1, W, MOV, INSN_RSP, .addr_size = 8, .seg = NOSEG },	/* spl */
	{ "c7 00 78 56 34 12", 64, 6, 4, W, MOV, 0, .has_imm = true, .imm = 0x12345678,
	  .addr_size = 8, .seg = NOSEG },
	{ "66 c7 00 34 12", 64, 5, 2, W, MOV, 0, .has_imm = true, .imm = 0x1234, .addr_size = 8,
	  .seg = NOSEG },
	{ "48 c7 00 00 00 00 80", 64, 7, 8, W, MOV, 0, .has_imm = true,
	  .imm = 0xffffffff80000000ULL, .addr_size = 8, .seg = NOSEG },
	{ "48 c7 00 ff ff ff 7f", 64, 7, 8, W, MOV, 0, .has_imm = true, .imm = 0x7fffffff,
	  .addr_size = 8, .seg = NOSEG },
	{ "c6 00 8b", 64, 3, 1, W, MOV, 0, .has_imm = true, .imm = 0x8b, .addr_size = 8,
	  .seg = NOSEG },
	{ "c6 05 00 10 00 00 ab", 64, 7, 1, W, MOV, 0, .has_imm = true, .imm = 0xab,
	  .addr_size = 8, .rip = true, .seg = NOSEG },
	{ "41 89 44 24 08", 64, 5, 4, W, MOV, INSN_RAX, .addr_size = 8, .seg = NOSEG },
	{ "45 89 44 24 08", 64, 5, 4, W, MOV, INSN_R8, .addr_size = 8, .seg = NOSEG },
	{ "89 04 24", 64, 3, 4, W, MOV, INSN_RAX, .addr_size = 8, .seg = NOSEG },
	{ "8b 84 24 00 01 00 00", 64, 7, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8,
	  .seg = NOSEG },
	{ "42 8b 04 a5 00 00 e0 fe", 64, 8, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8,
	  .seg = NOSEG },	/* SIB, no base: disp32 */
	{ "41 8b 45 00", 64, 4, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8,
	  .seg = NOSEG },	/* [r13+0] needs disp8, not rip-relative */
	{ "8b 44 8d 10", 64, 4, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8,
	  .seg = NOSEG },
	{ "65 48 8b 04 25 10 00 00 00", 64, 9, 8, R, MOV, INSN_RAX, .dst_size = 8,
	  .addr_size = 8, .seg = INSN_SEG_GS },
	{ "3e 8b 03", 64, 3, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8,
	  .seg = INSN_SEG_DS },
	{ "26 2e 36 64 8b 03", 64, 6, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 8,
	  .seg = INSN_SEG_FS },
	{ "8a 27", 64, 2, 1, R, MOV, INSN_RAX, .high8 = true, .dst_size = 1, .addr_size = 8,
	  .seg = NOSEG },	/* ah */
	{ "8a 3f", 64, 2, 1, R, MOV, INSN_RBX, .high8 = true, .dst_size = 1, .addr_size = 8,
	  .seg = NOSEG },	/* bh */
	{ "40 8a 37", 64, 3, 1, R, MOV, INSN_RSI, .dst_size = 1, .addr_size = 8,
	  .seg = NOSEG },	/* sil */
	{ "44 8a 07", 64, 3, 1, R, MOV, INSN_R8, .dst_size = 1, .addr_size = 8, .seg = NOSEG },
	{ "4c 8b 3f", 64, 3, 8, R, MOV, INSN_R15, .dst_size = 8, .addr_size = 8, .seg = NOSEG },
	{ "0f b6 07", 64, 3, 1, R, MOV, INSN_RAX, .dst_size = 4, .ext = ZX, .addr_size = 8,
	  .seg = NOSEG },
	{ "48 0f bf 0e", 64, 4, 2, R, MOV, INSN_RCX, .dst_size = 8, .ext = SX, .addr_size = 8,
	  .seg = NOSEG },
	{ "0f be 4f 10", 64, 4, 1, R, MOV, INSN_RCX, .dst_size = 4, .ext = SX, .addr_size = 8,
	  .seg = NOSEG },
	{ "66 0f b6 07", 64, 4, 1, R, MOV, INSN_RAX, .dst_size = 2, .ext = ZX, .addr_size = 8,
	  .seg = NOSEG },
	{ "44 0f b7 3e", 64, 4, 2, R, MOV, INSN_R15, .dst_size = 4, .ext = ZX, .addr_size = 8,
	  .seg = NOSEG },
	{ "0f b6 27", 64, 3, 1, R, MOV, INSN_RSP, .dst_size = 4, .ext = ZX, .addr_size = 8,
	  .seg = NOSEG },	/* movzx esp: no high-byte case for 32-bit dst */
	{ "a1 ef cd ab 89 67 45 23 01", 64, 9, 4, R, MOV, INSN_RAX, .dst_size = 4,
	  .addr_size = 8, .seg = NOSEG },
	{ "48 a3 00 00 e0 fe 00 00 00 00", 64, 10, 8, W, MOV, INSN_RAX, .addr_size = 8,
	  .seg = NOSEG },
	{ "67 a1 00 00 e0 fe", 64, 6, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4,
	  .seg = NOSEG },
	{ "a0 00 00 e0 fe 00 00 00 00", 64, 9, 1, R, MOV, INSN_RAX, .dst_size = 1,
	  .addr_size = 8, .seg = NOSEG },	/* al, never ah */
	{ "67 8b 03", 64, 3, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4, .seg = NOSEG },
	{ "67 8b 05 10 00 00 00", 64, 7, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4,
	  .rip = true, .seg = NOSEG },
	{ "48 66 8b 03", 64, 4, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 8,
	  .seg = NOSEG },	/* REX not last: ignored */
	{ "66 48 8b 03", 64, 4, 8, R, MOV, INSN_RAX, .dst_size = 8, .addr_size = 8,
	  .seg = NOSEG },	/* REX.W beats 66 */
	{ "84 07", 64, 2, 1, R, TST, INSN_RAX, .addr_size = 8, .seg = NOSEG },
	{ "84 27", 64, 2, 1, R, TST, INSN_RAX, .high8 = true, .addr_size = 8, .seg = NOSEG },
	{ "48 85 4f 08", 64, 4, 8, R, TST, INSN_RCX, .addr_size = 8, .seg = NOSEG },
	{ "f6 47 04 80", 64, 4, 1, R, TST, 0, .has_imm = true, .imm = 0x80, .addr_size = 8,
	  .seg = NOSEG },
	{ "f7 07 00 00 00 80", 64, 6, 4, R, TST, 0, .has_imm = true, .imm = 0x80000000,
	  .addr_size = 8, .seg = NOSEG },
	{ "66 f7 07 34 12", 64, 5, 2, R, TST, 0, .has_imm = true, .imm = 0x1234, .addr_size = 8,
	  .seg = NOSEG },
	{ "aa", 64, 1, 1, W, STO, INSN_RAX, .addr_size = 8, .seg = NOSEG },
	{ "48 ab", 64, 2, 8, W, STO, INSN_RAX, .addr_size = 8, .seg = NOSEG },
	{ "66 ab", 64, 2, 2, W, STO, INSN_RAX, .addr_size = 8, .seg = NOSEG },
	{ "67 ab", 64, 2, 4, W, STO, INSN_RAX, .addr_size = 4, .seg = NOSEG },

	/* 32-bit mode */
	{ "8b 03", 32, 2, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4, .seg = NOSEG },
	{ "8b 05 00 00 e0 fe", 32, 6, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4,
	  .seg = NOSEG },	/* absolute disp32, not rip-relative */
	{ "89 04 8d 00 00 c0 fe", 32, 7, 4, W, MOV, INSN_RAX, .addr_size = 4, .seg = NOSEG },
	{ "8b 04 25 00 00 e0 fe", 32, 7, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4,
	  .seg = NOSEG },
	{ "8b 45 00", 32, 3, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4, .seg = NOSEG },
	{ "a1 00 00 e0 fe", 32, 5, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 4,
	  .seg = NOSEG },
	{ "a2 00 00 e0 fe", 32, 5, 1, W, MOV, INSN_RAX, .addr_size = 4, .seg = NOSEG },
	{ "66 a1 00 00 e0 fe", 32, 6, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 4,
	  .seg = NOSEG },
	{ "67 a1 00 10", 32, 4, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 2,
	  .seg = NOSEG },
	{ "c6 00 8b", 32, 3, 1, W, MOV, 0, .has_imm = true, .imm = 0x8b, .addr_size = 4,
	  .seg = NOSEG },
	{ "66 c7 05 10 03 e0 fe 00 34", 32, 9, 2, W, MOV, 0, .has_imm = true, .imm = 0x3400,
	  .addr_size = 4, .seg = NOSEG },
	{ "88 3b", 32, 2, 1, W, MOV, INSN_RBX, .high8 = true, .addr_size = 4, .seg = NOSEG },
	{ "0f b7 48 04", 32, 4, 2, R, MOV, INSN_RCX, .dst_size = 4, .ext = ZX, .addr_size = 4,
	  .seg = NOSEG },
	{ "67 8b 47 02", 32, 4, 4, R, MOV, INSN_RAX, .dst_size = 4, .addr_size = 2,
	  .seg = NOSEG },	/* 16-bit addressing [bx+2] */

	/* 16-bit mode */
	{ "8b 47 02", 16, 3, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 2, .seg = NOSEG },
	{ "89 1e 34 12", 16, 4, 2, W, MOV, INSN_RBX, .addr_size = 2, .seg = NOSEG },
	{ "66 89 87 00 10", 16, 5, 4, W, MOV, INSN_RAX, .addr_size = 2, .seg = NOSEG },
	{ "67 8b 04 24", 16, 4, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 4,
	  .seg = NOSEG },
	{ "c7 06 00 f0 34 12", 16, 6, 2, W, MOV, 0, .has_imm = true, .imm = 0x1234,
	  .addr_size = 2, .seg = NOSEG },
	{ "66 c7 06 00 10 78 56 34 12", 16, 9, 4, W, MOV, 0, .has_imm = true,
	  .imm = 0x12345678, .addr_size = 2, .seg = NOSEG },
	{ "8b 80 00 01", 16, 4, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 2,
	  .seg = NOSEG },
	{ "8b 46 00", 16, 3, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 2, .seg = NOSEG },
	{ "8b 04", 16, 2, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 2, .seg = NOSEG },
	{ "a0 34 12", 16, 3, 1, R, MOV, INSN_RAX, .dst_size = 1, .addr_size = 2, .seg = NOSEG },
	{ "a1 00 10", 16, 3, 2, R, MOV, INSN_RAX, .dst_size = 2, .addr_size = 2, .seg = NOSEG },
	{ "26 a3 00 03", 16, 4, 2, W, MOV, INSN_RAX, .addr_size = 2, .seg = INSN_SEG_ES },
	{ "ab", 16, 1, 2, W, STO, INSN_RAX, .addr_size = 2, .seg = NOSEG },
};

/* Name the failing case: a table of ~80 encodings needs more than a line number. */
#define EXPECT(what, idx, got, want) do {					\
	u64 got_ = (u64)(got), want_ = (u64)(want);				\
	if (got_ != want_)							\
		fail_msg("%s %zu (%d-bit %s): %s = %#llx, want %#llx", what, idx,	\
			 c->mode, c->hex, #got, (unsigned long long)got_,		\
			 (unsigned long long)want_);					\
} while (0)

static void expect_case(size_t i, const struct dec_case *c, const struct insn_mmio *m)
{
	EXPECT("case", i, m->len, c->len);
	EXPECT("case", i, m->size, c->size);
	EXPECT("case", i, m->dir, c->dir);
	EXPECT("case", i, m->op, c->op);
	EXPECT("case", i, m->reg, c->reg);
	EXPECT("case", i, m->reg_high8, c->high8);
	EXPECT("case", i, m->has_imm, c->has_imm);
	if (c->has_imm)
		EXPECT("case", i, m->imm, c->imm);
	if (c->dir == R && c->op == MOV) {
		EXPECT("case", i, m->dst_size, c->dst_size);
		EXPECT("case", i, m->ext, c->ext);
	}
	EXPECT("case", i, m->addr_size, c->addr_size);
	EXPECT("case", i, m->rip_relative, c->rip);
	EXPECT("case", i, m->seg, c->seg);
}

static void test_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dec_case *c = &cases[i];
		struct insn_mmio m;
		u8 buf[32];
		size_t n;

		/* Trailing junk must not change the decode: length comes from the encoding. */
		memset(buf, 0x90, sizeof(buf));
		n = hex_bytes(c->hex, buf, sizeof(buf));
		EXPECT("case", i, n, c->len);

		memset(&m, 0xa5, sizeof(m));
		EXPECT("case", i, insn_decode_mmio(buf, n, c->mode, &m), 0);
		expect_case(i, c, &m);

		memset(&m, 0xa5, sizeof(m));
		EXPECT("case", i, insn_decode_mmio(buf, sizeof(buf), c->mode, &m), 0);
		expect_case(i, c, &m);
	}
}

static void test_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dec_case *c = &cases[i];
		struct insn_mmio m;
		u8 buf[16];
		size_t n = hex_bytes(c->hex, buf, sizeof(buf));

		for (size_t k = 0; k < n; k++)
			EXPECT("truncated case", i, insn_decode_mmio(buf, k, c->mode, &m), -E2BIG);
	}
	assert_int_equal(insn_decode_mmio(NULL, 0, 64, &(struct insn_mmio){ 0 }), -E2BIG);
}

struct reject_case {
	const char *hex;
	int mode;
};

static const struct reject_case rejects[] = {
	{ "f0 89 03", 64 },		/* lock */
	{ "f0 c7 00 01 00 00 00", 32 },
	{ "f3 89 03", 64 },		/* rep / xrelease */
	{ "f2 89 03", 64 },		/* repne / xacquire */
	{ "f3 ab", 64 },		/* rep stos */
	{ "f3 aa", 32 },
	{ "66 f3 ab", 16 },
	{ "a4", 64 },			/* movsb */
	{ "a5", 32 },
	{ "ac", 64 },			/* lodsb */
	{ "89 c3", 64 },		/* register operand */
	{ "8b c3", 32 },
	{ "0f b6 c0", 64 },
	{ "c7 c0 01 00 00 00", 64 },
	{ "84 c0", 64 },
	{ "c6 08 ab", 64 },		/* c6 /1 */
	{ "c7 48 04 01 00 00 00", 64 },	/* c7 /1 */
	{ "c7 f8 00 00 00 00", 64 },	/* xbegin */
	{ "f6 4f 04 80", 64 },		/* f6 /1 (undocumented test alias) */
	{ "f6 17", 64 },		/* not */
	{ "f7 1f", 64 },		/* neg */
	{ "01 03", 64 },		/* add */
	{ "8d 03", 64 },		/* lea */
	{ "87 03", 64 },		/* xchg */
	{ "0f b8 03", 64 },		/* popcnt-space */
	{ "0f 10 03", 64 },		/* movups */
	{ "0f 0f 03 00", 64 },		/* 3dnow */
	{ "c5 f9 6f 03", 64 },		/* vex */
	{ "62 f1 7c 48 10 03", 64 },	/* evex */
	{ "48 8b 03", 32 },		/* 48 is dec eax outside 64-bit mode */
	{ "41 89 03", 16 },
	{ "0f", 8 },			/* bad cpu mode */
	{ "8b 03", 0 },
	{ "8b 03", 128 },
};

static void test_rejects(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rejects); i++) {
		const struct reject_case *c = &rejects[i];
		struct insn_mmio m;
		u8 buf[15];

		memset(buf, 0x90, sizeof(buf));
		hex_bytes(c->hex, buf, sizeof(buf));
		EXPECT("reject", i, insn_decode_mmio(buf, sizeof(buf), c->mode, &m), -EINVAL);
	}
}

/* The unsupported verdict needs only the bytes that decide it. */
static void test_reject_before_end(void **state)
{
	const u8 lock[] = { 0xf0 }, regform[] = { 0x89, 0xc3 }, c6_1[] = { 0xc6, 0x08 };
	struct insn_mmio m;

	(void)state;
	assert_int_equal(insn_decode_mmio(lock, 1, 64, &m), -EINVAL);
	assert_int_equal(insn_decode_mmio(regform, 2, 64, &m), -EINVAL);
	assert_int_equal(insn_decode_mmio(c6_1, 2, 64, &m), -EINVAL);
}

static void test_length_limit(void **state)
{
	u8 buf[20];
	struct insn_mmio m;

	(void)state;
	/* 13 prefixes + 8b 03 = 15 bytes: the longest legal instruction. */
	memset(buf, 0x66, 13);
	buf[13] = 0x8b;
	buf[14] = 0x03;
	assert_int_equal(insn_decode_mmio(buf, 15, 64, &m), 0);
	assert_int_equal(m.len, 15);
	assert_int_equal(m.size, 2);

	/* 14 prefixes + 8b 03 = 16 bytes. */
	memset(buf, 0x66, 14);
	buf[14] = 0x8b;
	buf[15] = 0x03;
	assert_int_equal(insn_decode_mmio(buf, 16, 64, &m), -EINVAL);
	/* Short input that is already past 15 bytes is invalid, not "need more". */
	assert_int_equal(insn_decode_mmio(buf, 15, 64, &m), -EINVAL);
	/* 14 prefixes, then stosb would still fit. */
	assert_int_equal(insn_decode_mmio(buf, 14, 64, &m), -E2BIG);
	buf[14] = 0xaa;
	assert_int_equal(insn_decode_mmio(buf, 15, 64, &m), 0);
	assert_int_equal(m.len, 15);

	/* 12 prefixes + c7 00 imm16 = 17 bytes: too long in the immediate. */
	memset(buf, 0x66, 12);
	memcpy(buf + 12, "\xc7\x00\x34\x12", 4);
	assert_int_equal(insn_decode_mmio(buf, 16, 64, &m), -EINVAL);
}

static struct insn_mmio decode(const char *hex, int mode)
{
	struct insn_mmio m;
	u8 buf[16];
	size_t n = hex_bytes(hex, buf, sizeof(buf));

	assert_int_equal(insn_decode_mmio(buf, n, mode, &m), 0);
	assert_int_equal(m.len, n);
	return m;
}

static void init_gprs(u64 gpr[16])
{
	for (int i = 0; i < 16; i++)
		gpr[i] = 0x1111111111111111ULL * (u64)(i + 1) ^ 0x8070605040302010ULL;
}

static void test_write_value(void **state)
{
	u64 gpr[16];
	struct insn_mmio m;

	(void)state;
	init_gprs(gpr);
	gpr[INSN_RAX] = 0x1122334455667788ULL;
	gpr[INSN_RBX] = 0xaabbccddeeff0099ULL;
	gpr[INSN_RSP] = 0x0102030405060708ULL;
	gpr[INSN_R8] = 0xfedcba9876543210ULL;

	m = decode("89 03", 64);			/* mov [rbx], eax */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x55667788);
	m = decode("48 89 03", 64);			/* mov [rbx], rax */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x1122334455667788ULL);
	m = decode("66 89 03", 64);			/* mov [rbx], ax */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x7788);
	m = decode("88 03", 64);			/* mov [rbx], al */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x88);
	m = decode("88 60 01", 64);			/* mov [rax+1], ah */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x77);
	m = decode("88 38", 64);			/* mov [rax], bh */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x00);
	m = decode("88 30", 32);			/* mov [eax], dh */
	assert_int_equal(insn_mmio_write_value(&m, gpr), (gpr[INSN_RDX] >> 8) & 0xff);
	m = decode("40 88 20", 64);			/* mov [rax], spl */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x08);
	m = decode("44 88 00", 64);			/* mov [rax], r8b */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x10);
	m = decode("4c 89 00", 64);			/* mov [rax], r8 */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0xfedcba9876543210ULL);
	m = decode("a3 00 00 e0 fe", 32);		/* mov [moffs], eax */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x55667788);
	m = decode("48 ab", 64);			/* stosq */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x1122334455667788ULL);
	m = decode("aa", 32);				/* stosb */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x88);

	/* Immediates: sign-extended only where the CPU widens them. */
	m = decode("48 c7 00 fe ff ff ff", 64);
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0xfffffffffffffffeULL);
	m = decode("c7 00 fe ff ff ff", 64);
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0xfffffffe);
	m = decode("66 c7 00 00 80", 64);
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x8000);
	m = decode("c6 00 ff", 16);
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0xff);
	m = decode("c7 06 00 04 00 34", 16);	/* mov word [0x400], 0x3400 */
	assert_int_equal(insn_mmio_write_value(&m, gpr), 0x3400);
}

struct read_case {
	const char *hex;
	int mode;
	u64 before, mmio, after;
	unsigned reg;
};

static const struct read_case reads[] = {
	/* 64-bit: 32-bit destinations zero-extend, narrower ones merge. */
	{ "48 8b 03", 64, 0x1122334455667788ULL, 0x8877665544332211ULL, 0x8877665544332211ULL, 0 },
	{ "8b 03", 64, 0x1122334455667788ULL, 0xffffffffdeadbeefULL, 0xdeadbeefULL, 0 },
	{ "66 8b 03", 64, 0x1122334455667788ULL, 0xabcdef01ULL, 0x112233445566ef01ULL, 0 },
	{ "8a 03", 64, 0x1122334455667788ULL, 0x1234ULL, 0x1122334455667734ULL, 0 },
	{ "8a 23", 64, 0x1122334455667788ULL, 0x1234ULL, 0x1122334455663488ULL, 0 },	/* ah */
	{ "8a 3b", 64, 0x1122334455667788ULL, 0xabULL, 0x112233445566ab88ULL, 3 },	/* bh */
	{ "40 8a 33", 64, 0x1122334455667788ULL, 0xabULL, 0x11223344556677abULL, 6 },	/* sil */
	{ "44 8b 3b", 64, 0x1122334455667788ULL, 0x80000000ULL, 0x80000000ULL, 15 },
	{ "a1 00 00 e0 fe 00 00 00 00", 64, ~0ULL, 0x14ULL, 0x14ULL, 0 },
	{ "0f b6 03", 64, 0x1122334455667788ULL, 0xf0ULL, 0xf0ULL, 0 },
	{ "0f be 03", 64, 0x1122334455667788ULL, 0xf0ULL, 0xfffffff0ULL, 0 },
	{ "48 0f be 03", 64, 0x1122334455667788ULL, 0xf0ULL, 0xfffffffffffffff0ULL, 0 },
	{ "48 0f be 03", 64, 0x1122334455667788ULL, 0x170ULL, 0x70ULL, 0 },
	{ "66 0f be 03", 64, 0x1122334455667788ULL, 0x80ULL, 0x112233445566ff80ULL, 0 },
	{ "66 0f b6 03", 64, 0x1122334455667788ULL, 0x80ULL, 0x1122334455660080ULL, 0 },
	{ "0f b7 03", 64, 0x1122334455667788ULL, 0x18000ULL, 0x8000ULL, 0 },
	{ "0f bf 03", 64, 0x1122334455667788ULL, 0x8000ULL, 0xffff8000ULL, 0 },
	{ "48 0f bf 03", 64, 0x1122334455667788ULL, 0x8000ULL, 0xffffffffffff8000ULL, 0 },
	{ "48 0f b7 03", 64, 0xffffffffffffffffULL, 0x8000ULL, 0x8000ULL, 0 },
	{ "0f b6 23", 64, 0x1122334455667788ULL, 0x81ULL, 0x81ULL, 4 },	/* esp, not ah */
	/* 32-bit: the upper half of the 64-bit register is left alone. */
	{ "8b 03", 32, 0x1122334455667788ULL, 0xdeadbeefULL, 0x11223344deadbeefULL, 0 },
	{ "8a 23", 32, 0x1122334455667788ULL, 0x99ULL, 0x1122334455669988ULL, 0 },
	{ "0f bf 03", 32, 0x1122334455667788ULL, 0x8000ULL, 0x11223344ffff8000ULL, 0 },
	{ "66 8b 03", 32, 0x1122334455667788ULL, 0x4321ULL, 0x1122334455664321ULL, 0 },
	/* 16-bit */
	{ "8b 07", 16, 0x1122334455667788ULL, 0xbeefULL, 0x112233445566beefULL, 0 },
	{ "66 8b 07", 16, 0x1122334455667788ULL, 0xdeadbeefULL, 0x11223344deadbeefULL, 0 },
	{ "0f b6 07", 16, 0x1122334455667788ULL, 0xfeULL, 0x11223344556600feULL, 0 },
	{ "0f be 07", 16, 0x1122334455667788ULL, 0xfeULL, 0x112233445566fffeULL, 0 },
	{ "8a 3f", 16, 0x1122334455667788ULL, 0x5aULL, 0x1122334455665a88ULL, 3 },	/* bh */
};

static void test_complete_read(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reads); i++) {
		const struct read_case *c = &reads[i];
		struct insn_mmio m = decode(c->hex, c->mode);
		u64 gpr[16], expect[16];

		init_gprs(gpr);
		gpr[c->reg] = c->before;
		memcpy(expect, gpr, sizeof(expect));
		expect[c->reg] = c->after;
		insn_mmio_complete_read(&m, gpr, c->mmio, c->mode);
		EXPECT("read", i, gpr[c->reg], c->after);
		assert_memory_equal(gpr, expect, sizeof(expect));
	}
}

/* Writes and TEST leave the registers alone in complete_read. */
static void test_complete_read_noop(void **state)
{
	const char *hex[] = { "89 03", "c7 03 01 00 00 00", "84 03", "f6 03 01", "aa" };
	u64 gpr[16], orig[16];

	(void)state;
	init_gprs(gpr);
	memcpy(orig, gpr, sizeof(gpr));
	for (size_t i = 0; i < ARRAY_SIZE(hex); i++) {
		struct insn_mmio m = decode(hex[i], 64);

		insn_mmio_complete_read(&m, gpr, 0x123456789abcdefULL, 64);
		assert_memory_equal(gpr, orig, sizeof(gpr));
		insn_mmio_complete_write(&m, gpr, 0, 64);
		if (m.op != INSN_OP_STOS)
			assert_memory_equal(gpr, orig, sizeof(gpr));
		memcpy(gpr, orig, sizeof(gpr));
	}
}

#define CF BIT(0)
#define PF BIT(2)
#define AF BIT(4)
#define ZF BIT(6)
#define SF BIT(7)
#define DF BIT(10)
#define OF BIT(11)
#define ALL (CF | PF | AF | ZF | SF | OF)

static void test_test_rflags(void **state)
{
	u64 gpr[16];
	struct insn_mmio m;

	(void)state;
	init_gprs(gpr);
	gpr[INSN_RAX] = 0xff00;
	gpr[INSN_RCX] = 0x8000000000000001ULL;

	m = decode("84 03", 64);		/* test [rbx], al (al = 0) */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0xff, 0x2 | ALL), 0x2 | ZF | PF);
	m = decode("84 23", 64);		/* test [rbx], ah (ah = 0xff) */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x81, 0x2 | CF | OF), 0x2 | SF | PF);
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x01, 0x202), 0x202);	/* odd parity */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x03, 0x202), 0x202 | PF);
	m = decode("48 85 0b", 64);		/* test [rbx], rcx */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, ~0ULL, 0x2), 0x2 | SF);
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x8000000000000000ULL, 0x2 | DF),
			 0x2 | DF | SF | PF);
	m = decode("85 0b", 64);		/* 32-bit: bit 63 of rcx is out of range */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x8000000000000000ULL, 0x2), 0x2 | ZF | PF);
	m = decode("f7 03 00 00 00 80", 64);	/* test dword [rbx], 0x80000000 */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x80000000, 0x2), 0x2 | SF | PF);
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x7fffffff, 0x2 | SF), 0x2 | ZF | PF);
	m = decode("48 f7 03 00 00 00 80", 64);	/* imm32 sign-extends to bit 63 */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x8000000000000000ULL, 0x2), 0x2 | SF | PF);
	m = decode("f6 03 20", 16);		/* test byte [bp+di], 0x20 */
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x60, 0x2), 0x2);
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0x40, 0x2), 0x2 | ZF | PF);

	/* Not a TEST: flags untouched. */
	m = decode("8b 03", 64);
	assert_int_equal(insn_mmio_test_rflags(&m, gpr, 0, 0x2 | CF), 0x2 | CF);
}

static void test_stos_complete(void **state)
{
	u64 gpr[16], orig[16];
	struct insn_mmio m;

	(void)state;
	init_gprs(gpr);
	memcpy(orig, gpr, sizeof(gpr));

	m = decode("48 ab", 64);
	gpr[INSN_RDI] = 0x1000;
	insn_mmio_complete_write(&m, gpr, 0x2, 64);
	assert_int_equal(gpr[INSN_RDI], 0x1008);
	insn_mmio_complete_write(&m, gpr, 0x2 | DF, 64);
	assert_int_equal(gpr[INSN_RDI], 0x1000);

	m = decode("aa", 64);
	gpr[INSN_RDI] = 0xffffffffffffffffULL;
	insn_mmio_complete_write(&m, gpr, 0x2, 64);
	assert_int_equal(gpr[INSN_RDI], 0);

	m = decode("67 ab", 64);		/* 32-bit address: edi, zero-extended */
	gpr[INSN_RDI] = 0x12345678fffffffcULL;
	insn_mmio_complete_write(&m, gpr, 0x2, 64);
	assert_int_equal(gpr[INSN_RDI], 0);

	m = decode("66 ab", 32);
	gpr[INSN_RDI] = 0x12345678fee00300ULL;
	insn_mmio_complete_write(&m, gpr, 0x2 | DF, 32);
	assert_int_equal(gpr[INSN_RDI], 0x12345678fee002feULL);

	m = decode("ab", 16);			/* di wraps, the rest stays */
	gpr[INSN_RDI] = 0x123456789abcffffULL;
	insn_mmio_complete_write(&m, gpr, 0x2, 16);
	assert_int_equal(gpr[INSN_RDI], 0x123456789abc0001ULL);

	/* Nothing else moved. */
	gpr[INSN_RDI] = orig[INSN_RDI];
	assert_memory_equal(gpr, orig, sizeof(gpr));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_reject_before_end),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_write_value),
		cmocka_unit_test(test_complete_read),
		cmocka_unit_test(test_complete_read_noop),
		cmocka_unit_test(test_test_rflags),
		cmocka_unit_test(test_stos_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
