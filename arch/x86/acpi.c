/* Locating the host's ACPI tables (RSDP from GRUB or the BIOS areas). */
#include "lib.h"
#include "acpi.h"
#include "bootinfo.h"
#include "mm.h"

struct rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 xchecksum;
	u8 reserved[3];
} __packed;

static const struct rsdp *scan_rsdp(u64 start, u64 len)
{
	for (u64 a = start; a + 20 <= start + len; a += 16) {
		const struct rsdp *r = phys_to_virt(a);

		if (!memcmp(r->signature, "RSD PTR ", 8) && !acpi_checksum(r, 20))
			return r;
	}
	return NULL;
}

static const struct rsdp *find_rsdp(const struct boot_info *bi)
{
	const struct rsdp *r;
	u64 ebda;

	if (bi->rsdp_len >= 20)
		return (const struct rsdp *)bi->rsdp_copy;
	ebda = (u64)*(u16 *)phys_to_virt(0x40E) << 4;
	if (ebda >= 0x80000 && ebda < 0xA0000 && (r = scan_rsdp(ebda, 1024)))
		return r;
	return scan_rsdp(0xE0000, 0x20000);
}

static const struct acpi_sdt_header *check_table(u64 pa, const char sig[4])
{
	const struct acpi_sdt_header *h = phys_to_virt(pa);

	if (!pa || pa >= (4ULL << 30) || memcmp(h->signature, sig, 4))
		return NULL;
	if (h->length < sizeof(*h) || acpi_checksum(h, h->length)) {
		char name[5] = { sig[0], sig[1], sig[2], sig[3], 0 };

		printk("ACPI: table %s at 0x%lx has a bad checksum, ignored\n", name, pa);
		return NULL;
	}
	return h;
}

const struct acpi_sdt_header *acpi_find_table(const struct boot_info *bi, const char sig[4])
{
	const struct rsdp *r = find_rsdp(bi);
	const struct acpi_sdt_header *root;
	bool x;
	unsigned n;

	if (!r)
		return NULL;
	x = r->revision >= 2 && r->xsdt;
	root = x ? check_table(r->xsdt, "XSDT") : check_table(r->rsdt, "RSDT");
	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / (x ? 8 : 4);
	for (unsigned i = 0; i < n; i++) {
		const u8 *e = (const u8 *)(root + 1) + i * (x ? 8 : 4);
		u64 pa = 0;
		const struct acpi_sdt_header *t;

		memcpy(&pa, e, x ? 8 : 4);
		t = check_table(pa, sig);
		if (t)
			return t;
	}
	return NULL;
}
