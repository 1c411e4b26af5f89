/* I/O instruction exits: dispatch to the VM's port handlers. */
#include "lib.h"
#include "vm.h"

int vmx_exit_io(struct vcpu *v)
{
	u64 q = v->exit_qual = vmread(VMCS_EXIT_QUAL);
	unsigned size = (q & 7) + 1;
	bool in = q & BIT(3), string = q & BIT(4);
	u16 port = (u16)(q >> 16);
	const struct pio_handler *h;
	u32 mask = size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;

	if (string) {
		/* INS/OUTS: no emulated device of ours needs them */
		vm_stop(v->vm, "string I/O (%s port 0x%x) is not supported", in ? "ins" : "outs", port);
		return -1;
	}
	h = vm_find_pio(v->vm, port, size);
	if (!h && v->vm->post)
		h = &ioreq_pio_handler;		/* the Service VM's device model */
	if (in) {
		u32 val = 0xffffffff;	/* nobody there: all ones, as on a real bus */

		if (h && h->read && h->read(v, h->opaque, port, size, &val))
			val = 0xffffffff;
		val &= mask;
		/* IN to AL/AX keeps the other bits; IN to EAX zero-extends */
		if (size == 4)
			v->gpr[GPR_RAX] = val;
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~(u64)mask) | val;
	} else if (h && h->write) {
		h->write(v, h->opaque, port, size, (u32)v->gpr[GPR_RAX] & mask);
	}
	if (v->vm->state == VM_STOPPED)
		return -1;
	vcpu_advance_rip(v);
	return 0;
}
