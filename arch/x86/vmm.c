/*
 * VM management for the hypercall layer (include/vmm.h), as far as it goes
 * today: guest-memory copies are real; post-launched VMs, device moves and
 * I/O request forwarding are NOT IMPLEMENTED YET, so no post-launched VM
 * exists, nothing is assignable and every operation answers -ENOSYS.
 */
#include "lib.h"
#include "vm.h"
#include "vmm.h"

int vmm_copy_from_guest(struct vm *vm, u64 gpa, void *dst, size_t len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p || !len)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

int vmm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, size_t len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p || !len)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

bool vmm_is_service_vm(const struct vm *vm)
{
	return vm->cfg->flags & VM_FLAG_PRIVILEGED;
}

struct vm *vmm_get_vm(u16 vmid) { (void)vmid; return NULL; }
enum vmm_vm_state vmm_vm_state(const struct vm *vm) { (void)vm; return VMM_VM_STOPPED; }
unsigned vmm_vm_nr_vcpus(const struct vm *vm) { (void)vm; return 0; }
u64 vmm_ioreq_buffer(const struct vm *vm) { (void)vm; return VMM_NO_IOREQ_BUFFER; }
u32 vmm_vm_gsi_count(const struct vm *vm) { (void)vm; return 0; }
u64 vmm_vm_gpa_limit(const struct vm *vm) { (void)vm; return 0; }
bool vmm_gpa_range_in_use(const struct vm *vm, u64 gpa, u64 size)
{ (void)vm; (void)gpa; (void)size; return true; }
bool vmm_mmio_window_contains(const struct vm *vm, u64 gpa, u64 size)
{ (void)vm; (void)gpa; (void)size; return false; }
bool vmm_is_service_ram(const struct vm *service, u64 gpa, u64 size)
{ (void)service; (void)gpa; (void)size; return false; }
u64 vmm_post_pcpu_mask(void) { return 0; }
bool vmm_uuid_in_use(const u8 uuid[16]) { (void)uuid; return false; }
int vmm_vcpu_from_lapic_id(const struct vm *vm, u32 lapic_id)
{ (void)vm; (void)lapic_id; return -ENOENT; }
int vmm_pcidev_lookup(u16 pbdf, struct vmm_pcidev_info *info)
{ (void)pbdf; (void)info; return -ENODEV; }
bool vmm_vbdf_in_use(const struct vm *vm, u16 vbdf) { (void)vm; (void)vbdf; return true; }
int vmm_mmiodev_lookup(u64 hpa, u64 size, struct vmm_mmiodev_info *info)
{ (void)hpa; (void)size; (void)info; return -ENODEV; }
bool vmm_intx_lookup(const struct vm *vm, u32 virt_pin, bool pic, u32 *phys_pin)
{ (void)vm; (void)virt_pin; (void)pic; (void)phys_pin; return false; }
struct vm *vmm_intx_phys_user(u32 phys_pin) { (void)phys_pin; return NULL; }

int vmm_create_vm(const struct vmm_vm_params *p, u16 *vmid)
{ (void)p; (void)vmid; return -ENOSYS; }
int vmm_destroy_vm(struct vm *vm) { (void)vm; return -ENOSYS; }
int vmm_start_vm(struct vm *vm) { (void)vm; return -ENOSYS; }
int vmm_pause_vm(struct vm *vm) { (void)vm; return -ENOSYS; }
int vmm_reset_vm(struct vm *vm) { (void)vm; return -ENOSYS; }
int vmm_set_vcpu_regs(struct vm *vm, u16 vcpu_id, const struct abi_regs *regs)
{ (void)vm; (void)vcpu_id; (void)regs; return -ENOSYS; }
/* The upcall vector for forwarded I/O requests (kept until forwarding exists). */
int vmm_set_callback_vector(struct vm *service, u8 vector)
{
	service->callback_vector = vector;
	return 0;
}
int vmm_remove_service_vcpu(struct vm *service, unsigned vcpu_id)
{ (void)service; (void)vcpu_id; return -ENOSYS; }
int vmm_set_ioreq_buffer(struct vm *vm, u64 gpa) { (void)vm; (void)gpa; return -ENOSYS; }
int vmm_notify_request_finish(struct vm *vm, u16 vcpu_id)
{ (void)vm; (void)vcpu_id; return -ENOSYS; }
int vmm_map_region(struct vm *vm, u64 user_gpa, u64 service_gpa, u64 size, u32 attr)
{ (void)vm; (void)user_gpa; (void)service_gpa; (void)size; (void)attr; return -ENOSYS; }
int vmm_unmap_region(struct vm *vm, u64 user_gpa, u64 size)
{ (void)vm; (void)user_gpa; (void)size; return -ENOSYS; }
int vmm_inject_msi(struct vm *vm, u64 addr, u32 data)
{ (void)vm; (void)addr; (void)data; return -ENOSYS; }
int vmm_set_irqline(struct vm *vm, u32 gsi, u32 op) { (void)vm; (void)gsi; (void)op; return -ENOSYS; }
int vmm_assign_pcidev(struct vm *vm, const struct vmm_pcidev *dev)
{ (void)vm; (void)dev; return -ENOSYS; }
int vmm_deassign_pcidev(struct vm *vm, u16 pbdf, u16 vbdf)
{ (void)vm; (void)pbdf; (void)vbdf; return -ENOSYS; }
int vmm_assign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev)
{ (void)vm; (void)dev; return -ENOSYS; }
int vmm_deassign_mmiodev(struct vm *vm, const struct abi_mmiodev *dev)
{ (void)vm; (void)dev; return -ENOSYS; }
int vmm_set_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq)
{ (void)vm; (void)irq; return -ENOSYS; }
int vmm_reset_ptdev_intx(struct vm *vm, const struct abi_ptdev_irq *irq)
{ (void)vm; (void)irq; return -ENOSYS; }
