/*
 * I/O instruction exits: dispatch to the VM's port handlers. Port I/O is
 * the commonest exit (config cycles, consoles), so the path for the port
 * handler found last is kept short: decode, then straight to the IN or OUT
 * half, which keeps nothing but the vCPU across the handler call.
 */
#include "lib.h"
#include "vmm_internal.h"

#define IO_QUAL_IN	BIT(3)
#define IO_QUAL_STRING	BIT(4)

/* The access is done unless a handler stopped the VM. */
static inline int io_done(struct vcpu *v)
{
	if (unlikely(v->vm->state == VM_STOPPED))
		return -1;
	vcpu_advance_rip(v);
	return 0;
}

static __noinline int io_in(struct vcpu *v, const struct pio_handler *h, u16 port, unsigned size)
{
	u32 val = 0xffffffff;

	if (h->read && h->read(v, h->opaque, port, size, &val))
		val = 0xffffffff;
	/* IN to AL/AX keeps the other bits; IN to EAX zero-extends */
	if (size == 4) {
		v->gpr[GPR_RAX] = val;
	} else {
		u32 mask = size_ones(size);

		v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~(u64)mask) | (val & mask);
	}
	return io_done(v);
}

static __noinline int io_out(struct vcpu *v, const struct pio_handler *h, u16 port, unsigned size)
{
	if (h->write)
		h->write(v, h->opaque, port, size, (u32)v->gpr[GPR_RAX] & size_ones(size));
	return io_done(v);
}

/* Everything but a hit on the remembered handler: string I/O, the scan, unclaimed ports. */
static __noinline int io_slow(struct vcpu *v, u64 q)
{
	u16 port = (u16)(q >> 16);
	unsigned size = (q & 7) + 1;
	const struct pio_handler *h;

	if (q & IO_QUAL_STRING) {
		/* INS/OUTS: no emulated device of ours needs them */
		vm_stop(v->vm, "string I/O (%s port 0x%x) is not supported",
			q & IO_QUAL_IN ? "ins" : "outs", port);
		return -1;
	}
	h = vm_find_pio_scan(v->vm, port, size);
	if (!h)
		h = v->vm->fallback->pio;
	return q & IO_QUAL_IN ? io_in(v, h, port, size) : io_out(v, h, port, size);
}

/*
 * The port handler found last is tried first: config cycles (0xCF8 then
 * 0xCFC) and console output hit the same one again. Port handlers are never
 * removed, so the remembered index stays valid (vCPUs racing on it only
 * cost a scan).
 */
int vmx_exit_io(struct vcpu *v)
{
	u64 q = vmread(VMCS_EXIT_QUAL);
	u16 port = (u16)(q >> 16);
	unsigned size = (q & 7) + 1;
	const struct pio_handler *h;

	v->exit_qual = q;
	if (unlikely(q & IO_QUAL_STRING))
		return io_slow(v, q);
	h = &v->vm->pio[v->vm->pio_last];
	if (unlikely(!pio_handler_covers(h, port, size)))
		return io_slow(v, q);
	return q & IO_QUAL_IN ? io_in(v, h, port, size) : io_out(v, h, port, size);
}
