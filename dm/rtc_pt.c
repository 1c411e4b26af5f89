/*
 * The host's CMOS RTC for the Service VM: its two ports pass through (Linux
 * reads the wall time there at boot; pre-launched VMs have dm/vrtc.c); its
 * vACPI describes it (vmm/vm_acpi.c asks whether the ports are the VM's).
 * Index bit 7 also masks the host's NMIs: the hypervisor uses NMIs only to
 * find a CPU stuck in it, so the Service VM can at worst hide that report.
 */
#include "lib.h"
#include "vm.h"
#include "vm_unit.h"

#define RTC_PORT	0x70
#define RTC_PORTS	2

static int rtc_pt_init(struct vm *vm)
{
	for (unsigned p = RTC_PORT; p < RTC_PORT + RTC_PORTS; p++)
		vm->io_bitmap[p / 8] &= (u8)~BIT(p % 8);
	return 0;
}

static void rtc_pt_release(struct vm *vm)
{
	for (unsigned p = RTC_PORT; p < RTC_PORT + RTC_PORTS; p++)
		vm->io_bitmap[p / 8] |= (u8)BIT(p % 8);
}

bool vm_has_host_rtc(const struct vm *vm)
{
	return !(vm->io_bitmap[RTC_PORT / 8] & BIT(RTC_PORT % 8));
}

const struct vm_unit rtc_pt_unit = {
	.name = "host RTC", .kinds = BIT(VM_SERVICE),
	.init = rtc_pt_init, .release = rtc_pt_release,
};
