/*
 * Host program linked with a generated board.c + scenario.c: prints every field
 * of the configuration as text lines, so the tests check what the hypervisor
 * would read (values, pointers between arrays), not how the C text looks.
 */
#include <inttypes.h>
#include <stdio.h>
#include "vm_config.h"

static const char *s(const char *p)
{
	return p ? p : "(null)";
}

static int pci_index(const struct board_config *b, const struct board_pci_dev *d)
{
	return b && d ? (int)(d - b->pci_devs) : -1;
}

static int acpi_index(const struct board_config *b, const struct board_acpi_dev *d)
{
	return b && d ? (int)(d - b->acpi_devs) : -1;
}

static void dump_scopes(const char *what, unsigned i, unsigned n, const struct board_dev_scope *sc)
{
	for (unsigned k = 0; k < n; k++)
		printf("board %s %u scope type=%u id=%u bdf=0x%04x\n", what, i, sc[k].type, sc[k].enum_id,
		       sc[k].bdf);
}

static void dump_board(const struct board_config *b)
{
	printf("board name=%s cpus=%u mem=%u ioapics=%u pci=%u acpi=%u iommus=%u rmrrs=%u\n", s(b->name),
	       b->nr_cpus, b->nr_mem, b->nr_ioapics, b->nr_pci_devs, b->nr_acpi_devs, b->nr_iommus, b->nr_rmrrs);
	printf("board ecam base=0x%" PRIx64 " buses=%u-%u\n", b->pci_ecam_base, b->pci_ecam_start_bus,
	       b->pci_ecam_end_bus);
	for (unsigned i = 0; i < b->nr_cpus; i++)
		printf("board cpu %u lapic=%u\n", i, b->cpus[i].lapic_id);
	for (unsigned i = 0; i < b->nr_mem; i++)
		printf("board mem 0x%" PRIx64 " 0x%" PRIx64 " type=%u\n", b->mem[i].base, b->mem[i].size,
		       b->mem[i].type);
	for (unsigned i = 0; i < b->nr_ioapics; i++)
		printf("board ioapic id=%u base=0x%" PRIx64 " gsi=%u\n", b->ioapics[i].id, b->ioapics[i].base,
		       b->ioapics[i].gsi_base);
	for (unsigned i = 0; i < b->nr_pci_devs; i++) {
		const struct board_pci_dev *d = &b->pci_devs[i];

		printf("board pci %u seg=%u bdf=0x%04x id=%04x:%04x class=0x%06x rev=0x%02x intx=%u/%u name=%s\n", i,
		       d->segment, d->bdf, d->vendor, d->device, d->class_code, d->revision, d->intx_pin,
		       d->intx_line, s(d->name));
		for (unsigned j = 0; j < BOARD_PCI_NR_BARS; j++)
			if (d->bars[j].type != BOARD_BAR_NONE)
				printf("board pci %u bar %u type=%u base=0x%" PRIx64 " size=0x%" PRIx64 " pf=%d\n", i, j,
				       d->bars[j].type, d->bars[j].base, d->bars[j].size, d->bars[j].prefetchable);
		if (d->msi.present)
			printf("board pci %u msi cap=0x%x vectors=%u addr64=%d maskable=%d\n", i, d->msi.cap,
			       d->msi.vectors, d->msi.addr64, d->msi.maskable);
		if (d->msix.present)
			printf("board pci %u msix cap=0x%x size=%u table=%u+0x%x pba=%u+0x%x\n", i, d->msix.cap,
			       d->msix.table_size, d->msix.table_bar, d->msix.table_offset, d->msix.pba_bar,
			       d->msix.pba_offset);
	}
	for (unsigned i = 0; i < b->nr_acpi_devs; i++) {
		const struct board_acpi_dev *d = &b->acpi_devs[i];

		printf("board acpi %u hid=%s uid=%s name=%s\n", i, s(d->hid), s(d->uid), s(d->name));
		for (unsigned j = 0; j < d->nr_mmio; j++)
			printf("board acpi %u mmio 0x%" PRIx64 " 0x%" PRIx64 "\n", i, d->mmio[j].base, d->mmio[j].size);
		for (unsigned j = 0; j < d->nr_io; j++)
			printf("board acpi %u io 0x%" PRIx64 " 0x%" PRIx64 "\n", i, d->io[j].base, d->io[j].size);
		for (unsigned j = 0; j < d->nr_irqs; j++)
			printf("board acpi %u irq %u\n", i, d->irqs[j]);
	}
	printf("board iommu width=%u intr_remap=%d\n", b->iommu_addr_width, b->iommu_intr_remap);
	for (unsigned i = 0; i < b->nr_iommus; i++) {
		const struct board_iommu *u = &b->iommus[i];

		printf("board iommu %u base=0x%" PRIx64 " size=0x%" PRIx64 " seg=%u all=%d\n", i, u->base, u->size,
		       u->segment, u->include_pci_all);
		dump_scopes("iommu", i, u->nr_scopes, u->scopes);
	}
	for (unsigned i = 0; i < b->nr_rmrrs; i++) {
		const struct board_rmrr *u = &b->rmrrs[i];

		printf("board rmrr %u base=0x%" PRIx64 " size=0x%" PRIx64 " seg=%u\n", i, u->base, u->size, u->segment);
		dump_scopes("rmrr", i, u->nr_scopes, u->scopes);
	}
	printf("board console type=%u base=0x%" PRIx64 " irq=%u baud=%u pci=%d bdf=0x%04x\n", b->console.type,
	       b->console.base, b->console.irq, b->console.baud, b->console.pci, b->console.bdf);
}

int main(void)
{
	const struct board_config *b = scenario.board_info;

	printf("scenario name=%s board=%s vms=%u\n", s(scenario.scenario), s(scenario.board), scenario.nr_vms);
	printf("hv_mem base=0x%" PRIx64 " size=0x%" PRIx64 "\n", scenario.hv_mem.base, scenario.hv_mem.size);
	for (unsigned i = 0; i < scenario.nr_vms; i++) {
		const struct vm_config *v = &scenario.vms[i];

		printf("vm %u name=%s kind=%d cpus=0x%" PRIx64 " kernel_type=%d kernel=%s initrd=%s flags=0x%x\n", i,
		       s(v->name), v->kind, v->cpu_affinity, v->kernel_type, s(v->kernel_tag), s(v->initrd_tag),
		       v->flags);
		printf("vm %u bootargs=\"%s\"\n", i, s(v->bootargs));
		for (unsigned j = 0; j < v->nr_mem; j++)
			printf("vm %u mem gpa=0x%" PRIx64 " hpa=0x%" PRIx64 " size=0x%" PRIx64 "\n", i, v->mem[j].gpa,
			       v->mem[j].hpa, v->mem[j].size);
		if (v->template_mem_size)
			printf("vm %u template_mem=0x%" PRIx64 "\n", i, v->template_mem_size);
		for (unsigned j = 0; j < v->nr_pci_devs; j++)
			printf("vm %u pci pbdf=0x%04x vbdf=0x%04x dev=%d\n", i, v->pci_devs[j].pbdf,
			       v->pci_devs[j].vbdf, pci_index(b, v->pci_devs[j].dev));
		for (unsigned j = 0; j < v->nr_mmio_devs; j++)
			printf("vm %u mmio gpa=0x%" PRIx64 " hpa=0x%" PRIx64 " size=0x%" PRIx64 " dev=%d\n", i,
			       v->mmio_devs[j].gpa, v->mmio_devs[j].hpa, v->mmio_devs[j].size,
			       acpi_index(b, v->mmio_devs[j].dev));
		printf("vm %u console type=%u port=0x%x irq=%u\n", i, v->console.type, v->console.port,
		       v->console.irq);
	}
	if (b)
		dump_board(b);
	return 0;
}
