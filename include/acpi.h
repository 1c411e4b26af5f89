/* The host's ACPI tables: what the hypervisor needs from them at boot. */
#ifndef BH_ACPI_H
#define BH_ACPI_H

#include "types.h"

struct acpi_sdt_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

struct boot_info;

u8 acpi_checksum(const void *p, size_t len);
/* Find a table by signature; NULL when absent or its checksum is wrong. */
const struct acpi_sdt_header *acpi_find_table(const struct boot_info *bi, const char sig[4]);
/* Enabled LAPIC ids from a MADT, in table order; returns the count or -EINVAL. */
int acpi_madt_cpus(const struct acpi_sdt_header *madt, u32 *ids, unsigned max);

#endif
