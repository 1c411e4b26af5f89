/*
 * bulkhead-dm: the device model of bulkhead's post-launched VMs, run in the
 * Service VM. It checks its whole command line, refuses what is not built
 * yet, then launches the VM through /dev/acrn_hsm (launch.c) and serves it
 * until it powers off.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "dm_config.h"
#include "dm_launch.h"

#define EXIT_USAGE	1
#define EXIT_NOT_YET	2	/* a well-formed command line asking for what is not built */

static const char usage[] =
"usage: bulkhead-dm [options] VMNAME\n"
"\n"
"The device model of a bulkhead post-launched VM (acrn-dm's command line).\n"
"\n"
"  -m, --memsize SIZE         guest RAM: K, M or G suffix, bare number = MiB;\n"
"                             at least 128M, a multiple of 2M\n"
"      --cpu_affinity IDS     LAPIC ids of the physical CPUs, one per vCPU (e.g. 1,2)\n"
"  -s, --pci_slot SLOT[:FN],DEVICE[,ARGS]\n"
"                             a PCI device; slot 0-31, function 0-7. DEVICE:\n"
"                               hostbridge, lpc  (no ARGS)\n"
"                               virtio-blk,PATH[,ro]  a raw disk image\n"
"                               virtio-rnd  (no ARGS) entropy from /dev/urandom\n"
"                               virtio-console,[@]stdio[:NAME] | [@]file[:NAME]=PATH\n"
"                                 one port, the guest's hvc0 (stdio: not with\n"
"                                 -l com1,stdio; file: output only)\n"
"                             virtio devices: modern PCI transport, MSI-X only\n"
"                             not implemented yet (checked, then refused):\n"
"                               virtio-net,[tap=]TAPNAME\n"
"                               virtio-console with several ports, or on pty|tty|socket\n"
"                               passthru,BUS/DEV/FN  (hex)\n"
"  -l, --lpc com1|com2,stdio|pty|/dev/TTY\n"
"                             a serial port on the LPC bridge; only com1,stdio is\n"
"                             implemented (a 16550 at 0x3F8, IRQ 4)\n"
"  -k, --kernel BZIMAGE       Linux kernel to boot\n"
"  -r, --ramdisk INITRD       its initial ramdisk (needs -k)\n"
"  -B, --bootargs ARGS        its command line (needs -k)\n"
"  -E, --elf_file ELF         an ELF image to boot instead of -k (not implemented yet)\n"
"  -h, --help                 this text\n"
"\n"
"VMNAME: 1-15 letters, digits, '-', '_' or '.'.\n"
"\n"
"The VM also gets an RTC, ACPI PM1 (S5 powers off) and reset (port 0xCF9);\n"
"every other port and MMIO access reads all ones. Exit status: 0 when the\n"
"guest powered off, 1 for a malformed command line, 2 for one asking for\n"
"what is not implemented yet, 3 when launching failed, 128+N after signal N\n"
"(SIGTERM, SIGINT); the VM is destroyed in every case.\n";

/* Files named on the command line must be there now, not at some later step. */
static int check_file(const char *opt, const char *path)
{
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st)) {
		fprintf(stderr, "bulkhead-dm: %s %s: %m\n", opt, path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "bulkhead-dm: %s %s: not a regular file\n", opt, path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct dm_config cfg;	/* large: not on the stack */
	char err[512];
	int r = dm_cmdline_parse(argc, argv, &cfg, err, sizeof(err));

	if (r) {
		fprintf(stderr, "bulkhead-dm: %s\n", err);
		return r == -2 ? EXIT_NOT_YET : EXIT_USAGE;
	}
	if (cfg.help) {
		fputs(usage, stdout);
		return 0;
	}
	if (check_file("-k", cfg.kernel) || check_file("-r", cfg.initrd) || check_file("-E", cfg.elf))
		return EXIT_USAGE;
	return dm_launch(&cfg);
}
