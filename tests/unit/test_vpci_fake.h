/*
 * Test doubles for the vPCI unit tests: a simulated physical config space
 * (pci_cfg_read/pci_cfg_write over fake functions with writable, RW1C and
 * BAR size masks, FLR and PM reset), fake device MMIO, and a fake VM behind
 * struct vpci_ops that tracks its EPT mappings and MMIO traps and checks
 * that the vPCI never maps twice or unmaps what is not mapped.
 */
#ifndef TEST_VPCI_FAKE_H
#define TEST_VPCI_FAKE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "pci_dev.h"
#include "vpci.h"
#include "vpci_internal.h"
#include "errno.h"

#define FAKE_MAX_DEVS 80

struct fake_dev {
	bool present;
	u16 bdf;
	u8 cfg[PCI_ECFG_SIZE];
	u8 wmask[PCI_ECFG_SIZE];
	u8 w1c[PCI_ECFG_SIZE];
	u8 reset_cfg[PCI_ECFG_SIZE];	/* what FLR / PM reset restores */
	u16 pcie_off, pm_off;
	unsigned flr_count, pm_reset_count;
	unsigned trpnd_reads;		/* DevSta reads until Transactions Pending clears */
	bool sized_while_decoding;	/* all ones written to a BAR with decode on */
};

extern struct fake_dev fake_devs[FAKE_MAX_DEVS];
extern bool fake_ecam;			/* offsets >= 256 reachable */

struct fake_write {
	u16 bdf, off;
	unsigned size;
	u32 val;
};
#define FAKE_LOG_MAX 512
extern struct fake_write fake_log[FAKE_LOG_MAX];
extern unsigned fake_nlog;

void fake_reset_all(void);
struct fake_dev *fake_add(u16 bdf, u16 vendor, u16 device, u32 class_rev, u8 hdr_type);
struct fake_dev *fake_find(u16 bdf);
/* type: PCI_BAR_IO, PCI_BAR_MEM32 or PCI_BAR_MEM64 */
void fake_bar(struct fake_dev *d, unsigned idx, u64 base, u64 size, int type, bool prefetch);
void fake_cap(struct fake_dev *d, u8 off, u8 id);
void fake_msi(struct fake_dev *d, u8 off, bool is64, bool pvm);
void fake_msix(struct fake_dev *d, u8 off, u16 entries, u8 table_bir, u32 table_off,
	       u8 pba_bir, u32 pba_off);
void fake_pcie(struct fake_dev *d, u8 off, bool flr);
void fake_pm(struct fake_dev *d, u8 off, bool no_soft_reset);
void fake_ext_cap(struct fake_dev *d, u16 off, u16 id, u16 next);
void fake_bridge(struct fake_dev *d, u8 pri, u8 sec, u8 sub);
void fake_done(struct fake_dev *d);		/* snapshot the reset image */
u32 fake_get(u16 bdf, u16 off, unsigned size);	/* behind the vPCI's back */
void fake_set(u16 bdf, u16 off, unsigned size, u32 val);
unsigned fake_count_writes(u16 bdf, u16 off);
int fake_log_find(u16 bdf, u16 off, u32 val, unsigned from);	/* index or -1 */

/* physical MMIO of the fake devices */
void fake_mmio_add(u64 hpa, u64 size);
u64 fake_mmio_get(u64 hpa, unsigned size);
void fake_mmio_set(u64 hpa, unsigned size, u64 val);

/* the fake VM */
struct fake_map { u64 gpa, hpa, size; };
struct fake_trap { u64 gpa, size; struct vpci_vdev *vdev; };
struct fake_vm {
	struct fake_map map[64];
	unsigned nmap, map_calls, unmap_calls;
	struct fake_trap trap[16];
	unsigned ntrap;
	u16 pio_port[8], pio_len[8];
	unsigned npio;
	unsigned remap_calls, release_calls;
	struct vpci_msi_src last_src, last_release;
	u64 last_gaddr;
	u32 last_gdata;
	bool remap_fail;
	unsigned map_fail;		/* fail the next N EPT maps (out of table pages) */
	u64 haddr_override;		/* non-zero: msi_remap returns this address */
	u64 udelay_total;
	unsigned udelay_calls;
	unsigned mmio_reads, mmio_writes;
};
extern struct fake_vm fvm;
extern const struct vpci_ops fake_ops;
/* host address/data fake_ops.msi_remap hands out */
#define FAKE_HADDR 0xFEE01000ULL
#define FAKE_HDATA(src) (0x40u + ((src)->msix ? 0x20u : 0u) + (src)->index)

bool fake_ept_lookup(u64 gpa, u64 *hpa);
struct vpci_vdev *fake_trap_at(u64 gpa);
/* A guest access as the hypervisor would route it: trap, EPT, or nothing (-1). */
int fake_guest_read(u64 gpa, unsigned size, u64 *val);
int fake_guest_write(u64 gpa, unsigned size, u64 val);

/* Standard VM layout: RAM 0-1 GiB and 4-5 GiB, windows 0xC0000000-0xE0000000 and 256-512 GiB. */
#define FAKE_WIN32 0xC0000000ULL
#define FAKE_WIN32_SIZE 0x20000000ULL
#define FAKE_WIN64 0x4000000000ULL
#define FAKE_WIN64_SIZE 0x4000000000ULL
#define FAKE_ECAM 0xE0000000ULL
/* Before teardown: a failed assertion inside a hook longjmps out with the lock held. */
void fake_release_locks(struct vpci *vp);
void fake_vm_config(struct vpci_config *c, const struct vpci_dev_config *devs, unsigned n);

/* config access through 0xCF8/0xCFC as a guest does it */
/* Stands for the vCPU making a guest's access (vPCI never dereferences it). */
extern char fake_vcpu_token;
#define GUEST_VCPU ((struct vcpu *)&fake_vcpu_token)

u32 guest_cfg_read(struct vpci *vp, u16 bdf, u16 off, unsigned size);
void guest_cfg_write(struct vpci *vp, u16 bdf, u16 off, unsigned size, u32 val);

#endif
