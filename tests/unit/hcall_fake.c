/* The fake VMM behind the hypercall tests (see hcall_fake.h). */
#include "hcall_fake.h"

struct vm fake_service;
struct vm fake_pre;
struct vm fake_vms[VMM_MAX_POST_VMS];
u8 fake_ram[SVC_RAM_SIZE];
u64 fake_pcpu_mask;
struct fake_call fake_calls[FAKE_MAX_CALLS];
unsigned fake_ncalls;
struct fake_map fake_maps[FAKE_MAX_MAPS];
unsigned fake_nmaps;
unsigned fake_commits, fake_rollbacks;
int fake_flush_ret;		/* what the batch end returns: its EPT flush */
struct fake_pcidev fake_pcidevs[FAKE_MAX_PCIDEVS];
unsigned fake_npcidevs;
struct fake_mmiodev fake_mmiodevs[FAKE_MAX_MMIODEVS];
unsigned fake_nmmiodevs;
struct fake_intx fake_intx[FAKE_MAX_INTX];
unsigned fake_nintx;

static u64 ram_next;
static unsigned op_count[NR_FAKE_OPS];
static unsigned op_logged[NR_FAKE_OPS];
static struct { bool armed; unsigned nth; int err; } fail[NR_FAKE_OPS];
/*
 * The pages of fake_ram written since the last reset: a reset clears only
 * those, not 4 MiB, which the hypercall fuzzer would pay on every input.
 * Every page counts as written at the start.
 */
#define RAM_PAGES (SVC_RAM_SIZE / PAGE_SIZE)
static bool ram_dirty[RAM_PAGES] = { [0 ... RAM_PAGES - 1] = true };

static void ram_touch(u64 gpa, size_t len)
{
	u64 off = gpa - SVC_RAM_BASE;

	for (u64 pg = off / PAGE_SIZE; pg * PAGE_SIZE < off + len; pg++)
		ram_dirty[pg] = true;
}

void fake_reset(void)
{
	/* a failed assertion inside a handler leaves the table's lock taken */
	spin_unlock(&hcall_lock);
	memset(&fake_service, 0, sizeof(fake_service));
	fake_service.service = true;
	fake_service.present = true;
	fake_service.state = VMM_VM_RUNNING;
	fake_service.nr_vcpus = 4;
	for (unsigned i = 0; i < 4; i++)
		fake_service.lapic_ids[i] = 2 * i;
	memset(&fake_pre, 0, sizeof(fake_pre));
	fake_pre.present = true;
	memset(fake_vms, 0, sizeof(fake_vms));
	for (unsigned pg = 0; pg < RAM_PAGES; pg++) {
		if (ram_dirty[pg])
			memset(&fake_ram[pg * PAGE_SIZE], 0, PAGE_SIZE);
		ram_dirty[pg] = false;
	}
	fake_ncalls = 0;	/* log_call clears each entry it fills (the log is 550 KB) */
	fake_pcpu_mask = 0xE;
	fake_nmaps = fake_npcidevs = fake_nmmiodevs = fake_nintx = 0;
	fake_commits = fake_rollbacks = 0;
	fake_flush_ret = 0;
	fake_layout_locked = 0;
	memset(op_logged, 0, sizeof(op_logged));
	ram_next = SVC_RAM_BASE + 0x1000;	/* page 0 of RAM stays unused */
	memset(op_count, 0, sizeof(op_count));
	memset(fail, 0, sizeof(fail));
}

struct vm *fake_add_vm(u16 vmid, enum vmm_vm_state st, unsigned nr_vcpus)
{
	struct vm *vm = &fake_vms[vmid];

	memset(vm, 0, sizeof(*vm));
	vm->present = true;
	vm->vmid = vmid;
	vm->state = st;
	vm->nr_vcpus = nr_vcpus;
	vm->ioreq_buf = VMM_NO_IOREQ_BUFFER;
	vm->uuid[0] = 0xA0 + vmid;
	return vm;
}

void fake_fail(enum fake_op op, unsigned nth, int err)
{
	fail[op].armed = true;
	fail[op].nth = nth;
	fail[op].err = err;
}

unsigned fake_count(enum fake_op op)
{
	return op_logged[op];
}

/* Count the call; a failing one is not logged (it changed nothing). */
static int enter(enum fake_op op)
{
	unsigned n = op_count[op]++;

	if (fail[op].armed && fail[op].nth == n)
		return fail[op].err;
	return 0;
}

static struct fake_call *log_call(enum fake_op op, struct vm *vm, u64 a, u64 b, u64 c, u64 d)
{
	static struct fake_call overflow;
	struct fake_call *fc;

	op_logged[op]++;
	/* past the log's end the call is counted, not kept */
	fc = fake_ncalls < FAKE_MAX_CALLS ? &fake_calls[fake_ncalls] : &overflow;
	fake_ncalls++;
	memset(fc, 0, sizeof(*fc));
	fc->op = op;
	fc->vm = vm;
	fc->a = a;
	fc->b = b;
	fc->c = c;
	fc->d = d;
	return fc;
}

u64 fake_alloc(size_t len)
{
	u64 gpa = ram_next;

	ram_next = ALIGN_UP(ram_next + len, 64);
	assert_true(ram_next <= SVC_RAM_END - 0x1000);	/* the last page is for end tests */
	return gpa;
}

void fake_write(u64 gpa, const void *p, size_t len)
{
	assert_true(gpa >= SVC_RAM_BASE && gpa + len <= SVC_RAM_END);
	ram_touch(gpa, len);
	memcpy(&fake_ram[gpa - SVC_RAM_BASE], p, len);
}

u64 fake_put(const void *p, size_t len)
{
	u64 gpa = fake_alloc(len);

	fake_write(gpa, p, len);
	return gpa;
}

u64 fake_put_at_end(const void *p, size_t len, size_t cut)
{
	u64 gpa = SVC_RAM_END - (len - cut);

	fake_write(gpa, p, len - cut);
	return gpa;
}

void fake_get(u64 gpa, void *p, size_t len)
{
	assert_true(gpa >= SVC_RAM_BASE && gpa + len <= SVC_RAM_END);
	memcpy(p, &fake_ram[gpa - SVC_RAM_BASE], len);
}

struct fake_pcidev *fake_add_pcidev(u16 pbdf, enum vmm_owner owner)
{
	struct fake_pcidev *d = &fake_pcidevs[fake_npcidevs++];

	assert_true(fake_npcidevs <= FAKE_MAX_PCIDEVS);
	memset(d, 0, sizeof(*d));
	d->pbdf = pbdf;
	d->info.owner = owner;
	d->info.phys_gsi = VMM_GSI_UNKNOWN;
	return d;
}

struct fake_mmiodev *fake_add_mmiodev(u64 hpa, u64 size, enum vmm_owner owner)
{
	struct fake_mmiodev *d = &fake_mmiodevs[fake_nmmiodevs++];

	assert_true(fake_nmmiodevs <= FAKE_MAX_MMIODEVS);
	memset(d, 0, sizeof(*d));
	d->hpa = hpa;
	d->size = size;
	d->info.owner = owner;
	return d;
}

void fake_add_map(struct vm *vm, u64 gpa, u64 size, enum fake_map_kind kind)
{
	assert_true(fake_nmaps < FAKE_MAX_MAPS);
	fake_maps[fake_nmaps++] = (struct fake_map){ .vm = vm, .gpa = gpa, .size = size, .kind = kind };
}

void fake_add_intx(struct vm *vm, u32 virt_pin, bool pic, u32 phys_pin)
{
	assert_true(fake_nintx < FAKE_MAX_INTX);
	fake_intx[fake_nintx++] = (struct fake_intx){ vm, virt_pin, pic, phys_pin };
}

static void drop_maps(struct vm *vm, u64 gpa, u64 size, enum fake_map_kind kind)
{
	for (unsigned i = 0; i < fake_nmaps;) {
		struct fake_map *m = &fake_maps[i];

		if (m->vm == vm && m->kind == kind && m->gpa < gpa + size && gpa < m->gpa + m->size)
			*m = fake_maps[--fake_nmaps];
		else
			i++;
	}
}

/* ---- guest memory ---- */

static bool in_ram(const struct vm *vm, u64 gpa, u64 len)
{
	return vm == &fake_service && len && gpa >= SVC_RAM_BASE && gpa < SVC_RAM_END &&
	       len <= SVC_RAM_END - gpa;
}

int vmm_copy_from_guest(struct vm *vm, u64 gpa, void *dst, size_t len)
{
	if (!in_ram(vm, gpa, len))
		return -EFAULT;
	memcpy(dst, &fake_ram[gpa - SVC_RAM_BASE], len);
	return 0;
}

int vmm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, size_t len)
{
	int ret = enter(OP_COPY_TO);

	if (ret)
		return ret;
	if (!in_ram(vm, gpa, len))
		return -EFAULT;
	fake_write(gpa, src, len);
	log_call(OP_COPY_TO, vm, gpa, len, 0, 0);
	return 0;
}

/* ---- queries ---- */

bool vmm_is_service_vm(const struct vm *vm) { return vm->service; }

struct vm *vmm_get_vm(u16 vmid)
{
	/* contract: the handler range-checks ids before asking */
	assert_true(vmid < VMM_MAX_POST_VMS);
	return fake_vms[vmid].present ? &fake_vms[vmid] : NULL;
}

enum vmm_vm_state vmm_vm_state(const struct vm *vm) { return vm->state; }
unsigned vmm_vm_nr_vcpus(const struct vm *vm) { return vm->nr_vcpus; }
u64 vmm_ioreq_buffer(const struct vm *vm) { return vm->ioreq_buf; }
u32 vmm_vm_gsi_count(const struct vm *vm) { (void)vm; return FAKE_GSI_COUNT; }
u64 vmm_vm_gpa_limit(const struct vm *vm) { (void)vm; return FAKE_GPA_LIMIT; }

static bool overlap(u64 a, u64 as, u64 b, u64 bs)
{
	return a < b + bs && b < a + as;
}

bool vmm_gpa_range_in_use(const struct vm *vm, u64 gpa, u64 size)
{
	if (overlap(gpa, size, FAKE_LAPIC_BASE, PAGE_SIZE) ||
	    overlap(gpa, size, FAKE_IOAPIC_BASE, PAGE_SIZE))
		return true;
	for (unsigned i = 0; i < fake_nmaps; i++)
		if (fake_maps[i].vm == vm && overlap(gpa, size, fake_maps[i].gpa, fake_maps[i].size))
			return true;
	return false;
}

bool vmm_mmio_window_contains(const struct vm *vm, u64 gpa, u64 size)
{
	(void)vm;
	return (gpa >= FAKE_MMIO32_BASE && gpa + size <= FAKE_MMIO32_END) ||
	       (gpa >= FAKE_MMIO64_BASE && gpa + size <= FAKE_MMIO64_END);
}

bool vmm_is_service_ram(const struct vm *service, u64 gpa, u64 size)
{
	return in_ram(service, gpa, size);
}

u64 vmm_post_pcpu_mask(void) { return fake_pcpu_mask; }

bool vmm_uuid_in_use(const u8 uuid[16])
{
	for (unsigned i = 0; i < VMM_MAX_POST_VMS; i++)
		if (fake_vms[i].present && !memcmp(fake_vms[i].uuid, uuid, 16))
			return true;
	return false;
}

int vmm_vcpu_from_lapic_id(const struct vm *vm, u32 lapic_id)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->lapic_ids[i] == lapic_id)
			return (int)i;
	return -ENOENT;
}

int vmm_pcidev_lookup(u16 pbdf, struct vmm_pcidev_info *info)
{
	for (unsigned i = 0; i < fake_npcidevs; i++)
		if (fake_pcidevs[i].pbdf == pbdf) {
			*info = fake_pcidevs[i].info;
			return 0;
		}
	return -ENODEV;
}

unsigned fake_layout_locked;

bool vmm_gpa_range_in_batch(const struct vm *vm, u64 gpa, u64 size)
{
	assert_int_equal(fake_layout_locked, 1);
	for (unsigned i = 0; i < fake_nmaps; i++)
		if (fake_maps[i].vm == vm && (fake_maps[i].batch_new || fake_maps[i].batch_del) &&
		    ranges_overlap(gpa, size, fake_maps[i].gpa, fake_maps[i].size))
			return true;
	return false;
}

void vmm_mem_batch_begin(struct vm *vm)
{
	(void)vm;
	assert_int_equal(fake_layout_locked++, 0);
}

int vmm_mem_batch_end(struct vm *vm, bool commit)
{
	assert_int_equal(--fake_layout_locked, 0);
	for (unsigned i = 0; i < fake_nmaps;) {
		struct fake_map *m = &fake_maps[i];

		if (m->vm == vm && (commit ? m->batch_del : m->batch_new)) {
			*m = fake_maps[--fake_nmaps];
			continue;
		}
		m->batch_new = m->batch_del = false;
		i++;
	}
	if (commit)
		fake_commits++;
	else
		fake_rollbacks++;
	return fake_flush_ret;
}

bool vmm_template_allows_pcidev(const struct vm *vm, u16 pbdf)
{
	for (unsigned i = 0; i < vm->nr_allowed_pci; i++)
		if (vm->allowed_pci[i] == pbdf)
			return true;
	return !vm->nr_allowed_pci;
}

bool vmm_vbdf_in_use(const struct vm *vm, u16 vbdf)
{
	for (unsigned i = 0; i < fake_npcidevs; i++) {
		const struct vmm_pcidev_info *in = &fake_pcidevs[i].info;

		if (in->owner == VMM_OWNER_POST && in->owner_vm == vm && in->vbdf == vbdf)
			return true;
	}
	return false;
}

static struct fake_mmiodev *find_mmiodev(u64 hpa, u64 size)
{
	for (unsigned i = 0; i < fake_nmmiodevs; i++)
		if (fake_mmiodevs[i].hpa == hpa && fake_mmiodevs[i].size == size)
			return &fake_mmiodevs[i];
	return NULL;
}

int vmm_mmiodev_lookup(u64 hpa, u64 size, struct vmm_mmiodev_info *info)
{
	struct fake_mmiodev *d = find_mmiodev(hpa, size);

	if (!d)
		return -ENODEV;
	*info = d->info;
	return 0;
}

bool vmm_intx_lookup(const struct vm *vm, u32 virt_pin, bool pic, u32 *phys_pin)
{
	for (unsigned i = 0; i < fake_nintx; i++)
		if (fake_intx[i].vm == vm && fake_intx[i].virt_pin == virt_pin &&
		    fake_intx[i].pic == pic) {
			*phys_pin = fake_intx[i].phys_pin;
			return true;
		}
	return false;
}

struct vm *vmm_intx_phys_user(u32 phys_pin)
{
	for (unsigned i = 0; i < fake_nintx; i++)
		if (fake_intx[i].phys_pin == phys_pin)
			return fake_intx[i].vm;
	return NULL;
}

/* ---- operations ---- */

int vmm_create_vm(const struct vmm_vm_params *p, u16 *vmid)
{
	int ret = enter(OP_CREATE);
	struct fake_call *fc;
	unsigned n = 0;

	if (ret)
		return ret;
	for (u16 i = 0; i < VMM_MAX_POST_VMS; i++) {
		if (fake_vms[i].present)
			continue;
		for (u64 m = p->cpu_affinity; m; m &= m - 1)
			n++;
		fake_add_vm(i, VMM_VM_CREATED, n ? n : 2);	/* the template has 2 */
		memcpy(fake_vms[i].uuid, p->uuid, 16);
		*vmid = i;
		fc = log_call(OP_CREATE, &fake_vms[i], i, 0, 0, 0);
		fc->params = *p;
		return 0;
	}
	return -ENOSPC;
}

int vmm_destroy_vm(struct vm *vm)
{
	int ret = enter(OP_DESTROY);

	if (ret)
		return ret;
	vm->present = false;
	log_call(OP_DESTROY, vm, 0, 0, 0, 0);
	return 0;
}

static int set_state(enum fake_op op, struct vm *vm, enum vmm_vm_state st)
{
	int ret = enter(op);

	if (ret)
		return ret;
	vm->state = st;
	log_call(op, vm, 0, 0, 0, 0);
	return 0;
}

int vmm_start_vm(struct vm *vm)
{
	assert_int_equal(vm->state, VMM_VM_CREATED);
	assert_true(vm->ioreq_buf != VMM_NO_IOREQ_BUFFER);
	return set_state(OP_START, vm, VMM_VM_RUNNING);
}
int vmm_pause_vm(struct vm *vm) { return set_state(OP_PAUSE, vm, VMM_VM_PAUSED); }
int vmm_reset_vm(struct vm *vm) { return set_state(OP_RESET, vm, VMM_VM_CREATED); }

int vmm_set_vcpu_regs(struct vm *vm, u16 vcpu_id, const struct abi_regs *regs)
{
	int ret = enter(OP_SET_REGS);

	if (ret)
		return ret;
	log_call(OP_SET_REGS, vm, vcpu_id, 0, 0, 0)->regs = *regs;
	return 0;
}

int vmm_set_callback_vector(struct vm *service, u8 vector)
{
	int ret = enter(OP_CALLBACK);

	if (ret)
		return ret;
	log_call(OP_CALLBACK, service, vector, 0, 0, 0);
	return 0;
}

int vmm_remove_service_vcpu(struct vm *service, unsigned vcpu_id)
{
	int ret = enter(OP_REMOVE_VCPU);

	if (ret)
		return ret;
	log_call(OP_REMOVE_VCPU, service, vcpu_id, 0, 0, 0);
	return 0;
}

int vmm_set_ioreq_buffer(struct vm *vm, u64 gpa)
{
	int ret = enter(OP_SET_IOREQ);

	if (ret)
		return ret;
	vm->ioreq_buf = gpa;
	log_call(OP_SET_IOREQ, vm, gpa, 0, 0, 0);
	return 0;
}

/* As the VMM: a slot that is not COMPLETE is refused (read in the Service VM's RAM). */
int vmm_notify_request_finish(struct vm *vm, u16 vcpu_id)
{
	u64 gpa = vm->ioreq_buf + vcpu_id * sizeof(struct abi_io_request) +
		  offsetof(struct abi_io_request, processed);
	int ret = enter(OP_NOTIFY);
	u32 st;

	if (ret)
		return ret;
	assert_true(gpa >= SVC_RAM_BASE && gpa + sizeof(st) <= SVC_RAM_END);
	memcpy(&st, &fake_ram[gpa - SVC_RAM_BASE], sizeof(st));
	if (st != ABI_IOREQ_STATE_COMPLETE)
		return -EINVAL;
	log_call(OP_NOTIFY, vm, vcpu_id, 0, 0, 0);
	return 0;
}

int vmm_map_region(struct vm *vm, u64 user_gpa, u64 service_gpa, u64 size, u32 attr)
{
	int ret = enter(OP_MAP);
	struct fake_map *last = fake_nmaps ? &fake_maps[fake_nmaps - 1] : NULL;

	/* contract: only validated regions reach the VMM, inside a batch */
	assert_int_equal(fake_layout_locked, 1);
	assert_true(IS_ALIGNED(user_gpa | service_gpa | size, PAGE_SIZE) && size);
	assert_true(in_ram(&fake_service, service_gpa, size));
	assert_false(vmm_gpa_range_in_use(vm, user_gpa, size));
	if (ret)
		return ret;
	if (last && last->vm == vm && last->kind == MAP_RAM && last->batch_new &&
	    last->attr == attr && last->gpa + last->size == user_gpa) {
		last->size += size;
	} else {
		fake_add_map(vm, user_gpa, size, MAP_RAM);
		fake_maps[fake_nmaps - 1].spa = service_gpa;
		fake_maps[fake_nmaps - 1].attr = attr;
		fake_maps[fake_nmaps - 1].batch_new = true;
	}
	log_call(OP_MAP, vm, user_gpa, service_gpa, size, attr);
	return 0;
}

/* Inside a batch: the RAM there (maps cut to the range) goes when it commits. */
int vmm_unmap_region(struct vm *vm, u64 user_gpa, u64 size)
{
	int ret = enter(OP_UNMAP);
	u64 end = user_gpa + size;

	assert_int_equal(fake_layout_locked, 1);
	assert_true(IS_ALIGNED(user_gpa | size, PAGE_SIZE) && size);
	assert_false(vmm_gpa_range_in_batch(vm, user_gpa, size));
	if (ret)
		return ret;
	for (unsigned i = 0; i < fake_nmaps; i++) {
		struct fake_map *m = &fake_maps[i], piece;

		if (m->vm != vm || m->kind != MAP_RAM || !ranges_overlap(user_gpa, size, m->gpa, m->size))
			continue;
		if (m->gpa < user_gpa) {
			piece = *m;
			piece.size = user_gpa - m->gpa;
			m->size -= piece.size;
			m->gpa = user_gpa;
			assert_true(fake_nmaps < FAKE_MAX_MAPS);
			fake_maps[fake_nmaps++] = piece;
		}
		if (m->gpa + m->size > end) {
			piece = *m;
			piece.gpa = end;
			piece.size = m->gpa + m->size - end;
			m->size -= piece.size;
			assert_true(fake_nmaps < FAKE_MAX_MAPS);
			fake_maps[fake_nmaps++] = piece;
		}
		m->batch_del = true;
	}
	log_call(OP_UNMAP, vm, user_gpa, size, 0, 0);
	return 0;
}

int vmm_inject_msi(struct vm *vm, u64 addr, u32 data)
{
	int ret = enter(OP_MSI);

	if (ret)
		return ret;
	log_call(OP_MSI, vm, addr, data, 0, 0);
	return 0;
}

int vmm_set_irqline(struct vm *vm, u32 gsi, u32 op)
{
	int ret = enter(OP_IRQLINE);

	if (ret)
		return ret;
	log_call(OP_IRQLINE, vm, gsi, op, 0, 0);
	return 0;
}

static struct fake_pcidev *find_pcidev(u16 pbdf)
{
	for (unsigned i = 0; i < fake_npcidevs; i++)
		if (fake_pcidevs[i].pbdf == pbdf)
			return &fake_pcidevs[i];
	return NULL;
}

int vmm_assign_pcidev(struct vm *vm, const struct vmm_pcidev *dev)
{
	int ret = enter(OP_ASSIGN_PCI);
	struct fake_pcidev *d = find_pcidev(dev->pbdf);

	assert_non_null(d);
	assert_int_equal(d->info.owner, VMM_OWNER_SERVICE);
	assert_int_equal(vm->state, VMM_VM_CREATED);
	if (ret)
		return ret;
	d->info.owner = VMM_OWNER_POST;
	d->info.owner_vm = vm;
	d->info.vbdf = dev->vbdf;
	for (unsigned i = 0; i < ABI_PCI_NUM_BARS; i++) {
		u8 t = d->info.bars[i].type;

		if (t == VMM_BAR_MEM32 || t == VMM_BAR_MEM64)
			fake_add_map(vm, dev->bar_gpa[i], MAX(d->info.bars[i].size, PAGE_SIZE), MAP_BAR);
	}
	log_call(OP_ASSIGN_PCI, vm, dev->pbdf, dev->vbdf, 0, 0)->pcidev = *dev;
	return 0;
}

int vmm_deassign_pcidev(struct vm *vm, u16 pbdf, u16 vbdf)
{
	int ret = enter(OP_DEASSIGN_PCI);
	struct fake_pcidev *d = find_pcidev(pbdf);

	assert_non_null(d);
	assert_ptr_equal(d->info.owner_vm, vm);
	if (ret)
		return ret;
	d->info.owner = VMM_OWNER_SERVICE;
	d->info.owner_vm = NULL;
	drop_maps(vm, 0, ~0ULL, MAP_BAR);
	log_call(OP_DEASSIGN_PCI, vm, pbdf, vbdf, 0, 0);
	return 0;
}

int vmm_assign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev)
{
	int ret = enter(OP_ASSIGN_MMIO);

	if (ret)
		return ret;
	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++) {
		const struct abi_mmiodev_res *r = &dev->res[i];
		struct fake_mmiodev *d;

		if (!r->size)
			continue;
		d = find_mmiodev(r->service_vm_pa, r->size);
		assert_non_null(d);
		d->info.owner = VMM_OWNER_POST;
		d->info.owner_vm = vm;
		d->info.user_gpa = r->user_vm_pa;
		fake_add_map(vm, r->user_vm_pa, r->size, MAP_MMIODEV);
	}
	log_call(OP_ASSIGN_MMIO, vm, 0, 0, 0, 0)->mmiodev = *dev;
	return 0;
}

int vmm_deassign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev)
{
	int ret = enter(OP_DEASSIGN_MMIO);

	if (ret)
		return ret;
	for (unsigned i = 0; i < ABI_MMIODEV_RES_NUM; i++) {
		const struct abi_mmiodev_res *r = &dev->res[i];
		struct fake_mmiodev *d;

		if (!r->size)
			continue;
		d = find_mmiodev(r->service_vm_pa, r->size);
		assert_non_null(d);
		d->info.owner = VMM_OWNER_SERVICE;
		d->info.owner_vm = NULL;
		drop_maps(vm, r->user_vm_pa, r->size, MAP_MMIODEV);
	}
	log_call(OP_DEASSIGN_MMIO, vm, 0, 0, 0, 0)->mmiodev = *dev;
	return 0;
}

int vmm_set_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq)
{
	int ret = enter(OP_SET_INTX);

	if (ret)
		return ret;
	fake_add_intx(vm, irq->intx.virt_pin, irq->intx.is_pic_pin, irq->intx.phys_pin);
	log_call(OP_SET_INTX, vm, 0, 0, 0, 0)->irq = *irq;
	return 0;
}

int vmm_reset_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq)
{
	int ret = enter(OP_RESET_INTX);

	if (ret)
		return ret;
	for (unsigned i = 0; i < fake_nintx; i++)
		if (fake_intx[i].vm == vm && fake_intx[i].virt_pin == irq->intx.virt_pin &&
		    fake_intx[i].pic == (bool)irq->intx.is_pic_pin) {
			fake_intx[i] = fake_intx[--fake_nintx];
			break;
		}
	log_call(OP_RESET_INTX, vm, 0, 0, 0, 0)->irq = *irq;
	return 0;
}
