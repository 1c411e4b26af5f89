/*
 * Virtual power management: the PM1a control register (S5 = power off) and
 * the reset control port 0xCF9. A VM that powers off or resets is stopped.
 */
#include "lib.h"
#include "vm.h"

#define PM1A_EVT_PORT 0x400
#define PM1A_CNT_PORT 0x404
#define PM1_SLP_EN BIT(13)
#define PM1_SLP_TYP(v) (((v) >> 10) & 7)
#define SLP_TYP_S5 5
#define RESET_PORT 0xCF9

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

static int reset_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)v; (void)opaque; (void)port; (void)size;
	*val = 0;
	return 0;
}

static int reset_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)opaque; (void)port; (void)size;
	/* bit 2 starts the reset; restarting a pre-launched VM is not supported yet */
	if (val & BIT(2))
		vm_stop(v->vm, "reset requested (VM restart is not implemented: stopped)");
	return 0;
}

/* PM1a status/enable: no fixed events are ever raised, so no SCI either */
static int pm1_evt_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val)
{
	(void)v; (void)opaque; (void)port; (void)size;
	*val = 0;
	return 0;
}

static int pm1_evt_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val)
{
	(void)v; (void)opaque; (void)port; (void)size; (void)val;
	return 0;
}

int vpm_init(struct vm *vm)
{
	int ret = vm_register_pio(vm, PM1A_CNT_PORT, 2, pm1_read, pm1_write, NULL);

	if (!ret)
		ret = vm_register_pio(vm, PM1A_EVT_PORT, 4, pm1_evt_read, pm1_evt_write, NULL);
	if (!ret)
		ret = vm_register_pio(vm, RESET_PORT, 1, reset_read, reset_write, NULL);
	return ret;
}
