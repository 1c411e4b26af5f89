/*
 * Unit tests for the vACPI table builders (dm/vacpi/): tables built for
 * several VM shapes, their key fields checked in C; bad descriptions,
 * placements and short buffers rejected. test_vacpi_iasl.c disassembles
 * the same shapes with iasl.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vacpi.h"
#include "acpi.h"
#include "errno.h"
#include "vacpi_shapes.h"

static const struct acpi_sdt_header *sdt(u64 gpa, const char *sig)
{
	const struct acpi_sdt_header *h = (const void *)at(gpa);

	assert_memory_equal(h->signature, sig, 4);
	assert_true(h->length >= 36);
	assert_int_equal(acpi_checksum(h, h->length), 0);
	assert_memory_equal(h->oem_id, "BHEAD ", 6);
	assert_memory_equal(h->oem_table_id, "BULKHEAD", 8);
	assert_true(IS_ALIGNED(gpa, 8));
	return h;
}


static void check_rsdp(const struct vacpi_layout *l)
{
	const u8 *r = at(l->rsdp);

	assert_int_equal(l->rsdp, GPA);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(acpi_checksum(r, 20), 0);
	assert_int_equal(acpi_checksum(r, 36), 0);
	assert_memory_equal(r + 9, "BHEAD ", 6);
	assert_int_equal(r[15], 2);
	assert_int_equal(rd32(r + 16), l->rsdt);
	assert_int_equal(rd32(r + 20), 36);
	assert_int_equal(rd64(r + 24), l->xsdt);
}

/* What Linux does without boot_params.acpi_rsdp_addr: scan 0xE0000-0xFFFFF. */
static u64 scan_for_rsdp(void)
{
	for (u64 g = VACPI_BIOS_GPA; g < VACPI_BIOS_END; g += 16) {
		const u8 *p = buf + (g - GPA);

		if (!memcmp(p, "RSD PTR ", 8) && !acpi_checksum(p, 20) &&
		    (p[15] < 2 || !acpi_checksum(p, rd32(p + 20))))
			return g;
	}
	return 0;
}

static void check_root_tables(const struct vacpi_vm *vm, const struct vacpi_layout *l)
{
	const struct acpi_sdt_header *x = sdt(l->xsdt, "XSDT");
	const struct acpi_sdt_header *r = sdt(l->rsdt, "RSDT");
	u64 want[4] = { l->fadt, l->madt };
	unsigned n = 2;

	if (vm->pci.present)
		want[n++] = l->mcfg;
	if (vm->hpet.present)
		want[n++] = l->hpet;

	assert_int_equal(x->length, 36 + 8 * n);
	assert_int_equal(r->length, 36 + 4 * n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(rd64((const u8 *)x + 36 + 8 * i), want[i]);
		assert_int_equal(rd32((const u8 *)r + 36 + 4 * i), want[i]);
	}
	assert_int_equal(vm->pci.present, l->mcfg != 0);
	assert_int_equal(vm->hpet.present, l->hpet != 0);
}

static void check_gas_io(const u8 *g, u8 bits, u8 access, u16 port)
{
	assert_int_equal(g[0], 1);		/* SystemIO */
	assert_int_equal(g[1], bits);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], access);
	assert_int_equal(rd64(g + 4), port);
}

static void check_fadt(const struct vacpi_layout *l)
{
	const u8 *f = (const u8 *)sdt(l->fadt, "FACP");
	u32 flags = rd32(f + 112);

	assert_int_equal(rd32(f + 4), 276);
	assert_int_equal(f[8], 6);			/* revision */
	assert_int_equal(f[131], 3);			/* minor: ACPI 6.3 */
	assert_int_equal(rd32(f + 36), l->facs);	/* FIRMWARE_CTRL */
	assert_int_equal(rd64(f + 132), 0);		/* X_FIRMWARE_CTRL */
	assert_int_equal(rd32(f + 40), l->dsdt);
	assert_int_equal(rd64(f + 140), l->dsdt);
	assert_int_equal(rd16(f + 46), 9);		/* SCI */
	assert_int_equal(rd32(f + 48), 0);		/* SMI_CMD: always ACPI mode */
	assert_int_equal(rd32(f + 56), 0x400);		/* PM1a_EVT_BLK */
	assert_int_equal(f[88], 4);
	assert_int_equal(rd32(f + 64), 0x404);		/* PM1a_CNT_BLK */
	assert_int_equal(f[89], 2);
	assert_int_equal(rd32(f + 76), 0);		/* no PM timer */
	assert_int_equal(f[91], 0);
	assert_int_equal(rd32(f + 80), 0);		/* no GPE0 */
	assert_int_equal(f[92], 0);
	assert_int_equal(rd16(f + 109), 0x34);		/* no VGA, ASPM, no CMOS RTC; no 8042 */
	assert_true(flags & BIT(10));			/* RESET_REG_SUP */
	assert_false(flags & BIT(20));			/* not HW_REDUCED_ACPI */
	assert_true(flags & BIT(4));			/* no fixed power button */
	check_gas_io(f + 116, 8, 1, 0xCF9);		/* RESET_REG */
	assert_int_equal(f[128], 6);
	check_gas_io(f + 148, 32, 2, 0x400);		/* X_PM1a_EVT_BLK */
	check_gas_io(f + 172, 16, 2, 0x404);		/* X_PM1a_CNT_BLK */
	for (int o = 244; o < 268; o++)			/* no SLEEP_CONTROL/STATUS */
		assert_int_equal(f[o], 0);
}

static void check_facs(const struct vacpi_layout *l)
{
	const u8 *f = at(l->facs);

	assert_true(IS_ALIGNED(l->facs, 64));
	assert_memory_equal(f, "FACS", 4);
	assert_int_equal(rd32(f + 4), 64);
	assert_int_equal(f[32], 2);
}

static void check_madt(const struct vacpi_vm *vm, const struct vacpi_layout *l)
{
	const struct acpi_sdt_header *h = sdt(l->madt, "APIC");
	const u8 *m = (const u8 *)h, *p;
	unsigned nlapic = 0, nioapic = 0, niso = 0, nnmi = 0, nother = 0;
	u32 ids[VACPI_MAX_VCPUS + 1];

	assert_int_equal(rd32(m + 36), 0xFEE00000);
	assert_int_equal(rd32(m + 40), 0);		/* no PCAT_COMPAT */
	assert_int_equal(h->length, 44 + 8 * vm->nr_vcpus + 12 + 10 * (1 + vm->hpet.present) + 6);
	for (p = m + 44; p < m + h->length; p += p[1]) {
		assert_true(p[1] >= 2);
		switch (p[0]) {
		case 0:
			assert_int_equal(p[1], 8);
			assert_int_equal(p[2], nlapic);		/* UID */
			assert_int_equal(p[3], nlapic);		/* APIC id */
			assert_int_equal(rd32(p + 4), 1);	/* enabled */
			nlapic++;
			break;
		case 1:
			assert_int_equal(p[1], 12);
			assert_int_equal(p[2], vm->ioapic.id);
			assert_int_equal(rd32(p + 4), 0xFEC00000);
			assert_int_equal(rd32(p + 8), 0);
			nioapic++;
			break;
		case 2:
			assert_int_equal(p[1], 10);
			assert_int_equal(p[2], 0);
			if (p[3] == 0) {	/* the HPET's IRQ 0: GSI 2, as the bus says */
				assert_true(vm->hpet.present);
				assert_int_equal(rd32(p + 4), 2);
				assert_int_equal(rd16(p + 8), 0);
			} else {		/* SCI: ISA IRQ 9 = GSI 9, level, active high */
				assert_int_equal(p[3], 9);
				assert_int_equal(rd32(p + 4), 9);
				assert_int_equal(rd16(p + 8), 0x000D);
			}
			niso++;
			break;
		case 4:
			assert_int_equal(p[1], 6);
			assert_int_equal(p[2], 0xFF);		/* all processors */
			assert_int_equal(p[5], 1);		/* LINT1 */
			nnmi++;
			break;
		default:
			nother++;
		}
	}
	assert_ptr_equal(p, m + h->length);
	assert_int_equal(nlapic, vm->nr_vcpus);
	assert_int_equal(nioapic, 1);
	assert_int_equal(niso, 1 + vm->hpet.present);
	assert_int_equal(nnmi, 1);
	assert_int_equal(nother, 0);

	/* the hypervisor's own MADT parser agrees */
	assert_int_equal(acpi_madt_cpus(h, ids, ARRAY_SIZE(ids)), (int)vm->nr_vcpus);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		assert_int_equal(ids[i], i);
}

static void check_mcfg(const struct vacpi_vm *vm, const struct vacpi_layout *l)
{
	const u8 *m;

	if (!vm->pci.present)
		return;
	m = (const u8 *)sdt(l->mcfg, "MCFG");
	assert_int_equal(rd32(m + 4), 60);
	assert_int_equal(rd64(m + 36), 0);
	assert_int_equal(rd64(m + 44), 0xE0000000);
	assert_int_equal(rd16(m + 52), 0);
	assert_int_equal(m[54], 0);
	assert_int_equal(m[55], vm->pci.bus_end);
}

static void check_hpet(const struct vacpi_vm *vm, const struct vacpi_layout *l)
{
	const u8 *h;

	if (!vm->hpet.present)
		return;
	h = (const u8 *)sdt(l->hpet, "HPET");
	assert_int_equal(rd32(h + 4), 56);
	assert_int_equal(rd32(h + 36), vm->hpet.block_id);
	assert_int_equal(h[40], 0);			/* system memory */
	assert_int_equal(h[41], 64);
	assert_int_equal(rd64(h + 44), vm->hpet.base);
	assert_int_equal(h[52], 0);			/* HPET number */
	assert_int_equal(rd16(h + 53), vm->hpet.min_tick);
	assert_int_equal(h[55], 1);			/* 4 KiB page protection */
}

static void check_dsdt(const struct vacpi_layout *l)
{
	const struct acpi_sdt_header *h = sdt(l->dsdt, "DSDT");
	static const u8 sx[] = { 0x08, '_', 'S', '0', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
				 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x05,
				 0x00, 0x00 };

	assert_int_equal(h->revision, 2);
	assert_memory_equal((const u8 *)h + 36, sx, sizeof(sx));	/* \_S0, \_S5 first */
	assert_int_equal(l->end, l->dsdt + h->length);
}

/*
 * Tables lie one after another inside [GPA, end) without overlapping; the
 * bytes up to vacpi_size() are zero and nothing past it was written.
 */
static void check_placement(const struct vacpi_layout *l, int len, int need)
{
	u64 order[] = { l->rsdp, l->xsdt, l->rsdt, l->fadt, l->facs, l->madt, l->mcfg, l->dsdt };
	u64 prev_end = GPA;

	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		u64 g = order[i];
		u32 n;

		if (!g)
			continue;	/* no MCFG */
		n = i == 0 ? 36 : rd32(at(g) + 4);
		assert_true(g >= prev_end);
		prev_end = g + n;
	}
	assert_int_equal(prev_end, l->end);
	assert_int_equal(l->end, GPA + (u64)len);
	assert_true(need >= len && need - len < 32);
	for (int i = len; i < need; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[need], 0xA5);
}

static void check_shape(enum shape s)
{
	struct vacpi_vm vm;
	struct vacpi_layout l;
	int len;

	make_vm(&vm, s);
	len = build(&vm, &l);
	assert_true(len > 0);
	check_rsdp(&l);
	assert_int_equal(scan_for_rsdp(), GPA);
	check_root_tables(&vm, &l);
	check_fadt(&l);
	check_facs(&l);
	check_madt(&vm, &l);
	check_mcfg(&vm, &l);
	check_hpet(&vm, &l);
	check_dsdt(&l);
	check_placement(&l, len, vacpi_size(&vm, GPA));
}

static void test_one_cpu_bare(void **state) { (void)state; check_shape(ONE_CPU_BARE); }
static void test_four_cpu_hpet(void **state) { (void)state; check_shape(FOUR_CPU_HPET); }
static void test_four_cpu_two_devs(void **state) { (void)state; check_shape(FOUR_CPU_TWO_DEVS); }
static void test_no_pci_no_uart(void **state) { (void)state; check_shape(NO_PCI_NO_UART); }

/* Every limit at once: multi-byte PkgLengths, 64 LAPICs, a 128-entry _PRT. */
static void test_max_shape(void **state)
{
	struct vacpi_layout l;
	struct vacpi_vm vm;
	const u8 *d;

	(void)state;
	check_shape(MAX_SHAPE);
	make_vm(&vm, MAX_SHAPE);
	assert_true(build(&vm, &l) > 0);
	d = at(l.dsdt);
	/* after \_S0 and \_S5 comes Scope(\_SB), over 4 KiB: a 3-byte PkgLength */
	d += 36 + 26;
	assert_true(rd32(at(l.dsdt) + 4) > 0x1000);
	assert_int_equal(d[0], 0x10);
	assert_int_equal(d[1] >> 6, 2);
	assert_int_equal((d[1] & 0xF) | d[2] << 4 | d[3] << 12, rd32(at(l.dsdt) + 4) - 36 - 26 - 1);
}

static void test_defaults(void **state)
{
	struct vacpi_vm vm;

	(void)state;
	memset(&vm, 0x5A, sizeof(vm));
	vacpi_vm_defaults(&vm, 3);
	assert_int_equal(vm.nr_vcpus, 3);
	assert_int_equal(vm.lapic_addr, 0xFEE00000);
	assert_int_equal(vm.ioapic.addr, 0xFEC00000);
	assert_int_equal(vm.ioapic.gsi_base, 0);
	assert_int_equal(vm.ioapic.nr_pins, 24);
	assert_true(vm.pci.present);
	assert_int_equal(vm.pci.ecam_base, 0xE0000000);
	assert_int_equal(vm.pci.bus_start, 0);
	assert_int_equal(vm.pci.bus_end, 0);
	assert_int_equal(vm.pci.nr_prt, 0);
	assert_int_equal(vm.pci.mmio64.size, 0);
	assert_true(vm.com1.present);
	assert_int_equal(vm.com1.port, 0x3F8);
	assert_int_equal(vm.com1.irq, 4);
	assert_int_equal(vm.nr_devs, 0);
	assert_null(vm.devs);
	assert_int_equal(vm.pm.pm1a_cnt_port, 0x404);
	assert_int_equal(vm.pm.pm1a_evt_port, 0x400);
	assert_int_equal(vm.pm.s5_slp_typ, 5);
	assert_int_equal(vm.pm.reset_port, 0xCF9);
	assert_int_equal(vm.pm.reset_value, 6);
	assert_int_equal(vm.pm.sci_irq, 9);
}

/* Tables built for another address point there, and only the pointers move. */
static void test_other_gpa(void **state)
{
	struct vacpi_vm vm;
	struct vacpi_layout l1, l2;
	static u8 b2[BUFSZ];
	int n1, n2;
	const u64 gpa2 = 0x7FF00010ULL;		/* e.g. a reserved e820 range; 16-aligned */

	(void)state;
	make_vm(&vm, FOUR_CPU_HPET);
	n1 = build(&vm, &l1);
	n2 = vacpi_build(&vm, gpa2, b2, sizeof(b2), &l2);
	assert_true(n1 > 0 && n2 > 0);
	assert_int_equal(l2.rsdp, gpa2);
	assert_true(IS_ALIGNED(l2.facs, 64));
	assert_int_equal(rd64(b2 + 24), l2.xsdt);
	assert_int_equal(rd32(b2 + (l2.fadt - gpa2) + 40), l2.dsdt);
	/* the DSDT has no pointers: identical bytes */
	assert_int_equal(l1.end - l1.dsdt, l2.end - l2.dsdt);
	assert_memory_equal(at(l1.dsdt), b2 + (l2.dsdt - gpa2), l1.end - l1.dsdt);
}

static void test_buffer_too_small(void **state)
{
	struct vacpi_vm vm;
	int need, len;

	(void)state;
	make_vm(&vm, FOUR_CPU_TWO_DEVS);
	need = vacpi_size(&vm, GPA);
	len = build(&vm, NULL);
	assert_true(need > 0 && len > 0 && len <= need);
	/* exact-size heap buffers: ASan catches any write past them */
	for (size_t size = 0; size <= (size_t)need;
	     size += (size < 64 || size + 40 > (size_t)need) ? 1 : 97) {
		u8 *b = malloc(size ? size : 1);

		assert_non_null(b);
		memset(b, 0xA5, size ? size : 1);
		assert_int_equal(vacpi_build(&vm, GPA, b, size, NULL),
				 size == (size_t)need ? len : -ENOSPC);
		if (size < (size_t)need)
			for (size_t i = 0; i < size; i++)
				assert_int_equal(b[i], 0xA5);	/* untouched */
		else
			assert_memory_equal(b, buf, size);
		free(b);
	}
	assert_int_equal(vacpi_build(&vm, GPA, NULL, 0, NULL), -ENOSPC);
	assert_int_equal(vacpi_build(&vm, GPA, NULL, 4096, NULL), -ENOSPC);
}

/* Break one thing in a valid VM; false when @i is past the last case. */
static bool break_vm(unsigned i, struct vacpi_vm *v, struct vacpi_mmio_dev *d,
		     struct vacpi_prt_entry *p)
{
	switch (i) {
	case 0: v->devs = NULL; break;
	case 1: v->nr_vcpus = 0; break;
	case 2: v->nr_vcpus = VACPI_MAX_VCPUS + 1; break;
	case 3: v->ioapic.nr_pins = 0; break;
	case 4: v->ioapic.addr = 0; break;
	case 5: p[1].dev = 32; break;
	case 6: p[0].pin = 4; break;
	case 7: p[1].gsi = 24; break;			/* past the 24 pins */
	case 8: p[1].pin = p[0].pin; break;		/* one pin routed twice */
	case 9: v->pci.prt = NULL; break;
	case 10: v->pci.nr_prt = VACPI_MAX_PRT + 1; break;
	case 11: v->pci.bus_start = 2; v->pci.bus_end = 1; break;
	case 12: v->pci.ecam_base = 0xE0080000; break;	/* not 1 MiB aligned */
	case 13: v->pci.mmio32.base = 0xF0000000; v->pci.mmio32.size = 0x20000000; break;
	case 14: v->pci.mmio64.base = 0x80000000; v->pci.mmio64.size = 0x1000; break;
	case 15: v->com1.irq = 16; break;
	case 16: v->pm.s5_slp_typ = 8; break;
	case 17: v->pm.pm1a_evt_port = 0x402; break;	/* overlaps PM1a_CNT */
	case 18: v->pm.pm1a_cnt_port = 0; break;
	case 19: v->pm.sci_irq = 16; break;		/* not an ISA IRQ */
	case 20: d[0].hid = "PNP010"; break;
	case 21: d[0].hid = "pnp0103"; break;
	case 22: d[1].hid = "INTC102G"; break;
	case 23: d[1].hid = NULL; break;
	case 24: d[0].name = "hpet"; break;
	case 25: d[0].name = "HPET0"; break;
	case 26: d[0].name = "_HPT"; break;		/* '_' names are the spec's */
	case 27: d[0].name = "PCI0"; break;
	case 28: d[0].name = "DV01"; break;		/* device 1 is auto-named DV01 */
	case 29: d[0].nr_mmio = VACPI_DEV_MAX_MMIO + 1; break;
	case 30: d[0].mmio[0].size = 0; break;
	case 31: d[1].mmio[1].base = ~0ULL - 0xFFF; break;	/* wraps */
	case 32: d[1].nr_irqs = VACPI_DEV_MAX_IRQS + 1; break;
	case 33: d[1].irq[1].gsi = 24; break;
	case 34: d[1].irq[0].flags = 0x80; break;
	case 35: v->nr_devs = VACPI_MAX_DEVS + 1; break;
	case 36: v->lapic_addr = 0; break;
	case 37: v->pm.reset_port = 0; break;
	case 38: v->ioapic.nr_pins = 241; break;
	case 39: d[1].nr_io = VACPI_DEV_MAX_IO + 1; break;
	case 40: d[1].io[0].size = 0; break;
	case 41: d[1].io[0].size = 0x100; break;	/* IO descriptor length is a byte */
	case 42: d[1].io[0].base = 0xFFF9; break;	/* past port 0xFFFF */
	case 43: d[1].uid = ""; break;
	case 44: d[1].uid = "a\nb"; break;
	case 45: d[1].hid = "PNP0103"; d[1].uid = "00"; break;	/* the HPET's id again */
	case 46: d[0].hid = "PNP0501"; d[0].uid = "1"; break;	/* COM1's id */
	case 47: d[0].hid = "PNP0A08"; break;			/* PCI0's id */
	case 48: v->rtc.irq = 16; break;			/* not an ISA IRQ */
	case 49: v->hpet.present = true; v->hpet.base = 0; break;
	case 50: v->hpet.present = true; v->hpet.base = 0xFED00000; v->ioapic.nr_pins = 2; break;
	default: return false;
	}
	return true;
}

static void test_invalid_vm(void **state)
{
	struct vacpi_mmio_dev devs[ARRAY_SIZE(two_devs)];
	struct vacpi_prt_entry prt[ARRAY_SIZE(prt4)];
	struct vacpi_vm vm;
	unsigned i;

	(void)state;
	for (i = 0;; i++) {
		make_vm(&vm, FOUR_CPU_TWO_DEVS);
		memcpy(devs, two_devs, sizeof(devs));
		memcpy(prt, prt4, sizeof(prt));
		vm.devs = devs;
		vm.pci.prt = prt;
		assert_true(build(&vm, NULL) > 0);	/* the unbroken VM is fine */
		if (!break_vm(i, &vm, devs, prt))
			break;
		memset(buf, 0xA5, BUFSZ);
		if (vacpi_build(&vm, GPA, buf, BUFSZ, NULL) != -EINVAL)
			fail_msg("broken VM %u accepted", i);
		assert_int_equal(vacpi_size(&vm, GPA), -EINVAL);
		for (unsigned j = 0; j < BUFSZ; j++)
			if (buf[j] != 0xA5)
				fail_msg("broken VM %u: byte %u written", i, j);
	}
	assert_int_equal(i, 51);
	assert_int_equal(vacpi_build(NULL, GPA, buf, BUFSZ, NULL), -EINVAL);
}

static void test_invalid_gpa(void **state)
{
	struct vacpi_vm vm;
	int need;

	(void)state;
	make_vm(&vm, ONE_CPU_BARE);
	assert_int_equal(vacpi_build(&vm, GPA + 8, buf, BUFSZ, NULL), -EINVAL);
	assert_int_equal(vacpi_build(&vm, 0x100000000ULL, buf, BUFSZ, NULL), -EINVAL);
	need = vacpi_size(&vm, GPA);
	/* must end at or below 4 GiB: 32-bit pointers */
	assert_int_equal(vacpi_size(&vm, ALIGN_DOWN(0x100000000ULL - (u64)need, 64)), need);
	assert_int_equal(vacpi_size(&vm, 0x100000000ULL - 16), -EINVAL);
}

static int setup_buf(void **state)
{
	(void)state;
	buf = malloc(BUFSZ + 1);
	return buf ? 0 : -1;
}

static int teardown_buf(void **state)
{
	(void)state;
	free(buf);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cpu_bare),
		cmocka_unit_test(test_four_cpu_hpet),
		cmocka_unit_test(test_four_cpu_two_devs),
		cmocka_unit_test(test_no_pci_no_uart),
		cmocka_unit_test(test_max_shape),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_other_gpa),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_invalid_vm),
		cmocka_unit_test(test_invalid_gpa),
	};

	return cmocka_run_group_tests(tests, setup_buf, teardown_buf);
}
