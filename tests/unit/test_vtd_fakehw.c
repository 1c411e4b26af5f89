/* A VT-d unit model for the unit tests (see test_vtd_fakehw.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib.h"
#include "acpi.h"
#include "lapic.h"
#include "pci.h"
#include "vtd_hw.h"
#include "test_vtd_fakehw.h"

struct fake_unit fake_units[VTD_MAX_UNITS];
u8 fake_regs[VTD_MAX_UNITS][FAKE_REG_SIZE] __aligned(4096);
char fake_log[FAKE_LOG_MAX][112];
unsigned fake_nlog;
unsigned fake_flushes;
int fake_fail_alloc = -1;
unsigned fake_pages;
unsigned fake_freed;
u64 fake_now;
unsigned fake_relax;
const void *fake_dmar;
const struct board_config *fake_board;

static void *pages[4096];
static struct { uintptr_t a, b; unsigned at; } flushed[4096];
static unsigned nflushed;
static struct { u16 bdf, off; u32 val; } cfg[64];
static unsigned ncfg;

static void fake_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fake_logf(const char *fmt, ...)
{
	va_list ap;

	if (fake_nlog >= FAKE_LOG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(fake_log[fake_nlog++], sizeof(fake_log[0]), fmt, ap);
	va_end(ap);
}

static unsigned uidx(const struct vtd_unit *u)
{
	return (unsigned)(((const u8 *)u->regs - &fake_regs[0][0]) / FAKE_REG_SIZE);
}

u64 fake_reg64(unsigned u, unsigned off) { u64 v; memcpy(&v, fake_units[u].regs + off, 8); return v; }
u32 fake_reg32(unsigned u, unsigned off) { u32 v; memcpy(&v, fake_units[u].regs + off, 4); return v; }
static void set64(unsigned u, unsigned off, u64 v) { memcpy(fake_units[u].regs + off, &v, 8); }
void fake_set_reg32(unsigned u, unsigned off, u32 v) { memcpy(fake_units[u].regs + off, &v, 4); }

void fake_reset(void)
{
	for (unsigned i = 0; i < fake_pages; i++)
		free(pages[i]);
	memset(fake_units, 0, sizeof(fake_units));
	memset(fake_regs, 0, sizeof(fake_regs));
	for (unsigned i = 0; i < VTD_MAX_UNITS; i++)
		fake_units[i].regs = fake_regs[i];
	memset(&vtd_sys, 0, sizeof(vtd_sys));
	fake_nlog = fake_flushes = fake_pages = fake_freed = fake_relax = nflushed = ncfg = 0;
	fake_fail_alloc = -1;
	fake_now = 0;
	fake_dmar = NULL;
	fake_board = NULL;
}

void fake_caps(unsigned i, u64 cap, u64 ecap)
{
	cap = (cap & ~(0x3ffULL << 24)) | ((u64)FAKE_FRO << 24);
	ecap = (ecap & ~(0x3ffULL << 8)) | ((u64)FAKE_IRO << 8);
	set64(i, VTD_REG_CAP, cap);
	set64(i, VTD_REG_ECAP, ecap);
	fake_set_reg32(i, VTD_REG_VER, 0x10);
}

void fake_attach(unsigned i)
{
	vtd_sys.units[i].index = i;
	vtd_sys.units[i].regs = fake_units[i].regs;
}

int fake_find(const char *prefix, int from)
{
	for (unsigned i = from < 0 ? 0 : from; i < fake_nlog; i++)
		if (!strncmp(fake_log[i], prefix, strlen(prefix)))
			return i;
	return -1;
}

unsigned fake_count(const char *prefix)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_nlog; i++)
		n += !strncmp(fake_log[i], prefix, strlen(prefix));
	return n;
}

void fake_dump_log(void)
{
	for (unsigned i = 0; i < fake_nlog; i++)
		fprintf(stderr, "  log %3u: %s\n", i, fake_log[i]);
}

bool fake_was_flushed(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, b = a + len;

	for (unsigned i = 0; i < nflushed; i++)
		if (flushed[i].a <= a && flushed[i].b >= b)
			return true;
	return false;
}

bool fake_flushed_before(const void *p, size_t len, int log_idx)
{
	uintptr_t a = (uintptr_t)p, b = a + len;

	for (unsigned i = 0; i < nflushed; i++)
		if (flushed[i].a <= a && flushed[i].b >= b && (int)flushed[i].at <= log_idx)
			return true;
	return false;
}

void fake_flush_clear(void)
{
	nflushed = 0;
	fake_flushes = 0;
}

void fake_fault(unsigned u, unsigned idx, u64 lo, u64 hi)
{
	unsigned off = FAKE_FRO * 16 + idx * 16;
	u32 fsts = fake_reg32(u, VTD_REG_FSTS);

	set64(u, off, lo);
	set64(u, off + 8, hi | VTD_FRCD_F);
	if (!(fsts & VTD_FSTS_PPF))
		fsts = (fsts & ~0xff00u) | (idx << 8);
	fake_set_reg32(u, VTD_REG_FSTS, fsts | VTD_FSTS_PPF);
}

void fake_cfg_set(u16 bdf, u16 off, u32 val)
{
	cfg[ncfg].bdf = bdf;
	cfg[ncfg].off = off;
	cfg[ncfg++].val = val;
}

/* ---- the hardware interface ---- */

volatile u8 *vtd_hw_map_regs(u64 base)
{
	for (unsigned i = 0; i < VTD_MAX_UNITS; i++)
		if (base == FAKE_REG_BASE(i))
			return fake_regs[i];
	return NULL;
}

u32 vtd_hw_read32(const struct vtd_unit *u, unsigned off)
{
	return fake_reg32(uidx(u), off);
}

u64 vtd_hw_read64(const struct vtd_unit *u, unsigned off)
{
	return fake_reg64(uidx(u), off);
}

static void update_ppf(unsigned u)
{
	unsigned nr = ((fake_reg64(u, VTD_REG_CAP) >> 40) & 0xff) + 1;
	u32 fsts = fake_reg32(u, VTD_REG_FSTS) & ~VTD_FSTS_PPF;

	for (unsigned i = 0; i < nr; i++)
		if (fake_reg64(u, FAKE_FRO * 16 + i * 16 + 8) & VTD_FRCD_F)
			fsts |= VTD_FSTS_PPF;
	fake_set_reg32(u, VTD_REG_FSTS, fsts);
}

/* Run queued descriptors from IQH to IQT, as a unit does when IQT moves. */
static void run_queue(unsigned u)
{
	u64 *q = (u64 *)(uintptr_t)(fake_reg64(u, VTD_REG_IQA) & ~0xfffULL);
	unsigned size = 256u << (fake_reg64(u, VTD_REG_IQA) & 7);
	unsigned head = (fake_reg64(u, VTD_REG_IQH) >> 4) % size;
	unsigned tail = (fake_reg64(u, VTD_REG_IQT) >> 4) % size;

	if (!(fake_reg32(u, VTD_REG_GSTS) & VTD_GCMD_QIE) ||
	    (fake_reg32(u, VTD_REG_FSTS) & VTD_FSTS_IQE))
		return;
	for (; head != tail; head = (head + 1) % size) {
		u64 lo = q[2 * head], hi = q[2 * head + 1];
		unsigned type = lo & 0xf;

		if (type != 5 && fake_units[u].reject_next_qi) {
			fake_units[u].reject_next_qi = false;
			fake_logf("u%u qi error at %u", u, head);
			set64(u, VTD_REG_IQH, (u64)head << 4);
			fake_set_reg32(u, VTD_REG_FSTS, fake_reg32(u, VTD_REG_FSTS) | VTD_FSTS_IQE);
			return;
		}
		switch (type) {
		case 1:
			fake_logf("u%u qi cc g=%u did=%u sid=%04x", u, (unsigned)(lo >> 4) & 3,
			     (unsigned)(lo >> 16) & 0xffff, (unsigned)(lo >> 32) & 0xffff);
			break;
		case 2:
			fake_logf("u%u qi iotlb g=%u did=%u addr=%llx am=%u", u, (unsigned)(lo >> 4) & 3,
			     (unsigned)(lo >> 16) & 0xffff, (unsigned long long)(hi & ~0xfffULL),
			     (unsigned)hi & 0x3f);
			break;
		case 4:
			fake_logf("u%u qi iec g=%u idx=%u", u, (unsigned)(lo >> 4) & 1,
			     (unsigned)(lo >> 32) & 0xffff);
			break;
		case 5:
			if (lo & BIT(5))
				*(volatile u32 *)(uintptr_t)(hi & ~3ULL) = lo >> 32;
			fake_logf("u%u qi wait", u);
			break;
		default:
			fake_logf("u%u qi bad type %u", u, type);
		}
	}
	set64(u, VTD_REG_IQH, (u64)head << 4);
}

static void gcmd_write(unsigned u, u32 v)
{
	u32 old = fake_reg32(u, VTD_REG_GSTS), sts;
	static const struct { u32 bit; const char *name; } pers[] = {
		{ VTD_GCMD_TE, "te" }, { VTD_GCMD_QIE, "qie" }, { VTD_GCMD_IRE, "ire" },
		{ VTD_GCMD_CFI, "cfi" },
	};

	if (v & VTD_GSTS_ONESHOT & old)
		fake_logf("u%u gcmd bad: one-shot bits written back (0x%08x)", u, v);
	if (fake_units[u].stuck)
		return;
	sts = v & (VTD_GCMD_TE | VTD_GCMD_QIE | VTD_GCMD_IRE | VTD_GCMD_CFI);
	sts |= old & (VTD_GCMD_SRTP | VTD_GCMD_SIRTP);
	for (unsigned i = 0; i < ARRAY_SIZE(pers); i++)
		if ((old ^ v) & pers[i].bit)
			fake_logf("u%u %s=%u", u, pers[i].name, !!(v & pers[i].bit));
	if (v & VTD_GCMD_SRTP) {
		fake_logf("u%u srtp %llx", u, (unsigned long long)fake_reg64(u, VTD_REG_RTADDR));
		sts |= VTD_GCMD_SRTP;
	}
	if (v & VTD_GCMD_SIRTP) {
		fake_logf("u%u sirtp %llx", u, (unsigned long long)fake_reg64(u, VTD_REG_IRTA));
		sts |= VTD_GCMD_SIRTP;
	}
	if (v & VTD_GCMD_WBF)
		fake_logf("u%u wbf", u);
	if ((v & VTD_GCMD_QIE) && !(old & VTD_GCMD_QIE))
		set64(u, VTD_REG_IQH, 0);
	fake_set_reg32(u, VTD_REG_GSTS, sts);
}

void vtd_hw_write32(struct vtd_unit *unit, unsigned off, u32 v)
{
	unsigned u = uidx(unit);

	if (off == VTD_REG_GCMD) {
		gcmd_write(u, v);
	} else if (off == VTD_REG_FSTS) {
		u32 fsts = fake_reg32(u, off);

		fake_set_reg32(u, off, fsts & ~(v & VTD_FSTS_W1C));
		if (v & fsts & VTD_FSTS_IQE) {
			fake_logf("u%u iqe cleared", u);
			run_queue(u);
		}
	} else if (off >= FAKE_FRO * 16 && off < FAKE_FRO * 16 + 256 && (off & 15) == 12) {
		u32 hi = fake_reg32(u, off);

		if (v & BIT(31))
			fake_set_reg32(u, off, hi & ~BIT(31));
		update_ppf(u);
	} else if (off == VTD_REG_PMEN) {
		fake_set_reg32(u, off, v & BIT(31) ? BIT(31) | BIT(0) : 0);
		fake_logf("u%u pmen %x", u, v);
	} else {
		fake_set_reg32(u, off, v);
		if (off == VTD_REG_FECTL)
			fake_logf("u%u fectl %08x", u, v);
		else if (off == VTD_REG_FEDATA)
			fake_logf("u%u fedata %x", u, v);
		else if (off == VTD_REG_FEADDR)
			fake_logf("u%u feaddr %x", u, v);
	}
}

void vtd_hw_write64(struct vtd_unit *unit, unsigned off, u64 v)
{
	unsigned u = uidx(unit);

	if (off == VTD_REG_CCMD) {
		if (v & VTD_CCMD_ICC && !fake_units[u].stuck) {
			unsigned g = (v >> 61) & 3;

			fake_logf("u%u reg cc g=%u did=%u sid=%04x", u, g, (unsigned)v & 0xffff,
			     (unsigned)(v >> 16) & 0xffff);
			v = (v & ~(VTD_CCMD_ICC | (3ULL << 59))) | ((u64)g << 59);
		}
		set64(u, off, v);
	} else if (off == VTD_REG_IOTLB(FAKE_IRO)) {
		if (v & VTD_IOTLB_IVT && !fake_units[u].stuck) {
			unsigned g = (v >> 60) & 3;
			u64 iva = fake_reg64(u, VTD_REG_IVA(FAKE_IRO));

			fake_logf("u%u reg iotlb g=%u did=%u addr=%llx am=%u dr=%u dw=%u", u, g,
			     (unsigned)(v >> 32) & 0xffff,
			     g == 3 ? (unsigned long long)(iva & ~0xfffULL) : 0ULL,
			     g == 3 ? (unsigned)iva & 0x3f : 0, !!(v & VTD_IOTLB_DR),
			     !!(v & VTD_IOTLB_DW));
			v = (v & ~(VTD_IOTLB_IVT | (3ULL << 57))) | ((u64)g << 57);
		}
		set64(u, off, v);
	} else {
		set64(u, off, v);
		if (off == VTD_REG_IQT)
			run_queue(u);
		else if (off == VTD_REG_RTADDR)
			fake_logf("u%u rtaddr %llx", u, (unsigned long long)v);
		else if (off == VTD_REG_IRTA)
			fake_logf("u%u irta %llx", u, (unsigned long long)v);
		else if (off == VTD_REG_IQA)
			fake_logf("u%u iqa %llx", u, (unsigned long long)v);
	}
}

void vtd_hw_clflush(const void *p, size_t len)
{
	if (nflushed < ARRAY_SIZE(flushed)) {
		flushed[nflushed].a = (uintptr_t)p;
		flushed[nflushed].at = fake_nlog;
		flushed[nflushed++].b = (uintptr_t)p + len;
	}
	fake_flushes++;
}

void *vtd_hw_alloc_page(void)
{
	void *p;

	if (fake_fail_alloc == 0)
		return NULL;
	if (fake_fail_alloc > 0)
		fake_fail_alloc--;
	if (fake_pages >= ARRAY_SIZE(pages))
		return NULL;
	p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	pages[fake_pages++] = p;
	return p;
}

void vtd_hw_free_page(void *p)
{
	for (unsigned i = 0; i < fake_pages; i++)
		if (pages[i] == p) {
			free(p);
			pages[i] = NULL;
			fake_freed++;
			return;
		}
	fprintf(stderr, "vtd_hw_free_page(%p): not a page vtd_hw_alloc_page gave\n", p);
	abort();
}

u64 vtd_hw_now_us(void)
{
	return fake_now;
}

void vtd_hw_relax(void)
{
	fake_relax++;
}

const struct board_config *vtd_hw_board(void)
{
	return fake_board;
}

/* ---- the rest of the machine vtd.c asks ---- */

const struct acpi_sdt_header *acpi_find_table(const struct boot_info *bi, const char sig[4])
{
	(void)bi;
	return !memcmp(sig, "DMAR", 4) ? fake_dmar : NULL;
}

u32 pci_cfg_read(u16 bdf, u16 offset, unsigned size)
{
	(void)size;
	for (unsigned i = 0; i < ncfg; i++)
		if (cfg[i].bdf == bdf && cfg[i].off == offset)
			return cfg[i].val;
	return 0xffffffff;
}

int irq_register(enum irq_owner owner, irq_handler_t fn)
{
	(void)owner, (void)fn;
	return 0;
}

u32 lapic_id(void)
{
	return 2;
}
