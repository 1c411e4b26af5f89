/*
 * DSDT: \_S0 and \_S5 (power-off), and under \_SB the PCI root bridge (with its
 * windows and _PRT), a motherboard resource device reserving the ECAM
 * window (Linux only trusts MCFG when the window is reserved there), COM1
 * and one Device per passed-through MMIO/ACPI device.
 */
#include "lib.h"
#include "vacpi.h"

#define GIB4 0x100000000ULL
#define DSDT_REVISION 2		/* 64-bit integers */

/* Device name of passthrough device @i: its own, or "DV00".."DV0F". */
static const char *dev_name(const struct vacpi_vm *vm, unsigned i, char buf[5])
{
	static const char hex[] = "0123456789ABCDEF";

	if (vm->devs[i].name)
		return vm->devs[i].name;
	buf[0] = 'D';
	buf[1] = 'V';
	buf[2] = hex[(i >> 4) & 0xF];
	buf[3] = hex[i & 0xF];
	buf[4] = '\0';
	return buf;
}

static bool fixed_name(const char *n)
{
	return !strcmp(n, "PCI0") || !strcmp(n, "RES0") || !strcmp(n, "COM1");
}

/* A _UID of up to 19 decimal digits is an Integer (fits 64 bits), else a String. */
static bool uid_is_number(const char *uid, u64 *val)
{
	u64 v = 0;
	int n;

	for (n = 0; uid[n] >= '0' && uid[n] <= '9'; n++)
		v = v * 10 + (u64)(uid[n] - '0');
	*val = v;
	return n > 0 && n <= 19 && !uid[n];
}

static bool uid_valid(const char *uid)
{
	if (!uid)
		return true;
	if (!*uid)
		return false;
	for (; *uid; uid++)
		if (*uid < 0x20 || *uid > 0x7E)
			return false;
	return true;
}

/* Same _HID and _UID ("1" and "01" are the same Integer): the OS cannot tell them apart. */
static bool same_id(const char *hid1, const char *uid1, const char *hid2, const char *uid2)
{
	u64 a, b;

	if (strcmp(hid1, hid2) || !uid1 != !uid2)
		return false;
	if (!uid1)
		return true;
	if (uid_is_number(uid1, &a) && uid_is_number(uid2, &b))
		return a == b;
	return !strcmp(uid1, uid2);
}

/* The objects the DSDT always has, as (_HID, _UID). */
static bool clashes_with_fixed(const struct vacpi_vm *vm, const struct vacpi_mmio_dev *d)
{
	if (vm->pci.present && (same_id(d->hid, d->uid, "PNP0A08", "0") ||
				same_id(d->hid, d->uid, "PNP0C02", "0")))
		return true;
	return vm->com1.present && same_id(d->hid, d->uid, "PNP0501", "1");
}

int vacpi_check_dsdt(const struct vacpi_vm *vm)
{
	char bi[5], bj[5];

	for (unsigned i = 0; i < vm->nr_devs; i++) {
		const struct vacpi_mmio_dev *d = &vm->devs[i];
		const char *ni = dev_name(vm, i, bi);

		/* names starting with '_' belong to the ACPI spec */
		if (!aml_nameseg_valid(ni) || ni[0] == '_' || fixed_name(ni) ||
		    !aml_hid_valid(d->hid) || !uid_valid(d->uid) || clashes_with_fixed(vm, d))
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(ni, dev_name(vm, j, bj)) ||
			    same_id(d->hid, d->uid, vm->devs[j].hid, vm->devs[j].uid))
				return -EINVAL;
	}
	return 0;
}

/* A memory range the device decodes: 32-bit fixed form when it fits. */
static void res_mem(struct aml *a, u64 base, u64 size)
{
	if (base + size <= GIB4 && size < GIB4)
		aml_res_mem32_fixed(a, true, (u32)base, (u32)size);
	else
		aml_res_qword_mem(a, true, base, size);
}

static void emit_prt(struct aml *a, const struct vacpi_vm *vm)
{
	aml_name_begin(a, "_PRT");
	aml_package_begin(a, (u8)vm->pci.nr_prt);
	for (unsigned i = 0; i < vm->pci.nr_prt; i++) {
		const struct vacpi_prt_entry *e = &vm->pci.prt[i];

		aml_package_begin(a, 4);
		aml_integer(a, (u64)e->dev << 16 | 0xFFFF);	/* any function */
		aml_integer(a, e->pin);
		aml_integer(a, 0);		/* no link device: the last field is a GSI */
		aml_integer(a, e->gsi);
		aml_close(a);
	}
	aml_close(a);
}

static void emit_pci(struct aml *a, const struct vacpi_vm *vm)
{
	const typeof(vm->pci) *p = &vm->pci;
	u64 ecam = p->ecam_base + ((u64)p->bus_start << 20);
	u64 ecam_size = (u64)(p->bus_end - p->bus_start + 1) << 20;

	aml_device_begin(a, "PCI0");
	aml_name_begin(a, "_HID");
	aml_hid(a, "PNP0A08");		/* PCI Express root bridge */
	aml_name_begin(a, "_CID");
	aml_hid(a, "PNP0A03");
	aml_name_integer(a, "_UID", p->segment);
	aml_name_integer(a, "_SEG", p->segment);
	aml_name_integer(a, "_BBN", p->bus_start);
	aml_name_begin(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_word_bus(a, p->bus_start, p->bus_end);
	aml_res_io(a, 0xCF8, 0xCF8, 1, 8);	/* config ports, consumed */
	aml_res_word_io(a, 0x0000, 0x0CF7);	/* I/O BARs are identity mapped */
	aml_res_word_io(a, 0x0D00, 0xFFFF);
	if (p->mmio32.size)
		aml_res_dword_mem(a, false, (u32)p->mmio32.base, (u32)p->mmio32.size);
	if (p->mmio64.size)
		aml_res_qword_mem(a, false, p->mmio64.base, p->mmio64.size);
	aml_restemplate_end(a);
	if (p->nr_prt)
		emit_prt(a, vm);
	aml_device_end(a);

	aml_device_begin(a, "RES0");
	aml_name_begin(a, "_HID");
	aml_hid(a, "PNP0C02");		/* motherboard resources */
	aml_name_integer(a, "_UID", 0);
	aml_name_begin(a, "_CRS");
	aml_restemplate_begin(a);
	res_mem(a, ecam, ecam_size);
	aml_restemplate_end(a);
	aml_device_end(a);
}

static void emit_com1(struct aml *a, const struct vacpi_vm *vm)
{
	aml_device_begin(a, "COM1");
	aml_name_begin(a, "_HID");
	aml_hid(a, "PNP0501");		/* 16550A-compatible UART */
	aml_name_integer(a, "_UID", 1);
	aml_name_begin(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io(a, vm->com1.port, vm->com1.port, 1, 8);
	aml_res_irq_noflags(a, (u16)BIT(vm->com1.irq));
	aml_restemplate_end(a);
	aml_device_end(a);
}

/* Its IRQ only where its line is routed to the VM: without one, Linux uses it as a clock only. */
static void emit_rtc(struct aml *a, const struct vacpi_vm *vm)
{
	aml_device_begin(a, "RTC0");
	aml_name_begin(a, "_HID");
	aml_hid(a, "PNP0B00");		/* AT real-time clock */
	aml_name_begin(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_io(a, vm->rtc.port, vm->rtc.port, 1, 2);
	if (vm->rtc.irq)
		aml_res_irq_noflags(a, (u16)BIT(vm->rtc.irq));	/* ISA: edge, active high */
	aml_restemplate_end(a);
	aml_device_end(a);
}

static void emit_dev(struct aml *a, const struct vacpi_vm *vm, unsigned i)
{
	const struct vacpi_mmio_dev *d = &vm->devs[i];
	char buf[5];
	u64 uid;

	aml_device_begin(a, dev_name(vm, i, buf));
	aml_name_begin(a, "_HID");
	aml_hid(a, d->hid);
	if (d->uid) {
		aml_name_begin(a, "_UID");
		if (uid_is_number(d->uid, &uid))
			aml_integer(a, uid);
		else
			aml_string(a, d->uid);
	}
	aml_name_begin(a, "_CRS");
	aml_restemplate_begin(a);
	for (unsigned j = 0; j < d->nr_mmio; j++)
		res_mem(a, d->mmio[j].base, d->mmio[j].size);
	for (unsigned j = 0; j < d->nr_io; j++)
		aml_res_io(a, (u16)d->io[j].base, (u16)d->io[j].base, 1, (u8)d->io[j].size);
	for (unsigned j = 0; j < d->nr_irqs; j++)
		aml_res_ext_irq(a, d->irq[j].flags, d->irq[j].gsi);
	aml_restemplate_end(a);
	aml_device_end(a);
}

static void emit_sleep_state(struct aml *a, const char *name, u8 slp_typ)
{
	aml_name_begin(a, name);
	aml_package_begin(a, 4);
	aml_integer(a, slp_typ);
	aml_integer(a, slp_typ);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_close(a);
}

int vacpi_build_dsdt(struct vacpi_out *o, const struct vacpi_vm *vm)
{
	size_t at = vacpi_sdt_begin(o, "DSDT", DSDT_REVISION);
	struct aml a;

	aml_init(&a, o);
	/*
	 * \_Sx: SLP_TYPa, SLP_TYPb, reserved, reserved. _S0 (SLP_TYP 0, never
	 * with SLP_EN) only keeps ACPICA's wake path from failing on its lookup.
	 */
	emit_sleep_state(&a, "_S0_", 0);
	emit_sleep_state(&a, "_S5_", vm->pm.s5_slp_typ);

	aml_scope_begin(&a, "\\_SB_");
	if (vm->pci.present)
		emit_pci(&a, vm);
	if (vm->com1.present)
		emit_com1(&a, vm);
	if (vm->rtc.present)
		emit_rtc(&a, vm);
	for (unsigned i = 0; i < vm->nr_devs; i++)
		emit_dev(&a, vm, i);
	aml_scope_end(&a);
	vacpi_sdt_end(o, at);
	return a.error || a.depth || a.in_res ? -EINVAL : 0;
}
