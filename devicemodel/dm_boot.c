/*
 * The boot platform of a post-launched Linux (include/dm_boot.h): the same
 * e820, vACPI and bzImage code the hypervisor uses for its pre-launched
 * VMs, run on the device model's mapping of the guest's RAM.
 */
#include "dm_boot.h"
#include "guest_loader.h"
#include "lib.h"
#include "vacpi.h"

#define BP_ACPI_RSDP_ADDR	0x070	/* boot_params.acpi_rsdp_addr */

int dm_e820_build(uint64_t mem, struct e820_map *m)
{
	if (mem < 2 * DM_BIOS_END || mem > DM_PCI_HOLE || (mem & (DM_BIOS_END * 2 - 1)))
		return -1;
	e820_init(m);
	if (e820_add(m, 0, DM_LOWMEM_END, E820_RAM) ||
	    e820_add(m, DM_ACPI_GPA, DM_BIOS_END - DM_ACPI_GPA, E820_RESERVED) ||
	    e820_add(m, DM_BIOS_END, mem - DM_BIOS_END, E820_RAM) ||
	    e820_add(m, DM_ECAM_BASE, DM_ECAM_SIZE, E820_RESERVED))
		return -1;
	return 0;
}

struct ram_ctx {
	uint8_t *base;
	uint64_t size;
};

static int ram_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	struct ram_ctx *r = ctx;

	if (gpa > r->size || len > r->size - gpa)
		return -EFAULT;
	memcpy(r->base + gpa, src, len);
	return 0;
}

static int ram_zero(void *ctx, u64 gpa, size_t len)
{
	struct ram_ctx *r = ctx;

	if (gpa > r->size || len > r->size - gpa)
		return -EFAULT;
	memset(r->base + gpa, 0, len);
	return 0;
}

static int fail(char *why, size_t n, const char *msg, int err)
{
	snprintf(why, n, "%s (error %d)", msg, err);
	return -1;
}

int dm_boot_linux(uint8_t *ram, uint64_t mem, unsigned ncpus, const struct vacpi_prt_entry *prt,
		  unsigned nr_prt, const void *kernel, size_t kernel_size, const void *initrd,
		  size_t initrd_size, const char *cmdline, struct vcpu_boot_state *st, char *why,
		  size_t why_size)
{
	static struct e820_map map;
	struct ram_ctx ctx = { ram, mem };
	struct guest_mem gm = { &ctx, ram_write, ram_zero, mem };
	struct vacpi_vm vm;
	struct vacpi_layout lay;
	char lwhy[GUEST_LOAD_WHY_LEN];
	int need, r;

	why[0] = '\0';
	if (dm_e820_build(mem, &map))
		return fail(why, why_size, "guest memory size not usable for an e820 map", -EINVAL);
	vacpi_vm_defaults(&vm, ncpus);
	vm.pci.ecam_base = DM_ECAM_BASE;
	vm.pci.prt = prt;
	vm.pci.nr_prt = nr_prt;
	vm.pm.pm1a_evt_port = DM_PM1A_EVT;
	vm.pm.pm1a_cnt_port = DM_PM1A_CNT;
	vm.pm.s5_slp_typ = DM_S5_SLP_TYP;
	vm.pm.reset_port = DM_RESET_PORT;
	vm.pm.reset_value = DM_RESET_VALUE;
	vm.com1.irq = DM_COM1_IRQ;
	need = vacpi_size(&vm, DM_ACPI_GPA);
	if (need < 0 || (u64)need > DM_BIOS_END - DM_ACPI_GPA)
		return fail(why, why_size, "the ACPI tables do not fit below 1 MiB", need);
	r = vacpi_build(&vm, DM_ACPI_GPA, ram + DM_ACPI_GPA, (size_t)need, &lay);
	if (r < 0)
		return fail(why, why_size, "building the ACPI tables failed", r);
	r = guest_bzimage_load(kernel, kernel_size, initrd, initrd_size, cmdline, &map, &gm, st,
			       lwhy, sizeof(lwhy));
	if (r) {
		snprintf(why, why_size, "%s (error %d)", lwhy[0] ? lwhy : "not a loadable bzImage", r);
		return -1;
	}
	memcpy(ram + GUEST_LINUX_ZERO_PAGE_GPA + BP_ACPI_RSDP_ADDR, &lay.rsdp, sizeof(lay.rsdp));
	return 0;
}
