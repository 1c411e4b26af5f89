/* VMX capability checks and VMXON. */
#include "lib.h"
#include "mm.h"
#include "percpu.h"
#include "vmx.h"
#include "x86.h"

struct vmx_caps vmx_caps;

#define FEATURE_CONTROL_LOCK BIT(0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX BIT(2)

#define EPT_CAP_WALK4 BIT(6)
#define EPT_CAP_WB BIT(14)
#define EPT_CAP_2M BIT(16)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_SINGLE BIT(41)

static const char *const exit_names[NR_EXIT_REASONS] = {
	[EXIT_EXCEPTION_NMI] = "exception/NMI", [EXIT_EXT_INTR] = "external interrupt",
	[EXIT_TRIPLE_FAULT] = "triple fault", [EXIT_INIT] = "INIT", [EXIT_SIPI] = "SIPI",
	[EXIT_INTR_WINDOW] = "interrupt window", [EXIT_NMI_WINDOW] = "NMI window",
	[EXIT_TASK_SWITCH] = "task switch", [EXIT_CPUID] = "CPUID", [EXIT_GETSEC] = "GETSEC",
	[EXIT_HLT] = "HLT", [EXIT_INVD] = "INVD", [EXIT_INVLPG] = "INVLPG",
	[EXIT_RDPMC] = "RDPMC", [EXIT_RDTSC] = "RDTSC", [EXIT_RSM] = "RSM",
	[EXIT_VMCALL] = "VMCALL", [EXIT_VMCLEAR] = "VMCLEAR", [EXIT_VMLAUNCH] = "VMLAUNCH",
	[EXIT_VMPTRLD] = "VMPTRLD", [EXIT_VMPTRST] = "VMPTRST", [EXIT_VMREAD] = "VMREAD",
	[EXIT_VMRESUME] = "VMRESUME", [EXIT_VMWRITE] = "VMWRITE", [EXIT_VMXOFF] = "VMXOFF",
	[EXIT_VMXON] = "VMXON", [EXIT_CR_ACCESS] = "CR access", [EXIT_DR_ACCESS] = "DR access",
	[EXIT_IO] = "I/O instruction", [EXIT_RDMSR] = "RDMSR", [EXIT_WRMSR] = "WRMSR",
	[EXIT_INVALID_GUEST] = "entry failure (guest state)",
	[EXIT_MSR_LOAD_FAIL] = "entry failure (MSR load)", [EXIT_MWAIT] = "MWAIT",
	[EXIT_MTF] = "monitor trap flag", [EXIT_MONITOR] = "MONITOR", [EXIT_PAUSE] = "PAUSE",
	[EXIT_MCE_DURING_ENTRY] = "machine check on entry", [EXIT_TPR_BELOW] = "TPR below threshold",
	[EXIT_APIC_ACCESS] = "APIC access", [EXIT_VIRT_EOI] = "virtualized EOI",
	[EXIT_GDTR_IDTR] = "GDTR/IDTR access", [EXIT_LDTR_TR] = "LDTR/TR access",
	[EXIT_EPT_VIOLATION] = "EPT violation", [EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_INVEPT] = "INVEPT", [EXIT_RDTSCP] = "RDTSCP", [EXIT_PREEMPT_TIMER] = "preemption timer",
	[EXIT_INVVPID] = "INVVPID", [EXIT_WBINVD] = "WBINVD", [EXIT_XSETBV] = "XSETBV",
	[EXIT_APIC_WRITE] = "APIC write", [EXIT_RDRAND] = "RDRAND", [EXIT_INVPCID] = "INVPCID",
	[EXIT_VMFUNC] = "VMFUNC", [EXIT_ENCLS] = "ENCLS", [EXIT_RDSEED] = "RDSEED",
	[EXIT_PML_FULL] = "PML full", [EXIT_XSAVES] = "XSAVES", [EXIT_XRSTORS] = "XRSTORS",
};

const char *vmx_exit_name(unsigned reason)
{
	if (reason < NR_EXIT_REASONS && exit_names[reason])
		return exit_names[reason];
	return "unknown";
}

static bool allowed1(u64 cap, u32 bits)
{
	return ((cap >> 32) & bits) == bits;
}

/* Report every missing feature by name, then fail. */
int vmx_check_caps(void)
{
	u32 a, b, c, d;
	u64 basic, fc;
	int missing = 0;

	cpuid_count(1, 0, &a, &b, &c, &d);
	if (!(c & BIT(5))) {
		printk("bulkhead: CPU lacks VMX (CPUID.1:ECX.VMX = 0)\n");
		return -ENOTSUP;
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		printk("bulkhead: VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked = 0x%lx)\n", fc);
		return -ENOTSUP;
	}

	basic = rdmsr(MSR_VMX_BASIC);
	vmx_caps.revision = basic & 0x7fffffff;
	vmx_caps.true_ctls = basic & BIT(55);
	vmx_caps.pin = rdmsr(vmx_caps.true_ctls ? MSR_VMX_TRUE_PIN : MSR_VMX_PINBASED);
	vmx_caps.proc = rdmsr(vmx_caps.true_ctls ? MSR_VMX_TRUE_PROC : MSR_VMX_PROCBASED);
	vmx_caps.exit = rdmsr(vmx_caps.true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT);
	vmx_caps.entry = rdmsr(vmx_caps.true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY);
	vmx_caps.misc = rdmsr(MSR_VMX_MISC);
	vmx_caps.preempt_shift = vmx_caps.misc & 0x1f;
	vmx_caps.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);

	if (!allowed1(vmx_caps.proc, PROC_SECONDARY)) {
		printk("bulkhead: VMX lacks secondary controls (needed for EPT)\n");
		return -ENOTSUP;
	}
	vmx_caps.proc2 = rdmsr(MSR_VMX_PROCBASED2);
	vmx_caps.ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);

#define NEED(cond, what) do { if (!(cond)) { printk("bulkhead: missing VMX feature: %s\n", what); missing++; } } while (0)
	NEED(allowed1(vmx_caps.proc2, PROC2_EPT), "EPT");
	NEED(allowed1(vmx_caps.proc2, PROC2_UNRESTRICTED), "unrestricted guest");
	NEED(allowed1(vmx_caps.proc2, PROC2_VPID), "VPID");
	NEED(allowed1(vmx_caps.proc, PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_HLT_EXIT),
	     "I/O and MSR bitmaps, HLT exiting");
	NEED(allowed1(vmx_caps.pin, PIN_EXT_INT_EXIT | PIN_NMI_EXIT), "external-interrupt and NMI exiting");
	NEED(allowed1(vmx_caps.exit, EXIT_HOST_ADDR64 | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER),
	     "64-bit host, acknowledge interrupt on exit, EFER save/load");
	NEED(allowed1(vmx_caps.entry, ENTRY_LOAD_EFER | ENTRY_IA32E_GUEST), "EFER load on entry");
	NEED(vmx_caps.ept_vpid & EPT_CAP_WALK4, "4-level EPT");
	NEED(vmx_caps.ept_vpid & EPT_CAP_WB, "write-back EPT structures");
	NEED(vmx_caps.ept_vpid & EPT_CAP_INVEPT, "INVEPT");
	NEED(vmx_caps.ept_vpid & VPID_CAP_INVVPID, "INVVPID");
#undef NEED
	if (missing) {
		printk("bulkhead: this CPU cannot run bulkhead (%d VMX features missing)\n", missing);
		return -ENOTSUP;
	}
	if (!allowed1(vmx_caps.pin, PIN_PREEMPT_TIMER))
		pr_warn("VMX preemption timer missing: guest timers fire only at exits and HLT\n");
	pr_info("VMX: revision 0x%x, EPT/VPID caps 0x%lx, proc2 allowed 0x%lx, misc 0x%lx\n",
		vmx_caps.revision, vmx_caps.ept_vpid, vmx_caps.proc2 >> 32, vmx_caps.misc);
	return 0;
}

int vmx_cpu_enable(void)
{
	struct pcpu *p = this_cpu();
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	u64 pa;
	u8 fail;

	cr0 = (cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
	cr4 = (cr4 | vmx_caps.cr4_fixed0 | X86_CR4_VMXE) & vmx_caps.cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	if (!p->vmxon_region)
		p->vmxon_region = page_alloc(1);
	if (!p->vmxon_region)
		return -ENOMEM;
	*(u32 *)p->vmxon_region = vmx_caps.revision;
	pa = virt_to_phys(p->vmxon_region);
	asm volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
	if (fail) {
		printk("bulkhead: VMXON failed on CPU %u\n", p->id);
		return -EIO;
	}
	return 0;
}

void invept_single(u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };
	/* single-context if supported, else all-context */
	u64 type = (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE) ? 1 : 2;

	asm volatile("invept %0, %1" :: "m"(desc), "r"(type) : "cc", "memory");
}

void invvpid_single(u16 vpid)
{
	struct { u64 vpid, addr; } desc = { vpid, 0 };
	u64 type = (vmx_caps.ept_vpid & VPID_CAP_SINGLE) ? 1 : 2;

	asm volatile("invvpid %0, %1" :: "m"(desc), "r"(type) : "cc", "memory");
}
