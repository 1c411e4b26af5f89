/*
 * MMIO instruction decoder (see include/insn.h for what is accepted).
 * Encoding facts from the Intel SDM vol. 2, chapter 2 and the opcode map.
 */
#include "insn.h"
#include "errno.h"

#define REX_W 0x8
#define REX_R 0x4

#define RFLAGS_CF BIT(0)
#define RFLAGS_PF BIT(2)
#define RFLAGS_AF BIT(4)
#define RFLAGS_ZF BIT(6)
#define RFLAGS_SF BIT(7)
#define RFLAGS_DF BIT(10)
#define RFLAGS_OF BIT(11)

struct insn_dec {
	const u8 *bytes;
	size_t avail;
	size_t pos;
	int cpu_mode;
};

static u64 size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : BIT(size * 8) - 1;
}

static u64 sign_extend(u64 v, unsigned size)
{
	unsigned shift = 64 - size * 8;

	return (u64)((s64)(v << shift) >> shift);
}

/* Too long is invalid whatever avail says; otherwise short input wants more. */
static int dec_need(const struct insn_dec *d, size_t n)
{
	if (d->pos + n > INSN_MAX_LEN)
		return -EINVAL;
	if (d->pos + n > d->avail)
		return -E2BIG;
	return 0;
}

static int dec_byte(struct insn_dec *d, u8 *b)
{
	int ret = dec_need(d, 1);

	if (ret)
		return ret;
	*b = d->bytes[d->pos++];
	return 0;
}

/* Little-endian immediate/displacement of n bytes, zero-extended. */
static int dec_le(struct insn_dec *d, unsigned n, u64 *v)
{
	int ret = dec_need(d, n);
	unsigned i;

	if (ret)
		return ret;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (u64)d->bytes[d->pos + i] << (8 * i);
	d->pos += n;
	return 0;
}

static int dec_skip(struct insn_dec *d, unsigned n)
{
	int ret = dec_need(d, n);

	if (ret)
		return ret;
	d->pos += n;
	return 0;
}

/*
 * Consume ModRM, SIB and displacement. Only their length matters (VMX gives
 * the address); register operands (mod == 3) cannot reach MMIO.
 */
static int dec_modrm(struct insn_dec *d, struct insn_mmio *m, u8 *modrm)
{
	unsigned mod, rm;
	int ret;
	u8 sib;

	ret = dec_byte(d, modrm);
	if (ret)
		return ret;
	mod = *modrm >> 6;
	rm = *modrm & 7;
	if (mod == 3)
		return -EINVAL;

	if (m->addr_size == 2) {
		/* 16-bit forms: no SIB; rm=6 with mod=0 is a bare disp16. */
		if (mod == 1)
			return dec_skip(d, 1);
		if (mod == 2 || rm == 6)
			return dec_skip(d, 2);
		return 0;
	}

	if (rm == 4) {
		ret = dec_byte(d, &sib);
		if (ret)
			return ret;
		if (mod == 0 && (sib & 7) == 5)
			return dec_skip(d, 4);
	} else if (mod == 0 && rm == 5) {
		/* 64-bit mode: RIP-relative (EIP-relative under 0x67). */
		m->rip_relative = d->cpu_mode == 64;
		return dec_skip(d, 4);
	}
	if (mod == 1)
		return dec_skip(d, 1);
	if (mod == 2)
		return dec_skip(d, 4);
	return 0;
}

/* 8-bit register operand: without REX, 4..7 are AH, CH, DH, BH. */
static void set_reg8(struct insn_mmio *m, unsigned idx, bool has_rex)
{
	if (!has_rex && idx >= 4 && idx < 8) {
		m->reg = idx - 4;
		m->reg_high8 = true;
	} else {
		m->reg = idx;
		m->reg_high8 = false;
	}
}

static int dec_imm(struct insn_dec *d, struct insn_mmio *m)
{
	unsigned n = m->size == 8 ? 4 : m->size;	/* imm32 for 64-bit ops */
	u64 v;
	int ret;

	ret = dec_le(d, n, &v);
	if (ret)
		return ret;
	m->has_imm = true;
	m->imm = sign_extend(v, n) & size_mask(m->size);
	return 0;
}

int insn_decode_mmio(const u8 *bytes, size_t avail, int cpu_mode, struct insn_mmio *out)
{
	struct insn_dec d = { .bytes = bytes, .avail = avail, .pos = 0, .cpu_mode = cpu_mode };
	struct insn_mmio m = { .seg = INSN_SEG_NONE };
	bool opsz_pfx = false, adsz_pfx = false, has_rex = false;
	unsigned opsz, reg_field;
	u8 rex = 0, op, modrm;
	u64 moffs;
	int ret;

	if (cpu_mode != 16 && cpu_mode != 32 && cpu_mode != 64)
		return -EINVAL;
	if (!bytes)
		d.avail = 0;

	/* Legacy prefixes in any order; a REX only counts right before the opcode. */
	for (;;) {
		ret = dec_byte(&d, &op);
		if (ret)
			return ret;
		switch (op) {
		case 0x66: opsz_pfx = true; break;
		case 0x67: adsz_pfx = true; break;
		case 0x26: m.seg = INSN_SEG_ES; break;
		case 0x2e: m.seg = INSN_SEG_CS; break;
		case 0x36: m.seg = INSN_SEG_SS; break;
		case 0x3e: m.seg = INSN_SEG_DS; break;
		case 0x64: m.seg = INSN_SEG_FS; break;
		case 0x65: m.seg = INSN_SEG_GS; break;
		case 0xf0: /* LOCK: #UD on MOV, never on device registers */
		case 0xf2: /* REPNE / XACQUIRE */
		case 0xf3: /* REP / XRELEASE */
			return -EINVAL;
		default:
			if (cpu_mode == 64 && (op & 0xf0) == 0x40) {
				rex = op;
				has_rex = true;
				continue;
			}
			goto opcode;
		}
		rex = 0;
		has_rex = false;
	}

opcode:
	if (cpu_mode == 64) {
		opsz = (rex & REX_W) ? 8 : opsz_pfx ? 2 : 4;
		m.addr_size = adsz_pfx ? 4 : 8;
	} else {
		bool def32 = cpu_mode == 32;

		opsz = (def32 != opsz_pfx) ? 4 : 2;
		m.addr_size = (def32 != adsz_pfx) ? 4 : 2;
	}

	m.opcode = op;
	if (op == 0x0f) {
		ret = dec_byte(&d, &op);
		if (ret)
			return ret;
		m.two_byte = true;
		m.opcode = op;
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -EINVAL;
		ret = dec_modrm(&d, &m, &modrm);
		if (ret)
			return ret;
		m.dir = INSN_MMIO_READ;
		m.op = INSN_OP_MOV;
		m.size = (op & 1) ? 2 : 1;
		m.dst_size = opsz;
		m.ext = (op & 8) ? INSN_EXT_SIGN : INSN_EXT_ZERO;
		m.reg = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
		goto done;
	}

	switch (op) {
	case 0x88: case 0x89:	/* MOV r/m, r */
	case 0x8a: case 0x8b:	/* MOV r, r/m */
	case 0x84: case 0x85:	/* TEST r/m, r */
		ret = dec_modrm(&d, &m, &modrm);
		if (ret)
			return ret;
		m.size = (op & 1) ? opsz : 1;
		reg_field = ((modrm >> 3) & 7) | ((rex & REX_R) ? 8 : 0);
		if (m.size == 1)
			set_reg8(&m, reg_field, has_rex);
		else
			m.reg = reg_field;
		if (op == 0x84 || op == 0x85) {
			m.op = INSN_OP_TEST;
			m.dir = INSN_MMIO_READ;
		} else {
			m.op = INSN_OP_MOV;
			m.dir = (op & 2) ? INSN_MMIO_READ : INSN_MMIO_WRITE;
			if (m.dir == INSN_MMIO_READ)
				m.dst_size = m.size;
		}
		break;

	case 0xc6: case 0xc7:	/* MOV r/m, imm  (/0 only) */
	case 0xf6: case 0xf7:	/* TEST r/m, imm (/0 only; /1 is an undocumented alias) */
		ret = dec_modrm(&d, &m, &modrm);
		if (ret)
			return ret;
		if ((modrm >> 3) & 7)
			return -EINVAL;
		m.size = (op & 1) ? opsz : 1;
		ret = dec_imm(&d, &m);
		if (ret)
			return ret;
		if (op == 0xc6 || op == 0xc7) {
			m.op = INSN_OP_MOV;
			m.dir = INSN_MMIO_WRITE;
		} else {
			m.op = INSN_OP_TEST;
			m.dir = INSN_MMIO_READ;
		}
		break;

	case 0xa0: case 0xa1:	/* MOV AL/rAX, moffs */
	case 0xa2: case 0xa3:	/* MOV moffs, AL/rAX */
		/* The offset is address-size wide: 8 bytes in 64-bit mode. */
		ret = dec_le(&d, m.addr_size, &moffs);
		if (ret)
			return ret;
		m.size = (op & 1) ? opsz : 1;
		m.reg = INSN_RAX;
		m.op = INSN_OP_MOV;
		m.dir = (op & 2) ? INSN_MMIO_WRITE : INSN_MMIO_READ;
		if (m.dir == INSN_MMIO_READ)
			m.dst_size = m.size;
		break;

	case 0xaa: case 0xab:	/* STOS ES:[rDI], AL/rAX */
		m.size = (op & 1) ? opsz : 1;
		m.reg = INSN_RAX;
		m.op = INSN_OP_STOS;
		m.dir = INSN_MMIO_WRITE;
		break;

	default:
		return -EINVAL;
	}

done:
	m.len = d.pos;
	*out = m;
	return 0;
}

u64 insn_mmio_write_value(const struct insn_mmio *m, const u64 gpr[16])
{
	u64 v;

	if (m->has_imm)
		v = m->imm;
	else if (m->reg_high8)
		v = gpr[m->reg & 3] >> 8;
	else
		v = gpr[m->reg & 15];
	return v & size_mask(m->size);
}

/* x86 rules for writing a register of the given width. */
static void write_gpr(u64 gpr[16], unsigned reg, bool high8, unsigned width, u64 v, int cpu_mode)
{
	u64 *r = &gpr[reg & 15];

	if (high8) {
		r = &gpr[reg & 3];
		*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
	} else if (width == 8) {
		*r = v;
	} else if (width == 4 && cpu_mode == 64) {
		*r = (u32)v;
	} else {
		*r = (*r & ~size_mask(width)) | (v & size_mask(width));
	}
}

void insn_mmio_complete_read(const struct insn_mmio *m, u64 gpr[16], u64 mmio_value, int cpu_mode)
{
	u64 v = mmio_value & size_mask(m->size);

	if (m->dir != INSN_MMIO_READ || m->op != INSN_OP_MOV)
		return;
	if (m->ext == INSN_EXT_SIGN)
		v = sign_extend(v, m->size) & size_mask(m->dst_size);
	write_gpr(gpr, m->reg, m->reg_high8, m->dst_size, v, cpu_mode);
}

void insn_mmio_complete_write(const struct insn_mmio *m, u64 gpr[16], u64 rflags, int cpu_mode)
{
	u64 rdi;

	if (m->op != INSN_OP_STOS)
		return;
	rdi = gpr[INSN_RDI] & size_mask(m->addr_size);
	rdi = (rflags & RFLAGS_DF) ? rdi - m->size : rdi + m->size;
	write_gpr(gpr, INSN_RDI, false, m->addr_size, rdi, cpu_mode);
}

/* PF: set when the low byte has an even number of ones. */
static bool parity_even(u64 v)
{
	u8 b = v & 0xff;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

u64 insn_mmio_test_rflags(const struct insn_mmio *m, const u64 gpr[16], u64 mmio_value, u64 rflags)
{
	u64 res, mask = size_mask(m->size);

	if (m->op != INSN_OP_TEST)
		return rflags;
	res = mmio_value & insn_mmio_write_value(m, gpr) & mask;
	rflags &= ~(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF);
	if (parity_even(res))
		rflags |= RFLAGS_PF;
	if (!res)
		rflags |= RFLAGS_ZF;
	if (res & BIT(m->size * 8 - 1))
		rflags |= RFLAGS_SF;
	return rflags;
}
