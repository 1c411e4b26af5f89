/*
 * The hypercall table: id -> handler. Handlers run one at a time under
 * hcall_lock, so what a handler validated still holds when it applies it
 * (two vCPUs of the Service VM cannot both assign the same device).
 */
#include "lib.h"
#include "ratelimit.h"
#include "spinlock.h"
#include "public/hypercall.h"
#include "hcall.h"

struct hcall_entry_def {
	u32 id;
	hcall_fn fn;
	const char *name;
};

/* every provided hypercall, once: the table and its index are made from it */
#define HCALL_LIST(X) \
	X(HC_GET_API_VERSION, hcall_get_api_version) \
	X(HC_SOS_REMOVE_CPU, hcall_sos_remove_cpu) \
	X(HC_SET_CALLBACK_VECTOR, hcall_set_callback_vector) \
	X(HC_CREATE_VM, hcall_create_vm) \
	X(HC_DESTROY_VM, hcall_destroy_vm) \
	X(HC_START_VM, hcall_start_vm) \
	X(HC_PAUSE_VM, hcall_pause_vm) \
	X(HC_RESET_VM, hcall_reset_vm) \
	X(HC_SET_VCPU_REGS, hcall_set_vcpu_regs) \
	X(HC_INJECT_MSI, hcall_inject_msi) \
	X(HC_SET_IRQLINE, hcall_set_irqline) \
	X(HC_SET_IOREQ_BUFFER, hcall_set_ioreq_buffer) \
	X(HC_NOTIFY_REQUEST_FINISH, hcall_notify_request_finish) \
	X(HC_VM_SET_MEMORY_REGIONS, hcall_set_memory_regions) \
	X(HC_SET_PTDEV_INTR, hcall_set_ptdev_intr) \
	X(HC_RESET_PTDEV_INTR, hcall_reset_ptdev_intr) \
	X(HC_ASSIGN_PCIDEV, hcall_assign_pcidev) \
	X(HC_DEASSIGN_PCIDEV, hcall_deassign_pcidev) \
	X(HC_ASSIGN_MMIODEV, hcall_assign_mmiodev) \
	X(HC_DEASSIGN_MMIODEV, hcall_deassign_mmiodev)
	/* VM_INTR_MONITOR, CREATE/DESTROY_VDEV, PM_GET_CPU_STATE: not provided (-ENOSYS) */

#define HC_ENTRY(id_, fn_) { (u32)(id_), fn_, #id_ },
#define HC_INDEX(id_, fn_) HCALL_IDX_##fn_,
/* ids are 0x80000000 | one byte (public/hypercall.h): the byte picks the entry, 0 = none */
#define HC_SLOT(id_, fn_) [(id_) & 0xFF] = HCALL_IDX_##fn_ + 1,
#define HC_ID_HIGH(id) ((u64)(id) >> 8)

static const struct hcall_entry_def hcall_table[] = { HCALL_LIST(HC_ENTRY) };
enum { HCALL_LIST(HC_INDEX) NR_HCALLS };
_Static_assert(NR_HCALLS < 0xFF, "hcall_slot holds an index + 1 in a byte");
/* two ids sharing a byte would initialize one slot twice: -Woverride-init stops the build */
static const u8 hcall_slot[256] = { HCALL_LIST(HC_SLOT) };

spinlock_t hcall_lock = SPINLOCK_INIT;

enum hcall_entry hcall_entry_check(bool privileged, unsigned cpl)
{
	/* ACRN: a VM without the right gets #UD whatever its CPL */
	if (!privileged)
		return HCALL_ENTRY_UD;
	if (cpl != 0)
		return HCALL_ENTRY_GP;
	return HCALL_ENTRY_OK;
}

/* One look-up, no scan: the NOTIFY_REQUEST_FINISH of every forwarded I/O request passes here. */
static const struct hcall_entry_def *hcall_find(u64 id)
{
	u8 slot;

	if (HC_ID_HIGH(id) != HC_ID_HIGH(HC_GET_API_VERSION))
		return NULL;
	slot = hcall_slot[id & 0xFF];
	return slot ? &hcall_table[slot - 1] : NULL;
}

const char *hcall_name(u64 id)
{
	const struct hcall_entry_def *e = hcall_find(id);

	return e ? e->name : NULL;
}

s64 hcall_dispatch(struct vm *caller, u64 id, u64 p1, u64 p2)
{
	const struct hcall_entry_def *e;
	int ret;

	/* the VMCALL exit already refused other VMs; handlers assume the Service VM */
	if (!vmm_is_service_vm(caller))
		return -EPERM;
	e = hcall_find(id);
	if (!e) {
		pr_debug_ratelimited("hypercall 0x%lx unknown\n", (unsigned long)id);
		return -ENOSYS;
	}
	spin_lock(&hcall_lock);
	ret = e->fn(caller, p1, p2);
	spin_unlock(&hcall_lock);
	if (ret)
		pr_debug_ratelimited("%s(0x%lx, 0x%lx) = %d\n", e->name, (unsigned long)p1,
			 (unsigned long)p2, ret);
	return ret;
}
