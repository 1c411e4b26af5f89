/*
 * libFuzzer: sequences of hypercalls from the Service VM through the
 * dispatcher (hypercall/table.c and every handler) against the fake VMM of
 * the unit tests (tests/unit/hcall_fake.c), whose own checks of the VMM's
 * contract (ids range-checked, ranges free, states right) abort the run
 * when a handler breaks it.
 *
 * Input: a set-up (post-launched VMs in some states, PCI and MMIO devices
 * with owners, one VMM operation made to fail), then calls. Each call picks
 * an id, two parameters (a raw value, a small vmid, or the GPA of an
 * argument block the input supplies, optionally holding the GPA of the
 * previous block, so batches can point at their regions).
 * Properties (hypercall/README.md): a call that fails leaves the VMs, the
 * devices' owners, INTx remaps and maps as they were; unless a VMM
 * operation was made to fail (after which a handler may undo what it did),
 * or it is a memory batch (rolled back), it made no VMM operation and wrote
 * nothing to guest memory. The layout lock is never left taken.
 */
#include "fuzz_check.h"
#include "hcall_fake.h"
#include "pci.h"
#include "lib.h"

#define MAX_CALLS 16
#define BLOB_MAX 512

static const u64 ids[] = {
	HC_GET_API_VERSION, HC_SOS_REMOVE_CPU, HC_SET_CALLBACK_VECTOR, HC_CREATE_VM,
	HC_DESTROY_VM, HC_START_VM, HC_PAUSE_VM, HC_RESET_VM, HC_SET_VCPU_REGS,
	HC_INJECT_MSI, HC_VM_INTR_MONITOR, HC_SET_IRQLINE, HC_SET_IOREQ_BUFFER,
	HC_NOTIFY_REQUEST_FINISH, HC_VM_SET_MEMORY_REGIONS, HC_SET_PTDEV_INTR,
	HC_RESET_PTDEV_INTR, HC_ASSIGN_PCIDEV, HC_DEASSIGN_PCIDEV, HC_ASSIGN_MMIODEV,
	HC_DEASSIGN_MMIODEV, HC_CREATE_VDEV, HC_DESTROY_VDEV, HC_PM_GET_CPU_STATE,
};

static void setup(struct fuzz_in *in)
{
	u8 vms = (u8)fuzz_take(in, 1), devs = (u8)fuzz_take(in, 1), fail = (u8)fuzz_take(in, 1);
	static const int errs[] = { -ENOMEM, -EBUSY, -EINVAL, -EFAULT };

	fake_reset();
	for (u16 id = 0; id < 4; id++)		/* 2 bits each: absent or a state */
		if ((vms >> (2 * id)) & 3)
			fake_add_vm(id, (enum vmm_vm_state)(((vms >> (2 * id)) & 3) - 1),
				    1 + id % 3)->ioreq_buf = (id & 1) ? SVC_RAM_BASE : VMM_NO_IOREQ_BUFFER;
	for (unsigned i = 0; i < 3; i++) {	/* PCI functions 1:0.i with an owner each */
		struct fake_pcidev *d = fake_add_pcidev(PCI_BDF(1, 0, i),
							(enum vmm_owner)((devs >> (2 * i)) & 3));

		if (d->info.owner == VMM_OWNER_POST) {
			d->info.owner_vm = &fake_vms[i];
			d->info.vbdf = PCI_BDF(0, 4 + i, 0);
		}
		d->info.intx_pin = (u8)(i + 1);
		d->info.phys_gsi = 16 + i;
		d->info.bars[0] = (struct vmm_bar_info){ VMM_BAR_MEM32, false, 0xF0000000 + i * 0x100000, 0x20000 };
		d->info.bars[1] = (struct vmm_bar_info){ VMM_BAR_IO, false, 0xE000 + i * 0x100, 0x20 };
		d->info.bars[2] = (struct vmm_bar_info){ VMM_BAR_MEM64, true, 0x4000000000ULL, 0x200000 };
		d->info.bars[3] = (struct vmm_bar_info){ VMM_BAR_MEM64_HI, false, 0, 0 };
	}
	struct fake_mmiodev *m = fake_add_mmiodev(0xFED00000, 0x1000, (enum vmm_owner)(devs >> 6));

	if (m->info.owner == VMM_OWNER_POST) {
		m->info.owner_vm = &fake_vms[1];
		m->info.user_gpa = 0xFED00000;
	}
	fake_add_intx(&fake_vms[1], 5, false, 17);
	if (fail & 0x80)
		fake_fail((enum fake_op)(fail % NR_FAKE_OPS), (fail >> 5) & 3, errs[(fail >> 3) & 3]);
}

/* A parameter: raw, a small number (vmid, vector), or the GPA of this call's block. */
static u64 param(struct fuzz_in *in, u64 blob)
{
	u8 kind = (u8)fuzz_take(in, 1);

	switch (kind & 3) {
	case 0: return fuzz_take(in, 8);
	case 1: return kind >> 2;
	default: return blob;
	}
}

/* The argument block: up to BLOB_MAX bytes, in RAM or cut off at its end. */
static u64 put_blob(struct fuzz_in *in, u64 prev)
{
	u8 buf[BLOB_MAX + 8];
	u8 hdr = (u8)fuzz_take(in, 1);
	size_t n = ((size_t)fuzz_take(in, 1) << 1) % BLOB_MAX + 8, at;

	for (size_t i = 0; i < n; i++)
		buf[i] = (u8)fuzz_take(in, 1);
	at = ((hdr >> 2) & 3) * 8;		/* a pointer to the previous block */
	if ((hdr & 1) && n >= at + 8)
		memcpy(&buf[at], &prev, 8);
	if (hdr & 2)
		return fake_put_at_end(buf, n, (hdr >> 4) % 8);
	return fake_put(buf, n);
}

/*
 * What a failed call must leave as it was, folded into one number: the VMs'
 * presence, states and ioreq buffers, the devices' owners, the INTx remaps
 * and the mapped bytes per VM (a map split by a DEL and taken back counts
 * the same).
 */
static u64 state_sum(void)
{
	u64 s = fake_nintx;

	for (unsigned i = 0; i < VMM_MAX_POST_VMS; i++)
		s = s * 31 + (fake_vms[i].present ? 1 + fake_vms[i].state +
			      fake_vms[i].ioreq_buf * 7 : 0);
	for (unsigned i = 0; i < fake_npcidevs; i++)
		s = s * 31 + fake_pcidevs[i].info.owner + (uintptr_t)fake_pcidevs[i].info.owner_vm;
	for (unsigned i = 0; i < fake_nmmiodevs; i++)
		s = s * 31 + fake_mmiodevs[i].info.owner + (uintptr_t)fake_mmiodevs[i].info.owner_vm;
	for (unsigned i = 0; i < fake_nmaps; i++) {
		FUZZ_CHECK(!fake_maps[i].batch_new && !fake_maps[i].batch_del);
		s += fake_maps[i].size * (1 + (u64)(fake_maps[i].vm - fake_vms));
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { data, len };
	u64 blob = 0;
	bool injected;

	log_level = LOG_ERR - 1;
	/* with a VMM operation made to fail, handlers may undo what they did */
	injected = len > 2 && (data[2] & 0x80);
	setup(&in);
	for (int c = 0; c < MAX_CALLS && in.left; c++) {
		u8 sel = (u8)fuzz_take(&in, 1);
		u64 id = sel < 3 * ARRAY_SIZE(ids) ? ids[sel % ARRAY_SIZE(ids)] : fuzz_take(&in, 4);
		unsigned calls_before, rollbacks;
		u64 p1, p2, state;
		s64 r;

		blob = put_blob(&in, blob);
		p1 = param(&in, blob);
		p2 = param(&in, blob);
		calls_before = fake_ncalls;
		rollbacks = fake_rollbacks;
		state = state_sum();
		r = hc(id, p1, p2);
		FUZZ_CHECK(r <= 0);
		FUZZ_CHECK(fake_layout_locked == 0);
		if (r == 0)
			continue;
		FUZZ_CHECK(state_sum() == state);
		if (id == HC_VM_SET_MEMORY_REGIONS)
			FUZZ_CHECK(fake_rollbacks <= rollbacks + 1);
		else if (!injected)
			FUZZ_CHECK(fake_ncalls == calls_before);
	}
	return 0;
}
