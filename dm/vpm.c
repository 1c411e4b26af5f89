/*
 * Virtual power management: the PM1a control register (S5 = power off) and
 * the reset control port 0xCF9. A VM that powers off or resets is stopped.
 */
#include "lib.h"
#include "vm.h"
#include "vpm.h"
#include "vm_unit.h"

#define PM1A_EVT_PORT 0x400
#define PM1A_CNT_PORT 0x404
#define PM1_SLP_EN BIT(13)
#define PM1_SLP_TYP(v) (((v) >> 10) & 7)
#define SLP_TYP_S5 5


static int pm1_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)v; (void)opaque; (void)port; (void)size;
	*val = 1;		/* SCI_EN: ACPI mode */
	return 0;
}

static int pm1_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)opaque; (void)port; (void)size;
	if (!(val & PM1_SLP_EN))
		return 0;
	if (PM1_SLP_TYP(val) == SLP_TYP_S5)
		vm_stop(v->vm, "powered off (ACPI S5)");
	else
		vm_stop(v->vm, "entered sleep state S%u, which is not supported", PM1_SLP_TYP(val));
	return 0;
}

int vpm_reset_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)v; (void)opaque; (void)port; (void)size;
	*val = 0;
	return 0;
}

int vpm_reset_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)opaque; (void)port; (void)size;
	/* bit 2 starts the reset; restarting a pre-launched VM is not supported yet */
	if (val & BIT(2))
		vm_stop(v->vm, "reset requested (VM restart is not implemented: stopped)");
	return 0;
}

/*
 * PM1a status (0x400) and enable (0x402): no fixed event is ever raised, so
 * status reads 0; enable bits read back as written (ACPICA checks that when
 * it enables the global lock event).
 */
static int pm1_evt_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	u32 regs = (u32)v->vm->pm1_en << 16;	/* status in the low half: 0 */

	(void)opaque;
	*val = (regs >> ((port - PM1A_EVT_PORT) * 8)) & size_ones(size);
	return 0;
}

static int pm1_evt_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	unsigned off = port - PM1A_EVT_PORT;
	u32 regs = (u32)v->vm->pm1_en << 16;
	u32 mask = size_ones(size) << (off * 8);

	(void)opaque;
	regs = (regs & ~mask) | ((val << (off * 8)) & mask);
	v->vm->pm1_en = regs >> 16;	/* writes to status clear nothing that was set */
	return 0;
}

static int vpm_init(struct vm *vm)
{
	int ret = vm_register_pio(vm, PM1A_CNT_PORT, 2, pm1_read, pm1_write, NULL);

	if (!ret)
		ret = vm_register_pio(vm, PM1A_EVT_PORT, 4, pm1_evt_read, pm1_evt_write, NULL);
	/* the reset port 0xCF9 is reached through vPCI, which owns 0xCF8-0xCFF */
	return ret;
}

const struct vm_unit vpm_unit = { .name = "ACPI PM", .kinds = UNIT_BOOT_VMS, .init = vpm_init };
