/* Test doubles for the vPCI tests; see test_vpci_fake.h. Not a test by itself. */
#include <stdlib.h>
#include "test_vpci_fake.h"

struct fake_dev fake_devs[FAKE_MAX_DEVS];
bool fake_ecam;
struct fake_write fake_log[FAKE_LOG_MAX];
unsigned fake_nlog;
struct fake_vm fvm;

struct mmio_region { u64 hpa, size; u8 *mem; };
static struct mmio_region regions[16];
static unsigned nregions;

static void put(u8 *a, u16 off, unsigned size, u32 v)
{
	for (unsigned i = 0; i < size; i++)
		a[off + i] = (u8)(v >> (8 * i));
}

static u32 get(const u8 *a, u16 off, unsigned size)
{
	u32 v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (u32)a[off + i] << (8 * i);
	return v;
}

void fake_reset_all(void)
{
	memset(fake_devs, 0, sizeof(fake_devs));
	fake_ecam = true;
	fake_nlog = 0;
	memset(&fvm, 0, sizeof(fvm));
	for (unsigned i = 0; i < nregions; i++)
		free(regions[i].mem);
	nregions = 0;
	pci_nr_pdevs = 0;
}

struct fake_dev *fake_find(u16 bdf)
{
	for (unsigned i = 0; i < FAKE_MAX_DEVS; i++)
		if (fake_devs[i].present && fake_devs[i].bdf == bdf)
			return &fake_devs[i];
	return NULL;
}

struct fake_dev *fake_add(u16 bdf, u16 vendor, u16 device, u32 class_rev, u8 hdr_type)
{
	for (unsigned i = 0; i < FAKE_MAX_DEVS; i++) {
		struct fake_dev *d = &fake_devs[i];

		if (d->present)
			continue;
		memset(d, 0, sizeof(*d));
		d->present = true;
		d->bdf = bdf;
		put(d->cfg, PCI_VENDOR_ID, 2, vendor);
		put(d->cfg, PCI_DEVICE_ID, 2, device);
		put(d->cfg, PCI_CLASS_REVISION, 4, class_rev);
		d->cfg[PCI_HEADER_TYPE] = hdr_type;
		d->cfg[PCI_INTERRUPT_PIN] = 1;
		d->cfg[PCI_MIN_GNT] = 0x11;
		d->cfg[PCI_MAX_LAT] = 0x22;
		put(d->cfg, PCI_SUBSYSTEM_VENDOR_ID, 4, 0xABCD1234);
		put(d->wmask, PCI_COMMAND, 2, 0x0557);
		put(d->w1c, PCI_STATUS, 2, PCI_STATUS_RW1C);
		d->wmask[PCI_CACHE_LINE_SIZE] = 0xFF;
		d->wmask[PCI_LATENCY_TIMER] = 0xFF;
		d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
		return d;
	}
	fail_msg("too many fake devices");
	return NULL;
}

void fake_bar(struct fake_dev *d, unsigned idx, u64 base, u64 size, int type, bool prefetch)
{
	u16 at = PCI_BAR(idx);
	u64 mask = ~(size - 1);

	if (type == PCI_BAR_IO) {
		put(d->cfg, at, 4, (u32)base | PCI_BAR_SPACE_IO);
		put(d->wmask, at, 4, (u32)mask & PCI_BAR_IO_MASK);
		return;
	}
	put(d->cfg, at, 4, (u32)base | (type == PCI_BAR_MEM64 ? PCI_BAR_MEM_TYPE_64 : 0) |
			   (prefetch ? PCI_BAR_MEM_PREFETCH : 0));
	put(d->wmask, at, 4, (u32)mask & PCI_BAR_MEM_MASK);
	if (type == PCI_BAR_MEM64) {
		put(d->cfg, at + 4, 4, (u32)(base >> 32));
		put(d->wmask, at + 4, 4, (u32)(mask >> 32));
	}
}

void fake_cap(struct fake_dev *d, u8 off, u8 id)
{
	d->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (!d->cfg[PCI_CAP_PTR]) {
		d->cfg[PCI_CAP_PTR] = off;
		return;
	}
	u8 p = d->cfg[PCI_CAP_PTR];
	while (d->cfg[p + 1])
		p = d->cfg[p + 1];
	d->cfg[p + 1] = off;
}

void fake_msi(struct fake_dev *d, u8 off, bool is64, bool pvm)
{
	u16 data = is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;

	fake_cap(d, off, PCI_CAP_ID_MSI);
	/* four vectors capable, so the virtual MMC = 0 is visible */
	put(d->cfg, off + PCI_MSI_CTRL, 2, (is64 ? PCI_MSI_CTRL_64 : 0) |
					   (pvm ? PCI_MSI_CTRL_PVM : 0) | (2u << 1));
	put(d->wmask, off + PCI_MSI_CTRL, 2, PCI_MSI_CTRL_EN | PCI_MSI_CTRL_MME);
	put(d->wmask, off + PCI_MSI_ADDR_LO, 4, 0xFFFFFFFC);
	if (is64)
		put(d->wmask, off + PCI_MSI_ADDR_HI, 4, 0xFFFFFFFF);
	put(d->wmask, off + data, 2, 0xFFFF);
	if (pvm)
		put(d->wmask, off + data + 4, 4, 0xF);
}

void fake_msix(struct fake_dev *d, u8 off, u16 entries, u8 table_bir, u32 table_off,
	       u8 pba_bir, u32 pba_off)
{
	fake_cap(d, off, PCI_CAP_ID_MSIX);
	put(d->cfg, off + PCI_MSIX_CTRL, 2, entries - 1u);
	put(d->wmask, off + PCI_MSIX_CTRL, 2, PCI_MSIX_CTRL_EN | PCI_MSIX_CTRL_FMASK);
	put(d->cfg, off + PCI_MSIX_TABLE, 4, table_off | table_bir);
	put(d->cfg, off + PCI_MSIX_PBA, 4, pba_off | pba_bir);
}

void fake_pcie(struct fake_dev *d, u8 off, bool flr)
{
	fake_cap(d, off, PCI_CAP_ID_PCIE);
	put(d->cfg, off + 2, 2, 0x0002);
	put(d->cfg, off + PCI_EXP_DEVCAP, 4, flr ? PCI_EXP_DEVCAP_FLR : 0);
	put(d->wmask, off + PCI_EXP_DEVCTL, 2, 0xFFFF);
	put(d->w1c, off + PCI_EXP_DEVSTA, 2, 0x000F);
	d->pcie_off = off;
}

void fake_pm(struct fake_dev *d, u8 off, bool no_soft_reset)
{
	fake_cap(d, off, PCI_CAP_ID_PM);
	put(d->cfg, off + 2, 2, 0x0003);
	put(d->cfg, off + PCI_PM_CTRL, 2, no_soft_reset ? PCI_PM_NO_SOFT_RESET : 0);
	put(d->wmask, off + PCI_PM_CTRL, 2, PCI_PM_STATE_MASK);
	d->pm_off = off;
}

void fake_ext_cap(struct fake_dev *d, u16 off, u16 id, u16 next)
{
	put(d->cfg, off, 4, id | (1u << 16) | ((u32)next << 20));
}

void fake_bridge(struct fake_dev *d, u8 pri, u8 sec, u8 sub)
{
	d->cfg[PCI_PRIMARY_BUS] = pri;
	d->cfg[PCI_SECONDARY_BUS] = sec;
	d->cfg[PCI_SUBORDINATE_BUS] = sub;
	put(d->wmask, PCI_PRIMARY_BUS, 4, 0x00FFFFFF);
}

void fake_done(struct fake_dev *d)
{
	/* after a reset: BAR addresses, Command, cache line size are 0 */
	memcpy(d->reset_cfg, d->cfg, sizeof(d->cfg));
	for (u16 i = PCI_BAR0; i < PCI_BAR_END; i++)
		d->reset_cfg[i] &= ~d->wmask[i];
	put(d->reset_cfg, PCI_COMMAND, 2, 0);
	d->reset_cfg[PCI_CACHE_LINE_SIZE] = 0;
	d->reset_cfg[PCI_LATENCY_TIMER] = 0;
}

u32 fake_get(u16 bdf, u16 off, unsigned size)
{
	struct fake_dev *d = fake_find(bdf);

	assert_non_null(d);
	return get(d->cfg, off, size);
}

void fake_set(u16 bdf, u16 off, unsigned size, u32 val)
{
	struct fake_dev *d = fake_find(bdf);

	assert_non_null(d);
	put(d->cfg, off, size, val);
}

unsigned fake_count_writes(u16 bdf, u16 off)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake_nlog; i++)
		if (fake_log[i].bdf == bdf && fake_log[i].off == off)
			n++;
	return n;
}

int fake_log_find(u16 bdf, u16 off, u32 val, unsigned from)
{
	for (unsigned i = from; i < fake_nlog; i++)
		if (fake_log[i].bdf == bdf && fake_log[i].off == off && fake_log[i].val == val)
			return (int)i;
	return -1;
}

/* --- the physical config space --- */

static void check_access(u16 off, unsigned size)
{
	assert_true(size == 1 || size == 2 || size == 4);
	assert_true(off % size == 0);
	assert_true(off < PCI_ECFG_SIZE);
}

u32 pci_cfg_read(u16 bdf, u16 off, unsigned size)
{
	struct fake_dev *d = fake_find(bdf);
	u32 v;

	check_access(off, size);
	if (!d || (off >= PCI_CFG_SIZE && !fake_ecam))
		return size_ones(size);	/* as hardware: size bytes of ones */
	if (d->pcie_off && off == d->pcie_off + PCI_EXP_DEVSTA && d->trpnd_reads &&
	    --d->trpnd_reads == 0)
		d->cfg[off] &= ~PCI_EXP_DEVSTA_TRPND;
	v = get(d->cfg, off, size);
	return v;
}

static void device_reset(struct fake_dev *d)
{
	memcpy(d->cfg, d->reset_cfg, sizeof(d->cfg));
}

void pci_cfg_write(u16 bdf, u16 off, unsigned size, u32 val)
{
	struct fake_dev *d = fake_find(bdf);
	u8 old_pm = 0;

	check_access(off, size);
	if (fake_nlog < FAKE_LOG_MAX)
		fake_log[fake_nlog++] = (struct fake_write){ bdf, off, size, val };
	if (!d || (off >= PCI_CFG_SIZE && !fake_ecam))
		return;
	if (off >= PCI_BAR0 && off < PCI_BAR_END && size == 4 && val == 0xFFFFFFFF &&
	    (d->cfg[PCI_COMMAND] & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
		d->sized_while_decoding = true;
	if (d->pm_off)
		old_pm = d->cfg[d->pm_off + PCI_PM_CTRL];
	for (unsigned i = 0; i < size; i++) {
		u16 b = off + i;
		u8 v = (u8)(val >> (8 * i));
		u8 nv = (u8)((d->cfg[b] & ~d->wmask[b]) | (v & d->wmask[b]));

		d->cfg[b] = nv & ~(v & d->w1c[b]);
	}
	unsigned end = off + size, flr_byte = d->pcie_off + PCI_EXP_DEVCTL + 1u;
	unsigned pmcsr = d->pm_off + PCI_PM_CTRL;

	if (d->pcie_off && off <= flr_byte && end > flr_byte &&
	    (d->cfg[d->pcie_off + PCI_EXP_DEVCTL + 1] & 0x80)) {
		d->cfg[d->pcie_off + PCI_EXP_DEVCTL + 1] &= 0x7F;
		if (get(d->cfg, d->pcie_off + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR) {
			d->flr_count++;
			device_reset(d);
		}
	}
	if (d->pm_off && off <= pmcsr && end > pmcsr) {
		u8 now = d->cfg[d->pm_off + PCI_PM_CTRL];

		if ((old_pm & 3) == PCI_PM_D3HOT && (now & 3) == PCI_PM_D0 &&
		    !(now & PCI_PM_NO_SOFT_RESET)) {
			d->pm_reset_count++;
			device_reset(d);
		}
	}
}

void pci_cfg_set_ecam(u64 base, u8 start_bus, u8 end_bus)
{
	(void)base; (void)start_bus; (void)end_bus;
}

/* --- device MMIO --- */

void fake_mmio_add(u64 hpa, u64 size)
{
	assert_true(nregions < ARRAY_SIZE(regions));
	regions[nregions].hpa = hpa;
	regions[nregions].size = size;
	regions[nregions].mem = calloc(1, size);
	assert_non_null(regions[nregions].mem);
	nregions++;
}

static u8 *mmio_ptr(u64 hpa, unsigned size)
{
	for (unsigned i = 0; i < nregions; i++)
		if (hpa >= regions[i].hpa && hpa + size <= regions[i].hpa + regions[i].size)
			return regions[i].mem + (hpa - regions[i].hpa);
	fail_msg("no fake MMIO at 0x%llx", (unsigned long long)hpa);
	return NULL;
}

u64 fake_mmio_get(u64 hpa, unsigned size)
{
	u64 v = 0;

	memcpy(&v, mmio_ptr(hpa, size), size);
	return v;
}

void fake_mmio_set(u64 hpa, unsigned size, u64 val)
{
	memcpy(mmio_ptr(hpa, size), &val, size);
}

/* --- the VM behind struct vpci_ops --- */

static bool overlap(u64 a, u64 al, u64 b, u64 bl)
{
	return a < b + bl && b < a + al;
}

static void check_free(u64 gpa, u64 size)
{
	for (unsigned i = 0; i < fvm.nmap; i++)
		assert_false(overlap(gpa, size, fvm.map[i].gpa, fvm.map[i].size));
	for (unsigned i = 0; i < fvm.ntrap; i++)
		assert_false(overlap(gpa, size, fvm.trap[i].gpa, fvm.trap[i].size));
}

static int f_map(void *ctx, u64 gpa, u64 hpa, u64 size, bool uncached)
{
	assert_ptr_equal(ctx, &fvm);
	assert_true(uncached);
	assert_true(size && IS_ALIGNED(gpa | hpa | size, PAGE_SIZE));
	check_free(gpa, size);
	if (fvm.map_fail) {
		fvm.map_fail--;
		return -ENOMEM;
	}
	assert_true(fvm.nmap < ARRAY_SIZE(fvm.map));
	fvm.map[fvm.nmap++] = (struct fake_map){ gpa, hpa, size };
	fvm.map_calls++;
	return 0;
}

static void f_unmap(void *ctx, u64 gpa, u64 size)
{
	assert_ptr_equal(ctx, &fvm);
	for (unsigned i = 0; i < fvm.nmap; i++) {
		if (fvm.map[i].gpa == gpa && fvm.map[i].size == size) {
			fvm.map[i] = fvm.map[--fvm.nmap];
			fvm.unmap_calls++;
			return;
		}
	}
	fail_msg("unmap of 0x%llx+0x%llx that is not mapped", (unsigned long long)gpa,
		 (unsigned long long)size);
}

static int f_trap(void *ctx, u64 gpa, u64 size, struct vpci_vdev *vdev)
{
	assert_ptr_equal(ctx, &fvm);
	assert_true(size && IS_ALIGNED(gpa | size, PAGE_SIZE));
	check_free(gpa, size);
	assert_true(fvm.ntrap < ARRAY_SIZE(fvm.trap));
	fvm.trap[fvm.ntrap++] = (struct fake_trap){ gpa, size, vdev };
	return 0;
}

static void f_untrap(void *ctx, u64 gpa, u64 size)
{
	assert_ptr_equal(ctx, &fvm);
	for (unsigned i = 0; i < fvm.ntrap; i++) {
		if (fvm.trap[i].gpa == gpa && fvm.trap[i].size == size) {
			fvm.trap[i] = fvm.trap[--fvm.ntrap];
			return;
		}
	}
	fail_msg("untrap of 0x%llx that is not trapped", (unsigned long long)gpa);
}

static void f_allow_pio(void *ctx, u16 port, u16 len, bool allow)
{
	assert_ptr_equal(ctx, &fvm);
	if (allow) {
		for (unsigned i = 0; i < fvm.npio; i++)
			assert_false(fvm.pio_port[i] == port);
		assert_true(fvm.npio < ARRAY_SIZE(fvm.pio_port));
		fvm.pio_port[fvm.npio] = port;
		fvm.pio_len[fvm.npio++] = len;
		return;
	}
	for (unsigned i = 0; i < fvm.npio; i++) {
		if (fvm.pio_port[i] == port && fvm.pio_len[i] == len) {
			fvm.npio--;
			fvm.pio_port[i] = fvm.pio_port[fvm.npio];
			fvm.pio_len[i] = fvm.pio_len[fvm.npio];
			return;
		}
	}
	fail_msg("port 0x%x was not allowed", port);
}

static int f_remap(void *ctx, const struct vpci_msi_src *src, u64 gaddr, u32 gdata,
		   u64 *haddr, u32 *hdata)
{
	assert_ptr_equal(ctx, &fvm);
	fvm.remap_calls++;
	fvm.last_src = *src;
	fvm.last_gaddr = gaddr;
	fvm.last_gdata = gdata;
	if (fvm.remap_fail)
		return -EINVAL;
	*haddr = fvm.haddr_override ? fvm.haddr_override : FAKE_HADDR;
	*hdata = FAKE_HDATA(src);
	return 0;
}

static void f_release(void *ctx, const struct vpci_msi_src *src)
{
	assert_ptr_equal(ctx, &fvm);
	fvm.release_calls++;
	fvm.last_release = *src;
}

static u64 f_mmio_read(void *ctx, u64 hpa, unsigned size)
{
	assert_ptr_equal(ctx, &fvm);
	fvm.mmio_reads++;
	return fake_mmio_get(hpa, size);
}

static void f_mmio_write(void *ctx, u64 hpa, unsigned size, u64 val)
{
	assert_ptr_equal(ctx, &fvm);
	fvm.mmio_writes++;
	fake_mmio_set(hpa, size, val);
}

static void f_udelay(u64 us)
{
	fvm.udelay_total += us;
	fvm.udelay_calls++;
}

const struct vpci_ops fake_ops = {
	.map_mmio = f_map,
	.unmap_mmio = f_unmap,
	.trap_mmio = f_trap,
	.untrap_mmio = f_untrap,
	.allow_pio = f_allow_pio,
	.msi_remap = f_remap,
	.msi_release = f_release,
	.phys_mmio_read = f_mmio_read,
	.phys_mmio_write = f_mmio_write,
	.udelay = f_udelay,
};

bool fake_ept_lookup(u64 gpa, u64 *hpa)
{
	for (unsigned i = 0; i < fvm.nmap; i++) {
		if (gpa >= fvm.map[i].gpa && gpa - fvm.map[i].gpa < fvm.map[i].size) {
			*hpa = fvm.map[i].hpa + (gpa - fvm.map[i].gpa);
			return true;
		}
	}
	return false;
}

struct vpci_vdev *fake_trap_at(u64 gpa)
{
	for (unsigned i = 0; i < fvm.ntrap; i++)
		if (gpa >= fvm.trap[i].gpa && gpa - fvm.trap[i].gpa < fvm.trap[i].size)
			return fvm.trap[i].vdev;
	return NULL;
}

int fake_guest_read(u64 gpa, unsigned size, u64 *val)
{
	struct vpci_vdev *d = fake_trap_at(gpa);
	u64 hpa;

	if (d)
		return vpci_msix_mmio_read(NULL, d, gpa, size, val);
	if (fake_ept_lookup(gpa, &hpa)) {
		*val = fake_mmio_get(hpa, size);
		return 0;
	}
	return -1;
}

int fake_guest_write(u64 gpa, unsigned size, u64 val)
{
	struct vpci_vdev *d = fake_trap_at(gpa);
	u64 hpa;

	if (d)
		return vpci_msix_mmio_write(NULL, d, gpa, size, val);
	if (fake_ept_lookup(gpa, &hpa)) {
		fake_mmio_set(hpa, size, val);
		return 0;
	}
	return -1;
}

void fake_release_locks(struct vpci *vp)
{
	vp->lock.locked = 0;
}

void fake_vm_config(struct vpci_config *c, const struct vpci_dev_config *devs, unsigned n)
{
	memset(c, 0, sizeof(*c));
	c->devs = devs;
	c->nr_devs = n;
	c->nr_ram = 2;
	c->ram[0] = (struct vpci_range){ 0, 0x40000000ULL };
	c->ram[1] = (struct vpci_range){ 0x100000000ULL, 0x40000000ULL };
	c->nr_mmio = 2;
	c->mmio[0] = (struct vpci_range){ FAKE_WIN32, FAKE_WIN32_SIZE };
	c->mmio[1] = (struct vpci_range){ FAKE_WIN64, FAKE_WIN64_SIZE };
	c->ecam_base = FAKE_ECAM;
	c->ecam_end_bus = 0;
}

char fake_vcpu_token;

u32 guest_cfg_read(struct vpci *vp, u16 bdf, u16 off, unsigned size)
{
	u32 v = 0xDEADBEEF;

	if (off >= PCI_CFG_SIZE) {
		u64 w = 0;

		vpci_ecam_read(vp, ((u64)bdf << 12) | off, size, &w);
		return (u32)w;
	}
	vpci_pio_write(GUEST_VCPU, vp, VPCI_CF8_PORT, 4, VPCI_CF8_ENABLE | ((u32)bdf << 8) | (off & 0xFC));
	vpci_pio_read(GUEST_VCPU, vp, VPCI_CFC_PORT + (off & 3), size, &v);
	return v;
}

void guest_cfg_write(struct vpci *vp, u16 bdf, u16 off, unsigned size, u32 val)
{
	if (off >= PCI_CFG_SIZE) {
		vpci_ecam_write(vp, ((u64)bdf << 12) | off, size, val);
		return;
	}
	vpci_pio_write(GUEST_VCPU, vp, VPCI_CF8_PORT, 4, VPCI_CF8_ENABLE | ((u32)bdf << 8) | (off & 0xFC));
	vpci_pio_write(GUEST_VCPU, vp, VPCI_CFC_PORT + (off & 3), size, val);
}
