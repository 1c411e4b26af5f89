/* General group: API version, the upcall vector, giving up a Service VM CPU. */
#include "hcall.h"

/* param1: GPA of struct abi_api_version, written with 1.0 */
int hcall_get_api_version(struct vm *caller, u64 p1, u64 p2)
{
	struct abi_api_version v = {
		.major_version = ABI_API_VERSION_MAJOR,
		.minor_version = ABI_API_VERSION_MINOR,
	};

	(void)p2;
	return vmm_copy_to_guest(caller, p1, &v, sizeof(v)) ? -EFAULT : 0;
}

/* param1: vector for forwarded-request upcalls, 0x20..0xFF */
int hcall_set_callback_vector(struct vm *caller, u64 p1, u64 p2)
{
	(void)p2;
	if (p1 < ABI_CALLBACK_VECTOR_MIN || p1 > ABI_CALLBACK_VECTOR_MAX)
		return -EINVAL;
	return vmm_set_callback_vector(caller, (u8)p1);
}

/* param1: LAPIC id of a Service VM vCPU the Service VM has offlined */
int hcall_sos_remove_cpu(struct vm *caller, u64 p1, u64 p2)
{
	int vcpu;

	(void)p2;
	if (p1 > 0xFFFFFFFFULL)
		return -EINVAL;
	vcpu = vmm_vcpu_from_lapic_id(caller, (u32)p1);
	if (vcpu < 0)
		return -EINVAL;
	/* vCPU 0 takes the upcalls and is the BSP: it stays */
	if (vcpu == 0)
		return -EINVAL;
	return vmm_remove_service_vcpu(caller, (unsigned)vcpu);
}
