/* RSDP (ACPI 2.0+, 36 bytes) and the root tables XSDT/RSDT that list the rest. */
#include "lib.h"
#include "acpi.h"
#include "vacpi.h"

struct rsdp {
	char signature[8];
	u8 checksum;		/* over the first 20 bytes (ACPI 1.0 part) */
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum;	/* over all 36 bytes */
	u8 reserved[3];
} __packed;

_Static_assert(sizeof(struct rsdp) == 36, "RSDP layout");

void vacpi_build_rsdp(struct vacpi_out *o, u64 rsdt_gpa, u64 xsdt_gpa)
{
	struct rsdp *r = (void *)vacpi_reserve(o, sizeof(*r));

	if (!r)
		return;
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, VACPI_OEM_ID, 6);
	r->revision = 2;
	r->rsdt_address = (u32)rsdt_gpa;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt_gpa;
	r->checksum = (u8)-acpi_checksum(r, 20);
	r->ext_checksum = (u8)-acpi_checksum(r, sizeof(*r));
}

void vacpi_build_xsdt(struct vacpi_out *o, const u64 *gpas, unsigned n)
{
	size_t h = vacpi_sdt_begin(o, "XSDT", 1);

	for (unsigned i = 0; i < n; i++)
		vacpi_put64(o, gpas[i]);
	vacpi_sdt_end(o, h);
}

/* Kept for OSes and loaders that only read ACPI 1.0 tables ("acpi=rsdt"). */
void vacpi_build_rsdt(struct vacpi_out *o, const u64 *gpas, unsigned n)
{
	size_t h = vacpi_sdt_begin(o, "RSDT", 1);

	for (unsigned i = 0; i < n; i++)
		vacpi_put32(o, (u32)gpas[i]);
	vacpi_sdt_end(o, h);
}
