/*
 * vPCI BARs: sizing of every kind, relocation (EPT mapping follows, old
 * mapping removed first), refused relocations (RAM, another BAR, outside
 * the window, misaligned), decode on/off, I/O BARs, 64-bit halves; a guest
 * refusing BAR moves in a loop gets a few log lines, not one per write.
 */
#include "test_vpci_fake.h"
#include "ratelimit.h"

extern unsigned host_printk_calls;	/* host_stubs.c */

/* The hypervisor's rate limit with the clock stopped: one window, RATELIMIT_BURST lines. */
bool ratelimit_ok(struct ratelimit *rl)
{
	u32 missed;

	return ratelimit_check(rl, 0, 1000, RATELIMIT_BURST, &missed);
}

#define DEV PCI_BDF(0, 4, 0)	/* identity vBDF */
#define DEV2 PCI_BDF(0, 6, 0)
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)

#define BAR0_HPA 0xC0000000ULL		/* 1 MiB, 32-bit */
#define BAR1_PORT 0xC100		/* 32 ports */
#define BAR2_HPA 0x4000000000ULL	/* 256 MiB, 64-bit prefetchable */
#define BAR4_HPA 0xC0100000ULL		/* 256 bytes, 32-bit */
#define BIG_HPA 0x4800000000ULL		/* DEV2 BAR0: 8 GiB, 64-bit */
#define OUT_HPA 0xFE000000ULL		/* DEV2 BAR2: outside the VM's window */

static struct vpci vp;
static struct vpci_dev_config devs[2];

static void build_bus(void)
{
	struct fake_dev *d;

	fake_reset_all();
	d = fake_add(DEV, 0x8086, 0x1111, 0x02000000, 0);
	fake_bar(d, 0, BAR0_HPA, MIB, PCI_BAR_MEM32, false);
	fake_bar(d, 1, BAR1_PORT, 32, PCI_BAR_IO, false);
	fake_bar(d, 2, BAR2_HPA, 256 * MIB, PCI_BAR_MEM64, true);
	fake_bar(d, 4, BAR4_HPA, 256, PCI_BAR_MEM32, false);
	fake_done(d);
	d = fake_add(DEV2, 0x8086, 0x2222, 0x03000000, 0);
	fake_bar(d, 0, BIG_HPA, 8 * GIB, PCI_BAR_MEM64, false);
	fake_bar(d, 2, OUT_HPA, 64 * 1024, PCI_BAR_MEM32, false);
	fake_done(d);
	assert_int_equal(pci_enumerate(), 2);
}

static int init_vm(struct vpci_config *c)
{
	devs[0] = (struct vpci_dev_config){ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DEV, .pbdf = DEV };
	devs[1] = (struct vpci_dev_config){ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = DEV2, .pbdf = DEV2 };
	c->devs = devs;
	c->nr_devs = 2;
	return vpci_init(&vp, &fake_ops, &fvm, c);
}

static int setup(void **state)
{
	struct vpci_config c;

	(void)state;
	build_bus();
	fake_vm_config(&c, NULL, 0);
	assert_int_equal(init_vm(&c), 0);
	fake_nlog = 0;
	return 0;
}

/* A VM whose window covers its RAM, so that only the RAM check can refuse. */
static int setup_wide_window(void **state)
{
	struct vpci_config c;

	(void)state;
	build_bus();
	fake_vm_config(&c, NULL, 0);
	c.nr_mmio = 2;
	c.mmio[0] = (struct vpci_range){ 0, 16 * GIB };
	c.mmio[1] = (struct vpci_range){ FAKE_WIN64, FAKE_WIN64_SIZE };
	assert_int_equal(init_vm(&c), 0);
	fake_nlog = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_release_locks(&vp);
	vpci_deinit(&vp);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.ntrap, 0);
	assert_int_equal(fvm.npio, 0);
	return 0;
}

static u32 bar_rd(u16 bdf, unsigned i)
{
	return guest_cfg_read(&vp, bdf, PCI_BAR(i), 4);
}

static void bar_wr(u16 bdf, unsigned i, u32 v)
{
	guest_cfg_write(&vp, bdf, PCI_BAR(i), 4, v);
}

static void cmd_wr(u16 bdf, u16 v)
{
	guest_cfg_write(&vp, bdf, PCI_COMMAND, 2, v);
}

static u64 mapped_hpa(u64 gpa)
{
	u64 hpa = 0;

	return fake_ept_lookup(gpa, &hpa) ? hpa : ~0ULL;
}

static unsigned phys_bar_writes(u16 bdf)
{
	unsigned n = 0;

	for (unsigned i = 0; i < PCI_BAR_MAX; i++)
		n += fake_count_writes(bdf, PCI_BAR(i));
	return n;
}

static void test_initial_values(void **state)
{
	(void)state;
	assert_int_equal(bar_rd(DEV, 0), 0xC0000000);
	assert_int_equal(bar_rd(DEV, 1), BAR1_PORT | 1);
	assert_int_equal(bar_rd(DEV, 2), 0x0000000C);	/* 64-bit, prefetchable */
	assert_int_equal(bar_rd(DEV, 3), 0x40);
	assert_int_equal(bar_rd(DEV, 4), 0xC0100000);
	assert_int_equal(bar_rd(DEV, 5), 0);
	assert_int_equal(bar_rd(DEV2, 0), 0x00000004);
	assert_int_equal(bar_rd(DEV2, 1), 0x48);
	/* physical base outside the VM's window: unassigned */
	assert_int_equal(bar_rd(DEV2, 2), 0);
	/* decode is off: nothing mapped yet */
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.npio, 0);
}

static void test_sizing_mem32(void **state)
{
	(void)state;
	bar_wr(DEV, 0, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 0), 0xFFF00000);
	assert_int_equal(bar_rd(DEV, 0), 0xFFF00000);	/* until the next write */
	bar_wr(DEV, 0, 0xC0000000);
	assert_int_equal(bar_rd(DEV, 0), 0xC0000000);
	/* the small BAR is a page to the guest */
	bar_wr(DEV, 4, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 4), 0xFFFFF000);
	bar_wr(DEV, 4, 0xC0100000);
	assert_int_equal(bar_rd(DEV, 4), 0xC0100000);
	assert_int_equal(phys_bar_writes(DEV), 0);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_sizing_io(void **state)
{
	(void)state;
	bar_wr(DEV, 1, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 1), 0xFFFFFFE1);
	assert_int_equal(guest_cfg_read(&vp, DEV, PCI_BAR(1), 2), 0xFFE1);
	assert_int_equal(guest_cfg_read(&vp, DEV, PCI_BAR(1) + 1, 1), 0xFF);
	bar_wr(DEV, 1, BAR1_PORT);
	assert_int_equal(bar_rd(DEV, 1), BAR1_PORT | 1);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_sizing_mem64(void **state)
{
	(void)state;
	bar_wr(DEV, 2, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 2), 0xF000000C);
	assert_int_equal(bar_rd(DEV, 3), 0x40);		/* the other half unchanged */
	bar_wr(DEV, 2, 0x0000000C);
	bar_wr(DEV, 3, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 3), 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 2), 0x0000000C);
	bar_wr(DEV, 3, 0x40);
	assert_int_equal(bar_rd(DEV, 3), 0x40);
	/* 8 GiB: the address bits start in the upper dword */
	bar_wr(DEV2, 0, 0xFFFFFFFF);
	bar_wr(DEV2, 1, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV2, 0), 0x00000004);
	assert_int_equal(bar_rd(DEV2, 1), 0xFFFFFFFE);
	bar_wr(DEV2, 0, 0);
	bar_wr(DEV2, 1, 0x48);
	assert_int_equal(bar_rd(DEV2, 1), 0x48);
	assert_int_equal(phys_bar_writes(DEV) + phys_bar_writes(DEV2), 0);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_unimplemented_bar(void **state)
{
	(void)state;
	bar_wr(DEV, 5, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 5), 0);
	bar_wr(DEV, 5, 0xC0800000);
	assert_int_equal(bar_rd(DEV, 5), 0);
	/* the expansion ROM is hidden the same way */
	guest_cfg_write(&vp, DEV, PCI_ROM_ADDRESS, 4, 0xFFFFFFFF);
	assert_int_equal(guest_cfg_read(&vp, DEV, PCI_ROM_ADDRESS, 4), 0);
	assert_int_equal(fake_nlog, 0);
}

static void test_decode_maps_and_unmaps(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
	assert_int_equal(mapped_hpa(BAR0_HPA + MIB - 1), BAR0_HPA + MIB - 1);
	assert_int_equal(mapped_hpa(BAR2_HPA + 0x1234), BAR2_HPA + 0x1234);
	assert_int_equal(mapped_hpa(BAR4_HPA), BAR4_HPA);
	assert_int_equal(fvm.nmap, 3);
	assert_int_equal(fvm.npio, 0);		/* I/O decode still off */
	/* the device decodes too */
	assert_int_equal(fake_get(DEV, PCI_COMMAND, 2), PCI_COMMAND_MEMORY);
	cmd_wr(DEV, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(fvm.npio, 1);
	assert_int_equal(fvm.pio_port[0], BAR1_PORT);
	assert_int_equal(fvm.pio_len[0], 32);
	assert_int_equal(fvm.nmap, 3);
	assert_int_equal(fvm.map_calls, 3);	/* nothing remapped */
	cmd_wr(DEV, PCI_COMMAND_IO);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(mapped_hpa(BAR0_HPA), ~0ULL);
	cmd_wr(DEV, 0);
	assert_int_equal(fvm.npio, 0);
	/* a byte write to Command works the same */
	guest_cfg_write(&vp, DEV, PCI_COMMAND, 1, PCI_COMMAND_MEMORY);
	assert_int_equal(fvm.nmap, 3);
}

/* A BAR whose EPT map fails is not mapped at all, and decode toggled later maps it. */
static void test_failed_map_is_retried(void **state)
{
	(void)state;
	fvm.map_fail = 1;			/* BAR0, the first mapped */
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(mapped_hpa(BAR0_HPA), ~0ULL);
	assert_int_equal(mapped_hpa(BAR2_HPA), BAR2_HPA);
	assert_int_equal(fvm.nmap, 2);
	cmd_wr(DEV, 0);				/* unmaps only what is mapped */
	assert_int_equal(fvm.nmap, 0);
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
	assert_int_equal(fvm.nmap, 3);
}

static void test_sizing_keeps_the_mapping(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	bar_wr(DEV, 0, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV, 0), 0xFFF00000);
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
	bar_wr(DEV, 0, 0xC0000000);
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
	assert_int_equal(fvm.map_calls, 3);
	assert_int_equal(fvm.unmap_calls, 0);
}

static void test_relocate_mem32_decode_on(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	bar_wr(DEV, 0, 0xC0400000);
	assert_int_equal(bar_rd(DEV, 0), 0xC0400000);
	assert_int_equal(mapped_hpa(0xC0400000), BAR0_HPA);
	assert_int_equal(mapped_hpa(0xC04FFFFF), BAR0_HPA + MIB - 1);
	assert_int_equal(mapped_hpa(BAR0_HPA), ~0ULL);	/* old mapping gone */
	assert_int_equal(fvm.unmap_calls, 1);
	/* the small BAR: a page at the new place */
	bar_wr(DEV, 4, 0xC0201000);
	assert_int_equal(bar_rd(DEV, 4), 0xC0201000);
	assert_int_equal(mapped_hpa(0xC0201000), BAR4_HPA);
	assert_int_equal(mapped_hpa(BAR4_HPA), ~0ULL);
	/* the physical BARs never moved */
	assert_int_equal(phys_bar_writes(DEV), 0);
	assert_int_equal(fake_get(DEV, PCI_BAR(0), 4), (u32)BAR0_HPA);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_relocate_decode_off_then_on(void **state)
{
	(void)state;
	bar_wr(DEV, 0, 0xC0800000);
	assert_int_equal(fvm.map_calls, 0);
	assert_int_equal(bar_rd(DEV, 0), 0xC0800000);
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(mapped_hpa(0xC0800000), BAR0_HPA);
	assert_int_equal(mapped_hpa(BAR0_HPA), ~0ULL);
	/* the old place is free again for another BAR */
	bar_wr(DEV, 4, 0xC0000000);
	assert_int_equal(mapped_hpa(0xC0000000), BAR4_HPA);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_relocate_mem64_both_orders(void **state)
{
	(void)state;
	/* into the 32-bit window, high dword first: 0 alone is not valid yet */
	bar_wr(DEV, 3, 0);
	assert_int_equal(bar_rd(DEV, 3), 0);		/* pending, as the guest wrote it */
	bar_wr(DEV, 2, 0xD0000000);
	assert_int_equal(bar_rd(DEV, 2), 0xD000000C);
	assert_int_equal(bar_rd(DEV, 3), 0);
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(mapped_hpa(0xD0000000), BAR2_HPA);
	cmd_wr(DEV, 0);
	/* back to the 64-bit window, low dword first */
	bar_wr(DEV, 2, 0x10000000);
	bar_wr(DEV, 3, 0x50);
	assert_int_equal(bar_rd(DEV, 2), 0x1000000C);
	assert_int_equal(bar_rd(DEV, 3), 0x50);
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(mapped_hpa(0x5010000000ULL), BAR2_HPA);
	assert_int_equal(mapped_hpa(0xD0000000), ~0ULL);
	/* with decode on a valid half moves at once */
	bar_wr(DEV, 3, 0x60);
	assert_int_equal(mapped_hpa(0x6010000000ULL), BAR2_HPA);
	assert_int_equal(mapped_hpa(0x5010000000ULL), ~0ULL);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_mem64_half_refused_with_decode_on(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	bar_wr(DEV, 3, 0);	/* would be 0: RAM, outside the window */
	assert_int_equal(vp.bar_refused, 1);
	assert_int_equal(bar_rd(DEV, 3), 0x40);
	assert_int_equal(mapped_hpa(BAR2_HPA), BAR2_HPA);
	assert_int_equal(fvm.unmap_calls, 0);
}

static void test_mem64_pending_refused_at_decode_on(void **state)
{
	(void)state;
	bar_wr(DEV, 3, 0x7);	/* 0x7_0000_0000: RAM-free but outside both windows */
	assert_int_equal(bar_rd(DEV, 3), 0x7);
	assert_int_equal(vp.bar_refused, 0);
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(vp.bar_refused, 1);
	assert_int_equal(bar_rd(DEV, 3), 0x40);
	assert_int_equal(mapped_hpa(BAR2_HPA), BAR2_HPA);
}

static void test_mem64_pending_pair_refused(void **state)
{
	(void)state;
	bar_wr(DEV, 3, 0);		/* pending */
	bar_wr(DEV, 2, 0x10000000);	/* 0x10000000 is RAM: the pair is refused */
	assert_int_equal(vp.bar_refused, 1);
	assert_int_equal(bar_rd(DEV, 2), 0x0000000C);
	assert_int_equal(bar_rd(DEV, 3), 0x40);
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	assert_int_equal(vp.bar_refused, 1);	/* nothing left pending */
	assert_int_equal(mapped_hpa(BAR2_HPA), BAR2_HPA);
}

/* A refused write: counted, value and mapping kept, no EPT calls. */
static void expect_refused(u16 bdf, unsigned idx, u32 val, u32 keep)
{
	unsigned refused = vp.bar_refused, maps = fvm.map_calls, unmaps = fvm.unmap_calls;

	bar_wr(bdf, idx, val);
	assert_int_equal(vp.bar_refused, refused + 1);
	assert_int_equal(bar_rd(bdf, idx), keep);
	assert_int_equal(fvm.map_calls, maps);
	assert_int_equal(fvm.unmap_calls, unmaps);
}

static void test_refused_outside_window(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	cmd_wr(DEV2, PCI_COMMAND_MEMORY);
	expect_refused(DEV, 0, 0xE0000000, 0xC0000000);		/* the ECAM window */
	expect_refused(DEV, 0, 0xFFF00000, 0xC0000000);		/* past the window */
	expect_refused(DEV, 0, 0xDFF00000 + MIB / 2, 0xC0000000);	/* straddles (misaligned too) */
	expect_refused(DEV, 4, 0xBFFFF000, 0xC0100000);
	expect_refused(DEV, 3, 0x90, 0x40);			/* past the 64-bit window */
	expect_refused(DEV2, 1, 0x80, 0x48);			/* just past the end */
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
	assert_int_equal(mapped_hpa(BAR2_HPA), BAR2_HPA);
	assert_int_equal(mapped_hpa(BIG_HPA), BIG_HPA);
}

/* Issue 15: the console is not the guest's to hold; every refusal is still counted. */
static void test_refused_flood_rate_limited(void **state)
{
	unsigned lines = host_printk_calls;

	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	for (int i = 0; i < 200; i++)
		expect_refused(DEV, 0, 0xE0000000, 0xC0000000);
	assert_true(host_printk_calls - lines <= RATELIMIT_BURST);
}

static void test_refused_misaligned(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	cmd_wr(DEV2, PCI_COMMAND_MEMORY);
	expect_refused(DEV, 0, 0xC0480000, 0xC0000000);		/* 512 KiB into 1 MiB */
	expect_refused(DEV, 0, 0xC0400010, 0xC0000000);
	expect_refused(DEV, 2, 0x0800000C, 0x0000000C);		/* 128 MiB into 256 MiB */
	expect_refused(DEV, 4, 0xC0200800, 0xC0100000);		/* a page, not 256 bytes */
	expect_refused(DEV2, 1, 0x41, 0x48);			/* 4 GiB into 8 GiB */
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
}

static void test_refused_overlap_with_bar(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	cmd_wr(DEV2, PCI_COMMAND_MEMORY);
	/* onto its own other BAR */
	expect_refused(DEV, 4, 0xC0000000, 0xC0100000);
	expect_refused(DEV, 4, 0xC00FF000, 0xC0100000);
	/* onto another device's BAR (DEV2 BAR2 placed by the guest first) */
	bar_wr(DEV2, 2, 0xC0800000);
	assert_int_equal(bar_rd(DEV2, 2), 0xC0800000);
	expect_refused(DEV, 0, 0xC0800000, 0xC0000000);
	expect_refused(DEV, 4, 0xC0808000, 0xC0100000);
	/* a 64-bit BAR onto another 64-bit BAR */
	expect_refused(DEV2, 1, 0x40, 0x48);
	/* DEV2's BAR over the moved DEV BAR's new home is refused too */
	bar_wr(DEV, 0, 0xC0400000);
	expect_refused(DEV2, 2, 0xC0400000, 0xC0800000);
	/* but the old home is free */
	bar_wr(DEV2, 2, 0xC0000000);
	assert_int_equal(bar_rd(DEV2, 2), 0xC0000000);
	assert_int_equal(vp.bar_refused, 6);
}

static void test_refused_overlap_with_ram(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	cmd_wr(DEV2, PCI_COMMAND_MEMORY);
	expect_refused(DEV, 0, 0x00100000, 0xC0000000);
	expect_refused(DEV, 0, 0x3FF00000, 0xC0000000);		/* last MiB of RAM */
	expect_refused(DEV, 4, 0x3FFFF000, 0xC0100000);
	/* 64-bit BAR into the RAM above 4 GiB (both halves at once, decode on) */
	bar_wr(DEV, 2, 0x1000000C);
	assert_int_equal(mapped_hpa(0x4010000000ULL), BAR2_HPA);
	expect_refused(DEV, 3, 0x1, 0x40);
	/* nor can the 8 GiB BAR take RAM at 0 */
	expect_refused(DEV2, 1, 0x0, 0x48);
	/* right after RAM is fine in this VM */
	bar_wr(DEV, 0, 0x40000000);
	assert_int_equal(bar_rd(DEV, 0), 0x40000000);
	assert_int_equal(mapped_hpa(0x40000000), BAR0_HPA);
}

/* RAM the VM got after vpci_init (a post-launched VM's), as the hook reports it */
static u64 late_ram_base, late_ram_size;

static bool late_ram_overlaps(void *ctx, u64 gpa, u64 size)
{
	(void)ctx;
	return ranges_overlap(gpa, size, late_ram_base, late_ram_size);
}

static void test_ram_added_later_is_refused(void **state)
{
	struct vpci_ops ops = fake_ops;

	(void)state;
	ops.ram_overlaps = late_ram_overlaps;
	vp.ops = &ops;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	late_ram_base = 0xC1000000;
	late_ram_size = 0x01000000;
	expect_refused(DEV, 0, 0xC1000000, 0xC0000000);
	expect_refused(DEV, 0, 0xC1FE0000, 0xC0000000);	/* its last 128 KiB */
	/* the hook is the VM's RAM: what the config's ranges said no longer counts */
	bar_wr(DEV, 0, 0x00100000);
	assert_int_equal(bar_rd(DEV, 0), 0x00100000);
	assert_int_equal(mapped_hpa(0x00100000), BAR0_HPA);
	/* the RAM goes away again: the BAR may move there */
	late_ram_size = 0;
	bar_wr(DEV, 0, 0xC1000000);
	assert_int_equal(bar_rd(DEV, 0), 0xC1000000);
	vp.ops = &fake_ops;
}

static void test_io_bar_is_identity(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_IO);
	assert_int_equal(fvm.npio, 1);
	expect_refused(DEV, 1, 0xD000, BAR1_PORT | 1);
	bar_wr(DEV, 1, BAR1_PORT | 1);		/* its own value: fine */
	assert_int_equal(bar_rd(DEV, 1), BAR1_PORT | 1);
	assert_int_equal(fvm.pio_port[0], BAR1_PORT);
	assert_int_equal(vp.bar_refused, 1);
	assert_int_equal(fake_get(DEV, PCI_COMMAND, 2), PCI_COMMAND_IO);
}

static void test_unassigned_bar_gets_placed(void **state)
{
	(void)state;
	cmd_wr(DEV2, PCI_COMMAND_MEMORY);
	assert_int_equal(fvm.nmap, 1);		/* only the 8 GiB BAR */
	bar_wr(DEV2, 2, 0xFFFFFFFF);
	assert_int_equal(bar_rd(DEV2, 2), 0xFFFF0000);
	bar_wr(DEV2, 2, 0xC0810000);
	assert_int_equal(mapped_hpa(0xC0810000), OUT_HPA);
	assert_int_equal(mapped_hpa(0xC081FFFF), OUT_HPA + 0xFFFF);
	assert_int_equal(fvm.nmap, 2);
}

static void test_partial_bar_writes(void **state)
{
	(void)state;
	cmd_wr(DEV, PCI_COMMAND_MEMORY);
	guest_cfg_write(&vp, DEV, PCI_BAR(0) + 2, 1, 0x50);
	assert_int_equal(bar_rd(DEV, 0), 0xC0500000);
	assert_int_equal(mapped_hpa(0xC0500000), BAR0_HPA);
	guest_cfg_write(&vp, DEV, PCI_BAR(0) + 2, 2, 0xC060);
	assert_int_equal(bar_rd(DEV, 0), 0xC0600000);
	assert_int_equal(guest_cfg_read(&vp, DEV, PCI_BAR(0) + 2, 2), 0xC060);
	assert_int_equal(guest_cfg_read(&vp, DEV, PCI_BAR(0) + 3, 1), 0xC0);
	/* type bits are read-only */
	guest_cfg_write(&vp, DEV, PCI_BAR(0), 1, 0x0F);
	assert_int_equal(bar_rd(DEV, 0), 0xC0600000);
	assert_int_equal(mapped_hpa(0xC0600000), BAR0_HPA);
	assert_int_equal(vp.bar_refused, 0);
}

static void test_configured_guest_base(void **state)
{
	struct vpci_config c;

	(void)state;
	vpci_deinit(&vp);
	fake_vm_config(&c, NULL, 0);
	devs[0] = (struct vpci_dev_config){ .kind = VPCI_DEV_PASSTHROUGH, .vbdf = PCI_BDF(0, 1, 0),
					    .pbdf = DEV };
	devs[0].vbar[0] = 0xD0000000;		/* placed there */
	devs[0].vbar[2] = 0x1000000000ULL;	/* RAM-free but outside: unassigned */
	devs[0].vbar[4] = 0xC0000800;		/* misaligned: unassigned */
	c.devs = devs;
	c.nr_devs = 1;
	assert_int_equal(vpci_init(&vp, &fake_ops, &fvm, &c), 0);
	assert_int_equal(bar_rd(PCI_BDF(0, 1, 0), 0), 0xD0000000);
	assert_int_equal(bar_rd(PCI_BDF(0, 1, 0), 2), 0x0000000C);
	assert_int_equal(bar_rd(PCI_BDF(0, 1, 0), 3), 0);
	assert_int_equal(bar_rd(PCI_BDF(0, 1, 0), 4), 0);
	cmd_wr(PCI_BDF(0, 1, 0), PCI_COMMAND_MEMORY);
	assert_int_equal(fvm.nmap, 1);
	assert_int_equal(mapped_hpa(0xD0000000), BAR0_HPA);
}

static void test_decode_on_at_assignment_maps(void **state)
{
	struct vpci_config c;

	(void)state;
	vpci_deinit(&vp);
	/* firmware left decode on (e.g. the Service VM's devices): mapped at once */
	fake_set(DEV, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	fake_vm_config(&c, NULL, 0);
	assert_int_equal(init_vm(&c), 0);
	assert_int_equal(guest_cfg_read(&vp, DEV, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	assert_int_equal(mapped_hpa(BAR0_HPA), BAR0_HPA);
	assert_int_equal(fvm.npio, 1);
	/* released: everything unmapped, decode and bus mastering stopped */
	vpci_deinit(&vp);
	assert_int_equal(fvm.nmap, 0);
	assert_int_equal(fvm.npio, 0);
	assert_int_equal(fake_get(DEV, PCI_COMMAND, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizing_mem32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizing_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizing_mem64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unimplemented_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_maps_and_unmaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_map_is_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sizing_keeps_the_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_mem32_decode_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_decode_off_then_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relocate_mem64_both_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_half_refused_with_decode_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_pending_refused_at_decode_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem64_pending_pair_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_outside_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_flood_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_misaligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_overlap_with_bar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_overlap_with_ram, setup_wide_window, teardown),
		cmocka_unit_test_setup_teardown(test_ram_added_later_is_refused, setup_wide_window, teardown),
		cmocka_unit_test_setup_teardown(test_io_bar_is_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unassigned_bar_gets_placed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_bar_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_guest_base, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_on_at_assignment_maps, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
