/* Boot-time VT-d: find the DMAR, agree on what every unit supports, bring them up. */
#include "lib.h"
#include "acpi.h"
#include "bootinfo.h"
#include "lapic.h"
#include "mm.h"
#include "pci.h"
#include "vm_config.h"
#include "vtd_hw.h"
#include "vtd_unit.h"

bool vtd_active(void) { return vtd_sys.active; }
bool vtd_ir_active(void) { return vtd_sys.active && vtd_sys.ir_active; }
bool vtd_dmar_present(void) { return vtd_sys.dmar_found; }

/* Table format and limits every unit accepts (domains share one table tree). */
static int vtd_common_caps(void)
{
	bool l3 = true, l4 = true;

	vtd_sys.aw_bits = 64;
	vtd_sys.big_2m = vtd_sys.big_1g = true;
	vtd_sys.max_did = VTD_MAX_DOMAINS + 1;
	for (unsigned i = 0; i < vtd_sys.nr_units; i++) {
		const struct vtd_caps *c = &vtd_sys.units[i].caps;

		l3 &= vtd_caps_has_levels(c, 3);
		l4 &= vtd_caps_has_levels(c, 4);
		vtd_sys.aw_bits = MIN(vtd_sys.aw_bits, c->mgaw);
		vtd_sys.big_2m &= c->sl_2m;
		vtd_sys.big_1g &= c->sl_1g;
		vtd_sys.need_clflush |= !c->coherent;
		vtd_sys.max_did = MIN(vtd_sys.max_did, c->nr_domains);
	}
	vtd_sys.levels = l4 ? 4 : l3 ? 3 : 0;
	return vtd_sys.levels ? 0 : -ENODEV;
}

/* Interrupt remapping everywhere or nowhere: needs the DMAR flag, IR and QI on every unit. */
static bool vtd_want_ir(void)
{
	if (!(vtd_sys.dmar.flags & DMAR_FLAG_INTR_REMAP))
		return false;
	for (unsigned i = 0; i < vtd_sys.nr_units; i++)
		if (!vtd_sys.units[i].caps.ir || !vtd_sys.units[i].caps.qi)
			return false;
	return true;
}

static void vtd_shutdown_units(void)
{
	for (unsigned i = 0; i < vtd_sys.nr_units; i++) {
		struct vtd_unit *u = &vtd_sys.units[i];

		if (vtd_hw_read32(u, VTD_REG_GSTS) & VTD_GCMD_TE)
			vtd_unit_gcmd(u, VTD_GCMD_TE, false);
		if (vtd_hw_read32(u, VTD_REG_GSTS) & VTD_GCMD_IRE)
			vtd_unit_gcmd(u, VTD_GCMD_IRE, false);
	}
}

static void vtd_report_unit(const struct vtd_unit *u, bool ir)
{
	const struct vtd_caps *c = &u->caps;
	u32 ver = vtd_hw_read32(u, VTD_REG_VER);

	printk("VT-d: unit %u at 0x%lx: v%u.%u cap 0x%lx ecap 0x%lx, %u-level tables, %u domains%s%s, "
	       "%s, %s%s, translation on, devices blocked\n",
	       u->index, u->reg_base, (ver >> 4) & 0xf, ver & 0xf, u->cap, u->ecap, vtd_sys.levels,
	       c->nr_domains,
	       c->cm ? ", caching mode" : "", c->coherent ? "" : ", not coherent (clflush)",
	       u->qi ? "queued invalidation" : "register invalidation",
	       ir ? "interrupt remapping on" : "no interrupt remapping",
	       u->caps.rwbf ? ", write-buffer flush" : "");
}

static void crosscheck_report(void *ctx, const char *msg)
{
	(void)ctx;
	printk("WARNING: VT-d: board description and DMAR differ: %s\n", msg);
}

/* The DMAR is what the hardware does; a stale board file is only reported. */
static void vtd_crosscheck(void)
{
	const struct board_config *b = vtd_hw_board();
	unsigned n;

	if (!b)
		return;
	n = vtd_dmar_crosscheck(&vtd_sys.dmar, vtd_sys.res, b, crosscheck_report, NULL);
	if (n)
		printk("WARNING: VT-d: %u difference(s) from board %s; using the DMAR\n", n, b->name);
	else
		pr_info("VT-d: DMAR matches board %s\n", b->name);
}

/* Fault events arrive on the BSP; the dispatcher sends the EOI. */
static void fault_irq(u8 vector)
{
	(void)vector;
	vtd_fault_handle();
}

int vtd_init(const struct boot_info *bi)
{
	const struct acpi_sdt_header *t = acpi_find_table(bi, "DMAR");
	struct vtd_dmar_info *di = &vtd_sys.dmar;
	bool ir;
	int ret;

	if (!t) {
		printk("VT-d: no DMAR table: DMA remapping unavailable on this platform\n");
		if (vtd_hw_board() && vtd_hw_board()->iommu_addr_width)
			printk("WARNING: VT-d: board %s describes an IOMMU the machine does not report\n",
			       vtd_hw_board()->name);
		return -ENODEV;
	}
	vtd_sys.dmar_found = true;
	ret = vtd_dmar_parse(t, t->length, di);
	if (ret) {
		printk("VT-d: DMAR table rejected (error %d): DMA remapping off\n", ret);
		return ret;
	}
	pr_info("VT-d: DMAR: %u unit(s), %u RMRR(s), %u device scope(s), host address width %u%s\n",
		di->nr_drhd, di->nr_rmrr, di->nr_scopes, di->haw,
		di->flags & DMAR_FLAG_INTR_REMAP ? ", interrupt remapping" : "");
	for (unsigned i = 0; i < di->nr_scopes; i++)
		vtd_scope_resolve(&di->scopes[i], pci_cfg_read, &vtd_sys.res[i]);
	vtd_crosscheck();

	for (unsigned i = 0; i < di->nr_drhd; i++) {
		struct vtd_unit *u = &vtd_sys.units[i];

		u->index = i;
		u->reg_base = di->drhd[i].reg_base;
		u->segment = di->drhd[i].segment;
		u->regs = vtd_hw_map_regs(u->reg_base);
		if (!u->regs) {
			printk("VT-d: unit %u registers at 0x%lx are not mapped: DMA remapping off\n",
			       i, u->reg_base);
			return -ERANGE;
		}
		ret = vtd_unit_probe(u);
		if (ret) {
			printk("VT-d: unit %u at 0x%lx unusable (cap 0x%lx): DMA remapping off\n",
			       i, u->reg_base, u->cap);
			return ret;
		}
		vtd_sys.nr_units = i + 1;
	}
	ret = vtd_common_caps();
	if (ret) {
		printk("VT-d: the units share no page-table format: DMA remapping off\n");
		return ret;
	}
	ir = vtd_want_ir();
	ret = irq_register(IRQ_OWNER_VTD_FAULT, fault_irq);
	if (ret) {
		printk("VT-d: fault vector 0x%x taken (%d): DMA remapping off\n", VTD_FAULT_VECTOR, ret);
		return ret;
	}
	for (unsigned i = 0; i < vtd_sys.nr_units; i++) {
		ret = vtd_unit_bringup(&vtd_sys.units[i], ir, VTD_FAULT_VECTOR, lapic_id());
		if (ret) {
			printk("VT-d: unit %u bring-up failed (error %d): DMA remapping off\n", i, ret);
			vtd_shutdown_units();
			return ret;
		}
	}
	vtd_sys.active = true;
	vtd_sys.ir_active = ir;
	for (unsigned i = 0; i < vtd_sys.nr_units; i++)
		vtd_report_unit(&vtd_sys.units[i], ir);
	return 0;
}
