/*
 * A post-launched Linux's platform in guest memory, built with the
 * hypervisor's own pure code (shared, not copied): the e820 map
 * (arch/x86/e820.c), the ACPI tables (dm/vacpi) and the Linux boot
 * protocol (arch/x86/guest_bzimage.c). Guest RAM is one buffer, GPA 0 up.
 *
 * Layout: RAM [0, 640 KiB) and [1 MiB, mem); the ACPI tables at 0xE0000
 * (reserved to 1 MiB, the RSDP also in the zero page's acpi_rsdp_addr);
 * ECAM for bus 0 at 0xE0000000 (reserved); a 32-bit PCI window from
 * 0xC0000000, so RAM ends below it. vIOAPIC 0xFEC00000, LAPICs 0xFEE00000.
 */
#ifndef DM_BOOT_H
#define DM_BOOT_H

#include "e820.h"		/* the hypervisor's include/: -iquote include */
#include "vcpu_boot.h"

#define DM_LOWMEM_END		0xA0000ULL
#define DM_ACPI_GPA		0xE0000ULL
#define DM_BIOS_END		0x100000ULL
#define DM_PCI_HOLE		0xC0000000ULL	/* RAM must end here */
#define DM_ECAM_BASE		0xE0000000ULL
#define DM_ECAM_SIZE		0x100000ULL	/* bus 0 */
#define DM_PM1A_EVT		0x400
#define DM_PM1A_CNT		0x404
#define DM_S5_SLP_TYP		5
#define DM_RESET_PORT		0xCF9
#define DM_RESET_VALUE		6
#define DM_COM1_IRQ		4
#define DM_BOOT_WHY_LEN		400

/* The e820 map of a VM of @mem bytes (2 MiB aligned, at least 2 MiB). 0 or -1. */
int dm_e820_build(uint64_t mem, struct e820_map *m);

struct vacpi_prt_entry;

/*
 * Write the whole boot platform for Linux into @ram (@mem bytes, GPA 0):
 * ACPI tables for @ncpus vCPUs (the PCI root's _PRT with @nr_prt entries:
 * passthrough INTx routes), the kernel, @initrd (may be NULL), the zero
 * page with @cmdline and the e820; fills @st (64-bit entry). 0, or -1 with
 * a reason in @why.
 */
int dm_boot_linux(uint8_t *ram, uint64_t mem, unsigned ncpus, const struct vacpi_prt_entry *prt,
		  unsigned nr_prt, const void *kernel, size_t kernel_size, const void *initrd,
		  size_t initrd_size, const char *cmdline, struct vcpu_boot_state *st, char *why,
		  size_t why_size);

#endif
