/*
 * libFuzzer: a guest's sequences of PCI config reads and writes (0xCF8/0xCFC
 * at any port and width, ECAM at any offset and width) and of accesses to
 * the BARs they place (MSI-X table and PBA traps, mapped MMIO), against the
 * vPCI (dm/vpci/) over the unit tests' fakes (tests/unit/test_vpci_fake.c):
 * a simulated config space and a fake VM whose hooks check that the vPCI
 * never maps or traps twice, nor unmaps what it did not map.
 *
 * The bus, built once: host bridge 0:0.0; a bridge 0:1.0 to bus 1; DEV1 1:0.0
 * (64-bit MSI, MSI-X with its table and PBA in BAR0, PCIe with FLR, PM, an
 * extended capability; BAR0 mem32, BAR1 I/O, BAR2 mem64) given with reset;
 * DEV2 0:3.0 (32-bit MSI with per-vector masking, BAR0) shown at 0:5.0.
 * Each input starts from that state (the fake devices copied back) and
 * ends with vpci_deinit, after which nothing may stay mapped, trapped or
 * allowed, and the devices must be free for the next input's vpci_init.
 * Every read that succeeds stores exactly its size's bytes.
 */
#include "fuzz_check.h"
#include "test_vpci_fake.h"

#define HB   PCI_BDF(0, 0, 0)
#define BR   PCI_BDF(0, 1, 0)
#define DEV1 PCI_BDF(1, 0, 0)
#define DEV2 PCI_BDF(0, 3, 0)
#define DEV2_V PCI_BDF(0, 5, 0)
#define DEV1_BAR0 0xC1000000ULL
#define DEV1_BAR2 0x4000000000ULL
#define DEV2_BAR0 0xC2000000ULL
#define MAX_OPS 64

static struct vpci vp;
static struct fake_dev saved[4];
static const u16 bdfs[] = { HB, BR, DEV1, DEV2, DEV2_V, PCI_BDF(0, 2, 0) };

static const struct vpci_dev_config devs[] = {
	{ .kind = VPCI_DEV_HOSTBRIDGE, .vbdf = HB },
	{ .kind = VPCI_DEV_BRIDGE, .vbdf = BR, .pbdf = BR },
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DEV1, .pbdf = DEV1, .flags = VPCI_DEVF_RESET,
	  .intx_pin = 1, .intx_line = 16 },
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DEV2_V, .pbdf = DEV2, .intx_pin = 2,
	  .intx_line = 0xFF },
};

static void build_bus(void)
{
	struct fake_dev *d;

	fake_reset_all();
	fake_done(fake_add(HB, 0x8086, 0x29C0, 0x06000000, 0));
	d = fake_add(BR, 0x8086, 0x9D12, 0x06040000, 1);
	fake_bridge(d, 0, 1, 1);
	fake_done(d);
	d = fake_add(DEV1, 0x8086, 0x1533, 0x02000000, 0);
	fake_bar(d, 0, DEV1_BAR0, 0x4000, PCI_BAR_MEM32, false);
	fake_bar(d, 1, 0xE000, 0x20, PCI_BAR_IO, false);
	fake_bar(d, 2, DEV1_BAR2, 0x1000, PCI_BAR_MEM64, true);
	fake_msi(d, 0x50, true, false);
	fake_msix(d, 0x70, 4, 0, 0x2000, 0, 0x3000);
	fake_pcie(d, 0x80, true);
	fake_pm(d, 0xC0, false);
	fake_ext_cap(d, 0x100, 0x0001, 0);
	d->cfg[PCI_INTERRUPT_PIN] = 1;
	fake_done(d);
	d = fake_add(DEV2, 0x10EC, 0x8168, 0x02000000, 0);
	fake_bar(d, 0, DEV2_BAR0, 0x1000, PCI_BAR_MEM32, false);
	fake_msi(d, 0x50, false, true);
	d->cfg[PCI_INTERRUPT_PIN] = 2;
	fake_done(d);
	fake_mmio_add(DEV1_BAR0, 0x4000);
	fake_mmio_add(DEV1_BAR2, 0x1000);
	fake_mmio_add(DEV2_BAR0, 0x1000);
	FUZZ_CHECK(pci_enumerate() == 4);
	memcpy(saved, fake_devs, sizeof(saved));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("CMOCKA_TEST_ABORT", "1", 1);	/* a fake's failed check aborts: a crash */
	log_level = LOG_ERR - 1;
	build_bus();
	return 0;
}

static bool bar_written;	/* by the guest through a mapping, this input */

/* The fake devices as built; their MMIO zeroed when anything wrote it. */
static void restore(void)
{
	if (fvm.mmio_writes || bar_written) {
		for (u64 o = 0; o < 0x4000; o += 8)
			fake_mmio_set(DEV1_BAR0 + o, 8, 0);
		for (u64 o = 0; o < 0x1000; o += 8) {
			fake_mmio_set(DEV1_BAR2 + o, 8, 0);
			fake_mmio_set(DEV2_BAR0 + o, 8, 0);
		}
	}
	bar_written = false;
	memcpy(fake_devs, saved, sizeof(saved));
	memset(&fvm, 0, sizeof(fvm));
	fake_nlog = 0;
}

static const unsigned pio_sizes[] = { 1, 2, 4 };
static const unsigned mmio_sizes[] = { 1, 2, 4, 8 };

/* A read stores exactly its size's bytes: nothing of what *val held before, nothing above. */
#define STALE 0xA5A5A5A5A5A5A5A5ULL
static void check_read(u64 v, unsigned size)
{
	FUZZ_CHECK(size == 8 || (v >> (8 * size)) == 0);
}

/* A guest access to where a BAR now is: a trapped page or a mapping. */
static void bar_access(struct fuzz_in *in, u8 op)
{
	unsigned n = fvm.ntrap + fvm.nmap, size = mmio_sizes[(op >> 4) & 3];
	u8 pick = (u8)fuzz_take(in, 1);
	u64 off = fuzz_take(in, 2), gpa, base, len, v = STALE;

	if (!n)
		return;
	pick %= n;
	base = pick < fvm.ntrap ? fvm.trap[pick].gpa : fvm.map[pick - fvm.ntrap].gpa;
	len = pick < fvm.ntrap ? fvm.trap[pick].size : fvm.map[pick - fvm.ntrap].size;
	gpa = base + (off % len & ~(u64)(size - 1));	/* an EPT access stays in its page */
	if (op & 0x40) {
		bar_written = true;
		fake_guest_write(gpa, size, fuzz_take(in, 8));
	} else if (fake_guest_read(gpa, size, &v) == 0) {
		check_read(v, size);
	}
}

static void one_op(struct fuzz_in *in)
{
	u8 op = (u8)fuzz_take(in, 1);
	u32 v32;
	u64 v64;

	switch (op & 7) {
	case 0:		/* the address latch, any value */
		vpci_pio_write(GUEST_VCPU, &vp, VPCI_CF8_PORT, 4, (u32)fuzz_take(in, 4));
		break;
	case 1:		/* the latch for one of the bus's functions, enabled */
		vpci_pio_write(GUEST_VCPU, &vp, VPCI_CF8_PORT, 4, VPCI_CF8_ENABLE |
			       (u32)bdfs[(op >> 3) % ARRAY_SIZE(bdfs)] << 8 | (u32)fuzz_take(in, 1));
		break;
	case 2:
		v32 = (u32)STALE;
		if (vpci_pio_read(GUEST_VCPU, &vp, 0xCF8 + ((op >> 3) & 7), pio_sizes[(op >> 6) % 3],
				  &v32) == 0)
			check_read(v32, pio_sizes[(op >> 6) % 3]);
		break;
	case 3:
		vpci_pio_write(GUEST_VCPU, &vp, 0xCF8 + ((op >> 3) & 7), pio_sizes[(op >> 6) % 3],
			       (u32)fuzz_take(in, 4));
		break;
	case 4:		/* ECAM: anywhere in the window (buses 0-1) */
		v64 = STALE;
		if (vpci_ecam_mmio_read(GUEST_VCPU, &vp, FAKE_ECAM + fuzz_take(in, 3) % vpci_ecam_size(&vp),
					mmio_sizes[(op >> 3) & 3], &v64) == 0)
			check_read(v64, mmio_sizes[(op >> 3) & 3]);
		break;
	case 5:
		vpci_ecam_mmio_write(GUEST_VCPU, &vp, FAKE_ECAM + fuzz_take(in, 3) % vpci_ecam_size(&vp),
				     mmio_sizes[(op >> 3) & 3], fuzz_take(in, 8));
		break;
	case 6:		/* a register of a known function, the way a driver writes it */
		guest_cfg_write(&vp, bdfs[(op >> 3) % ARRAY_SIZE(bdfs)], (u16)(fuzz_take(in, 2) % 4096 & ~3u),
				4, (u32)fuzz_take(in, 4));
		break;
	default:
		bar_access(in, op);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { data, len };
	struct vpci_config c;

	restore();
	fake_vm_config(&c, devs, ARRAY_SIZE(devs));
	c.ecam_end_bus = 1;
	fvm.remap_fail = len && (data[0] & 0x80);	/* the host side refuses MSI routes */
	FUZZ_CHECK(vpci_init(&vp, &fake_ops, &fvm, &c) == 0);
	for (int i = 0; i < MAX_OPS && in.left; i++)
		one_op(&in);
	FUZZ_CHECK(vp.lock.locked == 0);
	vpci_deinit(&vp);
	FUZZ_CHECK(fvm.nmap == 0 && fvm.ntrap == 0 && fvm.npio == 0);
	return 0;
}
