/* ACPI PM1 and the reset port (dm/vpm.c): what the vPCI wiring passes 0xCF9 to. */
#ifndef BH_VPM_H
#define BH_VPM_H

#include "types.h"

struct vcpu;

int vpm_reset_read(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 *val);
int vpm_reset_write(struct vcpu *v, void *opaque, u16 port, unsigned size, u32 val);

#endif
