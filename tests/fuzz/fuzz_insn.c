/*
 * libFuzzer: the MMIO instruction decoder (arch/x86/insn_decode.c) on any
 * bytes in any mode, and the register updates that finish the access.
 * Input: mode byte, 16 GPR values' seeds, RFLAGS, an MMIO value, then the
 * instruction bytes (up to 15 are "fetched", as at a guest RIP).
 * Properties beyond "no crash": the result's fields are in range; a decoded
 * instruction decodes the same from exactly its own bytes and asks for more
 * (-E2BIG) from any shorter prefix; a read writes only its destination
 * register's bits; a write moves only rDI (STOS); TEST changes only the six
 * arithmetic flags.
 */
#include "fuzz_check.h"
#include "insn.h"
#include "errno.h"

static const int modes[] = { 16, 32, 64 };

static void same(const struct insn_mmio *a, const struct insn_mmio *b)
{
	FUZZ_CHECK(a->len == b->len && a->size == b->size && a->dir == b->dir && a->op == b->op);
	FUZZ_CHECK(a->reg == b->reg && a->reg_high8 == b->reg_high8 && a->has_imm == b->has_imm);
	FUZZ_CHECK(a->imm == b->imm && a->dst_size == b->dst_size && a->ext == b->ext);
	FUZZ_CHECK(a->addr_size == b->addr_size && a->seg == b->seg);
	FUZZ_CHECK(a->rip_relative == b->rip_relative && a->two_byte == b->two_byte);
	FUZZ_CHECK(a->opcode == b->opcode);
}

static u64 mask_of(unsigned bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

static void check_fields(const struct insn_mmio *m, size_t avail)
{
	FUZZ_CHECK(m->len >= 1 && m->len <= INSN_MAX_LEN && m->len <= avail);
	FUZZ_CHECK(m->size == 1 || m->size == 2 || m->size == 4 || m->size == 8);
	FUZZ_CHECK(m->dir == INSN_MMIO_READ || m->dir == INSN_MMIO_WRITE);
	FUZZ_CHECK(m->op <= INSN_OP_STOS);
	FUZZ_CHECK(m->reg < 16 && (!m->reg_high8 || m->reg < 4));
	FUZZ_CHECK(m->addr_size == 2 || m->addr_size == 4 || m->addr_size == 8);
	FUZZ_CHECK(!m->has_imm || (m->imm & ~mask_of(m->size)) == 0);
	FUZZ_CHECK(m->op != INSN_OP_TEST || m->dir == INSN_MMIO_READ);
	FUZZ_CHECK(m->op != INSN_OP_STOS || m->dir == INSN_MMIO_WRITE);
	if (m->op == INSN_OP_MOV && m->dir == INSN_MMIO_READ)
		FUZZ_CHECK(m->dst_size == 1 || m->dst_size == 2 || m->dst_size == 4 ||
			   m->dst_size == 8);
}

/* The bits of gpr[] a read may change. */
static void read_mask(const struct insn_mmio *m, int mode, u64 mask[16])
{
	memset(mask, 0, 16 * sizeof(u64));
	if (m->op != INSN_OP_MOV)
		return;
	if (m->reg_high8)
		mask[m->reg] = 0xff00;
	else if (m->dst_size == 4 && mode == 64)
		mask[m->reg] = ~0ULL;		/* zero-extends */
	else
		mask[m->reg] = mask_of(m->dst_size);
}

static void check_finish(const struct insn_mmio *m, int mode, const u64 gpr0[16], u64 rflags,
			 u64 value)
{
	u64 gpr[16], mask[16];

	FUZZ_CHECK((insn_mmio_write_value(m, gpr0) & ~mask_of(m->size)) == 0);
	if (m->dir == INSN_MMIO_READ) {
		memcpy(gpr, gpr0, sizeof(gpr));
		insn_mmio_complete_read(m, gpr, value, mode);
		read_mask(m, mode, mask);
		for (int i = 0; i < 16; i++)
			FUZZ_CHECK(((gpr[i] ^ gpr0[i]) & ~mask[i]) == 0);
		u64 f = insn_mmio_test_rflags(m, gpr0, value, rflags);

		FUZZ_CHECK(m->op == INSN_OP_TEST ? ((f ^ rflags) & ~0x8d5ULL) == 0 : f == rflags);
	} else {
		memcpy(gpr, gpr0, sizeof(gpr));
		insn_mmio_complete_write(m, gpr, rflags, mode);
		for (int i = 0; i < 16; i++)
			FUZZ_CHECK(gpr[i] == gpr0[i] || (i == INSN_RDI && m->op == INSN_OP_STOS));
		if (m->op == INSN_OP_STOS) {
			/* rDI moves by size at the address size: the bits above stay */
			u64 am = mask_of(m->addr_size);

			if (m->addr_size == 4 && mode == 64)
				am = ~0ULL;	/* a 32-bit register write zero-extends */
			FUZZ_CHECK(((gpr[INSN_RDI] ^ gpr0[INSN_RDI]) & ~am) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { data, len };
	struct insn_mmio m, again;
	u64 gpr[16], rflags, value;
	u8 bytes[INSN_MAX_LEN + 1];
	size_t avail;
	int mode, r;

	if (len < 2)
		return 0;
	mode = modes[fuzz_take(&in, 1) % 3];
	for (int i = 0; i < 16; i++)	/* one byte each, spread: sign and high bits matter */
		gpr[i] = 0x0101010101010101ULL * fuzz_take(&in, 1) ^ (u64)i << 60;
	rflags = fuzz_take(&in, 2) | 2;
	value = 0x0101010101010101ULL * fuzz_take(&in, 1);
	avail = in.left < sizeof(bytes) ? in.left : sizeof(bytes);
	memcpy(bytes, in.p, avail);

	r = insn_decode_mmio(bytes, avail, mode, &m);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG);
	FUZZ_CHECK(r != -E2BIG || avail < INSN_MAX_LEN);
	if (r)
		return 0;
	check_fields(&m, avail);
	FUZZ_CHECK(insn_decode_mmio(bytes, m.len, mode, &again) == 0);
	same(&m, &again);
	for (size_t k = 0; k < m.len; k++)
		FUZZ_CHECK(insn_decode_mmio(bytes, k, mode, &again) == -E2BIG);
	check_finish(&m, mode, gpr, rflags, value);
	return 0;
}
