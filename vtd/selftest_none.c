/* The hypervisor people run has no VT-d self-checks (make VTD_SELFTEST=1 builds them in). */
#include "lib.h"
#include "vtd.h"

void vtd_selftest_run(void)
{
	printk("ERROR: vtd_selftest: the VT-d self-checks are not in this build "
	       "(make VTD_SELFTEST=1); booting normally\n");
}
