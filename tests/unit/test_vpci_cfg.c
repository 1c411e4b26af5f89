/*
 * vPCI config access decode: the 0xCF8 latch, 0xCFC-0xCFF widths and
 * offsets, ECAM decoding, the emulated host bridge, and which devices a VM
 * can see at all.
 */
#include "test_vpci_fake.h"

#define NIC_P PCI_BDF(0, 3, 0)		/* physical */
#define NIC_V PCI_BDF(0, 5, 0)		/* where VM A sees it */
#define HB PCI_BDF(0, 0, 0)
#define PHB_VENDOR_DEVICE 0x29C08086u

static struct vpci vma, vmb;

static void build_bus(void)
{
	struct fake_dev *d;

	fake_reset_all();
	d = fake_add(HB, 0x8086, 0x29C0, 0x06000000, 0);
	fake_done(d);
	d = fake_add(NIC_P, 0x8086, 0x100E, 0x02000003, 0);
	fake_bar(d, 0, 0xC0000000, 0x20000, PCI_BAR_MEM32, false);
	fake_bar(d, 1, 0xC000, 0x40, PCI_BAR_IO, false);
	fake_done(d);
	assert_int_equal(pci_enumerate(), 2);
}

static const struct vpci_dev_config devs_a[] = {
	{ .kind = VPCI_DEV_HOSTBRIDGE, .vbdf = HB },
	{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = NIC_V, .pbdf = NIC_P, .intx_pin = 1, .intx_line = 11 },
};
static const struct vpci_dev_config devs_b[] = {
	{ .kind = VPCI_DEV_HOSTBRIDGE, .vbdf = HB },
};

static int setup(void **state)
{
	struct vpci_config c;

	(void)state;
	build_bus();
	fake_vm_config(&c, devs_a, ARRAY_SIZE(devs_a));
	assert_int_equal(vpci_init(&vma, &fake_ops, &fvm, &c), 0);
	fake_vm_config(&c, devs_b, ARRAY_SIZE(devs_b));
	assert_int_equal(vpci_init(&vmb, &fake_ops, &fvm, &c), 0);
	fake_nlog = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&vma);
	fake_release_locks(&vmb);
	vpci_deinit(&vma);
	vpci_deinit(&vmb);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.ntrap, 0);
	assert_int_equal(fvm.npio, 0);
	return 0;
}

static u32 pio_in(struct vpci *vp, u16 port, unsigned size)
{
	u32 v = 0x5A5A5A5A;

	vpci_pio_read(GUEST_VCPU, vp, port, size, &v);
	return v;
}

static void cf8(struct vpci *vp, u32 v)
{
	assert_int_equal(vpci_pio_write(GUEST_VCPU, vp, VPCI_CF8_PORT, 4, v), 0);
}

static void test_cf8_latch_masks_reserved_bits(void **state)
{
	(void)state;
	cf8(&vma, 0xFFFFFFFF);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0x80FFFFFC);
	cf8(&vma, 0x12345678);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0x00345678);
	cf8(&vma, 0);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0);
	/* each VM has its own latch */
	cf8(&vmb, 0x80000800);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0);
	assert_int_equal(pio_in(&vmb, 0xCF8, 4), 0x80000800);
}

static void test_cf8_narrow_accesses_do_not_latch(void **state)
{
	(void)state;
	cf8(&vma, 0x80002800);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCF8, 1, 0x00);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCF8, 2, 0x0000);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCFA, 2, 0x0000);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCFB, 1, 0x00);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0x80002800);
	/* and read all ones (nothing else decodes there without a legacy handler) */
	assert_int_equal(pio_in(&vma, 0xCF8, 1), 0xFF);
	assert_int_equal(pio_in(&vma, 0xCF9, 1), 0xFF);
	assert_int_equal(pio_in(&vma, 0xCFA, 2), 0xFFFF);
	assert_int_equal(pio_in(&vma, 0xCFB, 1), 0xFF);
}

static u16 legacy_port;
static unsigned legacy_size, legacy_writes, legacy_reads;
static u32 legacy_val;

static int legacy_rd(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)v;
	assert_ptr_equal(opaque, &legacy_port);
	legacy_reads++;
	legacy_port = port;
	*val = 0x42;
	(void)size;
	return 0;
}

static int legacy_wr(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)v;
	assert_ptr_equal(opaque, &legacy_port);
	legacy_writes++;
	legacy_port = port;
	legacy_size = size;
	legacy_val = val;
	return 0;
}

static void test_cf9_reaches_legacy_handler(void **state)
{
	(void)state;
	legacy_writes = legacy_reads = 0;
	vpci_set_legacy_pio(&vma, legacy_rd, legacy_wr, &legacy_port);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCF9, 1, 0x06);
	assert_int_equal(legacy_writes, 1);
	assert_int_equal(legacy_port, 0xCF9);
	assert_int_equal(legacy_size, 1);
	assert_int_equal(legacy_val, 0x06);
	assert_int_equal(pio_in(&vma, 0xCF9, 1), 0x42);
	assert_int_equal(legacy_reads, 1);
	/* a dword at 0xCF8 is still CONFIG_ADDRESS */
	cf8(&vma, 0x80000000);
	assert_int_equal(legacy_writes, 1);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0x80000000);
	assert_int_equal(legacy_reads, 1);
}

static void test_cfc_needs_enable_bit(void **state)
{
	(void)state;
	cf8(&vma, 0x00000000);		/* 00:00.0 reg 0, disabled */
	assert_int_equal(pio_in(&vma, 0xCFC, 4), 0xFFFFFFFF);
	assert_int_equal(pio_in(&vma, 0xCFC, 2), 0xFFFF);
	assert_int_equal(pio_in(&vma, 0xCFD, 1), 0xFF);
	cf8(&vma, 0x00000004);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCFC, 2, 0);
	cf8(&vma, 0x80000004);
	assert_int_equal(pio_in(&vma, 0xCFC, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), (0x0280u << 16) | 0x0006);
}

static void test_host_bridge_identity(void **state)
{
	(void)state;
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_CLASS_REVISION, 4), VPCI_HB_CLASS_REV);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_CLASS_REVISION + 3, 1), 0x06);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_CLASS_REVISION + 2, 1), 0x00);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_STATUS, 2), 0x0280);
	for (u16 off = PCI_BAR0; off < PCI_HDR_SIZE; off += 4)
		if (off != PCI_INTERRUPT_LINE)
			assert_int_equal(guest_cfg_read(&vma, HB, off, 4), 0);
	for (u16 off = PCI_HDR_SIZE; off < PCI_CFG_SIZE; off += 4)
		assert_int_equal(guest_cfg_read(&vma, HB, off, 4), 0);
	/* the physical host bridge is never touched */
	assert_int_equal(fake_nlog, 0);
}

static void test_host_bridge_writes(void **state)
{
	(void)state;
	guest_cfg_write(&vma, HB, PCI_VENDOR_ID, 4, 0);
	guest_cfg_write(&vma, HB, PCI_CLASS_REVISION, 4, 0);
	guest_cfg_write(&vma, HB, PCI_BAR0, 4, 0xFFFFFFFF);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_BAR0, 4), 0);
	guest_cfg_write(&vma, HB, PCI_COMMAND, 2, 0xFFFF);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_COMMAND, 2), 0x0007);
	guest_cfg_write(&vma, HB, PCI_COMMAND, 1, 0x02);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_COMMAND, 2), 0x0002);
	/* a dword write at 0x04 does not change Status */
	guest_cfg_write(&vma, HB, PCI_COMMAND, 4, 0xFFFF0004);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_COMMAND, 4), 0x02800004);
	guest_cfg_write(&vma, HB, PCI_INTERRUPT_LINE, 1, 0x0A);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_INTERRUPT_LINE, 2), 0x000A);
	assert_int_equal(fake_nlog, 0);
}

/* Every legal (offset, size) within one dword, via the matching 0xCFC lane. */
static void test_every_width_and_lane(void **state)
{
	static const struct { u16 off; unsigned size; u32 want; } t[] = {
		{ 0, 4, 0x12378086 }, { 0, 2, 0x8086 }, { 2, 2, 0x1237 },
		{ 0, 1, 0x86 }, { 1, 1, 0x80 }, { 2, 1, 0x37 }, { 3, 1, 0x12 },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(t); i++) {
		cf8(&vma, 0x80000000);
		assert_int_equal(pio_in(&vma, 0xCFC + t[i].off, t[i].size), t[i].want);
		/* the same through ECAM */
		u64 v = 0;
		assert_int_equal(vpci_ecam_read(&vma, t[i].off, t[i].size, &v), 0);
		assert_int_equal(v, t[i].want);
	}
	/* the pass-through device, same shape: device 8086:100E */
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0, 4), 0x100E8086);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 2, 2), 0x100E);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 3, 1), 0x10);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, PCI_CLASS_REVISION + 1, 1), 0x00);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, PCI_CLASS_REVISION + 3, 1), 0x02);
}

/*
 * Every offset with every width, through 0xCFC and ECAM: an aligned access
 * is the matching part of its dword, an unaligned one reads all ones.
 */
static void check_all_offsets(struct vpci *vp, u16 bdf, u16 end)
{
	static const unsigned sizes[] = { 1, 2, 4 };

	for (u16 off = 0; off < end; off++) {
		u32 dw = guest_cfg_read(vp, bdf, off & ~3u, 4);

		for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
			unsigned size = sizes[i];
			u32 want = off % size ? (u32)(0xFFFFFFFFull >> (32 - 8 * size)) :
				   (dw >> (8 * (off & 3))) & (u32)(0xFFFFFFFFull >> (32 - 8 * size));
			u64 e = 0;

			if (off < PCI_CFG_SIZE)
				assert_int_equal(guest_cfg_read(vp, bdf, off, size), want);
			vpci_ecam_read(vp, ((u64)bdf << 12) | off, size, &e);
			assert_int_equal(e, want);
		}
	}
}

static void test_every_offset_every_width(void **state)
{
	(void)state;
	fake_set(NIC_P, PCI_STATUS, 2, 0x0290);
	fake_set(NIC_P, 0x40, 4, 0x11223344);
	fake_set(NIC_P, 0xFFC, 4, 0x55667788);
	check_all_offsets(&vma, HB, PCI_ECFG_SIZE);
	check_all_offsets(&vma, NIC_V, PCI_ECFG_SIZE);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0x42, 2), 0x1122);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0x41, 1), 0x33);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0xFFE, 2), 0x5566);
	/* nothing read was ever written */
	assert_int_equal(fake_nlog, 0);
}

/* Writes of all ones and zeros everywhere: nothing breaks, identity stays. */
static void test_write_sweep(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4 };

	(void)state;
	for (unsigned pass = 0; pass < 2; pass++) {
		for (u16 off = 0; off < PCI_CFG_SIZE; off++) {
			for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
				guest_cfg_write(&vma, NIC_V, off, sizes[i], pass ? 0 : 0xFFFFFFFF);
				guest_cfg_write(&vma, HB, off, sizes[i], pass ? 0 : 0xFFFFFFFF);
			}
		}
		assert_int_equal(guest_cfg_read(&vma, NIC_V, 0, 4), 0x100E8086);
		assert_int_equal(guest_cfg_read(&vma, NIC_V, PCI_CLASS_REVISION, 4), 0x02000003);
		assert_int_equal(guest_cfg_read(&vma, HB, 0, 4), 0x12378086);
	}
	/* the last pass wrote zeros: decode off, nothing mapped, BARs where they were */
	assert_int_equal(guest_cfg_read(&vma, NIC_V, PCI_COMMAND, 2), 0);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.npio, 0);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, PCI_BAR0, 4), 0xC0000000);
	assert_int_equal(fake_get(NIC_P, PCI_BAR0, 4), 0xC0000000);
	assert_int_equal(fake_get(NIC_P, PCI_VENDOR_ID, 4), 0x100E8086);
}

static void test_unaligned_and_illegal_accesses(void **state)
{
	u32 v;
	u64 w;

	(void)state;
	cf8(&vma, 0x80000000);
	assert_int_equal(pio_in(&vma, 0xCFD, 2), 0xFFFF);	/* word at offset 1 */
	assert_int_equal(pio_in(&vma, 0xCFF, 2), 0xFFFF);	/* runs past 0xCFF */
	assert_int_equal(pio_in(&vma, 0xCFE, 4), 0xFFFFFFFF);
	assert_int_equal(pio_in(&vma, 0xCFD, 4), 0xFFFFFFFF);
	/* unaligned writes are dropped */
	cf8(&vma, 0x80000004);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCFD, 2, 0x0000);
	assert_int_equal(pio_in(&vma, 0xCFC, 2), 0x0006);
	vpci_pio_write(GUEST_VCPU, &vma, 0xCFE, 4, 0);
	assert_int_equal(pio_in(&vma, 0xCFC, 2), 0x0006);
	/* direct API: size 3, 8, unaligned, beyond 4 KiB */
	assert_int_equal(vpci_cfg_read(&vma, HB, 0, 3, &v), 0);
	assert_int_equal(v, 0xFFFFFF);
	assert_int_equal(vpci_cfg_read(&vma, HB, 2, 4, &v), 0);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(vpci_cfg_read(&vma, HB, 1, 2, &v), 0);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(vpci_cfg_read(&vma, HB, 4096, 4, &v), 0);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(vpci_ecam_read(&vma, 0, 8, &w), 0);
	assert_int_equal(w, ~0ULL);
	assert_int_equal(vpci_ecam_read(&vma, 6, 4, &w), 0);
	assert_int_equal(w, 0xFFFFFFFF);
	assert_int_equal(vpci_ecam_read(&vma, 3, 2, &w), 0);
	assert_int_equal(w, 0xFFFF);
	vpci_ecam_write(&vma, 4, 8, 0);
	vpci_ecam_write(&vma, 5, 2, 0);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_COMMAND, 2), 0x0006);
	assert_int_equal(fake_nlog, 0);
}

static void test_cf8_register_and_function_bits(void **state)
{
	(void)state;
	/* register number in bits 7:2 */
	cf8(&vma, 0x80000008);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), VPCI_HB_CLASS_REV);
	/* bits 1:0 of the latch are dropped: same register */
	cf8(&vma, 0x8000000B);
	assert_int_equal(pio_in(&vma, 0xCF8, 4), 0x80000008);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), VPCI_HB_CLASS_REV);
	/* device 5 function 0: the NIC; function 1 and bus 1: nothing */
	cf8(&vma, 0x80002800);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), 0x100E8086);
	cf8(&vma, 0x80002900);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), 0xFFFFFFFF);
	cf8(&vma, 0x80012800);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), 0xFFFFFFFF);
	/* bits 30:24 do not select anything (they are not latched) */
	cf8(&vma, 0xFF002800);
	assert_int_equal(pio_in(&vma, 0xCFC, 4), 0x100E8086);
}

static void test_ecam_decoding(void **state)
{
	u64 v;

	(void)state;
	/* bus 0, device 5, function 0, register 8 */
	assert_int_equal(vpci_ecam_read(&vma, (5u << 15) | 8, 4, &v), 0);
	assert_int_equal(v, 0x02000003);
	/* function bits 14:12 */
	assert_int_equal(vpci_ecam_read(&vma, (5u << 15) | (1u << 12), 4, &v), -ENODEV);
	assert_int_equal(v, 0xFFFFFFFF);
	/* bus 1 is beyond the window's last bus */
	assert_int_equal(vpci_ecam_read(&vma, (1u << 20) | (5u << 15), 4, &v), 0);
	assert_int_equal(v, 0xFFFFFFFF);
	/* extended space of the host bridge reads 0 */
	assert_int_equal(vpci_ecam_read(&vma, 0x100, 4, &v), 0);
	assert_int_equal(v, 0);
	/* the MMIO wrapper subtracts the window base and ignores outside accesses */
	assert_int_equal(vpci_ecam_size(&vma), 1ULL << 20);
	assert_int_equal(vpci_ecam_mmio_read(GUEST_VCPU, &vma, FAKE_ECAM + (5u << 15), 2, &v), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(vpci_ecam_mmio_read(GUEST_VCPU, &vma, FAKE_ECAM - 4, 4, &v), 0);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(vpci_ecam_mmio_read(GUEST_VCPU, &vma, FAKE_ECAM + (1u << 20), 4, &v), 0);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_int_equal(vpci_ecam_mmio_write(GUEST_VCPU, &vma, FAKE_ECAM + 4, 2, 0), 0);
	assert_int_equal(guest_cfg_read(&vma, HB, PCI_COMMAND, 2), 0);
	/* ECAM reaches offsets 0xCF8 cannot */
	assert_int_equal(vpci_ecam_read(&vma, (5u << 15) | 0x100, 4, &v), 0);
	assert_int_equal(v, 0);		/* fake NIC: nothing in its extended space */
}

static void test_other_vms_devices_are_invisible(void **state)
{
	u32 v;

	(void)state;
	/* VM B has only its host bridge: the NIC's slot is empty */
	assert_int_equal(guest_cfg_read(&vmb, NIC_V, 0, 4), 0xFFFFFFFF);
	assert_int_equal(guest_cfg_read(&vmb, NIC_P, 0, 4), 0xFFFFFFFF);
	assert_int_equal(guest_cfg_read(&vmb, NIC_P, 0, 2), 0xFFFF);
	assert_int_equal(guest_cfg_read(&vmb, NIC_P, 0, 1), 0xFF);
	assert_int_equal(vpci_cfg_read(&vmb, NIC_P, 0, 4, &v), -ENODEV);
	assert_int_equal(v, 0xFFFFFFFF);
	/* writes go nowhere */
	assert_int_equal(vpci_cfg_write(&vmb, NIC_P, PCI_COMMAND, 2, 7), -ENODEV);
	guest_cfg_write(&vmb, NIC_P, PCI_BAR0, 4, 0xFFFFFFFF);
	guest_cfg_write(&vmb, NIC_V, PCI_COMMAND, 2, 7);
	assert_int_equal(fake_nlog, 0);
	/* VM A's host bridge is not the physical one either */
	assert_int_equal(guest_cfg_read(&vma, HB, 0, 4), 0x12378086);
	assert_int_not_equal(guest_cfg_read(&vma, HB, 0, 4), PHB_VENDOR_DEVICE);
	/* and the physical NIC is owned by A only */
	assert_ptr_equal(vpci_pdev_owner(NIC_P), &vma);
	assert_null(vpci_pdev_owner(HB));
	assert_int_equal(vpci_assign_dev(&vmb, &devs_a[1]), -EBUSY);
	assert_int_equal(guest_cfg_read(&vmb, NIC_V, 0, 4), 0xFFFFFFFF);
}

static void test_deassign_and_reassign(void **state)
{
	(void)state;
	/* the lookup remembers the NIC's slot: it must not outlive the device */
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0, 4), 0x100E8086);
	assert_int_equal(vpci_deassign_dev(&vma, NIC_V), 0);
	assert_int_equal(vpci_deassign_dev(&vma, NIC_V), -ENODEV);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0, 4), 0xFFFFFFFF);
	/* a freed slot reused at another vBDF answers only there */
	struct vpci_dev_config moved = devs_a[1];
	moved.vbdf = PCI_BDF(0, 6, 0);
	assert_int_equal(vpci_assign_dev(&vma, &moved), 0);
	assert_int_equal(guest_cfg_read(&vma, moved.vbdf, 0, 4), 0x100E8086);
	assert_int_equal(guest_cfg_read(&vma, NIC_V, 0, 4), 0xFFFFFFFF);
	assert_int_equal(guest_cfg_read(&vma, moved.vbdf, 0, 4), 0x100E8086);
	assert_int_equal(vpci_deassign_dev(&vma, moved.vbdf), 0);
	assert_null(vpci_pdev_owner(NIC_P));
	assert_int_equal(vpci_assign_dev(&vmb, &devs_a[1]), 0);
	assert_int_equal(guest_cfg_read(&vmb, NIC_V, 0, 4), 0x100E8086);
	assert_ptr_equal(vpci_pdev_owner(NIC_P), &vmb);
	/* an assigned vBDF cannot be reused, an unknown pBDF does not exist */
	assert_int_equal(vpci_assign_dev(&vmb, &devs_a[1]), -EEXIST);
	struct vpci_dev_config bad = { .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 9, 0),
				       .pbdf = PCI_BDF(0, 9, 0) };
	assert_int_equal(vpci_assign_dev(&vmb, &bad), -ENODEV);
	/* a bridge kind on a type 0 function is refused */
	bad.kind = VPCI_DEV_BRIDGE;
	bad.pbdf = HB;
	assert_int_equal(vpci_assign_dev(&vmb, &bad), -ENOTSUP);
	assert_null(vpci_pdev_owner(HB));
}

static void test_init_failures_leave_nothing(void **state)
{
	struct vpci vp;
	struct vpci_config c;
	struct vpci_ops no_udelay = fake_ops;
	const struct vpci_dev_config dup[] = {
		{ .kind = VPCI_DEV_HOSTBRIDGE, .vbdf = PCI_BDF(0, 1, 0) },
		{ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 1, 0), .pbdf = HB },
	};

	(void)state;
	no_udelay.udelay = NULL;
	fake_vm_config(&c, dup, 1);
	assert_int_equal(vpci_init(&vp, &no_udelay, &fvm, &c), -EINVAL);
	assert_int_equal(vpci_init(&vp, NULL, &fvm, &c), -EINVAL);
	c.nr_ram = VPCI_MAX_RANGES + 1;
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), -EINVAL);
	fake_vm_config(&c, dup, 2);
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), -EEXIST);
	assert_int_equal(vp.nr_vdevs, 0);
	assert_null(vpci_pdev_owner(HB));
	assert_int_equal(guest_cfg_read(&vp, PCI_BDF(0, 1, 0), 0, 4), 0xFFFFFFFF);
}

static void test_too_many_devices(void **state)
{
	struct vpci vp;
	struct vpci_config c;
	struct vpci_dev_config d[VPCI_MAX_VDEVS + 1];

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(d); i++)
		d[i] = (struct vpci_dev_config){ .kind = VPCI_DEV_HOSTBRIDGE,
						 .vbdf = PCI_BDF(1, i / 8, i % 8) };
	fake_vm_config(&c, d, VPCI_MAX_VDEVS);
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), 0);
	assert_int_equal(vpci_assign_dev(&vp, &d[VPCI_MAX_VDEVS]), -ENOSPC);
	/* a freed slot is reused */
	assert_int_equal(vpci_deassign_dev(&vp, d[3].vbdf), 0);
	assert_int_equal(vpci_assign_dev(&vp, &d[VPCI_MAX_VDEVS]), 0);
	assert_non_null(vpci_find_vdev(&vp, d[VPCI_MAX_VDEVS].vbdf));
	assert_null(vpci_find_vdev(&vp, d[3].vbdf));
	vpci_deinit(&vp);
}

static void test_bad_kind_is_refused(void **state)
{
	struct vpci_dev_config bad = { .kind = (enum vpci_dev_kind)7, .vbdf = PCI_BDF(0, 7, 0),
				       .pbdf = NIC_P };

	(void)state;
	vpci_deassign_dev(&vma, NIC_V);
	assert_int_equal(vpci_assign_dev(&vma, &bad), -EINVAL);
	assert_null(vpci_pdev_owner(NIC_P));
	assert_null(vpci_find_vdev(&vma, bad.vbdf));
}

/* Post-launched VMs: accesses to absent functions go to cfg_miss, present ones never do. */
static struct { unsigned calls; u16 bdf, reg; unsigned size; bool write; u32 val; } miss;

static int miss_hook(void *ctx, struct vcpu *v, u16 vbdf, u16 reg, unsigned size, bool write,
		     u32 *val)
{
	(void)ctx; (void)v;
	miss.calls++;
	miss.bdf = vbdf;
	miss.reg = reg;
	miss.size = size;
	miss.write = write;
	if (write)
		miss.val = *val;
	else
		*val = 0x1234ABCD & (size == 4 ? ~0u : (1u << (size * 8)) - 1);
	return 0;
}

static void test_absent_functions_reach_cfg_miss(void **state)
{
	struct vpci_ops ops = fake_ops;
	struct vpci_config c;
	struct vpci vp;
	u64 v;

	(void)state;
	ops.cfg_miss = miss_hook;
	fake_vm_config(&c, devs_b, ARRAY_SIZE(devs_b));
	assert_int_equal(vpci_init(&vp, &ops, &fvm, &c), 0);
	memset(&miss, 0, sizeof(miss));
	/* through 0xCFC: bus/dev/fn and the byte offset as the guest addressed it */
	assert_int_equal(guest_cfg_read(&vp, PCI_BDF(0, 5, 0), 0x2E, 2), 0xABCD);
	assert_int_equal(miss.calls, 1);
	assert_int_equal(miss.bdf, PCI_BDF(0, 5, 0));
	assert_int_equal(miss.reg, 0x2E);
	assert_int_equal(miss.size, 2);
	assert_false(miss.write);
	guest_cfg_write(&vp, PCI_BDF(0, 7, 1), 0x10, 4, 0xFEDC0000);
	assert_int_equal(miss.calls, 2);
	assert_true(miss.write);
	assert_int_equal(miss.bdf, PCI_BDF(0, 7, 1));
	assert_int_equal(miss.val, 0xFEDC0000);
	/* through ECAM */
	assert_int_equal(vpci_ecam_mmio_read(GUEST_VCPU, &vp, FAKE_ECAM + (3u << 15) + 0x40, 4, &v), 0);
	assert_int_equal(v, 0x1234ABCD);
	assert_int_equal(miss.bdf, PCI_BDF(0, 3, 0));
	assert_int_equal(miss.reg, 0x40);
	assert_int_equal(vpci_ecam_mmio_write(GUEST_VCPU, &vp, FAKE_ECAM + (3u << 15) + 0x44, 1, 0x5A), 0);
	assert_int_equal(miss.calls, 4);
	assert_int_equal(miss.reg, 0x44);
	assert_int_equal(miss.val, 0x5A);
	/* the host bridge is the VM's own: handled here, never forwarded */
	assert_int_equal(guest_cfg_read(&vp, HB, 0, 2), VPCI_HB_VENDOR);
	assert_int_equal(vpci_ecam_mmio_read(GUEST_VCPU, &vp, FAKE_ECAM, 2, &v), 0);
	assert_int_equal(v, VPCI_HB_VENDOR);
	/* malformed accesses are not config requests: all ones, nothing forwarded */
	assert_int_equal(guest_cfg_read(&vp, PCI_BDF(0, 5, 0), 0x3, 2), 0xFFFF);
	assert_int_equal(vpci_ecam_mmio_read(GUEST_VCPU, &vp, FAKE_ECAM + (5u << 15), 8, &v), 0);
	assert_int_equal(miss.calls, 4);
	/* the hypervisor's own accesses (no vCPU) are never forwarded */
	u32 w;
	assert_int_equal(vpci_cfg_read(&vp, PCI_BDF(0, 5, 0), 0, 4, &w), -ENODEV);
	assert_int_equal(w, 0xFFFFFFFF);
	assert_int_equal(vpci_cfg_write(&vp, PCI_BDF(0, 5, 0), 0x10, 4, 0), -ENODEV);
	assert_int_equal(miss.calls, 4);
	fake_release_locks(&vp);
	vpci_deinit(&vp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cf8_latch_masks_reserved_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cf8_narrow_accesses_do_not_latch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cf9_reaches_legacy_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cfc_needs_enable_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_bridge_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_bridge_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_width_and_lane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_offset_every_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_and_illegal_accesses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cf8_register_and_function_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ecam_decoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_vms_devices_are_invisible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deassign_and_reassign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_failures_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_kind_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_functions_reach_cfg_miss, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
