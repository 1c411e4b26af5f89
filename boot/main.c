/*
 * From the boot loader's hand-over to the VM manager: CPU 0's descriptor
 * tables and console, the boot information and the command line parsed,
 * the hypercall layer plugged into VMCALL exits; then hv_main (vmm/main.c)
 * brings up the machine and the VMs. The program's top: it calls down into
 * every layer once and is called by the entry code only.
 */
#include "lib.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "console.h"
#include "hcall_init.h"
#include "hv_main.h"
#include "boot_main.h"
#include "percpu.h"
#include "x86.h"

extern u8 boot_stack[];
extern u64 boot_tsc;

static struct boot_info boot_info;
static struct hv_options options;

void __noreturn boot_main(u32 magic, u64 info)
{
	char err[128] = "";
	int ret;

	pcpus[0].id = 0;
	pcpus[0].stack_top = (u64)boot_stack + 0x4000;
	uart_init(0x3F8);
	cpu_setup(&pcpus[0]);

	ret = bootinfo_parse(magic, info, &boot_info);
	boot_info.entry_tsc = boot_tsc;
	if (ret == -E2BIG)
		printk("WARNING: boot information has more entries than bulkhead keeps; the rest is ignored\n");
	else if (ret)
		panic("boot information unusable (magic 0x%x, error %d): boot bulkhead with GRUB "
		      "multiboot or multiboot2, or with bulkhead.efi", magic, ret);
	/*
	 * A loader that left UEFI boot services running (multiboot2 tag 18: GRUB
	 * does so only for a kernel asking with header tag 7, which bulkhead does
	 * not) still owns the memory map, the timers and the devices it drives:
	 * taking the machine under it is not safe. Refused; nothing can be handed
	 * back to it from here, so the CPU stops with the reason on the console.
	 */
	if (boot_info.efi_bs_active)
		panic("the boot loader left UEFI boot services running (multiboot2 tag 18); "
		      "bulkhead needs them exited: boot it with GRUB's multiboot2 without "
		      "EFI boot-services tags, or with bulkhead.efi");
	ret = cmdline_parse(boot_info.cmdline, &options, err, sizeof(err));
	if (options.console_none)
		uart_disable();
	else if (options.console_port != 0x3F8)
		uart_init(options.console_port);
	log_level = options.loglevel;
	printk("bulkhead hypervisor (board %s, scenario %s), booted by %s%s%s%s\n",
	       scenario.board, scenario.scenario, boot_info.loader,
	       boot_info.loader_name[0] ? " from " : "", boot_info.loader_name,
	       boot_info.efi_systab ? " on UEFI firmware (boot services exited)" : "");
	if (boot_info.efi_mmap_used)
		printk("memory map: taken from the EFI memory map (%u entries)\n", boot_info.nr_mmap);
	if (err[0])
		printk("%s: %s\n", ret ? "ERROR: command line" : "WARNING: command line", err);
	hcall_init();
	hv_main(&boot_info, &options);
}
