/*
 * The post-launched VM's PCI configuration space, as the device model
 * emulates it (pure): bus 0 with up to 32 x 8 functions, each a 256-byte
 * type-0 header the device model fills in and a write mask of the bytes the
 * guest may change. Functions nobody added read all ones and ignore writes,
 * as on real hardware; so does every bus but 0. Accesses come as the
 * hypervisor forwards them (bus/dev/fn/reg, 1, 2 or 4 bytes, naturally
 * aligned) or through ECAM (the MCFG window), decoded by pcicfg_ecam_decode.
 */
#ifndef DM_PCICFG_H
#define DM_PCICFG_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_SLOTS	32
#define PCI_FUNCS	8
#define PCI_CFG_SIZE	256

struct pci_func {
	bool present;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
};

struct pcicfg {
	struct pci_func f[PCI_SLOTS][PCI_FUNCS];
	uint64_t absent_reads, dropped_writes;
};

void pcicfg_init(struct pcicfg *p);
/*
 * Add a function with its identity (class = base class << 16 | sub << 8 | prog-if).
 * The command register's memory, I/O and bus-master bits are writable. -1 if
 * out of range or already there.
 */
int pcicfg_add(struct pcicfg *p, unsigned dev, unsigned fn, uint16_t vendor, uint16_t device,
	       uint32_t class_code, uint8_t header_type);
/* all ones for an absent function, a bad size or a misaligned access */
uint32_t pcicfg_read(struct pcicfg *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		     unsigned size);
void pcicfg_write(struct pcicfg *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		  unsigned size, uint32_t v);
/* An ECAM offset (from the window's base) as bus/dev/fn/reg (reg up to 0xFFF: past 0xFF reads all ones). */
void pcicfg_ecam_decode(uint64_t off, unsigned *bus, unsigned *dev, unsigned *fn, unsigned *reg);

#endif
