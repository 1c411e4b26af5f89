/*
 * WBINVD/WBNOINVD exits. The instruction writes back and invalidates every
 * cache of the package, the last-level cache other VMs' CPUs share too, and
 * is not interruptible: a guest looping on it would cost other VMs time.
 * Caches are coherent with the CPUs and with snooped DMA, so a guest needs
 * it only for agents that bypass them: devices it owns. A VM without any
 * gets a no-op; one with devices gets the real flush on its own pCPU.
 */
#include "lib.h"
#include "vmm_internal.h"
#include "x86.h"

int vmx_exit_wbinvd(struct vcpu *v)
{
	if (vm_owns_dma_agents(v->vm))
		cpu_wbinvd();
	vcpu_advance_rip(v);
	return 0;
}
