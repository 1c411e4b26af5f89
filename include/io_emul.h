/* Per-VM tables of port-range and MMIO-range handlers. */
#ifndef BH_IO_EMUL_H
#define BH_IO_EMUL_H

#include "types.h"

struct vcpu;
struct vm;

/* Return 0 when handled; a read fills *val (size 1, 2, 4 or 8 bytes). */
typedef int (*pio_read_fn)(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val);
typedef int (*pio_write_fn)(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val);
typedef int (*mmio_read_fn)(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val);
typedef int (*mmio_write_fn)(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val);

struct pio_handler {
	u16 base, len;
	pio_read_fn read;
	pio_write_fn write;
	void *opaque;
};

struct mmio_handler {
	u64 base, len;
	mmio_read_fn read;
	mmio_write_fn write;
	void *opaque;
};

/*
 * [port, port + size) inside the handler's range (an unused slot has len 0).
 * A port below base wraps to at least 0x10000 - base + 1 (port >= 0), which
 * with size >= 1 exceeds any len vm_register_pio accepts (base + len <= 0x10000).
 */
static inline bool pio_handler_covers(const struct pio_handler *h, u16 port, unsigned size)
{
	return (u32)(u16)(port - h->base) + size <= h->len;
}

/*
 * Where a VM's accesses go that no handler of its own claims: one per VM.
 * A post-launched VM's go to the Service VM's device model (vmm/ioreq.c);
 * the others' (io_fallback_none) float: port and config reads give all
 * ones, writes are dropped, and MMIO outside the VM stops it.
 */
struct io_fallback {
	const struct pio_handler *pio;		/* never NULL (a handler without ops floats) */
	const struct mmio_handler *mmio;	/* NULL: the access stops the VM */
	/* PCI config of a function the VM has no vdev at (reg: byte offset); NULL: all ones */
	int (*pcicfg)(struct vcpu *v, u16 bdf, u16 reg, unsigned size, bool write, u32 *val);
};

extern const struct io_fallback io_fallback_none;

#define VM_MAX_PIO_HANDLERS 16
#define VM_MAX_MMIO_HANDLERS 32

int vm_register_pio(struct vm *vm, u16 base, u16 len, pio_read_fn rd, pio_write_fn wr, void *opaque);
int vm_register_mmio(struct vm *vm, u64 base, u64 len, mmio_read_fn rd, mmio_write_fn wr, void *opaque);
void vm_unregister_mmio(struct vm *vm, u64 base, u64 len);
const struct pio_handler *vm_find_pio_scan(struct vm *vm, u16 port, unsigned size);
const struct mmio_handler *vm_find_mmio(const struct vm *vm, u64 gpa, unsigned size);

#endif
