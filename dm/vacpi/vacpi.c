/*
 * vACPI entry points: check the VM description, lay the tables out in the
 * caller's buffer and run the table builders. Also the output cursor and
 * SDT header helpers the builders share.
 */
#include "lib.h"
#include "acpi.h"
#include "vacpi.h"

#define GIB4 0x100000000ULL

void vacpi_out_init(struct vacpi_out *o, void *buf, size_t cap)
{
	o->buf = buf;
	o->cap = buf ? cap : 0;
	o->len = 0;
	o->peak = 0;
	o->overflow = false;
}

void vacpi_putn(struct vacpi_out *o, const void *p, size_t n)
{
	if (!n)
		return;
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
	} else {
		memcpy(o->buf + o->len, p, n);
	}
	o->len += n;
	o->peak = MAX(o->peak, o->len);
}

void vacpi_put8(struct vacpi_out *o, u8 v)
{
	vacpi_putn(o, &v, 1);
}

/* Little-endian by construction, whatever the host. */
void vacpi_put16(struct vacpi_out *o, u16 v)
{
	u8 b[2] = { (u8)v, (u8)(v >> 8) };

	vacpi_putn(o, b, 2);
}

void vacpi_put32(struct vacpi_out *o, u32 v)
{
	vacpi_put16(o, (u16)v);
	vacpi_put16(o, (u16)(v >> 16));
}

void vacpi_put64(struct vacpi_out *o, u64 v)
{
	vacpi_put32(o, (u32)v);
	vacpi_put32(o, (u32)(v >> 32));
}

u8 *vacpi_reserve(struct vacpi_out *o, size_t n)
{
	size_t at = o->len;

	if (!n)
		return NULL;
	o->len += n;
	o->peak = MAX(o->peak, o->len);
	if (o->overflow || n > o->cap - at) {
		o->overflow = true;
		return NULL;
	}
	memset(o->buf + at, 0, n);
	return o->buf + at;
}

void vacpi_align(struct vacpi_out *o, u64 base, size_t align)
{
	u64 at = base + o->len;

	vacpi_reserve(o, (size_t)(ALIGN_UP(at, align) - at));
}

size_t vacpi_sdt_begin(struct vacpi_out *o, const char sig[4], u8 rev)
{
	size_t at = o->len;
	struct acpi_sdt_header *h = (void *)vacpi_reserve(o, sizeof(*h));

	if (h) {
		memcpy(h->signature, sig, 4);
		h->revision = rev;
		memcpy(h->oem_id, VACPI_OEM_ID, 6);
		memcpy(h->oem_table_id, VACPI_OEM_TABLE_ID, 8);
		h->oem_revision = 1;
		memcpy(&h->creator_id, "BHVM", 4);
		h->creator_revision = 1;
	}
	return at;
}

void vacpi_sdt_end(struct vacpi_out *o, size_t hdr_off)
{
	struct acpi_sdt_header *h;

	if (o->overflow)
		return;
	h = (void *)(o->buf + hdr_off);
	h->length = (u32)(o->len - hdr_off);
	h->checksum = 0;
	h->checksum = (u8)-acpi_checksum(h, h->length);
}

void vacpi_vm_defaults(struct vacpi_vm *vm, unsigned nr_vcpus)
{
	memset(vm, 0, sizeof(*vm));
	vm->nr_vcpus = nr_vcpus;
	vm->lapic_addr = 0xFEE00000;
	vm->ioapic.id = 0;
	vm->ioapic.addr = 0xFEC00000;
	vm->ioapic.gsi_base = 0;
	vm->ioapic.nr_pins = 24;
	vm->pci.present = true;
	vm->pci.ecam_base = 0xE0000000;
	vm->pci.mmio32.base = 0xC0000000;
	vm->pci.mmio32.size = 0x20000000;
	vm->com1.present = true;
	vm->com1.port = 0x3F8;
	vm->com1.irq = 4;
	vm->rtc.port = 0x70;
	vm->pm.sci_irq = 9;
	vm->pm.pm1a_evt_port = 0x400;
	vm->pm.pm1a_cnt_port = 0x404;
	vm->pm.s5_slp_typ = 5;
	vm->pm.reset_port = 0xCF9;
	vm->pm.reset_value = 6;
}

static bool range_ok(const struct vacpi_range *r, u64 limit)
{
	return r->base + r->size >= r->base && r->base + r->size <= limit;
}

static bool gsi_ok(const struct vacpi_vm *vm, u32 gsi)
{
	return gsi >= vm->ioapic.gsi_base && gsi - vm->ioapic.gsi_base < vm->ioapic.nr_pins;
}

static int check_pci(const struct vacpi_vm *vm)
{
	const typeof(vm->pci) *p = &vm->pci;
	u64 ecam_end = p->ecam_base + ((u64)(p->bus_end + 1) << 20);

	if (p->bus_start > p->bus_end || !IS_ALIGNED(p->ecam_base, 1ULL << 20) ||
	    ecam_end < p->ecam_base || !p->ecam_base)
		return -EINVAL;
	if (!range_ok(&p->mmio32, GIB4) || !range_ok(&p->mmio64, ~0ULL) ||
	    (p->mmio64.size && p->mmio64.base < GIB4))
		return -EINVAL;
	if (p->nr_prt > VACPI_MAX_PRT || (p->nr_prt && !p->prt))
		return -EINVAL;
	for (unsigned i = 0; i < p->nr_prt; i++) {
		const struct vacpi_prt_entry *e = &p->prt[i];

		if (e->dev > 31 || e->pin > 3 || !gsi_ok(vm, e->gsi))
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (p->prt[j].dev == e->dev && p->prt[j].pin == e->pin)
				return -EINVAL;	/* one route per pin */
	}
	return 0;
}

static int check_devs(const struct vacpi_vm *vm)
{
	if (vm->nr_devs > VACPI_MAX_DEVS || (vm->nr_devs && !vm->devs))
		return -EINVAL;
	for (unsigned i = 0; i < vm->nr_devs; i++) {
		const struct vacpi_mmio_dev *d = &vm->devs[i];

		if (d->nr_mmio > VACPI_DEV_MAX_MMIO || d->nr_io > VACPI_DEV_MAX_IO ||
		    d->nr_irqs > VACPI_DEV_MAX_IRQS)
			return -EINVAL;
		for (unsigned j = 0; j < d->nr_mmio; j++)
			if (!d->mmio[j].size || !range_ok(&d->mmio[j], ~0ULL))
				return -EINVAL;
		for (unsigned j = 0; j < d->nr_io; j++)
			if (!d->io[j].size || d->io[j].size > 0xFF || !range_ok(&d->io[j], 0x10000))
				return -EINVAL;
		for (unsigned j = 0; j < d->nr_irqs; j++)
			if (!gsi_ok(vm, d->irq[j].gsi) ||
			    (d->irq[j].flags & ~(VACPI_IRQ_LEVEL | VACPI_IRQ_ACTIVE_LOW |
						 VACPI_IRQ_SHARED)))
				return -EINVAL;
	}
	return vacpi_check_dsdt(vm);	/* names and ids */
}

static int check_vm(const struct vacpi_vm *vm)
{
	if (!vm || !vm->nr_vcpus || vm->nr_vcpus > VACPI_MAX_VCPUS || !vm->lapic_addr ||
	    vm->lapic_addr >= GIB4)
		return -EINVAL;
	if (!vm->ioapic.addr || !vm->ioapic.nr_pins || vm->ioapic.nr_pins > 240)
		return -EINVAL;
	if (vm->rtc.present && (!vm->rtc.port || vm->rtc.irq > 15))
		return -EINVAL;
	/* its legacy replacement route needs GSI 2 */
	if (vm->hpet.present && (!vm->hpet.base || !gsi_ok(vm, 2)))
		return -EINVAL;
	if (vm->com1.present && (!vm->com1.port || vm->com1.irq > 15))
		return -EINVAL;
	/* PM1 event block is 4 bytes, control 2: they must not overlap */
	if (!vm->pm.pm1a_evt_port || !vm->pm.pm1a_cnt_port || !vm->pm.reset_port ||
	    vm->pm.s5_slp_typ > 7 || vm->pm.sci_irq > 15 || !gsi_ok(vm, vm->pm.sci_irq) ||
	    (vm->pm.pm1a_cnt_port + 2 > vm->pm.pm1a_evt_port &&
	     vm->pm.pm1a_evt_port + 4 > vm->pm.pm1a_cnt_port))
		return -EINVAL;
	if (vm->pci.present && check_pci(vm))
		return -EINVAL;
	return check_devs(vm);
}

/*
 * Emit every table. Sizes never depend on the pointer values, so a first
 * pass with @in zeroed and no buffer finds each table's GPA (@out), and the
 * second pass writes the tables with the pointers from the first.
 */
static int emit_all(struct vacpi_out *o, const struct vacpi_vm *vm, u64 gpa,
		    const struct vacpi_layout *in, struct vacpi_layout *out)
{
	u64 sdts[4];
	unsigned n = 0;
	int ret;

	sdts[n++] = in->fadt;
	sdts[n++] = in->madt;
	if (vm->pci.present)
		sdts[n++] = in->mcfg;
	if (vm->hpet.present)
		sdts[n++] = in->hpet;

	out->rsdp = gpa + o->len;
	vacpi_build_rsdp(o, in->rsdt, in->xsdt);
	vacpi_align(o, gpa, 8);
	out->xsdt = gpa + o->len;
	vacpi_build_xsdt(o, sdts, n);
	vacpi_align(o, gpa, 8);
	out->rsdt = gpa + o->len;
	vacpi_build_rsdt(o, sdts, n);
	vacpi_align(o, gpa, 8);
	out->fadt = gpa + o->len;
	vacpi_build_fadt(o, vm, in->facs, in->dsdt);
	vacpi_align(o, gpa, 64);	/* FACS alignment rule */
	out->facs = gpa + o->len;
	vacpi_build_facs(o);
	vacpi_align(o, gpa, 8);
	out->madt = gpa + o->len;
	vacpi_build_madt(o, vm);
	out->mcfg = 0;
	if (vm->pci.present) {
		vacpi_align(o, gpa, 8);
		out->mcfg = gpa + o->len;
		vacpi_build_mcfg(o, vm);
	}
	out->hpet = 0;
	if (vm->hpet.present) {
		vacpi_align(o, gpa, 8);
		out->hpet = gpa + o->len;
		vacpi_build_hpet(o, vm);
	}
	vacpi_align(o, gpa, 8);
	out->dsdt = gpa + o->len;
	ret = vacpi_build_dsdt(o, vm);
	out->end = gpa + o->len;
	return ret;
}

/* Check @vm and @gpa, find the layout; returns the buffer size needed. */
static int measure(const struct vacpi_vm *vm, u64 gpa, struct vacpi_layout *lay)
{
	struct vacpi_layout zero = { 0 };
	struct vacpi_out o;
	int ret = check_vm(vm);

	if (ret)
		return ret;
	if (!IS_ALIGNED(gpa, 16) || gpa >= GIB4)
		return -EINVAL;
	vacpi_out_init(&o, NULL, 0);
	ret = emit_all(&o, vm, gpa, &zero, lay);
	if (ret)
		return ret;
	/* 32-bit pointers (RSDT, FACS, DSDT) must reach every table */
	if (o.peak > GIB4 - gpa || o.peak > 0x7FFFFFFF)
		return -EINVAL;
	return (int)o.peak;
}

int vacpi_size(const struct vacpi_vm *vm, u64 gpa)
{
	struct vacpi_layout lay;

	return measure(vm, gpa, &lay);
}

int vacpi_build(const struct vacpi_vm *vm, u64 gpa, void *buf, size_t size,
		struct vacpi_layout *lay)
{
	struct vacpi_layout plan, got;
	struct vacpi_out o;
	int need = measure(vm, gpa, &plan);

	if (need < 0)
		return need;
	if (!buf || size < (size_t)need)
		return -ENOSPC;
	vacpi_out_init(&o, buf, (size_t)need);
	/* the passes disagreeing would be a bug in a builder */
	if (emit_all(&o, vm, gpa, &plan, &got) || o.overflow || o.peak != (size_t)need ||
	    memcmp(&plan, &got, sizeof(plan)))
		return -EINVAL;
	memset(o.buf + o.len, 0, o.peak - o.len);	/* leftovers of sliding AML */
	if (lay)
		*lay = got;
	return (int)o.len;
}
