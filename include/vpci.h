/*
 * Per-VM virtual PCI (dm/vpci/): config space through 0xCF8/0xCFC and a
 * virtual ECAM window, an emulated host bridge, passthrough devices with
 * emulated Command/Status, BARs, MSI and MSI-X.
 *
 * Pure logic. Physical config access goes through pci_cfg_read/write
 * (include/pci.h); everything else the vPCI needs from the VM goes through
 * struct vpci_ops, called with the vpci's lock held (a hook must not call
 * back into the same vpci).
 *
 * Rules the guest sees (dm/vpci/README.md has the details):
 * - Only the VM's own devices exist: any other vBDF reads all ones and
 *   drops writes (vpci_cfg_* return -ENODEV so a post-launched VM's access
 *   can be forwarded instead).
 * - Accesses are 1, 2 or 4 bytes at an offset aligned to the size; anything
 *   else reads all ones and is dropped. Offsets >= 256 only through ECAM.
 * - 0xCF8 latches only dword writes (bits 31, 23:2 kept; 30:24 and 1:0 read
 *   as 0). Byte/word accesses to 0xCF8-0xCFB go to the legacy handler (the
 *   reset control register 0xCF9 lives there) or read all ones.
 * - Passthrough: vendor/device/class/header/capabilities read through;
 *   Command (IO, MEM, MASTER, MWI, PARITY, SERR, INTX_OFF) is kept virtually
 *   and written to the device; Status reads through and its RW1C bits reach
 *   the device; BARs, MSI, MSI-X control, Interrupt Line/Pin are virtual;
 *   the expansion ROM is hidden (reads 0); other header writes are dropped;
 *   everything past the header outside MSI/MSI-X goes to the device.
 * - BARs: a write of all ones makes that dword read the size mask (with the
 *   type bits) until the next write, without moving anything. Any other
 *   value is a new base: accepted only if aligned to the BAR size, inside
 *   one of the VM's MMIO windows, off its RAM and off every other BAR of
 *   the VM; otherwise refused (pr_warn, mapping and virtual value kept).
 *   While memory decode is off, a 64-bit BAR's half may be held pending
 *   until the other half is written (the pair is then judged together);
 *   a half still pending when decode goes on is refused. Memory BARs are
 *   at least a page as the guest sees them. Decode on maps, off unmaps.
 *   I/O BARs stay at their physical ports (any other base is refused).
 * - MSI: one vector (MMC reads 0); the physical capability is programmed
 *   with what ops->msi_remap returns, masked (or disabled) while changing.
 * - MSI-X: table and PBA pages of the BAR are trapped (ops->trap_mmio, the
 *   hypervisor routes them to vpci_msix_mmio_read/write); entries are
 *   virtual, an entry is programmed through ops->msi_remap when the guest
 *   unmasks it while MSI-X is enabled; the function mask is mirrored; other
 *   registers on trapped pages reach the device through ops->phys_mmio_*.
 *   At most VPCI_MSIX_MAX_ENTRIES entries are offered to the guest.
 */
#ifndef BH_VPCI_H
#define BH_VPCI_H

#include "types.h"
#include "spinlock.h"
#include "io_emul.h"
#include "pci_dev.h"

#ifndef VPCI_MAX_VDEVS
#define VPCI_MAX_VDEVS		24
#endif
#ifndef VPCI_MSIX_MAX_ENTRIES
#define VPCI_MSIX_MAX_ENTRIES	64
#endif
#define VPCI_MAX_RANGES		4

#define VPCI_CF8_PORT		0xCF8
#define VPCI_CFC_PORT		0xCFC
#define VPCI_PIO_LEN		8		/* 0xCF8-0xCFF */
#define VPCI_CF8_ENABLE		BIT(31)
#define VPCI_CF8_MASK		0x80FFFFFCu	/* bits a dword write latches */

/* emulated host bridge (pre-launched and post-launched VMs) */
#define VPCI_HB_VENDOR		0x8086
#define VPCI_HB_DEVICE		0x1237
#define VPCI_HB_CLASS_REV	0x06000002u	/* host bridge, revision 2 */

struct vpci;
struct vpci_vdev;
struct vcpu;

struct vpci_range {
	u64 base, size;
};

/* Which interrupt message a msi_remap/msi_release call is about. */
struct vpci_msi_src {
	u16 pbdf, vbdf;
	bool msix;
	u16 index;		/* MSI-X entry; 0 for MSI */
};

struct vpci_ops {
	/* EPT: map hpa at gpa (page multiples) / remove it. uncached: always true today. */
	int (*map_mmio)(void *ctx, u64 gpa, u64 hpa, u64 size, bool uncached);
	void (*unmap_mmio)(void *ctx, u64 gpa, u64 size);
	/*
	 * Trap [gpa, gpa + size) (MSI-X table/PBA pages): register
	 * vpci_msix_mmio_read/write with opaque = vdev; untrap removes it.
	 */
	int (*trap_mmio)(void *ctx, u64 gpa, u64 size, struct vpci_vdev *vdev);
	void (*untrap_mmio)(void *ctx, u64 gpa, u64 size);
	/* Optional: let the guest reach ports [port, port + len) (I/O BAR, IO decode on). */
	void (*allow_pio)(void *ctx, u16 port, u16 len, bool allow);
	/*
	 * The guest programmed (gaddr, gdata) for src: return the address and
	 * data the device must send (host vector / remapping entry) and arrange
	 * delivery of the guest's message. Non-zero: refuse (kept masked).
	 */
	int (*msi_remap)(void *ctx, const struct vpci_msi_src *src, u64 gaddr, u32 gdata,
			 u64 *haddr, u32 *hdata);
	/* Optional: src no longer in use (MSI/MSI-X disabled, device released). */
	void (*msi_release)(void *ctx, const struct vpci_msi_src *src);
	/* Physical MMIO (MSI-X table, PBA, registers sharing their pages); size 1, 2, 4, 8. */
	u64 (*phys_mmio_read)(void *ctx, u64 hpa, unsigned size);
	void (*phys_mmio_write)(void *ctx, u64 hpa, unsigned size, u64 val);
	/* Busy-wait (device reset timing). */
	void (*udelay)(u64 us);
	/*
	 * Optional: does [gpa, +size) overlap the VM's RAM now? For VMs whose
	 * RAM changes after vpci_init (post-launched: VM_SET_MEMORY_REGIONS);
	 * without it the ram[] ranges of the config are the VM's RAM.
	 */
	bool (*ram_overlaps)(void *ctx, u64 gpa, u64 size);
	/*
	 * Optional: a config access (through 0xCFC or ECAM) to a vBDF with no
	 * device; its result is the access's (post-launched VMs forward it to the
	 * Service VM). Called without the vpci's lock.
	 */
	int (*cfg_miss)(void *ctx, struct vcpu *v, u16 vbdf, u16 reg, unsigned size, bool write,
			u32 *val);
};

enum vpci_dev_kind {
	VPCI_DEV_HOSTBRIDGE,	/* emulated 8086:1237 */
	VPCI_DEV_PASSTHROUGH,	/* type 0 function of the board */
	VPCI_DEV_BRIDGE,	/* PCI-PCI bridge shown as is (Service VM, identity) */
};

#define VPCI_DEVF_RESET		BIT(0)	/* reset when assigned and released */

struct vpci_dev_config {
	enum vpci_dev_kind kind;
	u16 vbdf;
	u16 pbdf;		/* passthrough, bridge */
	u32 flags;		/* VPCI_DEVF_* */
	u8 intx_pin;		/* board: 0 none, 1..4 INTA..INTD */
	u8 intx_line;		/* board: GSI on the VM's vIOAPIC (0xFF none) */
	u64 vbar[PCI_BAR_MAX];	/* first guest base (64-bit: in the low index); 0: the
				 * physical base when the VM's layout allows it, else unassigned */
};

struct vpci_config {
	const struct vpci_dev_config *devs;
	unsigned nr_devs;
	unsigned nr_ram, nr_mmio;
	struct vpci_range ram[VPCI_MAX_RANGES];		/* guest RAM, when ops has no ram_overlaps */
	struct vpci_range mmio[VPCI_MAX_RANGES];	/* where BARs may go; must exclude
							 * emulated ranges (ECAM, LAPIC, IOAPIC) */
	u64 ecam_base;		/* GPA of the virtual ECAM window (vpci_ecam_mmio_*) */
	u8 ecam_end_bus;	/* last bus the window decodes */
};

/* --- per-device state (dm/vpci/ only; the types are here for embedding) --- */

struct vpci_bar {
	u64 hpa;		/* physical base */
	u64 gpa;		/* accepted guest base; 0 = unassigned */
	u64 size;		/* as the guest sees it; 0 = no BAR */
	u32 pend[2];		/* 64-bit halves written but not accepted yet */
	u8 type;		/* enum pci_bar_type */
	bool prefetch;
	u8 sizing;		/* bit per half: reads return the size mask */
	u8 pending;		/* bit per half: pend[] holds the guest's value */
	bool mapped;		/* mapping (or port access) in place */
	bool unmappable;	/* physical base not page aligned: never mapped */
};

struct vpci_msi {
	u16 ctrl;		/* guest's EN (the rest is computed) */
	u16 data;
	u32 addr_lo, addr_hi;
	u32 mask;		/* bit 0 only */
	bool dirty;		/* addr/data changed since the last remap */
	bool programmed;	/* remapped and written to the device */
};

struct vpci_msix_entry {
	u64 addr;
	u32 data;
	u32 ctrl;		/* vector control: bit 0 = masked */
	bool dirty;
	bool programmed;
	bool phys_unmasked;
};

struct vpci_msix {
	u16 ctrl;		/* guest's EN and function mask */
	u16 nr_entries;		/* offered to the guest */
	u8 nr_traps;
	struct { u8 bar; u32 off, size; } trap[2];	/* page-aligned, in BAR offsets */
	struct vpci_msix_entry e[VPCI_MSIX_MAX_ENTRIES];
};

/* One per vdev kind (enum vpci_dev_kind): how it is set up, accessed and given back. */
struct vpci_vdev_ops {
	bool physical;		/* stands for a physical function (claimed, d->pdev set) */
	/* d's vbdf, kind, flags (and pdev) set; on failure it leaves the device as it was */
	int (*init)(struct vpci_vdev *d, const struct vpci_dev_config *dc);
	/* always stores the access's size bytes, zero-extended, in *val */
	void (*read)(struct vpci_vdev *d, u16 off, unsigned size, u32 *val);
	void (*write)(struct vpci_vdev *d, u16 off, unsigned size, u32 val);
	void (*release)(struct vpci_vdev *d);	/* NULL: nothing to give back */
};

struct vpci_vdev {
	struct vpci *vpci;
	const struct vpci_vdev_ops *ops;
	const struct pci_pdev *pdev;	/* NULL: emulated */
	u16 vbdf, pbdf;
	u8 kind;
	/*
	 * Writes the guest may not make (dm/vpci/vpci_pt_guard.c finds them from
	 * the enumerated capabilities): the first is logged, all are counted
	 * (saturating). In what was padding: every VM holds VPCI_MAX_VDEVS vdevs.
	 */
	bool guard_logged;
	u16 guard_dropped;
	u32 flags;
	u8 intx_pin, intx_line;
	u16 cmd;			/* virtual Command */
	struct vpci_bar bar[PCI_BAR_MAX];
	struct vpci_msi msi;
	struct vpci_msix msix;
};

struct vpci {
	spinlock_t lock;
	u32 cf8;			/* CONFIG_ADDRESS latch */
	const struct vpci_ops *ops;
	void *ctx;			/* passed to every hook (the struct vm) */
	unsigned nr_ram, nr_mmio;
	struct vpci_range ram[VPCI_MAX_RANGES];
	struct vpci_range mmio[VPCI_MAX_RANGES];
	u64 ecam_base;
	u8 ecam_end_bus;
	/* byte/word accesses to 0xCF8-0xCFB (e.g. the reset port 0xCF9) */
	pio_read_fn legacy_read;
	pio_write_fn legacy_write;
	void *legacy_opaque;
	u32 bar_refused;		/* refused BAR writes (statistics, tests) */
	unsigned nr_vdevs;
	/*
	 * The vdev tried first, as a byte offset into vdev[]: zero (a zeroed or
	 * copied struct) is slot 0, always valid; cheaper than an index to use.
	 */
	u32 vdev_hint;
	struct vpci_vdev vdev[VPCI_MAX_VDEVS];
};

/* --- lifecycle (dm/vpci/vpci_vdev.c) --- */

/*
 * Set up vp for one VM: every device in cfg (vBDFs unique, passthrough and
 * bridge pBDFs enumerated and owned by no other vpci), resetting those with
 * VPCI_DEVF_RESET. On error nothing stays assigned. Needs pci_enumerate().
 */
int vpci_init(struct vpci *vp, const struct vpci_ops *ops, void *ctx, const struct vpci_config *cfg);
/* Release every device (unmapped, MSI off, reset if flagged, ownership dropped). */
void vpci_deinit(struct vpci *vp);
/* Add/remove one device at run time (assign/deassign hypercalls). */
int vpci_assign_dev(struct vpci *vp, const struct vpci_dev_config *dc);
int vpci_deassign_dev(struct vpci *vp, u16 vbdf);
/* Does the VM have a device at vbdf? */
bool vpci_has_vdev(struct vpci *vp, u16 vbdf);

/* The vpci a physical function is assigned to, NULL if none. */
struct vpci *vpci_pdev_owner(u16 pbdf);
/*
 * The Service VM's devices: every enumerated function (vBDF = pBDF, BARs at
 * their physical bases) except those in hidden[] (devices of pre-launched
 * VMs, the hypervisor's own). Bridges become VPCI_DEV_BRIDGE. Returns the
 * number written to out, or -ENOSPC.
 */
int vpci_service_vm_devs(const u16 *hidden, unsigned nr_hidden,
			 struct vpci_dev_config *out, unsigned max);
/* Byte/word accesses to 0xCF8-0xCFB go to these (NULL: all ones / dropped). */
void vpci_set_legacy_pio(struct vpci *vp, pio_read_fn rd, pio_write_fn wr, void *opaque);

/* --- config access (dm/vpci/vpci_cfg.c) --- */

/*
 * By virtual BDF, offset 0..4095. 0: handled (a read's *val is masked to
 * size); -ENODEV: no device there (*val all ones; the caller may forward).
 */
int vpci_cfg_read(struct vpci *vp, u16 vbdf, u16 offset, unsigned size, u32 *val);
int vpci_cfg_write(struct vpci *vp, u16 vbdf, u16 offset, unsigned size, u32 val);
/* Ports 0xCF8-0xCFF (register with len VPCI_PIO_LEN, opaque = struct vpci *). */
int vpci_pio_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val);
int vpci_pio_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val);
/* Offset into the VM's ECAM window (bus << 20 | dev << 15 | fn << 12 | reg). */
int vpci_ecam_read(struct vpci *vp, u64 offset, unsigned size, u64 *val);
int vpci_ecam_write(struct vpci *vp, u64 offset, unsigned size, u64 val);
/* The same as MMIO handlers for [ecam_base, ecam_base + (end_bus + 1) MiB), opaque = vpci. */
int vpci_ecam_mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val);
int vpci_ecam_mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val);
static inline u64 vpci_ecam_size(const struct vpci *vp)
{
	return ((u64)vp->ecam_end_bus + 1) << 20;
}

/* --- MSI-X table/PBA traps (dm/vpci/vpci_msix.c), opaque = struct vpci_vdev * --- */
int vpci_msix_mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val);
int vpci_msix_mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val);

/* --- physical reset (dm/vpci/vpci_reset.c) --- */

enum vpci_reset_kind { VPCI_RESET_NONE, VPCI_RESET_FLR, VPCI_RESET_PM };
/*
 * Reset a function: FLR when DevCap says it has one, else D3hot->D0 when
 * PMCSR lacks No_Soft_Reset, else nothing (logged). BARs, cache line size
 * and latency timer are restored; Command is left 0 (decode off). Returns
 * the kind used.
 */
enum vpci_reset_kind vpci_reset_pdev(const struct pci_pdev *p, void (*udelay)(u64 us));

#endif
