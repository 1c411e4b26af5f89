/* Wire a VM's vLAPICs and vIOAPIC to its vCPUs and its MMIO space. */
#include "lib.h"
#include "lapic.h"
#include "vmm_internal.h"
#include "x86.h"

static u64 tsc_now(void)
{
	return rdtsc();
}

static void kick_vcpu(struct vlapic *target)
{
	if (target->priv)
		vcpu_kick(target->priv);
}

static void eoi_to_vioapic(struct vlapic_group *g, u8 vector)
{
	struct vm *vm = g->priv;

	ptirq_eoi(vm, vector);		/* first: a line still up would be re-delivered */
	vioapic_eoi(&vm->vioapic, vector);
}

/* Sub-dword accesses read the containing register; writes must be whole dwords. */
static int lapic_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	u32 off = (u32)(gpa - VLAPIC_BASE), reg;

	(void)opaque;
	if (vlapic_mmio_read(&v->vlapic, off & ~3u, &reg))
		return -EINVAL;
	reg >>= (off & 3) * 8;
	*val = reg & size_ones(size);
	return 0;
}

static int lapic_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val)
{
	u32 off = (u32)(gpa - VLAPIC_BASE);
	int ret;

	(void)opaque;
	if (size < 4 || (off & 3))
		return -EINVAL;
	ret = vlapic_mmio_write(&v->vlapic, off, (u32)val);
	if (off == APIC_LVT_TIMER && !ret)
		vcpu_lapic_update(v);	/* TSC-deadline mode on or off */
	return ret;
}

static int ioapic_read(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 *val)
{
	u32 r;

	(void)opaque;
	if (vioapic_mmio_read(&v->vm->vioapic, (u32)(gpa - VIOAPIC_BASE), size, &r))
		return -EINVAL;
	*val = r;
	return 0;
}

static int ioapic_write(struct vcpu *v, void *opaque, u64 gpa, unsigned size, u64 val)
{
	int ret;

	(void)opaque;
	ret = vioapic_mmio_write(&v->vm->vioapic, (u32)(gpa - VIOAPIC_BASE), size, (u32)val);
	if (!ret)
		ptirq_vrte_written(v->vm);	/* lines that follow their pin's trigger and polarity */
	return ret;
}

int vm_irq_init(struct vm *vm)
{
	int ret;

	memset(&vm->lapics, 0, sizeof(vm->lapics));
	vm->lapics.now = tsc_now;
	vm->lapics.kick = kick_vcpu;
	vm->lapics.eoi = eoi_to_vioapic;
	vm->lapics.tsc_khz = (u32)tsc_khz;
	vm->lapics.priv = vm;
	vioapic_init(&vm->vioapic, &vm->lapics, 0);
	ret = vm_register_mmio(vm, VLAPIC_BASE, VLAPIC_SIZE, lapic_read, lapic_write, NULL);
	if (!ret)
		ret = vm_register_mmio(vm, VIOAPIC_BASE, VIOAPIC_SIZE, ioapic_read, ioapic_write, NULL);
	return ret;
}
