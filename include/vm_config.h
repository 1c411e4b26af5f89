/*
 * Build-time configuration: the data scripts/genconfig emits from the board
 * and scenario XML (config/README.md) into build/config/BOARD/SCENARIO/
 * (plain structs, no logic); the hypervisor reads only this.
 */
#ifndef BH_VM_CONFIG_H
#define BH_VM_CONFIG_H

#include "types.h"

#define CONFIG_MAX_VMS 8
#define CONFIG_MAX_CPUS 16
#define CONFIG_MAX_MEM_RANGES 8
#define CONFIG_MAX_PCI_DEVS 16

enum vm_kind {
	VM_PRE_LAUNCHED,
	VM_SERVICE,
	VM_POST_LAUNCHED,
};

enum vm_kernel_type {
	VM_KERNEL_ELF,		/* test guest / multiboot-style ELF */
	VM_KERNEL_BZIMAGE,	/* Linux, 64-bit boot protocol */
};

struct vm_mem_range {
	u64 gpa;
	u64 hpa;
	u64 size;
};

/* ---- Board description (config/boards/BOARD.xml) ---- */

struct board_cpu {
	u32 lapic_id;			/* index in board_config.cpus = physical CPU index */
};

enum board_mem_type {			/* e820 numbering */
	BOARD_MEM_RAM = 1,
	BOARD_MEM_RESERVED = 2,
	BOARD_MEM_ACPI = 3,
	BOARD_MEM_NVS = 4,
};

struct board_mem_region {
	u64 base;
	u64 size;
	u32 type;			/* enum board_mem_type */
};

struct board_ioapic {
	u32 id;
	u64 base;
	u32 gsi_base;
};

enum board_bar_type {
	BOARD_BAR_NONE,			/* unused, or the upper half of a 64-bit BAR */
	BOARD_BAR_IO,
	BOARD_BAR_MEM32,
	BOARD_BAR_MEM64,
};

#define BOARD_PCI_NR_BARS 6

struct board_pci_bar {
	u64 base;			/* as firmware assigned it */
	u64 size;
	u8 type;			/* enum board_bar_type */
	bool prefetchable;
};

struct board_pci_msi {
	bool present;
	u8 cap;				/* capability offset; 0: not known (walk the list) */
	u8 vectors;			/* 1..32 (Multiple Message Capable) */
	bool addr64;
	bool maskable;			/* per-vector masking */
};

struct board_pci_msix {
	bool present;
	u8 cap;				/* capability offset; 0: not known (walk the list) */
	u16 table_size;			/* entries */
	u8 table_bar;
	u32 table_offset;
	u8 pba_bar;
	u32 pba_offset;
};

struct board_pci_dev {
	u16 segment;
	u16 bdf;			/* PCI_BDF(bus, dev, fn) */
	u16 vendor;
	u16 device;
	u32 class_code;			/* class << 16 | subclass << 8 | prog-if */
	u8 revision;
	u8 intx_pin;			/* 0: none, 1..4: INTA..INTD */
	u8 intx_line;			/* firmware routing (GSI); 0xff: unknown */
	struct board_pci_bar bars[BOARD_PCI_NR_BARS];
	struct board_pci_msi msi;
	struct board_pci_msix msix;
	const char *name;		/* NULL: none given */
};

struct board_res_range {
	u64 base;
	u64 size;
};

/* A device from the ACPI namespace (or a plain MMIO device) and its resources. */
struct board_acpi_dev {
	const char *hid;
	const char *uid;		/* NULL: none */
	const char *name;		/* NULL: none given */
	unsigned nr_mmio;
	const struct board_res_range *mmio;
	unsigned nr_io;
	const struct board_res_range *io;
	unsigned nr_irqs;
	const u32 *irqs;
};

enum board_scope_type {			/* DMAR device scope types */
	BOARD_SCOPE_ENDPOINT = 1,
	BOARD_SCOPE_BRIDGE = 2,
	BOARD_SCOPE_IOAPIC = 3,
	BOARD_SCOPE_HPET = 4,
	BOARD_SCOPE_NAMESPACE = 5,
};

struct board_dev_scope {
	u8 type;			/* enum board_scope_type */
	u8 enum_id;			/* IOAPIC / HPET / namespace id */
	u16 bdf;			/* resolved bus:dev.fn */
};

struct board_iommu {
	u64 base;			/* register base (DRHD) */
	u64 size;
	u16 segment;
	bool include_pci_all;
	unsigned nr_scopes;
	const struct board_dev_scope *scopes;
};

struct board_rmrr {
	u64 base;
	u64 size;
	u16 segment;
	unsigned nr_scopes;
	const struct board_dev_scope *scopes;
};

enum board_console_type {
	BOARD_CONSOLE_NONE,
	BOARD_CONSOLE_PIO,
	BOARD_CONSOLE_MMIO,
};

struct board_console {
	u8 type;			/* enum board_console_type */
	u64 base;			/* port or MMIO address */
	u32 irq;
	u32 baud;
	bool pci;			/* a PCI UART: bdf is valid */
	u16 bdf;
};

struct board_config {
	const char *name;
	unsigned nr_cpus;
	const struct board_cpu *cpus;
	unsigned nr_mem;
	const struct board_mem_region *mem;
	unsigned nr_ioapics;
	const struct board_ioapic *ioapics;
	u64 pci_ecam_base;		/* 0: port I/O config access only */
	u8 pci_ecam_start_bus;
	u8 pci_ecam_end_bus;
	unsigned nr_pci_devs;
	const struct board_pci_dev *pci_devs;
	unsigned nr_acpi_devs;
	const struct board_acpi_dev *acpi_devs;
	u8 iommu_addr_width;		/* DMAR host address width (bits); 0: no DMAR */
	bool iommu_intr_remap;
	unsigned nr_iommus;
	const struct board_iommu *iommus;
	unsigned nr_rmrrs;
	const struct board_rmrr *rmrrs;
	struct board_console console;
};

/* ---- Per-VM assignments (config/scenarios/SCENARIO.xml) ---- */

struct vm_pci_dev {
	u16 pbdf;
	u16 vbdf;			/* the guest sees the device here */
	const struct board_pci_dev *dev;
};

struct vm_mmio_dev {
	u64 gpa;
	u64 hpa;
	u64 size;
	const struct board_acpi_dev *dev;	/* NULL: a raw region */
};

enum vm_console_type {
	VM_CONSOLE_VUART,		/* emulated 16550 (the default) */
	VM_CONSOLE_NONE,
};

struct vm_console_config {
	u8 type;			/* enum vm_console_type */
	u16 port;
	u8 irq;
};

struct vm_config {
	const char *name;
	enum vm_kind kind;
	u64 cpu_affinity;		/* bitmap of physical CPU indices (MADT order) */
	unsigned nr_mem;
	struct vm_mem_range mem[CONFIG_MAX_MEM_RANGES];
	enum vm_kernel_type kernel_type;
	const char *kernel_tag;		/* multiboot module string */
	const char *initrd_tag;		/* NULL: none */
	const char *bootargs;
	u32 flags;
	/* Passthrough devices and console; all zero: none, and a vUART (port 0 = COM1). */
	unsigned nr_pci_devs;
	const struct vm_pci_dev *pci_devs;
	unsigned nr_mmio_devs;
	const struct vm_mmio_dev *mmio_devs;
	struct vm_console_config console;
	u64 template_mem_size;		/* post-launched: RAM the Service VM provides */
	/*
	 * Host MSI vectors (include/irq.h's pool) its devices may hold at once;
	 * genconfig gives every VM that can have PCI devices a share, the
	 * shares adding up to at most the pool (a template's once per CPU).
	 */
	u16 msi_vectors;
};

#define VM_FLAG_PRIVILEGED BIT(0)	/* CPUID 0x40000001 EAX bit 0 */
#define VM_FLAG_UNPROTECTED_DMA BIT(1)	/* passthrough allowed without VT-d */
#define VM_FLAG_IDENTITY_MEM BIT(2)	/* Service VM: its RAM is all the RAM left, gpa = hpa */

struct hv_mem_config {
	u64 base;			/* hypervisor image + heap */
	u64 size;
};

struct scenario_config {
	const char *board;
	const char *scenario;
	struct hv_mem_config hv_mem;
	unsigned nr_vms;
	const struct vm_config *vms;
	const struct board_config *board_info;	/* NULL in hand-written configs */
};

extern const struct scenario_config scenario;
/* Defined by the generated board.c; the arrays only when the board has entries. */
extern const struct board_config board_info;
extern const struct board_pci_dev board_pci_devs[];
extern const struct board_acpi_dev board_acpi_devs[];

#endif
