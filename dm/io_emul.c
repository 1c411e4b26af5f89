/* Per-VM registration and lookup of port and MMIO range handlers. */
#include "lib.h"
#include "vm.h"

/* A port nobody decodes: reads float to all ones, writes go nowhere. */
static const struct pio_handler floating_port;

const struct io_fallback io_fallback_none = { &floating_port, NULL, NULL };

int vm_register_pio(struct vm *vm, u16 base, u16 len, pio_read_fn rd, pio_write_fn wr, void *opaque)
{
	if (!len || (u32)base + len > 0x10000)
		return -EINVAL;
	for (unsigned i = 0; i < vm->nr_pio; i++) {
		const struct pio_handler *h = &vm->pio[i];
		if (base < h->base + h->len && h->base < base + len)
			return -EEXIST;
	}
	if (vm->nr_pio == VM_MAX_PIO_HANDLERS)
		return -ENOSPC;
	vm->pio[vm->nr_pio++] = (struct pio_handler){ base, len, rd, wr, opaque };
	for (u32 b = base >> PIO_BLOCK_SHIFT; b <= ((u32)base + len - 1) >> PIO_BLOCK_SHIFT; b++)
		vm->pio_blocks[b / 64] |= 1ull << (b % 64);
	return 0;
}

int vm_register_mmio(struct vm *vm, u64 base, u64 len, mmio_read_fn rd, mmio_write_fn wr, void *opaque)
{
	if (!len || base + len < base)
		return -EINVAL;
	for (unsigned i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_handler *h = &vm->mmio[i];
		if (base < h->base + h->len && h->base < base + len)
			return -EEXIST;
	}
	if (vm->nr_mmio == VM_MAX_MMIO_HANDLERS)
		return -ENOSPC;
	vm->mmio[vm->nr_mmio++] = (struct mmio_handler){ base, len, rd, wr, opaque };
	return 0;
}

void vm_unregister_mmio(struct vm *vm, u64 base, u64 len)
{
	for (unsigned i = 0; i < vm->nr_mmio; i++) {
		if (vm->mmio[i].base != base || vm->mmio[i].len != len)
			continue;
		vm->mmio[i] = vm->mmio[--vm->nr_mmio];
		return;
	}
}

/* The port handler for [port, +size), remembered for the next exit (vmx_exit_io tries it first). */
const struct pio_handler *vm_find_pio_scan(struct vm *vm, u16 port, unsigned size)
{
	u32 b = port >> PIO_BLOCK_SHIFT;

	/* a handler covering the access covers its first port: no handler in that block, none */
	if (!(vm->pio_blocks[b / 64] & (1ull << (b % 64))))
		return NULL;
	/* by pointer, the index only on a hit */
	for (const struct pio_handler *h = vm->pio, *end = h + vm->nr_pio; h < end; h++) {
		if (pio_handler_covers(h, port, size)) {
			vm->pio_last = (u8)(h - vm->pio);
			return h;
		}
	}
	return NULL;
}

const struct mmio_handler *vm_find_mmio(const struct vm *vm, u64 gpa, unsigned size)
{
	for (unsigned i = 0; i < vm->nr_mmio; i++) {
		const struct mmio_handler *h = &vm->mmio[i];
		if (gpa >= h->base && gpa + size <= h->base + h->len)
			return h;
	}
	return NULL;
}
