/*
 * atk64: the Service VM of the attack scenario, attacking with hypercalls.
 * Every hypercall gets hostile arguments: pointers into the hypervisor's
 * memory and into the pre-launched VMs' (victim, attacker), VM ids that no
 * post-launched VM has, other VMs' CPUs and devices, unknown ids. Each must
 * fail with an errno and change nothing (the victim's canary checks the
 * words these pointers name). Last, an IDT in MMIO, which stops this VM.
 * Uses dm64's console, TAP and hypercall helpers (dm64/cpu.c).
 */
#include "dm.h"
#include "atk64.h"

/* attack.xml: where the others' memory is (host-physical = our GPA space's holes) */
#define HV_MEM		0x1000000ULL
#define VICTIM_MEM	0x4000000ULL
#define ATTACKER_MEM	0x6000000ULL
#define CANARY_OFF	0x200000ULL	/* a word the victim checks (64-byte line in its pattern) */
#define ATTACKER_E1000	(3 << 3)	/* 00:03.0, the attacker's */
#define ATTACKER_INTX	11
#define ATK64_TESTS	11

static u8 param[4096] __attribute__((aligned(4096)));

/* Every hypercall that takes a pointer, with the parameter it is in. */
static const struct { u64 id; int arg; } ptr_calls[] = {
	{ HC_GET_API_VERSION, 1 }, { HC_CREATE_VM, 1 }, { HC_SET_VCPU_REGS, 2 },
	{ HC_INJECT_MSI, 2 }, { HC_VM_INTR_MONITOR, 2 }, { HC_SET_IOREQ_BUFFER, 2 },
	{ HC_VM_SET_MEMORY_REGIONS, 1 }, { HC_SET_PTDEV_INTR, 2 }, { HC_RESET_PTDEV_INTR, 2 },
	{ HC_ASSIGN_PCIDEV, 2 }, { HC_DEASSIGN_PCIDEV, 2 }, { HC_ASSIGN_MMIODEV, 2 },
	{ HC_DEASSIGN_MMIODEV, 2 }, { HC_CREATE_VDEV, 2 }, { HC_DESTROY_VDEV, 2 },
	{ HC_PM_GET_CPU_STATE, 2 },
};

/* Hypercalls on a VM id, param2 a pointer to (zeroed) memory of ours. */
static const u64 vm_calls[] = {
	HC_DESTROY_VM, HC_START_VM, HC_PAUSE_VM, HC_RESET_VM, HC_SET_VCPU_REGS, HC_INJECT_MSI,
	HC_VM_INTR_MONITOR, HC_SET_IRQLINE, HC_SET_IOREQ_BUFFER, HC_NOTIFY_REQUEST_FINISH,
	HC_SET_PTDEV_INTR, HC_RESET_PTDEV_INTR, HC_ASSIGN_PCIDEV, HC_DEASSIGN_PCIDEV,
	HC_ASSIGN_MMIODEV, HC_DEASSIGN_MMIODEV, HC_CREATE_VDEV, HC_DESTROY_VDEV,
};

struct tally {
	unsigned calls, accepted;
	u64 first_id;
	s64 first_ret;
};

static void count(struct tally *t, u64 id, s64 r)
{
	t->calls++;
	if (r >= 0 && !t->accepted++) {
		t->first_id = id;
		t->first_ret = r;
	}
}

static void report(const struct tally *t, const char *name)
{
	dm_printf("# %s: %u calls, %u accepted\n", name, t->calls, t->accepted);
	if (t->accepted)
		dm_printf("# %s: hypercall %#lx returned %ld\n", name, t->first_id, t->first_ret);
	tap(!t->accepted, "%s: %s", name, t->accepted ? "ESCAPE" : "contained");
}

static void pointers_at(const char *name, u64 target)
{
	struct tally t = { 0 };

	for (unsigned i = 0; i < sizeof(ptr_calls) / sizeof(ptr_calls[0]); i++)
		for (u64 off = 0; off < 3 * 4096; off += 4096) {
			u64 p = target + off;

			count(&t, ptr_calls[i].id, ptr_calls[i].arg == 1 ? hcall(ptr_calls[i].id, p, 0)
									  : hcall(ptr_calls[i].id, 0, p));
		}
	dm_printf("# %s: every pointer-taking hypercall aimed at %#lx-%#lx\n", name, target,
		  target + 3 * 4096);
	report(&t, name);
}

static void hostile_vmids(void)
{
	static const u64 vmids[] = { 0, 1, 2, 7, 8, 15, 16, 0x7FFF, 0x8000, 0xFFFF, 0x10000, ~0ULL };
	struct tally t = { 0 };

	memset(param, 0, sizeof(param));
	for (unsigned i = 0; i < sizeof(vm_calls) / sizeof(vm_calls[0]); i++)
		for (unsigned j = 0; j < sizeof(vmids) / sizeof(vmids[0]); j++)
			count(&t, vm_calls[i], hcall(vm_calls[i], vmids[j], (u64)param));
	report(&t, "hc-vmids-of-no-post-vm");
}

static void create_on_foreign_cpus(void)
{
	static const u64 masks[] = { 1 << 0, 1 << 1, 1 << 2, 1 << 3, 0xF, ~0ULL, 1ULL << 63 };
	struct abi_vm_creation *c = (void *)param;
	struct tally t = { 0 };

	for (unsigned i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		memset(param, 0, sizeof(param));
		c->cpu_affinity = masks[i];
		c->vmid = 0xFFFF;
		count(&t, HC_CREATE_VM, hcall(HC_CREATE_VM, (u64)param, 0));
	}
	report(&t, "create-vm-on-foreign-cpus");
}

static void remove_foreign_cpus(void)
{
	/* our LAPIC ids are 0 and 1 (1 goes to the post-launched attacker later) */
	static const u64 ids[] = { 0, 2, 3, 4, 0xFF, 0xFFFFFFFF, ~0ULL };
	struct tally t = { 0 };

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		count(&t, HC_SOS_REMOVE_CPU, hcall(HC_SOS_REMOVE_CPU, ids[i], 0));
	report(&t, "sos-remove-cpu-foreign-and-own-bsp");
}

static void memory_regions(void)
{
	struct abi_mem_region_batch *b = (void *)param;
	struct abi_mem_region_op *op = (void *)(param + 2048);
	static const u64 sources[] = { HV_MEM, VICTIM_MEM, ATTACKER_MEM, 0xFEE00000, 0xFED00000, ~0ULL << 12 };
	struct tally t = { 0 };

	for (unsigned i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		for (u16 vmid = 0; vmid < 2; vmid++) {
			memset(param, 0, sizeof(param));
			*op = (struct abi_mem_region_op){ .type = ABI_MEM_REGION_ADD,
				.attr = ABI_MEM_TYPE_WB | ABI_MEM_ACCESS_RWX, .user_vm_pa = 0,
				.service_vm_pa = sources[i], .size = 0x200000 };
			*b = (struct abi_mem_region_batch){ .vmid = vmid, .regions_num = 1,
				.regions_gpa = (u64)op };
			count(&t, HC_VM_SET_MEMORY_REGIONS, hcall(HC_VM_SET_MEMORY_REGIONS, (u64)b, 0));
			b->regions_num = 0xFFFFFFFF;
			b->regions_gpa = HV_MEM;
			count(&t, HC_VM_SET_MEMORY_REGIONS, hcall(HC_VM_SET_MEMORY_REGIONS, (u64)b, 0));
		}
	report(&t, "memory-regions-from-foreign-memory");
}

static void foreign_devices(void)
{
	struct abi_pcidev *pd = (void *)param;
	struct abi_mmiodev *md = (void *)param;
	struct abi_ptdev_irq *pi = (void *)param;
	static const u64 mmio[] = { HV_MEM, VICTIM_MEM, 0xFEE00000, 0xFEC00000, 0xE0000000 };
	struct tally t = { 0 };

	for (u16 vmid = 0; vmid < 2; vmid++) {
		memset(param, 0, sizeof(param));
		*pd = (struct abi_pcidev){ .virt_bdf = ATTACKER_E1000, .phys_bdf = ATTACKER_E1000,
			.intr_line = ATTACKER_INTX, .intr_pin = 1, .bar = { 0xC0000000 } };
		count(&t, HC_ASSIGN_PCIDEV, hcall(HC_ASSIGN_PCIDEV, vmid, (u64)param));
		count(&t, HC_DEASSIGN_PCIDEV, hcall(HC_DEASSIGN_PCIDEV, vmid, (u64)param));
		for (unsigned i = 0; i < sizeof(mmio) / sizeof(mmio[0]); i++) {
			memset(param, 0, sizeof(param));
			*md = (struct abi_mmiodev){ .name = "HPET",
				.res = { { .user_vm_pa = 0xFED00000, .service_vm_pa = mmio[i], .size = 0x1000 } } };
			count(&t, HC_ASSIGN_MMIODEV, hcall(HC_ASSIGN_MMIODEV, vmid, (u64)param));
		}
		memset(param, 0, sizeof(param));
		*pi = (struct abi_ptdev_irq){ .type = ABI_PTDEV_IRQ_INTX, .virt_bdf = ATTACKER_E1000,
			.phys_bdf = ATTACKER_E1000, .intx = { .virt_pin = ATTACKER_INTX, .phys_pin = ATTACKER_INTX } };
		count(&t, HC_SET_PTDEV_INTR, hcall(HC_SET_PTDEV_INTR, vmid, (u64)param));
		count(&t, HC_RESET_PTDEV_INTR, hcall(HC_RESET_PTDEV_INTR, vmid, (u64)param));
	}
	report(&t, "assign-foreign-devices-and-lines");
}

static void unknown_ids(void)
{
	static const u64 ids[] = { 0x80000003, 0x8000000F, 0x80000014, 0x80000017, 0x80000020,
		0x8000002F, 0x80000041, 0x80000043, 0x8000005B, 0x80000081, 0x800000FF, 0x80FFFFFF,
		0, 0x7FFFFFFF, ~0ULL, 0x100000000ULL | 0x80000000 };
	struct tally t = { 0 };

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		count(&t, ids[i], hcall(ids[i], HV_MEM, VICTIM_MEM + CANARY_OFF));
	report(&t, "unknown-hypercall-ids");
}

static void callback_vectors(void)
{
	static const u64 v[] = { 0, 0x1F, 0x100, 0xFFFFFFFF, ~0ULL };
	struct tally t = { 0 };

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		count(&t, HC_SET_CALLBACK_VECTOR, hcall(HC_SET_CALLBACK_VECTOR, v[i], 0));
	report(&t, "callback-vector-hostile");
}

/* The IDT on our vIOAPIC page: #BP's delivery reads its gate from emulated MMIO. */
static __attribute__((noreturn)) void idt_in_mmio(void)
{
	struct { u16 limit; u64 base; } __attribute__((packed)) idtr = { 0xFFF, 0xFEC00000ULL };

	dm_printf("# idt-in-mmio: LIDT onto the vIOAPIC page, then INT3; last: the hypervisor stops this VM\n");
	asm volatile("lidt %0; int3" : : "m"(idtr) : "memory");
	dm_printf("not ok - idt-in-mmio: INT3 returned with the IDT in MMIO\n");
	dm_power_off();
}

void hmain(void);
void hmain(void)
{
	bool served;

	cpu_setup();		/* the page tables reach 4 GiB: the vIOAPIC page is mapped */
	tap_plan(ATK64_TESTS + POST_ATTACK_TESTS);
	dm_printf("# atk64: Service VM attacker, %u attacks, a post-launched attacker run %u times, then "
		  "idt-in-mmio (stops this VM)\n", ATK64_TESTS, PATK_RUNS);
	pointers_at("hc-pointers-into-hypervisor", HV_MEM);
	pointers_at("hc-pointers-into-victim", VICTIM_MEM + CANARY_OFF);
	pointers_at("hc-pointers-into-attacker", ATTACKER_MEM + CANARY_OFF);
	hostile_vmids();
	create_on_foreign_cpus();
	remove_foreign_cpus();
	memory_regions();
	foreign_devices();
	unknown_ids();
	callback_vectors();
	dm_printf("# hypercalls-still-served: SET_CALLBACK_VECTOR 0xF3 and GET_API_VERSION after the attacks\n");
	served = hcall(HC_SET_CALLBACK_VECTOR, UPCALL_VECTOR, 0) == 0 && hcall(HC_GET_API_VERSION, (u64)param, 0) == 0;
	tap(served, "hypercalls-still-served: %s", served ? "contained" : "ESCAPE");
	post_attacks();
	tap_finish();
	idt_in_mmio();
}
