/*
 * Resource descriptors for _CRS templates (ACPI 6.3 section 6.4). Small
 * items: one tag byte (type << 3 | length). Large items: tag byte with
 * bit 7 set, then a 16-bit length of what follows.
 */
#include "lib.h"
#include "vacpi.h"

#define RES_IRQ_NOFLAGS		0x22	/* small, type 4, 2 bytes */
#define RES_IO			0x47	/* small, type 8, 7 bytes */
#define RES_MEM32_FIXED		0x86
#define RES_DWORD_ADDR		0x87
#define RES_WORD_ADDR		0x88
#define RES_EXT_IRQ		0x89
#define RES_QWORD_ADDR		0x8A

#define ADDR_TYPE_MEM		0
#define ADDR_TYPE_IO		1
#define ADDR_TYPE_BUS		2

/* general flags of address space descriptors */
#define ADDR_CONSUMER		BIT(0)
#define ADDR_MIN_FIXED		BIT(2)
#define ADDR_MAX_FIXED		BIT(3)
#define ADDR_FIXED		(ADDR_MIN_FIXED | ADDR_MAX_FIXED)

#define MEM_RW			BIT(0)	/* non-cacheable, AddressRangeMemory */
#define IO_ENTIRE_RANGE		3

/* Extended Interrupt flags */
#define EXT_IRQ_CONSUMER	BIT(0)
#define EXT_IRQ_EDGE		BIT(1)
#define EXT_IRQ_ACTIVE_LOW	BIT(2)
#define EXT_IRQ_SHARED		BIT(3)

static void large(struct aml *a, u8 tag, u16 len)
{
	if (!a->in_res)
		a->error = true;
	vacpi_put8(a->o, tag);
	vacpi_put16(a->o, len);
}

static void small(struct aml *a, u8 tag)
{
	if (!a->in_res)
		a->error = true;
	vacpi_put8(a->o, tag);
}

void aml_res_io(struct aml *a, u16 min, u16 max, u8 align, u8 len)
{
	small(a, RES_IO);
	vacpi_put8(a->o, 1);		/* 16-bit decode */
	vacpi_put16(a->o, min);
	vacpi_put16(a->o, max);
	vacpi_put8(a->o, align);
	vacpi_put8(a->o, len);
}

void aml_res_irq_noflags(struct aml *a, u16 mask)
{
	small(a, RES_IRQ_NOFLAGS);	/* edge, active high, exclusive */
	vacpi_put16(a->o, mask);
}

void aml_res_mem32_fixed(struct aml *a, bool rw, u32 base, u32 len)
{
	large(a, RES_MEM32_FIXED, 9);
	vacpi_put8(a->o, rw ? 1 : 0);
	vacpi_put32(a->o, base);
	vacpi_put32(a->o, len);
}

/* Word address space: fixed [min, max], no translation, granularity 0. */
static void word_addr(struct aml *a, u8 type, u8 tflags, u16 min, u16 max)
{
	large(a, RES_WORD_ADDR, 13);
	vacpi_put8(a->o, type);
	vacpi_put8(a->o, ADDR_FIXED);	/* producer: a bridge window */
	vacpi_put8(a->o, tflags);
	vacpi_put16(a->o, 0);
	vacpi_put16(a->o, min);
	vacpi_put16(a->o, max);
	vacpi_put16(a->o, 0);
	vacpi_put16(a->o, (u16)(max - min + 1));
	if (max < min)
		a->error = true;
}

void aml_res_word_bus(struct aml *a, u16 min, u16 max)
{
	word_addr(a, ADDR_TYPE_BUS, 0, min, max);
}

void aml_res_word_io(struct aml *a, u16 min, u16 max)
{
	word_addr(a, ADDR_TYPE_IO, IO_ENTIRE_RANGE, min, max);
}

void aml_res_dword_mem(struct aml *a, bool consumer, u32 min, u32 len)
{
	large(a, RES_DWORD_ADDR, 23);
	vacpi_put8(a->o, ADDR_TYPE_MEM);
	vacpi_put8(a->o, ADDR_FIXED | (consumer ? ADDR_CONSUMER : 0));
	vacpi_put8(a->o, MEM_RW);
	vacpi_put32(a->o, 0);
	vacpi_put32(a->o, min);
	vacpi_put32(a->o, min + len - 1);
	vacpi_put32(a->o, 0);
	vacpi_put32(a->o, len);
	if (!len || min + len - 1 < min)
		a->error = true;
}

void aml_res_qword_mem(struct aml *a, bool consumer, u64 min, u64 len)
{
	large(a, RES_QWORD_ADDR, 43);
	vacpi_put8(a->o, ADDR_TYPE_MEM);
	vacpi_put8(a->o, ADDR_FIXED | (consumer ? ADDR_CONSUMER : 0));
	vacpi_put8(a->o, MEM_RW);
	vacpi_put64(a->o, 0);
	vacpi_put64(a->o, min);
	vacpi_put64(a->o, min + len - 1);
	vacpi_put64(a->o, 0);
	vacpi_put64(a->o, len);
	if (!len || min + len - 1 < min)
		a->error = true;
}

void aml_res_ext_irq(struct aml *a, u8 vacpi_irq_flags, u32 gsi)
{
	u8 f = EXT_IRQ_CONSUMER;

	if (!(vacpi_irq_flags & VACPI_IRQ_LEVEL))
		f |= EXT_IRQ_EDGE;
	if (vacpi_irq_flags & VACPI_IRQ_ACTIVE_LOW)
		f |= EXT_IRQ_ACTIVE_LOW;
	if (vacpi_irq_flags & VACPI_IRQ_SHARED)
		f |= EXT_IRQ_SHARED;
	large(a, RES_EXT_IRQ, 6);
	vacpi_put8(a->o, f);
	vacpi_put8(a->o, 1);		/* one interrupt, no resource source */
	vacpi_put32(a->o, gsi);
}
