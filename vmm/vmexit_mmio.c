/*
 * EPT violations: an access to an emulated MMIO range is decoded from the
 * guest's instruction and handed to the range's handler; anything else is
 * an access outside the VM and stops it.
 */
#include "lib.h"
#include "guest_walk.h"
#include "insn.h"
#include "vmm_internal.h"
#include "x86.h"

#define EPT_QUAL_READ BIT(0)
#define EPT_QUAL_WRITE BIT(1)
#define EPT_QUAL_FETCH BIT(2)

static bool read_pte(void *ctx, u64 gpa, u64 *pte, unsigned size)
{
	void *p = vm_gpa_to_hva(ctx, gpa, size);

	if (!p)
		return false;
	*pte = size == 8 ? *(u64 *)p : *(u32 *)p;
	return true;
}

static bool read_bytes(void *ctx, u64 gpa, void *buf, size_t len)
{
	void *p = vm_gpa_to_hva(ctx, gpa, len);

	if (!p)
		return false;
	memcpy(buf, p, len);
	return true;
}

/* Fetch and decode the instruction at the guest's CS:RIP. */
static int decode_at_rip(struct vcpu *v, struct insn_mmio *m, int mode)
{
	struct guest_paging pg = {
		.cr0 = v->cr0_shadow, .cr3 = vmread(VMCS_GUEST_CR3),
		.cr4 = vmread(VMCS_GUEST_CR4), .efer = v->efer,
	};
	u64 rip = vmread(VMCS_GUEST_RIP);
	u8 bytes[INSN_MAX_LEN];
	size_t got = 0;

	if (mode != 64)
		rip = (rip + vmread(VMCS_GUEST_ES_BASE + 2 * SEG_CS)) & 0xffffffffULL;
	guest_walk_copy_partial(&pg, rip, bytes, sizeof(bytes), read_pte, read_bytes, v->vm, &got);
	if (!got)
		return -EFAULT;
	return insn_decode_mmio(bytes, got, mode, m);
}

static int emulate_mmio(struct vcpu *v, const struct mmio_handler *h, u64 gpa)
{
	int mode = vcpu_cpu_mode(v);
	struct insn_mmio m;
	u64 val = 0;
	int ret;

	ret = decode_at_rip(v, &m, mode);
	if (ret) {
		vm_stop(v->vm, "cannot decode the instruction at RIP 0x%lx touching MMIO 0x%lx (%d)",
			vmread(VMCS_GUEST_RIP), gpa, ret);
		return -1;
	}
	v->gpr[GPR_RSP] = vmread(VMCS_GUEST_RSP);
	if (m.dir == INSN_MMIO_WRITE) {
		val = insn_mmio_write_value(&m, v->gpr);
		if (h->write)
			h->write(v, h->opaque, gpa, m.size, val);
		if (m.op == INSN_OP_STOS)
			insn_mmio_complete_write(&m, v->gpr, vmread(VMCS_GUEST_RFLAGS), mode);
	} else {
		val = ~0ULL;
		if (h->read && h->read(v, h->opaque, gpa, m.size, &val))
			val = ~0ULL;
		if (m.op == INSN_OP_TEST)
			vmwrite(VMCS_GUEST_RFLAGS, insn_mmio_test_rflags(&m, v->gpr, val,
									 vmread(VMCS_GUEST_RFLAGS)));
		else
			insn_mmio_complete_read(&m, v->gpr, val, mode);
	}
	vmwrite(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + m.len);
	return v->vm->state == VM_STOPPED ? -1 : 0;
}

int vmx_exit_ept_violation(struct vcpu *v)
{
	u64 gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	u64 q = v->exit_qual = vmread(VMCS_EXIT_QUAL);
	const struct mmio_handler *h = vm_find_mmio(v->vm, gpa, 1);

	if (!h && !vm_gpa_to_hva(v->vm, gpa, 1))
		h = v->vm->fallback->mmio;	/* NULL: nobody's, the VM is stopped */

	if (h && !(q & EPT_QUAL_FETCH))
		return emulate_mmio(v, h, gpa);
	vm_stop(v->vm, "EPT violation: %s of GPA 0x%lx outside the VM (RIP 0x%lx, vCPU %u)",
		(q & EPT_QUAL_FETCH) ? "fetch" : (q & EPT_QUAL_WRITE) ? "write" : "read",
		gpa, vmread(VMCS_GUEST_RIP), v->id);
	return -1;
}
