/*
 * MMIO instruction decoder. An EPT violation gives the guest-physical address
 * but not the data or the register, so the hypervisor decodes the faulting
 * instruction itself. Only the memory forms a guest uses on device registers
 * are accepted; anything else is -EINVAL and the caller stops the VM.
 *
 * Accepted (memory operand only, ModRM.mod != 3):
 *   88/89 MOV r/m,r      8A/8B MOV r,r/m       C6 /0 ib, C7 /0 iz  MOV r/m,imm
 *   A0-A3 MOV AL/rAX<->moffs                   0F B6/B7 MOVZX, 0F BE/BF MOVSX
 *   84/85 TEST r/m,r     F6 /0 ib, F7 /0 iz TEST r/m,imm (read; caller folds
 *                        the result into RFLAGS with insn_mmio_test_rflags)
 *   AA/AB STOS without REP (write of rAX; insn_mmio_complete_write moves rDI)
 * Prefixes: 66, 67, segment overrides, REX (64-bit mode only, and only when
 * it directly precedes the opcode, as on the CPU). LOCK, REP/REPNE (F2/F3,
 * including XACQUIRE/XRELEASE) are rejected.
 */
#ifndef BH_INSN_H
#define BH_INSN_H

#include "types.h"

#define INSN_MAX_LEN 15

/* GPR indices in x86 encoding order (also the order of gpr[] arrays). */
enum insn_gpr {
	INSN_RAX, INSN_RCX, INSN_RDX, INSN_RBX, INSN_RSP, INSN_RBP, INSN_RSI, INSN_RDI,
	INSN_R8, INSN_R9, INSN_R10, INSN_R11, INSN_R12, INSN_R13, INSN_R14, INSN_R15,
};

enum insn_mmio_dir { INSN_MMIO_READ = 0, INSN_MMIO_WRITE = 1 };

enum insn_mmio_op {
	INSN_OP_MOV = 0,	/* MOV, MOVZX, MOVSX, moffs forms */
	INSN_OP_TEST,		/* read; only RFLAGS change */
	INSN_OP_STOS,		/* write rAX to ES:[rDI], then rDI +/-= size */
};

enum insn_mmio_ext { INSN_EXT_NONE = 0, INSN_EXT_ZERO, INSN_EXT_SIGN };

/* Segment override prefix seen (last one wins); informational only. */
enum insn_seg {
	INSN_SEG_ES = 0, INSN_SEG_CS, INSN_SEG_SS, INSN_SEG_DS, INSN_SEG_FS,
	INSN_SEG_GS, INSN_SEG_NONE = 0xff,
};

struct insn_mmio {
	u8 len;			/* instruction length in bytes (1..15) */
	u8 size;		/* MMIO access size: 1, 2, 4 or 8 */
	u8 dir;			/* enum insn_mmio_dir */
	u8 op;			/* enum insn_mmio_op */
	/*
	 * Register operand: write source (MOV/STOS), read destination (MOV),
	 * or the second TEST operand. 0..15, enum insn_gpr. When reg_high8 is
	 * set, reg is 0..3 and names AH/CH/DH/BH (bits 15:8 of RAX..RBX).
	 */
	u8 reg;
	bool reg_high8;
	/* has_imm: the write source / TEST operand is imm instead of reg. */
	bool has_imm;
	/* The value the CPU stores: extended as the CPU does, masked to size. */
	u64 imm;
	u8 dst_size;		/* MOV reads: width of the register write */
	u8 ext;			/* MOV reads: enum insn_mmio_ext (MOVZX/MOVSX) */
	u8 addr_size;		/* effective address size: 2, 4 or 8 */
	u8 seg;			/* enum insn_seg */
	bool rip_relative;	/* ModRM used RIP/EIP-relative addressing */
	bool two_byte;		/* opcode was 0F xx */
	u8 opcode;		/* opcode byte (the xx of 0F xx) */
};

/*
 * Decode the instruction at bytes[0..avail). cpu_mode is 16, 32 or 64 (the
 * default operand/address size: CS.D / CS.L). Returns 0, -EINVAL for an
 * unsupported or malformed instruction (including one longer than 15 bytes),
 * or -E2BIG when the instruction continues past avail: fetch more and retry.
 */
int insn_decode_mmio(const u8 *bytes, size_t avail, int cpu_mode, struct insn_mmio *out);

/* Value a write stores (MOV/STOS), masked to m->size. */
u64 insn_mmio_write_value(const struct insn_mmio *m, const u64 gpr[16]);

/*
 * Finish a read: store mmio_value into the destination register with x86
 * register-write rules (64-bit mode: a 32-bit write zero-extends; 8/16-bit
 * writes keep the other bits; AH..BH write bits 15:8; outside 64-bit mode a
 * 32-bit write keeps bits 63:32). MOVZX/MOVSX extend to dst_size first.
 * TEST writes no register: use insn_mmio_test_rflags.
 */
void insn_mmio_complete_read(const struct insn_mmio *m, u64 gpr[16], u64 mmio_value, int cpu_mode);

/*
 * Finish a write: the side effects after the store. Only STOS has any: rDI
 * moves by size (down when RFLAGS.DF is set) at the address size.
 */
void insn_mmio_complete_write(const struct insn_mmio *m, u64 gpr[16], u64 rflags, int cpu_mode);

/*
 * TEST: return rflags with CF, PF, AF, ZF, SF, OF set from
 * (mmio_value & operand) as the CPU does (CF=OF=0; AF, undefined, is 0).
 * Other ops: rflags unchanged.
 */
u64 insn_mmio_test_rflags(const struct insn_mmio *m, const u64 gpr[16], u64 mmio_value, u64 rflags);

#endif
