/*
 * Hypercalls, PCI group: ASSIGN/DEASSIGN_PCIDEV and SET/RESET_PTDEV_INTR.
 * The device: 01:00.0 with a 128 KiB MEM32 BAR0, an I/O BAR1, a 2 MiB 64-bit
 * prefetchable BAR2/3, no BAR4 and a 256-byte MEM32 BAR5; INTA on GSI 16.
 */
#include "hcall_fake.h"
#include "pci.h"

#define PBDF		PCI_BDF(1, 0, 0)
#define VBDF		PCI_BDF(0, 4, 0)
#define PHYS_GSI	16

static struct fake_pcidev *nic(enum vmm_owner owner)
{
	struct fake_pcidev *d = fake_add_pcidev(PBDF, owner);

	d->info.intx_pin = 1;
	d->info.phys_gsi = PHYS_GSI;
	d->info.bars[0] = (struct vmm_bar_info){ VMM_BAR_MEM32, false, 0xF0000000, 0x20000 };
	d->info.bars[1] = (struct vmm_bar_info){ VMM_BAR_IO, false, 0xE000, 0x20 };
	d->info.bars[2] = (struct vmm_bar_info){ VMM_BAR_MEM64, true, 0x4000000000ULL, 0x200000 };
	d->info.bars[3] = (struct vmm_bar_info){ VMM_BAR_MEM64_HI, false, 0, 0 };
	d->info.bars[4] = (struct vmm_bar_info){ VMM_BAR_NONE, false, 0, 0 };
	d->info.bars[5] = (struct vmm_bar_info){ VMM_BAR_MEM32, false, 0xF0040000, 0x100 };
	return d;
}

static struct abi_pcidev good(void)
{
	return (struct abi_pcidev){
		.type = 0, .virt_bdf = VBDF, .phys_bdf = PBDF, .intr_line = 5, .intr_pin = 1,
		.bar = { 0x80000000, 0xE001, 0x0000000C, 0x40, 0, 0x80100000 },
	};
}

static u64 put(struct abi_pcidev p)
{
	return fake_put(&p, sizeof(p));
}

static void test_assign(void **state)
{
	struct vm *vm = fake_add_vm(0, VMM_VM_CREATED, 1);
	struct fake_pcidev *d = nic(VMM_OWNER_SERVICE);
	const struct vmm_pcidev *a;

	(void)state;
	assert_int_equal(hc(HC_ASSIGN_PCIDEV, 0, put(good())), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_ASSIGN_PCI);
	assert_ptr_equal(fake_calls[0].vm, vm);
	a = &fake_calls[0].pcidev;
	assert_int_equal(a->pbdf, PBDF);
	assert_int_equal(a->vbdf, VBDF);
	assert_int_equal(a->intr_line, 5);
	assert_int_equal(a->intr_pin, 1);
	assert_int_equal(a->bar_gpa[0], 0x80000000);
	assert_int_equal(a->bar_gpa[1], 0xE000);
	assert_int_equal(a->bar_gpa[2], 0x4000000000ULL);
	assert_int_equal(a->bar_gpa[3], 0);
	assert_int_equal(a->bar_gpa[4], 0);
	assert_int_equal(a->bar_gpa[5], 0x80100000);
	assert_int_equal(d->info.owner, VMM_OWNER_POST);
}

/* Read-only type bits may be left 0; no INTx is line 0 or 0xFF. */
static void test_assign_variants(void **state)
{
	struct abi_pcidev p = good();

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	p.bar[1] = 0xE000;
	p.bar[2] = 0;
	p.intr_pin = 0;
	p.intr_line = 0xFF;
	assert_int_equal(hc(HC_ASSIGN_PCIDEV, 0, put(p)), 0);
	assert_int_equal(fake_calls[0].pcidev.bar_gpa[2], 0x4000000000ULL);
	/* the top of both windows */
	fake_reset();
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	p = good();
	p.bar[0] = 0xDFFE0000;
	p.bar[5] = 0xDFFDF000;
	p.bar[2] = 0xFFE0000C;
	p.bar[3] = 0x7F;
	p.intr_pin = 4;
	p.intr_line = FAKE_GSI_COUNT - 1;
	assert_int_equal(hc(HC_ASSIGN_PCIDEV, 0, put(p)), 0);
	assert_int_equal(fake_calls[0].pcidev.bar_gpa[2], 0x7FFFE00000ULL);
}

static void test_assign_double(void **state)
{
	struct abi_pcidev p = good();

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	fake_add_vm(1, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	assert_int_equal(hc(HC_ASSIGN_PCIDEV, 0, put(p)), 0);
	fake_ncalls = 0;
	/* again, to the same VM elsewhere, or to another VM */
	p.virt_bdf = PCI_BDF(0, 5, 0);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EBUSY);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 1, put(good())), EBUSY);
	assert_ptr_equal(fake_pcidevs[0].info.owner_vm, &fake_vms[0]);
}

static void test_assign_foreign_or_unknown(void **state)
{
	struct abi_pcidev p = good();

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), ENODEV);		/* nobody has it */
	nic(VMM_OWNER_PRE);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EPERM);
	fake_pcidevs[0].info.owner = VMM_OWNER_HV;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EPERM);
	fake_pcidevs[0].info.owner = VMM_OWNER_SERVICE;
	p.phys_bdf = PCI_BDF(1, 0, 1);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), ENODEV);
}

/* A template listing devices may be given only those; an empty list allows any. */
static void test_assign_template_list(void **state)
{
	struct vm *vm = fake_add_vm(0, VMM_VM_CREATED, 1);
	struct abi_pcidev p = good();

	(void)state;
	nic(VMM_OWNER_SERVICE);
	vm->nr_allowed_pci = 1;
	vm->allowed_pci[0] = PCI_BDF(1, 0, 1);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EPERM);
	assert_int_equal(fake_ncalls, 0);
	assert_int_equal(fake_pcidevs[0].info.owner, VMM_OWNER_SERVICE);
	vm->allowed_pci[0] = PBDF;
	assert_int_equal(hc(HC_ASSIGN_PCIDEV, 0, put(p)), 0);
	assert_int_equal(fake_ncalls, 1);
}

static void test_assign_wrong_state(void **state)
{
	static const enum vmm_vm_state bad[] = { VMM_VM_RUNNING, VMM_VM_PAUSED, VMM_VM_STOPPED };

	(void)state;
	nic(VMM_OWNER_SERVICE);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_add_vm(0, bad[i], 1);
		assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(good())), EBUSY);
	}
	assert_int_equal(fake_pcidevs[0].info.owner, VMM_OWNER_SERVICE);
}

static void test_assign_bad_fields(void **state)
{
	struct abi_pcidev p;

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	p = good(); p.type = ABI_PTDEV_QUIRK_ASSIGN;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), ENOTSUP);
	p = good(); p.type = 2;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EINVAL);
	p = good(); p.virt_bdf = 0;		/* the host bridge's place */
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EINVAL);
	p = good(); p.intr_pin = 5;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EINVAL);
	p = good(); p.intr_line = FAKE_GSI_COUNT;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EINVAL);
	p = good(); p.intr_pin = 0; p.intr_line = 5;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), EINVAL);
}

static void test_assign_vbdf_in_use(void **state)
{
	struct fake_pcidev *other;

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	other = fake_add_pcidev(PCI_BDF(2, 0, 0), VMM_OWNER_POST);
	other->info.owner_vm = &fake_vms[0];
	other->info.vbdf = VBDF;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(good())), EEXIST);
	/* the same vBDF in another VM is no clash */
	other->info.owner_vm = &fake_vms[1];
	assert_int_equal(hc(HC_ASSIGN_PCIDEV, 0, put(good())), 0);
}

static void check_bad_bar(unsigned i, u32 val, int err)
{
	struct abi_pcidev p = good();

	p.bar[i] = val;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), err);
}

static void test_assign_bad_bars(void **state)
{
	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	check_bad_bar(4, 0x1000, EINVAL);		/* unimplemented BAR must be 0 */
	check_bad_bar(1, 0xD001, EINVAL);		/* I/O BARs are identity-mapped */
	check_bad_bar(1, 0xE003, EINVAL);		/* I/O flag bits */
	check_bad_bar(0, 0, EINVAL);			/* unplaced */
	check_bad_bar(0, 0x80010000, EINVAL);		/* not aligned to 128 KiB */
	check_bad_bar(5, 0x80100100, EINVAL);		/* a small BAR still needs a page */
	check_bad_bar(0, 0x80000004, EINVAL);		/* claims 64-bit */
	check_bad_bar(0, 0x80000008, EINVAL);		/* claims prefetchable */
	check_bad_bar(2, 0x00000004, EINVAL);		/* drops prefetchable */
	check_bad_bar(0, 0x70000000, EINVAL);		/* below the MMIO window */
	check_bad_bar(0, 0xE0000000, EINVAL);		/* above it */
	check_bad_bar(0, 0xFEC00000, EINVAL);		/* the IOAPIC */
	check_bad_bar(5, 0x80001000, EINVAL);		/* inside BAR0 */
	check_bad_bar(3, 0x3F, EINVAL);			/* below the 64-bit window */
	check_bad_bar(3, 0x80, EINVAL);			/* above the window */
	check_bad_bar(3, 0x100, EINVAL);		/* beyond the VM's GPA limit */
	check_bad_bar(2, 0x0010000C, EINVAL);		/* not aligned to 2 MiB */
}

static void test_assign_bar_over_mapping(void **state)
{
	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	fake_add_map(&fake_vms[0], 0x80100000, PAGE_SIZE, MAP_RAM);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(good())), EEXIST);
	fake_maps[0].gpa = 0x4000100000ULL;
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(good())), EEXIST);
}

static void test_assign_bad_gpa(void **state)
{
	struct abi_pcidev p = good();

	(void)state;
	fake_add_vm(0, VMM_VM_CREATED, 1);
	nic(VMM_OWNER_SERVICE);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, 0), EFAULT);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, SVC_RAM_END), EFAULT);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, fake_put_at_end(&p, sizeof(p), 4)), EFAULT);
	fake_fail(OP_ASSIGN_PCI, 0, -ENOMEM);
	assert_fails(hc(HC_ASSIGN_PCIDEV, 0, put(p)), ENOMEM);
	assert_int_equal(fake_pcidevs[0].info.owner, VMM_OWNER_SERVICE);
}

static void assigned(enum vmm_vm_state st)
{
	struct fake_pcidev *d;

	fake_add_vm(0, st, 1);
	d = nic(VMM_OWNER_POST);
	d->info.owner_vm = &fake_vms[0];
	d->info.vbdf = VBDF;
}

static void test_deassign(void **state)
{
	static const enum vmm_vm_state ok[] = { VMM_VM_CREATED, VMM_VM_PAUSED };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		struct abi_pcidev p = good();

		fake_reset();
		assigned(ok[i]);
		memset(p.bar, 0xEE, sizeof(p.bar));	/* BARs and INTx are not looked at */
		p.intr_pin = 9;
		assert_int_equal(hc(HC_DEASSIGN_PCIDEV, 0, put(p)), 0);
		assert_int_equal(fake_ncalls, 1);
		assert_int_equal(fake_calls[0].op, OP_DEASSIGN_PCI);
		assert_int_equal(fake_calls[0].a, PBDF);
		assert_int_equal(fake_calls[0].b, VBDF);
		/* back with the Service VM: a second deassign finds nothing */
		fake_ncalls = 0;
		assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, put(p)), ENODEV);
	}
}

static void test_deassign_bad(void **state)
{
	static const enum vmm_vm_state bad[] = { VMM_VM_RUNNING, VMM_VM_STOPPED };
	struct abi_pcidev p;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_reset();
		assigned(bad[i]);
		assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, put(good())), EBUSY);
	}
	fake_reset();
	assigned(VMM_VM_PAUSED);
	fake_add_vm(1, VMM_VM_PAUSED, 1);
	assert_fails(hc(HC_DEASSIGN_PCIDEV, 1, put(good())), ENODEV);	/* another VM's */
	p = good(); p.virt_bdf = PCI_BDF(0, 5, 0);
	assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, put(p)), ENODEV);
	p = good(); p.phys_bdf = PCI_BDF(3, 0, 0);
	assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, put(p)), ENODEV);
	p = good(); p.type = ABI_PTDEV_QUIRK_ASSIGN;
	assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, put(p)), ENOTSUP);
	assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, SVC_RAM_END - 8), EFAULT);
	fake_pcidevs[0].info.owner = VMM_OWNER_SERVICE;
	assert_fails(hc(HC_DEASSIGN_PCIDEV, 0, put(good())), ENODEV);
}

static u64 intx(u32 virt, u32 phys, u32 pic)
{
	struct abi_ptdev_irq irq = {
		.type = ABI_PTDEV_IRQ_INTX, .virt_bdf = VBDF, .phys_bdf = PBDF,
		.intx = { .virt_pin = virt, .phys_pin = phys, .is_pic_pin = pic },
	};

	return fake_put(&irq, sizeof(irq));
}

static void test_set_intx(void **state)
{
	(void)state;
	assigned(VMM_VM_CREATED);
	assert_int_equal(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_SET_INTX);
	assert_int_equal(fake_calls[0].irq.intx.virt_pin, 5);
	assert_int_equal(fake_calls[0].irq.intx.phys_pin, PHYS_GSI);
	/* the same remap again (a shared line): done already, nothing to do */
	assert_int_equal(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), 0);
	assert_int_equal(fake_ncalls, 1);
	/* a PIC pin */
	fake_nintx = 0;
	assert_int_equal(hc(HC_SET_PTDEV_INTR, 0, intx(15, PHYS_GSI, 1)), 0);
	assert_int_equal(fake_calls[1].irq.intx.is_pic_pin, 1);
}

static void test_set_intx_bad(void **state)
{
	struct abi_ptdev_irq irq;

	(void)state;
	assigned(VMM_VM_RUNNING);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(FAKE_GSI_COUNT, PHYS_GSI, 0)), EINVAL);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(16, PHYS_GSI, 1)), EINVAL);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 2)), EINVAL);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, 17, 0)), EINVAL);	/* not its line */
	fake_get(intx(5, PHYS_GSI, 0), &irq, sizeof(irq));
	irq.type = ABI_PTDEV_IRQ_MSI;
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, fake_put(&irq, sizeof(irq))), EINVAL);
	irq.type = ABI_PTDEV_IRQ_INTX;
	irq.virt_bdf = PCI_BDF(0, 6, 0);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, fake_put(&irq, sizeof(irq))), ENODEV);
	irq.virt_bdf = VBDF;
	irq.phys_bdf = PCI_BDF(7, 0, 0);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, fake_put(&irq, sizeof(irq))), ENODEV);
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, SVC_RAM_END - 4), EFAULT);
	/* a device without INTx, or whose routing is unknown */
	fake_pcidevs[0].info.phys_gsi = VMM_GSI_UNKNOWN;
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), EINVAL);
	fake_pcidevs[0].info.phys_gsi = PHYS_GSI;
	fake_pcidevs[0].info.intx_pin = 0;
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), EINVAL);
	/* not assigned at all */
	fake_pcidevs[0].info.intx_pin = 1;
	fake_pcidevs[0].info.owner = VMM_OWNER_SERVICE;
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), ENODEV);
}

static void test_set_intx_busy(void **state)
{
	(void)state;
	assigned(VMM_VM_CREATED);
	fake_add_vm(1, VMM_VM_RUNNING, 1);
	fake_add_intx(&fake_vms[0], 5, false, 20);	/* virt pin 5 feeds from GSI 20 */
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), EBUSY);
	fake_nintx = 0;
	fake_add_intx(&fake_vms[1], 7, false, PHYS_GSI);	/* another VM has the line */
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), EBUSY);
	fake_nintx = 0;
	fake_add_intx(&fake_vms[0], 9, false, PHYS_GSI);	/* this VM, at another pin */
	assert_fails(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), EBUSY);
	/* a PIC pin and an IOAPIC pin of the same number are different pins */
	fake_nintx = 0;
	fake_add_intx(&fake_vms[0], 5, true, 20);
	assert_int_equal(hc(HC_SET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), 0);
}

static void test_reset_intx(void **state)
{
	(void)state;
	assigned(VMM_VM_PAUSED);
	fake_add_intx(&fake_vms[0], 5, false, PHYS_GSI);
	assert_int_equal(hc(HC_RESET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), 0);
	assert_int_equal(fake_ncalls, 1);
	assert_int_equal(fake_calls[0].op, OP_RESET_INTX);
	assert_int_equal(fake_nintx, 0);
	fake_ncalls = 0;
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), ENOENT);
}

static void test_reset_intx_bad(void **state)
{
	(void)state;
	assigned(VMM_VM_RUNNING);
	fake_add_intx(&fake_vms[0], 5, false, PHYS_GSI);
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, intx(5, 17, 0)), EINVAL);
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 1)), ENOENT);	/* PIC pin 5 */
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, intx(6, PHYS_GSI, 0)), ENOENT);
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 3)), EINVAL);
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, 0), EFAULT);
	fake_pcidevs[0].info.owner_vm = &fake_vms[1];
	assert_fails(hc(HC_RESET_PTDEV_INTR, 0, intx(5, PHYS_GSI, 0)), ENODEV);
	assert_int_equal(fake_nintx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_assign),
		T(test_assign_variants),
		T(test_assign_double),
		T(test_assign_foreign_or_unknown),
		T(test_assign_template_list),
		T(test_assign_wrong_state),
		T(test_assign_bad_fields),
		T(test_assign_vbdf_in_use),
		T(test_assign_bad_bars),
		T(test_assign_bar_over_mapping),
		T(test_assign_bad_gpa),
		T(test_deassign),
		T(test_deassign_bad),
		T(test_set_intx),
		T(test_set_intx_bad),
		T(test_set_intx_busy),
		T(test_reset_intx),
		T(test_reset_intx_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
