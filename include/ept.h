/* A VM's EPT: guest-physical to host-physical, with rights and memory type (arch/x86/ept.c). */
#ifndef BH_EPT_H
#define BH_EPT_H

#include "types.h"

struct vm;

#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_UC 0
#define EPT_MT_WB 6

int ept_init(struct vm *vm);
/* All or nothing: -ENOMEM leaves every translation as it was. */
int ept_map(struct vm *vm, u64 gpa, u64 hpa, u64 size, u64 prot, unsigned memtype);
int ept_unmap(struct vm *vm, u64 gpa, u64 size);
bool ept_lookup(const struct vm *vm, u64 gpa, u64 *hpa);
void ept_destroy(struct vm *vm);

#endif
