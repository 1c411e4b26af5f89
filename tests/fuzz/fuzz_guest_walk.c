/*
 * libFuzzer: the guest page walker (arch/x86/guest_walk.c) over page tables
 * of any content, in every paging mode. Guest memory is a 16 KiB buffer the
 * whole guest-physical space aliases onto (so random entries still point at
 * tables), except that addresses with bit 40 set fail to read.
 * Input: mode byte, CR3, GVA, copy length, then the memory's bytes.
 * Properties: entry reads are 4 or 8 bytes and aligned; byte reads never
 * cross a 4 KiB page; a copy reads, chunk by chunk, exactly the GPAs that
 * guest_walk gives for those GVAs, reports how much it copied, and succeeds
 * only when it copied everything.
 */
#include "fuzz_check.h"
#include "guest_walk.h"
#include "errno.h"

#define RAM_SIZE 0x4000u
#define UNREADABLE (1ULL << 40)

struct ctx {
	u8 ram[RAM_SIZE];
	const struct guest_paging *p;
	u64 gva;		/* where the copy started */
	size_t done;		/* bytes the copy has read so far */
};

static bool rd(void *opaque, u64 gpa, u64 *pte, unsigned size)
{
	struct ctx *c = opaque;
	u64 v = 0;

	FUZZ_CHECK(size == 4 || size == 8);
	FUZZ_CHECK((gpa & (size - 1)) == 0);
	if (gpa & UNREADABLE)
		return false;
	memcpy(&v, &c->ram[gpa & (RAM_SIZE - 1)], size);
	*pte = v;
	return true;
}

static bool rd_bytes(void *opaque, u64 gpa, void *buf, size_t len)
{
	struct ctx *c = opaque;
	u64 want;

	FUZZ_CHECK(len > 0 && (gpa & 0xfff) + len <= 0x1000);
	/* the chunk is where a walk of its first byte says */
	FUZZ_CHECK(guest_walk(c->p, c->gva + c->done, rd, c, &want) == 0);
	FUZZ_CHECK(want == gpa);
	if (gpa & UNREADABLE)
		return false;
	for (size_t i = 0; i < len; i++)
		((u8 *)buf)[i] = c->ram[(gpa + i) & (RAM_SIZE - 1)];
	c->done += len;
	return true;
}

/* Control-register sets that pick each mode (and some the CPU would refuse). */
static void paging_regs(u8 sel, struct guest_paging *p)
{
	const u64 PG = 1ULL << 31, PE = 1, PSE = 1 << 4, PAE = 1 << 5, LA57 = 1 << 12;
	const u64 LME = 1 << 8, LMA = 1 << 10;

	p->cr0 = PE | ((sel & 1) ? 0 : PG);
	p->cr4 = ((sel & 2) ? PSE : 0) | ((sel & 4) ? PAE : 0) | ((sel & 8) ? LA57 : 0);
	p->efer = ((sel & 16) ? LME : 0) | ((sel & 32) ? LMA : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ctx c;
	struct fuzz_in in = { data, len };
	struct guest_paging p;
	u8 buf[64];
	size_t n, copied = 0;
	u64 gpa;
	int r;

	if (len < 18)
		return 0;
	paging_regs((u8)fuzz_take(&in, 1), &p);
	p.cr3 = fuzz_take(&in, 8);
	c.gva = fuzz_take(&in, 8);
	n = 1 + fuzz_take(&in, 1) % sizeof(buf);
	memset(c.ram, 0, sizeof(c.ram));
	memcpy(c.ram, in.p, in.left < RAM_SIZE ? in.left : RAM_SIZE);
	c.p = &p;
	c.done = 0;

	r = guest_walk(&p, c.gva, rd, &c, &gpa);
	FUZZ_CHECK(r == 0 || r == -EFAULT);
	if (!(p.cr0 & (1ULL << 31)))
		FUZZ_CHECK(r == 0 && gpa == c.gva);
	r = guest_walk_copy_partial(&p, c.gva, buf, n, rd, rd_bytes, &c, &copied);
	FUZZ_CHECK(r == 0 || r == -EFAULT);
	FUZZ_CHECK(copied == c.done && copied <= n);
	FUZZ_CHECK((r == 0) == (copied == n));
	/* the plain copy agrees with the partial one */
	c.done = 0;
	r = guest_walk_copy(&p, c.gva, buf, n, rd, rd_bytes, &c);
	FUZZ_CHECK((r == 0) == (copied == n));
	return 0;
}
