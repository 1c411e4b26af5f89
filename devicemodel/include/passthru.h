/*
 * PCI passthrough (-s SLOT[:FN],passthru,BUS/DEV/FN): a function the
 * Service VM owns, taken from its driver through sysfs, handed to the VM by
 * ASSIGN_PCIDEV (the hypervisor's vPCI then emulates its configuration
 * space, maps its memory BARs at the GPAs chosen here through EPT and lets
 * its I/O BARs through at their own ports) and its INTx routed to a vIOAPIC
 * pin by SET_PTDEV_INTR; the guest's DSDT gets a _PRT entry for that pin.
 * Taken back by RESET_PTDEV_INTR and DEASSIGN_PCIDEV, then the Service VM's
 * driver is bound again.
 *
 * The sysfs side works under a root directory (PT_SYSFS_ROOT, or a fake
 * tree in tests); the pure parts (sysfs `resource`, BAR placement, the
 * _PRT) are exported for the unit tests.
 */
#ifndef DM_PASSTHRU_H
#define DM_PASSTHRU_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "dm_config.h"

#define PT_SYSFS_ROOT	"/sys/bus/pci"
#define PT_MAX		8		/* passthrough functions per VM */
#define PT_NUM_BARS	6
#define PT_GSI_BASE	16		/* the n-th function's INTx: vIOAPIC pin 16 + n (PCI lines) */
#define PT_MMIO_BASE	0xD0000000ULL	/* memory BARs from here up to the ECAM window */
#define PT_MMIO_END	0xE0000000ULL
#define PT_OVERRIDE	"bulkhead-dm"	/* driver_override: no driver of that name, none binds */
#define PT_WHY_LEN	200

struct pt_res {			/* one line of sysfs `resource` */
	uint64_t start, size;	/* size 0: no BAR */
};

struct pt_dev {
	const struct dm_dev *cfg;
	char bdf_name[16];		/* "0000:00:03.0" */
	uint16_t pbdf, vbdf;
	uint16_t vendor, device;
	uint8_t pin;			/* 1-4 = INTA-INTD, 0: none */
	uint8_t phys_gsi;		/* its Interrupt Line in the Service VM (the board's GSI) */
	uint8_t virt_gsi;		/* the VM's vIOAPIC pin; 0: INTx not passed */
	uint32_t bar[PT_NUM_BARS];	/* acrn_pcidev.bar: GPAs (memory) or ports (I/O), type bits */
	char driver[64];		/* the Service VM's driver it was bound to, "" none */
	bool claimed;			/* driver_override set (and unbound) */
	bool assigned, intx_set;
};

struct pt_set {
	char root[128];			/* PT_SYSFS_ROOT, or a test tree */
	unsigned n;
	struct pt_dev dev[PT_MAX];
};

/*
 * Parse sysfs `resource` text (one "0xSTART 0xEND 0xFLAGS" line per BAR,
 * then the ROM and the rest): the first PT_NUM_BARS lines into res. 0 or -1.
 */
int pt_parse_resource(const char *text, struct pt_res res[PT_NUM_BARS]);

/*
 * The BAR values ASSIGN_PCIDEV takes: I/O BARs at their own ports, memory
 * BARs placed from *next (each aligned to its size, at least a page) below
 * end, with the type bits of cfg_bar (the BAR registers as the Service VM
 * reads them). *next moves past them. 0, or -1 with why.
 */
int pt_place_bars(const uint32_t cfg_bar[PT_NUM_BARS], const struct pt_res res[PT_NUM_BARS],
		  uint64_t *next, uint64_t end, uint32_t out[PT_NUM_BARS], char *why, size_t whylen);

/*
 * Take every passthru function of cfg from the Service VM: the function
 * must exist under root, be a type-0 header, and come off its driver
 * (driver_override set to PT_OVERRIDE first, so none binds it again). 0, or
 * -1 with err naming the -s option and value; nothing changed then.
 */
int pt_claim(struct pt_set *s, const struct dm_config *cfg, const char *root, char *err,
	     size_t errlen);
/* Driver override cleared and the driver bound again; messages on stderr. */
void pt_release(struct pt_set *s);

/* The _PRT entries of the functions whose INTx is passed; returns how many. */
struct vacpi_prt_entry;
unsigned pt_prt(const struct pt_set *s, struct vacpi_prt_entry *prt, unsigned max);

/* ASSIGN_PCIDEV and SET_PTDEV_INTR on the VM of hsm (CREATED): 0 or -1 (said on stderr). */
int pt_assign(struct pt_set *s, int hsm);
/* RESET_PTDEV_INTR and DEASSIGN_PCIDEV of what pt_assign did (VM paused or created). */
void pt_deassign(struct pt_set *s, int hsm);

#endif
