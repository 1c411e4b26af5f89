/*
 * VM shapes and table readers shared by test_vacpi.c and test_vacpi_iasl.c.
 * Include after <cmocka.h>; defines static data, one copy per test binary.
 */
#ifndef TEST_VACPI_SHAPES_H
#define TEST_VACPI_SHAPES_H

#include <stdio.h>
#include "vacpi.h"
#include "acpi.h"

#define GPA 0xE0000ULL
#define BUFSZ 0x20000		/* the whole 0xE0000-0xFFFFF area */

static u8 *buf;			/* BUFSZ + 1 bytes, tables for GPA */

static const struct vacpi_prt_entry prt2[] = {
	{ .dev = 3, .pin = 0, .gsi = 16 },
	{ .dev = 3, .pin = 1, .gsi = 17 },
};

static const struct vacpi_prt_entry prt4[] = {
	{ .dev = 1, .pin = 0, .gsi = 16 },
	{ .dev = 1, .pin = 1, .gsi = 17 },
	{ .dev = 2, .pin = 0, .gsi = 18 },
	{ .dev = 31, .pin = 3, .gsi = 23 },
};

static const struct vacpi_mmio_dev hpet = {
	.name = "HPET", .hid = "PNP0103", .uid = "0",
	.nr_mmio = 1, .mmio = { { 0xFED00000, 0x400 } },
};

static const struct vacpi_mmio_dev two_devs[] = {
	{ .name = "HPET", .hid = "PNP0103", .uid = "0",
	  .nr_mmio = 1, .mmio = { { 0xFED00000, 0x400 } } },
	{ .name = NULL, .hid = "INTC1020", .uid = "7",	/* auto-named DV01 */
	  .nr_mmio = 2, .mmio = { { 0xFE010000, 0x1000 }, { 0x500000000ULL, 0x2000 } },
	  .nr_io = 1, .io = { { 0x2F8, 8 } },
	  .nr_irqs = 2, .irq = { { 20, VACPI_IRQ_LEVEL | VACPI_IRQ_ACTIVE_LOW | VACPI_IRQ_SHARED },
				 { 5, 0 } } },
};

/* every limit at once: filled by make_vm() */
static struct vacpi_prt_entry prt_max[VACPI_MAX_PRT];
static struct vacpi_mmio_dev devs_max[VACPI_MAX_DEVS];
static char uids_max[VACPI_MAX_DEVS][24];

enum shape {
	ONE_CPU_BARE,		/* 1 vCPU, bus 0, no INTx, no devices */
	FOUR_CPU_HPET,		/* 4 vCPUs, 2 INTx routes, the HPET */
	FOUR_CPU_TWO_DEVS,	/* buses 0..3, 64-bit window, 4 routes, 2 devices, the RTC */
	NO_PCI_NO_UART,		/* 2 vCPUs, nothing but CPUs and the IOAPIC */
	MAX_SHAPE,		/* 64 vCPUs, 128 routes, 16 devices with 4+2+4 resources */
	NR_SHAPES
};

static void make_max(struct vacpi_vm *vm)
{
	vacpi_vm_defaults(vm, VACPI_MAX_VCPUS);
	vm->pci.bus_end = 255;
	for (unsigned i = 0; i < VACPI_MAX_PRT; i++)
		prt_max[i] = (struct vacpi_prt_entry){ .dev = (u8)(i / 4), .pin = (u8)(i % 4),
						       .gsi = 16 + (i + i / 4) % 8 };
	vm->pci.nr_prt = VACPI_MAX_PRT;
	vm->pci.prt = prt_max;
	for (unsigned i = 0; i < VACPI_MAX_DEVS; i++) {
		struct vacpi_mmio_dev *d = &devs_max[i];

		/* strings, a 19-digit Integer, 20 digits (too big: a String) */
		if (i % 3 == 0)
			snprintf(uids_max[i], sizeof(uids_max[i]), "UART-%u", i);
		else if (i % 3 == 1)
			snprintf(uids_max[i], sizeof(uids_max[i]), "%llu", 9223372036854775807ULL - i);
		else
			snprintf(uids_max[i], sizeof(uids_max[i]), "1844674407370955161%u", i % 10);

		*d = (struct vacpi_mmio_dev){ .hid = i % 2 ? "PNP0C0F" : "ABCD00F1",
					      .uid = uids_max[i],
					      .nr_mmio = VACPI_DEV_MAX_MMIO,
					      .nr_io = VACPI_DEV_MAX_IO,
					      .io = { { 0x1000 + i * 0x100, 0xFF },
						      { 0xFF00, 0x100 - 0x1 } },
					      .nr_irqs = VACPI_DEV_MAX_IRQS };
		for (unsigned j = 0; j < VACPI_DEV_MAX_MMIO; j++) {
			d->mmio[j].base = (j % 2 ? 0x1000000000ULL : 0xF0000000ULL) +
					  (u64)(i * 4 + j) * 0x10000;
			d->mmio[j].size = 0x1000;
			d->irq[j].gsi = (u32)(j * 6 + i % 6);
			d->irq[j].flags = (u8)(j & 7);
		}
	}
	vm->nr_devs = VACPI_MAX_DEVS;
	vm->devs = devs_max;
}

static void make_vm(struct vacpi_vm *vm, enum shape s)
{
	switch (s) {
	case ONE_CPU_BARE:
		vacpi_vm_defaults(vm, 1);
		break;
	case FOUR_CPU_HPET:
		vacpi_vm_defaults(vm, 4);
		vm->pci.nr_prt = ARRAY_SIZE(prt2);
		vm->pci.prt = prt2;
		vm->nr_devs = 1;
		vm->devs = &hpet;
		/* its lines routed to it: the HPET table too */
		vm->hpet.present = true;
		vm->hpet.base = 0xFED00000;
		vm->hpet.block_id = 0x8086A201;
		vm->hpet.min_tick = 0x80;
		break;
	case FOUR_CPU_TWO_DEVS:
		vacpi_vm_defaults(vm, 4);
		vm->ioapic.id = 2;
		vm->pci.bus_end = 3;
		vm->pci.mmio64.base = 0x4000000000ULL;
		vm->pci.mmio64.size = 0x4000000000ULL;
		vm->pci.nr_prt = ARRAY_SIZE(prt4);
		vm->pci.prt = prt4;
		vm->nr_devs = ARRAY_SIZE(two_devs);
		vm->devs = two_devs;
		vm->rtc.present = true;
		vm->rtc.irq = 8;
		break;
	case NO_PCI_NO_UART:
		vacpi_vm_defaults(vm, 2);
		vm->pci.present = false;
		vm->com1.present = false;
		break;
	case MAX_SHAPE:
		make_max(vm);
		break;
	default:
		fail();
	}
}

static u8 *at(u64 gpa)
{
	assert_true(gpa >= GPA && gpa < GPA + BUFSZ);
	return buf + (gpa - GPA);
}

static inline u16 rd16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static inline u32 rd32(const u8 *p) { return rd16(p) | (u32)rd16(p + 2) << 16; }
static inline u64 rd64(const u8 *p) { return rd32(p) | (u64)rd32(p + 4) << 32; }

/* Build for GPA into a buffer filled with 0xA5 (to see what was written). */
static int build(const struct vacpi_vm *vm, struct vacpi_layout *lay)
{
	memset(buf, 0xA5, BUFSZ + 1);
	return vacpi_build(vm, GPA, buf, BUFSZ, lay);
}

#endif
