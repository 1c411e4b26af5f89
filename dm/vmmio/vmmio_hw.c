/* The thin hardware layer of dm/vmmio/: reading a board device's register. */
#include "lib.h"
#include "mm.h"
#include "vmmio.h"

#define SZ_4G (1ULL << 32)

/* The hypervisor maps the low 4 GiB: a register above reads as nobody there (all ones). */
u32 vmmio_hw_read32(u64 hpa)
{
	if (hpa + 4 > SZ_4G)
		return 0xffffffffu;
	return *(volatile u32 *)phys_to_virt(hpa);
}
