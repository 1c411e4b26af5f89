/* CPUID, exception recovery, unhandled ports, unknown MSRs and PCI config access. */
#include "selftest.h"

#define HV_LEAF_BASE 0x40000000
#define HV_LEAF_FEATURES 0x40000001
#define HV_LEAF_TSC_KHZ 0x40000010
#define HV_FEATURE_PRIVILEGED BIT(0)

#define UNKNOWN_MSR 0x12345
#define BAD_SELECTOR 0xFFF8 /* far beyond our 3-entry GDT */

void cpuid_tests(void)
{
	struct cpuid_regs l1 = cpuid(1);
	struct cpuid_regs hv = cpuid(HV_LEAF_BASE);
	char sig[13];

	test_report(l1.ecx & CPUID1_ECX_HYPERVISOR, "CPUID.1:ECX hypervisor bit set (ecx=%#x)", l1.ecx);
	test_report(!(l1.ecx & CPUID1_ECX_VMX), "CPUID.1:ECX VMX bit clear");

	memcpy(sig, &hv.ebx, 4);
	memcpy(sig + 4, &hv.ecx, 4);
	memcpy(sig + 8, &hv.edx, 4);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++) {
		if (sig[i] < 0x20 || sig[i] > 0x7E)
			sig[i] = '?';
	}
	test_report(!memcmp(sig, "ACRNACRNACRN", 12) && hv.eax >= HV_LEAF_TSC_KHZ,
		    "CPUID 0x40000000 signature \"%s\" is ACRNACRNACRN, max leaf %#x >= 0x40000010",
		    sig, hv.eax);

	u32 feat = cpuid(HV_LEAF_FEATURES).eax;
	bool priv = feat & HV_FEATURE_PRIVILEGED;

	test_report(priv == params.privileged,
		    "CPUID 0x40000001 privileged bit %u matches privileged=%u (eax=%#x)", priv,
		    params.privileged, feat);

	u32 khz = cpuid(HV_LEAF_TSC_KHZ).eax;

	test_report(khz != 0, "CPUID 0x40000010 TSC frequency %u kHz is nonzero", khz);
}

void fault_tests(void)
{
	int v = load_fs_safe(BAD_SELECTOR);

	test_report(v == X86_GP, "#GP is caught and recovered (bad selector load: vector %d error %#x)",
		    v, this_cpu()->fault_error);

	/*
	 * WBINVD exits (vmm/vmexit_wbinvd.c): the hypervisor skips it for a VM
	 * without devices and flushes for one with; either way the guest goes
	 * on after it, with its memory as it was.
	 */
	static volatile u32 canary;
	canary = 0x5eed1234;
	v = wbinvd_safe();
	test_report(v == NO_FAULT && canary == 0x5eed1234,
		    "WBINVD completes without a fault, memory kept (vector %d)", v);
}

static bool port_reads_ones(u16 port)
{
	u8 b = inb(port);
	u16 w = inw(port);
	u32 l = inl(port);
	bool ok = b == 0xFF && w == 0xFFFF && l == 0xFFFFFFFF;

	test_report(ok, "unhandled port %#x reads all ones (inb %#x inw %#x inl %#x)", port, b, w, l);
	return ok;
}

void port_tests(void)
{
	static const u16 ports[PORT_TESTS] = { 0x0510, 0x02F8, 0x0D00 };

	for (u32 i = 0; i < ARRAY_SIZE(ports); i++)
		port_reads_ones(ports[i]);
}

void msr_tests(void)
{
	u64 val = 0;
	int v = rdmsr_safe(UNKNOWN_MSR, &val);

	test_report(v == X86_GP, "RDMSR of unknown MSR %#x raises #GP (vector %d)", UNKNOWN_MSR, v);
	v = wrmsr_safe(UNKNOWN_MSR, 0);
	test_report(v == X86_GP, "WRMSR of unknown MSR %#x raises #GP (vector %d)", UNKNOWN_MSR, v);

	/* supervisor state (PT, arch LBR, HWP) is host-wide: IA32_XSS enables none of it */
	struct cpuid_regs d1 = cpuid_count(0xD, 1), l7 = cpuid_count(7, 0), pt = cpuid_count(0x14, 0);

	test_report(!d1.ecx && !d1.edx && !(l7.ebx & (1u << 25)) && !(pt.eax | pt.ebx | pt.ecx | pt.edx),
		    "CPUID: no IA32_XSS components (0DH.1 ECX:EDX %#x:%#x), no Intel PT (7.EBX %#x, leaf 14H)",
		    d1.edx, d1.ecx, l7.ebx);
	if (!(d1.eax & (1u << 3))) {
		test_skip("no XSAVES", "IA32_XSS reads 0 and refuses PT and arch LBR state with #GP");
		return;
	}
	int r = rdmsr_safe(MSR_IA32_XSS, &val);
	int w0 = wrmsr_safe(MSR_IA32_XSS, 0);
	int wpt = wrmsr_safe(MSR_IA32_XSS, 1ull << 8), wlbr = wrmsr_safe(MSR_IA32_XSS, 1ull << 15);

	test_report(r == NO_FAULT && val == 0 && w0 == NO_FAULT && wpt == X86_GP && wlbr == X86_GP,
		    "IA32_XSS reads 0 and refuses PT and arch LBR state with #GP (%d %d %d %d)", r, w0,
		    wpt, wlbr);
}

/* Hypercalls are the Service VM's: anyone else's VMCALL is an invalid opcode. */
void hcall_tests(void)
{
	if (params.privileged) {
		test_skip("privileged VM", "VMCALL from a non-privileged VM raises #UD");
		return;
	}
	int v = vmcall_safe();

	test_report(v == X86_UD, "VMCALL from a non-privileged VM raises #UD (vector %d)", v);
}

/* Lists bus 0 and checks that 8/16/32-bit reads of 00:00.0 agree. */
void pci_tests(void)
{
	for (u8 dev = 0; dev < 32; dev++) {
		u32 id = pci_read32(0, dev, 0, PCI_VENDOR_ID);

		if ((id & 0xFFFF) == 0xFFFF)
			continue;
		test_diag("pci 00:%02x.0 %04x:%04x class %06x", dev, id & 0xFFFF, id >> 16,
			  pci_read32(0, dev, 0, PCI_CLASS_REV) >> 8);
	}
	u32 id = pci_read32(0, 0, 0, PCI_VENDOR_ID);
	u16 vendor = pci_read16(0, 0, 0, PCI_VENDOR_ID);
	u16 device = pci_read16(0, 0, 0, PCI_DEVICE_ID);
	u8 b1 = pci_read8(0, 0, 0, 1), b3 = pci_read8(0, 0, 0, 3);

	test_report((id & 0xFFFF) != 0xFFFF && vendor == (id & 0xFFFF) && device == id >> 16 &&
			    b1 == ((id >> 8) & 0xFF) && b3 == id >> 24,
		    "PCI 00:00.0 present (id %#x), 8/16/32-bit config reads agree", id);
}
