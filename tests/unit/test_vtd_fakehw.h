/*
 * A software model of VT-d remapping units behind vtd_hw.h, plus fake ACPI,
 * PCI config space and LAPIC, for the unit tests of vtd/. Every command the
 * code gives a unit is appended to a log the tests read back.
 */
#ifndef TEST_VTD_FAKEHW_H
#define TEST_VTD_FAKEHW_H

#include "types.h"
#include "vtd_unit.h"

#define FAKE_REG_SIZE	0x1000
#define FAKE_FRO	0x20	/* fault records at 0x200 */
#define FAKE_IRO	0x30	/* IOTLB registers at 0x300 */
#define FAKE_LOG_MAX	512

#define FAKE_REG_BASE(i)	(0xfed90000ULL + (i) * 0x1000)	/* for fake DMAR tables */

struct fake_unit {
	u8 *regs;		/* fake_regs[i] */
	bool stuck;		/* GSTS ignores GCMD: handshakes time out */
	bool reject_next_qi;	/* the next non-wait descriptor raises IQE */
};

extern struct fake_unit fake_units[VTD_MAX_UNITS];
extern u8 fake_regs[VTD_MAX_UNITS][FAKE_REG_SIZE];
extern char fake_log[FAKE_LOG_MAX][112];
extern unsigned fake_nlog;
extern unsigned fake_flushes;
extern int fake_fail_alloc;	/* allocations left before NULL; -1 never */
extern unsigned fake_pages;
extern unsigned fake_freed;	/* pages given back with vtd_hw_free_page */
extern u64 fake_now;
extern unsigned fake_relax;
extern const void *fake_dmar;	/* what acpi_find_table("DMAR") returns */
extern const struct board_config *fake_board;	/* what vtd_hw_board() returns */

/* Forget everything: registers, log, pages (freed), vtd_sys. */
void fake_reset(void);
/* CAP/ECAP for unit @i; FRO and IRO are forced to the fake's layout. */
void fake_caps(unsigned i, u64 cap, u64 ecap);
/* Point vtd_sys.units[i] at fake unit i (what vtd_init does with the MMIO base). */
void fake_attach(unsigned i);
/* Index of the first log line starting with @prefix at or after @from; -1 if none. */
int fake_find(const char *prefix, int from);
/* How many log lines start with @prefix. */
unsigned fake_count(const char *prefix);
void fake_dump_log(void);
/* Whether [p, p + len) was covered by a clflush since the last fake_reset/fake_flush_clear. */
bool fake_was_flushed(const void *p, size_t len);
void fake_flush_clear(void);
/* Whether such a flush happened before log line @log_idx was written. */
bool fake_flushed_before(const void *p, size_t len, int log_idx);
/* Record a fault in record @idx of unit @u (sets F, PPF and FRI). */
void fake_fault(unsigned u, unsigned idx, u64 lo, u64 hi);
/* PCI config space for the scope walk: one register value. */
void fake_cfg_set(u16 bdf, u16 off, u32 val);

u64 fake_reg64(unsigned u, unsigned off);
u32 fake_reg32(unsigned u, unsigned off);
void fake_set_reg32(unsigned u, unsigned off, u32 v);

/* Typical caps: 3/4-level, 2M pages, PSI (MAMV 9), ND 2 (256 domains), 4 fault records. */
#define FAKE_CAP_BASE	((2ULL) | (0x6ULL << 8) | (47ULL << 16) | BIT(34) | BIT(39) | \
			 (3ULL << 40) | (9ULL << 48))
#define FAKE_CAP_CM	BIT(7)
#define FAKE_CAP_RWBF	BIT(4)
#define FAKE_ECAP_C	BIT(0)
#define FAKE_ECAP_QI	BIT(1)
#define FAKE_ECAP_IR	BIT(3)

#endif
