/* MADT parsing (pure): the CPUs the firmware says are usable. */
#include "lib.h"
#include "acpi.h"

#define MADT_LAPIC 0
#define MADT_X2APIC 9
#define MADT_ENABLED BIT(0)
#define MADT_HEADER_LEN 44

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

int acpi_madt_cpus(const struct acpi_sdt_header *madt, u32 *ids, unsigned max)
{
	const u8 *p = (const u8 *)madt, *end;
	unsigned n = 0;

	if (madt->length < MADT_HEADER_LEN || memcmp(madt->signature, "APIC", 4))
		return -EINVAL;
	end = p + madt->length;
	for (p += MADT_HEADER_LEN; p + 2 <= end; p += p[1]) {
		u32 id, flags;

		if (p[1] < 2 || p + p[1] > end)
			return -EINVAL;
		if (p[0] == MADT_LAPIC && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
		} else if (p[0] == MADT_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
		} else {
			continue;
		}
		if (!(flags & MADT_ENABLED))
			continue;
		for (unsigned i = 0; i < n; i++)
			if (ids[i] == id)
				goto next;	/* listed as both LAPIC and x2APIC */
		if (n < max)
			ids[n++] = id;
next:;
	}
	return (int)n;
}
