/*
 * libFuzzer: the vACPI builders (dm/vacpi/, shared with bulkhead-dm) on any
 * description of a VM: CPU count, interrupt controller, PCI windows and
 * INTx routes, COM1, RTC, PM ports, and MMIO/ACPI devices with names, ids,
 * UIDs and resources taken from the input, placed at any GPA.
 * Properties: vacpi_size and vacpi_build agree on what is invalid; a build
 * into exactly vacpi_size() bytes succeeds, uses at most that, zeroes the
 * rest, and every table it lays out (RSDP both checksums, XSDT, RSDT, FADT,
 * MADT, MCFG, DSDT) lies inside with its signature, its length and a zero
 * checksum; one byte less is -ENOSPC with the buffer untouched.
 */
#include "fuzz_check.h"
#include "vacpi.h"
#include "errno.h"

#define STR 10

struct desc {
	struct vacpi_vm vm;
	struct vacpi_prt_entry prt[VACPI_MAX_PRT + 2];
	struct vacpi_mmio_dev devs[VACPI_MAX_DEVS + 1];
	char strs[VACPI_MAX_DEVS + 1][3][STR];
};

/* A string of 0..STR-1 bytes; mostly from a plausible alphabet, sometimes anything. */
static const char *str(struct fuzz_in *in, char *dst)
{
	static const char abc[] = "PNP0ABCDINTC1234_XYZ9";
	u8 n = (u8)fuzz_take(in, 1);

	if (n == 0xff)
		return NULL;
	for (unsigned i = 0; i < n % STR; i++) {
		u8 c = (u8)fuzz_take(in, 1);

		dst[i] = (c & 0x80) ? (char)(c & 0x7f) : abc[c % (sizeof(abc) - 1)];
	}
	dst[n % STR] = 0;
	return dst;
}

static void describe(struct fuzz_in *in, struct desc *d)
{
	struct vacpi_vm *vm = &d->vm;
	u8 f = (u8)fuzz_take(in, 1);

	vacpi_vm_defaults(vm, 1 + (unsigned)fuzz_take(in, 1) % (VACPI_MAX_VCPUS + 2));
	if (f & 1) {
		vm->lapic_addr = fuzz_take(in, 8);
		vm->ioapic.id = (u8)fuzz_take(in, 1);
		vm->ioapic.addr = (u32)fuzz_take(in, 4);
		vm->ioapic.gsi_base = (u32)fuzz_take(in, 1);
		vm->ioapic.nr_pins = (u32)fuzz_take(in, 1);
	}
	vm->pci.present = !(f & 2);
	if (f & 4) {
		vm->pci.segment = (u16)fuzz_take(in, 1);
		vm->pci.bus_start = (u8)fuzz_take(in, 1);
		vm->pci.bus_end = (u8)fuzz_take(in, 1);
		vm->pci.ecam_base = fuzz_take(in, 8);
		vm->pci.mmio32 = (struct vacpi_range){ fuzz_take(in, 4), fuzz_take(in, 4) };
		vm->pci.mmio64 = (struct vacpi_range){ fuzz_take(in, 8), fuzz_take(in, 8) };
	}
	vm->pci.nr_prt = (unsigned)fuzz_take(in, 1) % (VACPI_MAX_PRT + 2);
	for (unsigned i = 0; i < vm->pci.nr_prt; i++)
		d->prt[i] = (struct vacpi_prt_entry){ (u8)fuzz_take(in, 1), (u8)fuzz_take(in, 1),
						      (u32)fuzz_take(in, 1) };
	vm->pci.prt = d->prt;
	vm->com1.present = !(f & 8);
	vm->rtc.present = f & 16;
	if (f & 32) {
		vm->com1.port = (u16)fuzz_take(in, 2);
		vm->com1.irq = (u8)fuzz_take(in, 1);
		vm->rtc.port = (u16)fuzz_take(in, 2);
		vm->pm.sci_irq = (u16)fuzz_take(in, 1);
		vm->pm.pm1a_evt_port = (u16)fuzz_take(in, 2);
		vm->pm.pm1a_cnt_port = (u16)fuzz_take(in, 2);
		vm->pm.s5_slp_typ = (u8)fuzz_take(in, 1);
		vm->pm.reset_port = (u16)fuzz_take(in, 2);
		vm->pm.reset_value = (u8)fuzz_take(in, 1);
	}
	vm->nr_devs = (unsigned)fuzz_take(in, 1) % (VACPI_MAX_DEVS + 2);
	for (unsigned i = 0; i < vm->nr_devs; i++) {
		struct vacpi_mmio_dev *v = &d->devs[i];
		u8 n = (u8)fuzz_take(in, 1);

		v->name = str(in, d->strs[i][0]);
		v->hid = str(in, d->strs[i][1]);
		v->uid = str(in, d->strs[i][2]);
		v->nr_mmio = n % (VACPI_DEV_MAX_MMIO + 2);
		v->nr_io = (n >> 3) % (VACPI_DEV_MAX_IO + 2);
		v->nr_irqs = (n >> 5) % (VACPI_DEV_MAX_IRQS + 2);
		for (unsigned k = 0; k < MIN(v->nr_mmio, (unsigned)VACPI_DEV_MAX_MMIO); k++)
			v->mmio[k] = (struct vacpi_range){ fuzz_take(in, 4) << 12, fuzz_take(in, 2) << 4 };
		for (unsigned k = 0; k < MIN(v->nr_io, (unsigned)VACPI_DEV_MAX_IO); k++)
			v->io[k] = (struct vacpi_range){ fuzz_take(in, 2), fuzz_take(in, 1) };
		for (unsigned k = 0; k < MIN(v->nr_irqs, (unsigned)VACPI_DEV_MAX_IRQS); k++)
			v->irq[k] = (struct vacpi_irq){ (u32)fuzz_take(in, 1), (u8)fuzz_take(in, 1) };
	}
	vm->devs = d->devs;
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s = (u8)(s + *p++);
	return s;
}

/* The table at gpa t: inside the used bytes, its signature, a zero checksum. */
static void check_sdt(const u8 *buf, u64 gpa, int used, u64 t, const char *sig)
{
	u32 len;

	FUZZ_CHECK(t >= gpa && t + 36 <= gpa + (u64)used);
	memcpy(&len, buf + (t - gpa) + 4, 4);
	FUZZ_CHECK(memcmp(buf + (t - gpa), sig, 4) == 0);
	FUZZ_CHECK(len >= 36 && t + len <= gpa + (u64)used);
	FUZZ_CHECK(sum(buf + (t - gpa), len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct desc d;
	struct fuzz_in in = { data, len };
	struct vacpi_layout lay;
	u64 gpa;
	u8 *buf;
	int size, r;

	memset(&d, 0, sizeof(d));
	gpa = fuzz_take(&in, 1) & 1 ? fuzz_take(&in, 5) : VACPI_BIOS_GPA;
	describe(&in, &d);

	size = vacpi_size(&d.vm, gpa);
	FUZZ_CHECK(size > 0 || size == -EINVAL);
	if (size < 0) {
		static u8 big[1 << 16];

		FUZZ_CHECK(vacpi_build(&d.vm, gpa, big, sizeof(big), NULL) == -EINVAL);
		return 0;
	}
	buf = malloc((size_t)size);
	memset(buf, 0xA5, (size_t)size);
	FUZZ_CHECK(vacpi_build(&d.vm, gpa, buf, (size_t)size - 1, NULL) == -ENOSPC);
	for (int i = 0; i < size; i++)
		FUZZ_CHECK(buf[i] == 0xA5);
	r = vacpi_build(&d.vm, gpa, buf, (size_t)size, &lay);
	FUZZ_CHECK(r > 0 && r <= size);
	for (int i = r; i < size; i++)
		FUZZ_CHECK(buf[i] == 0);
	FUZZ_CHECK(lay.rsdp == gpa && lay.end == gpa + (u64)r);
	FUZZ_CHECK(memcmp(buf, "RSD PTR ", 8) == 0 && sum(buf, 20) == 0 && sum(buf, 36) == 0);
	check_sdt(buf, gpa, r, lay.xsdt, "XSDT");
	check_sdt(buf, gpa, r, lay.rsdt, "RSDT");
	check_sdt(buf, gpa, r, lay.fadt, "FACP");
	check_sdt(buf, gpa, r, lay.madt, "APIC");
	check_sdt(buf, gpa, r, lay.dsdt, "DSDT");
	FUZZ_CHECK(!lay.mcfg == !d.vm.pci.present);
	if (lay.mcfg)
		check_sdt(buf, gpa, r, lay.mcfg, "MCFG");
	free(buf);
	return 0;
}
