/*
 * vACPI: the ACPI tables a pre-launched VM boots from, built in C from a
 * description of the VM (pure logic: no hardware, no allocation).
 *
 * vacpi_build() writes RSDP, XSDT, RSDT, FADT, FACS, MADT, MCFG (when the VM
 * has PCI), HPET (when its HPET lines are its own) and DSDT into one
 * caller-provided buffer that the caller copies into guest RAM at @gpa;
 * every pointer inside the tables is a GPA computed from @gpa. The RSDP is
 * at offset 0. Put the buffer at VACPI_BIOS_GPA (or anywhere in
 * 0xE0000-0xFFFFF on a 16-byte boundary) for the legacy RSDP scan, and
 * reserve [gpa, gpa + vacpi_size()) in the VM's e820.
 *
 * Power-off: the FADT is a full (not hardware-reduced) one, with PM1a_CNT at
 * pm1a_cnt_port and an \_S5 package whose SLP_TYPa is s5_slp_typ; Linux then
 * writes (s5_slp_typ << 10) | SLP_EN (bit 13) as one 16-bit OUT. Reset: the
 * FADT's RESET_REG (byte I/O at reset_port, value reset_value).
 * See dm/vacpi/README.md for the reasons and the GPAs to reserve.
 */
#ifndef BH_VACPI_H
#define BH_VACPI_H

#include "types.h"

#define VACPI_BIOS_GPA		0xE0000ULL	/* legacy RSDP scan area start */
#define VACPI_BIOS_END		0x100000ULL	/* ... and end (exclusive) */

#define VACPI_MAX_VCPUS		64
#define VACPI_MAX_PRT		128	/* 32 devices x 4 pins */
#define VACPI_MAX_DEVS		16	/* MMIO/ACPI passthrough devices */
#define VACPI_DEV_MAX_MMIO	4
#define VACPI_DEV_MAX_IO	2
#define VACPI_DEV_MAX_IRQS	4

#define VACPI_OEM_ID		"BHEAD "	/* 6 chars */
#define VACPI_OEM_TABLE_ID	"BULKHEAD"	/* 8 chars */

struct vacpi_range {
	u64 base;
	u64 size;		/* 0: none */
};

/* One _PRT entry: INTx pin of a device on the root bus, wired to a GSI. */
struct vacpi_prt_entry {
	u8 dev;			/* device number 0..31 */
	u8 pin;			/* 0 = INTA .. 3 = INTD */
	u32 gsi;
};

/* Extended Interrupt descriptor flags (0 = edge, active high, exclusive) */
#define VACPI_IRQ_LEVEL		BIT(0)
#define VACPI_IRQ_ACTIVE_LOW	BIT(1)
#define VACPI_IRQ_SHARED	BIT(2)

struct vacpi_irq {
	u32 gsi;
	u8 flags;		/* VACPI_IRQ_* */
};

/* A passed-through MMIO/ACPI device: one Device object under \_SB. */
struct vacpi_mmio_dev {
	const char *name;	/* 4-char ACPI name ("HPET"); NULL: "DV00".. */
	const char *hid;	/* "PNP0103" (EISA id) or "INTC1020" (ACPI id) */
	const char *uid;	/* decimal: Integer _UID; other text: String; NULL: none */
	unsigned nr_mmio;
	struct vacpi_range mmio[VACPI_DEV_MAX_MMIO];	/* at the VM's GPAs */
	unsigned nr_io;
	struct vacpi_range io[VACPI_DEV_MAX_IO];	/* ports: size 1..255, below 0x10000 */
	unsigned nr_irqs;
	struct vacpi_irq irq[VACPI_DEV_MAX_IRQS];	/* GSIs on the vIOAPIC */
};

struct vacpi_vm {
	unsigned nr_vcpus;		/* LAPIC ids 0 .. nr_vcpus-1 */
	u64 lapic_addr;			/* 0xFEE00000 */

	struct {
		u8 id;
		u32 addr;		/* 0xFEC00000 */
		u32 gsi_base;		/* 0 */
		u32 nr_pins;		/* 24 */
	} ioapic;

	struct {
		bool present;		/* false: no MCFG, no PCI0 */
		u16 segment;
		u8 bus_start, bus_end;
		u64 ecam_base;		/* address of bus 0, 1 MiB aligned */
		struct vacpi_range mmio32;	/* BAR window below 4 GiB */
		struct vacpi_range mmio64;	/* optional window above 4 GiB */
		unsigned nr_prt;
		const struct vacpi_prt_entry *prt;
	} pci;

	struct {
		bool present;
		u16 port;		/* 0x3F8 */
		u8 irq;			/* 4; ISA IRQ 0..15 */
	} com1;

	struct {
		bool present;		/* the host's CMOS RTC, ports port..port+1 (Service VM) */
		u16 port;		/* 0x70 */
		u8 irq;			/* 8 when its line is the VM's; 0: no IRQ */
	} rtc;

	/*
	 * An HPET table, and the MADT's IRQ 0 -> GSI 2 override of its legacy
	 * replacement route: for a VM whose HPET lines are routed to it.
	 */
	struct {
		bool present;
		u64 base;		/* its registers' GPA (1 KiB) */
		u32 block_id;		/* its capabilities register, bits 31:0 */
		u16 min_tick;		/* main counter ticks a periodic timer needs at least */
	} hpet;

	unsigned nr_devs;
	const struct vacpi_mmio_dev *devs;

	struct {
		u16 sci_irq;		/* 9 (ISA IRQ = GSI); never raised */
		u16 pm1a_evt_port;	/* 0x400: 4 bytes, status + enable */
		u16 pm1a_cnt_port;	/* 0x404 */
		u8 s5_slp_typ;		/* 5 */
		u16 reset_port;		/* 0xCF9 */
		u8 reset_value;		/* 6 */
	} pm;
};

/* Where each table landed (GPAs), filled by vacpi_build() on success. */
struct vacpi_layout {
	u64 rsdp, xsdt, rsdt, fadt, facs, madt, mcfg, hpet, dsdt;	/* mcfg, hpet 0: none */
	u64 end;			/* gpa + used length */
};

/*
 * Fill @vm with the platform every pre-launched VM gets: LAPIC 0xFEE00000,
 * IOAPIC id 0 at 0xFEC00000 (GSI 0, 24 pins), PCI segment 0 bus 0 with ECAM
 * at 0xE0000000 and a 32-bit window 0xC0000000-0xDFFFFFFF, COM1 0x3F8 IRQ 4,
 * PM1a_EVT 0x400, PM1a_CNT 0x404, S5 = 5, SCI 9, reset 0xCF9 = 6.
 * No PCI INTx routes and no MMIO devices.
 */
void vacpi_vm_defaults(struct vacpi_vm *vm, unsigned nr_vcpus);

/*
 * Build all tables into @buf (@size bytes) for guest address @gpa (16-byte
 * aligned; the tables must end below 4 GiB). Returns the length used, or
 * -EINVAL for a bad description or placement, -ENOSPC when @size is less
 * than vacpi_size() (@buf is not touched then). @lay may be NULL. Bytes
 * between the returned length and vacpi_size() are zeroed.
 */
int vacpi_build(const struct vacpi_vm *vm, u64 gpa, void *buf, size_t size,
		struct vacpi_layout *lay);

/*
 * The buffer size vacpi_build() needs for @vm at @gpa, or -EINVAL. It can
 * be a few bytes more than the length the tables end up using: AML is
 * written before its lengths are known and then slid down.
 */
int vacpi_size(const struct vacpi_vm *vm, u64 gpa);

/* ---- Internals of dm/vacpi (shared by its files and its unit tests) ---- */

/*
 * Output cursor. Writes beyond @cap are dropped but still counted (len and
 * peak), so a build without a buffer measures the size it needs.
 */
struct vacpi_out {
	u8 *buf;
	size_t cap;
	size_t len;
	size_t peak;		/* highest len reached: the buffer size needed */
	bool overflow;
};

void vacpi_out_init(struct vacpi_out *o, void *buf, size_t cap);
void vacpi_put8(struct vacpi_out *o, u8 v);
void vacpi_put16(struct vacpi_out *o, u16 v);
void vacpi_put32(struct vacpi_out *o, u32 v);
void vacpi_put64(struct vacpi_out *o, u64 v);
void vacpi_putn(struct vacpi_out *o, const void *p, size_t n);
/* Pointer to @n bytes at the cursor, zeroed, or NULL when they do not fit. */
u8 *vacpi_reserve(struct vacpi_out *o, size_t n);
/* Pad with zeros until (base + len) is a multiple of @align. */
void vacpi_align(struct vacpi_out *o, u64 base, size_t align);

/* Start a table with a standard 36-byte SDT header; returns its offset. */
size_t vacpi_sdt_begin(struct vacpi_out *o, const char sig[4], u8 rev);
/* Patch length and checksum of the table that starts at @hdr_off. */
void vacpi_sdt_end(struct vacpi_out *o, size_t hdr_off);

/* Table builders: each appends one table at the cursor. */
void vacpi_build_rsdp(struct vacpi_out *o, u64 rsdt_gpa, u64 xsdt_gpa);
void vacpi_build_xsdt(struct vacpi_out *o, const u64 *gpas, unsigned n);
void vacpi_build_rsdt(struct vacpi_out *o, const u64 *gpas, unsigned n);
void vacpi_build_fadt(struct vacpi_out *o, const struct vacpi_vm *vm, u64 facs_gpa,
		      u64 dsdt_gpa);
void vacpi_build_facs(struct vacpi_out *o);
void vacpi_build_madt(struct vacpi_out *o, const struct vacpi_vm *vm);
void vacpi_build_mcfg(struct vacpi_out *o, const struct vacpi_vm *vm);
void vacpi_build_hpet(struct vacpi_out *o, const struct vacpi_vm *vm);
int vacpi_build_dsdt(struct vacpi_out *o, const struct vacpi_vm *vm);	/* 0, -EINVAL */
int vacpi_check_dsdt(const struct vacpi_vm *vm);	/* 0 or -EINVAL */

/* ---- AML emitter (dm/vacpi/aml.c, aml_res.c) ---- */

#define AML_MAX_DEPTH 8		/* nested PkgLength scopes */

struct aml {
	struct vacpi_out *o;
	unsigned depth;
	size_t open[AML_MAX_DEPTH];	/* offset of each reserved PkgLength */
	bool error;			/* nesting misuse or bad argument */
	bool in_res;			/* inside a resource template */
	size_t res_size_at;		/* offset of its BufferSize */
};

void aml_init(struct aml *a, struct vacpi_out *o);
/* Bytes a PkgLength takes for a body of @body bytes (1..4), 0 if too big. */
unsigned aml_pkglen_size(size_t body);
/* Encode a PkgLength for @body following bytes into @dst; returns its size. */
unsigned aml_pkglen_encode(u8 dst[4], size_t body);

/* Open/close a PkgLength-prefixed object; close encodes the length. */
void aml_open(struct aml *a);
void aml_close(struct aml *a);

void aml_name_string(struct aml *a, const char *path);	/* "\\_SB_", "PCI0", "_SB_.PCI0" */
void aml_integer(struct aml *a, u64 v);		/* Zero/One/Byte/Word/DWord/QWord */
void aml_string(struct aml *a, const char *s);
/* EISA id ("PNP0A03") compressed to its 32-bit integer; false if malformed. */
bool aml_eisaid_valid(const char *id);
u32 aml_eisaid(const char *id);
/* An _HID/_CID value: EISA id as DWord, 8-char ACPI id as String. */
bool aml_hid_valid(const char *id);
void aml_hid(struct aml *a, const char *id);
bool aml_nameseg_valid(const char *seg);

/* Name(NAME, <integer>) and friends; NAME is a 4-char segment. */
void aml_name_begin(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, u64 v);
void aml_scope_begin(struct aml *a, const char *path);
void aml_device_begin(struct aml *a, const char *name);
/* Package(n) { ... }: caller emits exactly @n elements, then aml_close(). */
void aml_package_begin(struct aml *a, u8 n);
/* Buffer holding a resource template; aml_restemplate_end() adds EndTag. */
void aml_restemplate_begin(struct aml *a);
void aml_restemplate_end(struct aml *a);
#define aml_scope_end aml_close
#define aml_device_end aml_close

/* Resource descriptors (inside a resource template). */
void aml_res_io(struct aml *a, u16 min, u16 max, u8 align, u8 len);
void aml_res_irq_noflags(struct aml *a, u16 mask);
void aml_res_mem32_fixed(struct aml *a, bool rw, u32 base, u32 len);
void aml_res_word_bus(struct aml *a, u16 min, u16 max);
void aml_res_word_io(struct aml *a, u16 min, u16 max);
void aml_res_dword_mem(struct aml *a, bool consumer, u32 min, u32 len);
void aml_res_qword_mem(struct aml *a, bool consumer, u64 min, u64 len);
void aml_res_ext_irq(struct aml *a, u8 vacpi_irq_flags, u32 gsi);

#endif
