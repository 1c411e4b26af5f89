/* IRQ group: MSIs and virtual IOAPIC lines the Service VM's device model raises. */
#include "hcall.h"

#define MSI_ADDR_BASE_MASK	0xFFF00000ULL
#define MSI_ADDR_BASE		0xFEE00000ULL
#define MSI_ADDR_RESERVED	0x00000FF0ULL	/* 11:4 (no extended destination ids) */
#define MSI_DATA_VECTOR(d)	((d) & 0xFF)
#define MSI_DATA_DELMODE(d)	(((d) >> 8) & 7)
#define MSI_DATA_RESERVED	0xFFFFFFFFFFFF3800ULL	/* 13:11 and 63:16 */

enum { MSI_DM_FIXED = 0, MSI_DM_LOWPRI = 1, MSI_DM_NMI = 4 };

/* param1: vmid, param2: GPA of struct abi_msi_entry */
int hcall_inject_msi(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_msi_entry msi;
	struct vm *vm;
	unsigned dm;
	int ret;

	ret = hcall_target_and_args(caller, p1, p2, &vm, &msi, sizeof(msi));
	if (ret)
		return ret;
	if ((msi.msi_addr & ~0xFFFFFFFFULL) ||
	    (msi.msi_addr & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE ||
	    (msi.msi_addr & MSI_ADDR_RESERVED))
		return -EINVAL;
	if (msi.msi_data & MSI_DATA_RESERVED)
		return -EINVAL;
	dm = MSI_DATA_DELMODE(msi.msi_data);
	switch (dm) {
	case MSI_DM_FIXED:
	case MSI_DM_LOWPRI:
		/* vectors 0-15 are illegal for the local APIC */
		if (MSI_DATA_VECTOR(msi.msi_data) < 16)
			return -EINVAL;
		break;
	case MSI_DM_NMI:
		break;
	default:
		/* SMI, INIT, ExtINT and the reserved modes have no business here */
		return -EINVAL;
	}
	return vmm_inject_msi(vm, msi.msi_addr, (u32)msi.msi_data);
}

/* param1: vmid, param2: struct abi_irqline_ops packed (gsi bits 31:0, op 63:32) */
int hcall_set_irqline(struct vm *caller, u64 p1, u64 p2)
{
	u32 gsi = ABI_IRQLINE_GSI(p2), op = ABI_IRQLINE_OP(p2);
	struct vm *vm;
	int ret;

	(void)caller;
	ret = hcall_target_vm(p1, &vm);
	if (ret)
		return ret;
	if (gsi >= vmm_vm_gsi_count(vm))
		return -EINVAL;
	if (op > ABI_GSI_FALLING_PULSE)
		return -EINVAL;
	return vmm_set_irqline(vm, gsi, op);
}
