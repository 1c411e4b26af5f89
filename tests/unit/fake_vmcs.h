/* A VMCS for host unit tests of exit handlers: vmread/vmwrite on a table. */
#ifndef TEST_FAKE_VMCS_H
#define TEST_FAKE_VMCS_H

#include "types.h"

void fake_vmcs_reset(void);		/* every field 0, nothing written */
void fake_vmcs_set(u64 field, u64 v);	/* as the CPU would have it at the exit */
u64 fake_vmcs_get(u64 field);
bool fake_vmcs_written(u64 field);	/* vmwrite touched it since the reset */

#endif
