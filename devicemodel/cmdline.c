/*
 * bulkhead-dm's options, acrn-dm's spelling: short and long forms, values
 * attached (-m256M, --memsize=256M) or as the next word. Syntax first, then
 * the checks across options, then the refusal of what is not built yet, so
 * a command line is judged whole before anyone is told "not implemented".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dm_config.h"
#include "dm_log.h"

enum opt_id { O_MEM, O_CPUS, O_SLOT, O_LPC, O_KERNEL, O_RAMDISK, O_BOOTARGS, O_ELF, O_HELP };

static const struct opt {
	char sname;
	const char *lname;
	bool has_arg;
} opts[] = {
	[O_MEM]		= { 'm', "memsize", true },
	[O_CPUS]	= { 0, "cpu_affinity", true },
	[O_SLOT]	= { 's', "pci_slot", true },
	[O_LPC]		= { 'l', "lpc", true },
	[O_KERNEL]	= { 'k', "kernel", true },
	[O_RAMDISK]	= { 'r', "ramdisk", true },
	[O_BOOTARGS]	= { 'B', "bootargs", true },
	[O_ELF]		= { 'E', "elf_file", true },
	[O_HELP]	= { 'h', "help", false },
};

/* acrn-dm options bulkhead-dm knows of but does not do: refused by name. */
static const char *const not_yet[] = {
	"ovmf", "vsbl", "lapic_pt", "rtvm", "virtio_poll", "mac_seed", "debugexit",
	"intr_monitor", "vtpm2", "logger_setting", "pm_notify_channel", "pm_by_vuart",
	"windows", "ssram", "acpidev_pt", "mmiodev_pt", "enable_trusty", "acpi",
};

#define FAIL(...) dm_err(err, errlen, __VA_ARGS__)

static int parse_mem(const char *opt, const char *v, struct dm_config *c, char *err, size_t errlen)
{
	uint64_t b;

	if (dm_parse_size(v, &b))
		return FAIL("%s %s: not a size (a number with K, M or G; a bare number is MiB)", opt, v);
	if (b < DM_MEM_MIN)
		return FAIL("%s %s: guest memory must be at least 128M", opt, v);
	if (b > DM_MEM_MAX)
		return FAIL("%s %s: guest memory must be at most 512G", opt, v);
	if (b % DM_MEM_ALIGN)
		return FAIL("%s %s: guest memory must be a multiple of 2M (it comes in 2 MiB hugepages)", opt, v);
	c->mem_bytes = b;
	return 0;
}

/* A comma-separated list of physical CPUs' LAPIC ids, one per vCPU. */
static int parse_cpus(const char *opt, const char *v, struct dm_config *c, char *err, size_t errlen)
{
	const char *s = v;

	for (;;) {
		char buf[16];
		size_t len = strcspn(s, ",");
		uint64_t id;

		if (len == 0 || len >= sizeof(buf))
			return FAIL("%s %s: expected LAPIC ids separated by commas, e.g. 1,2", opt, v);
		memcpy(buf, s, len);
		buf[len] = '\0';
		if (dm_parse_uint(buf, 10, 0xfffffffe, &id))
			return FAIL("%s %s: '%s' is not a LAPIC id", opt, v, buf);
		for (unsigned i = 0; i < c->ncpus; i++)
			if (c->cpu_lapic[i] == id)
				return FAIL("%s %s: LAPIC id %s is given twice", opt, v, buf);
		if (c->ncpus == DM_MAX_VCPUS)
			return FAIL("%s %s: more than %d vCPUs", opt, v, DM_MAX_VCPUS);
		c->cpu_lapic[c->ncpus++] = (uint32_t)id;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

static int parse_name(const char *v, struct dm_config *c, char *err, size_t errlen)
{
	size_t len = strlen(v);

	if (len == 0 || len > DM_NAME_MAX)
		return FAIL("VM name '%s': must be 1-%d characters", v, DM_NAME_MAX);
	/* It names files under /run and sockets, as acrn-dm's does. */
	for (size_t i = 0; i < len; i++) {
		char ch = v[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ((ch == '-' || ch == '.') && i > 0)))
			return FAIL("VM name '%s': only letters, digits, '-', '_' and '.' (not first)", v);
	}
	memcpy(c->name, v, len + 1);
	return 0;
}

static int set_once(const char **slot, const char *opt, const char *v, char *err, size_t errlen)
{
	if (*slot)
		return FAIL("%s %s: given twice (first %s)", opt, v, *slot);
	if (!*v)
		return FAIL("%s '': empty value", opt);
	*slot = v;
	return 0;
}

static int apply(enum opt_id id, const char *opt, const char *v, struct dm_config *c, char *err, size_t errlen)
{
	switch (id) {
	case O_MEM:
		if (c->mem_bytes)
			return FAIL("%s %s: given twice", opt, v);
		return parse_mem(opt, v, c, err, errlen);
	case O_CPUS:
		if (c->ncpus)
			return FAIL("%s %s: given twice", opt, v);
		return parse_cpus(opt, v, c, err, errlen);
	case O_SLOT: {
		struct dm_dev *d = &c->dev[c->ndevs];

		if (c->ndevs == DM_PCI_SLOTS * DM_PCI_FUNCS)
			return FAIL("%s %s: more devices than PCI bus 0 has functions", opt, v);
		if (dm_parse_slot(v, d, err, errlen))
			return -1;
		for (unsigned i = 0; i < c->ndevs; i++)
			if (c->dev[i].slot == d->slot && c->dev[i].fn == d->fn)
				return FAIL("%s %s: slot %u:%u is already taken by -s %s", opt, v,
					    d->slot, d->fn, c->dev[i].spec);
		c->ndevs++;
		return 0;
	}
	case O_LPC: {
		struct dm_uart u;
		unsigned com;

		if (dm_parse_lpc(v, &com, &u, err, errlen))
			return -1;
		if (c->com[com].present)
			return FAIL("%s %s: com%u is given twice", opt, v, com + 1);
		c->com[com] = u;
		return 0;
	}
	case O_KERNEL:
		return set_once(&c->kernel, opt, v, err, errlen);
	case O_RAMDISK:
		return set_once(&c->initrd, opt, v, err, errlen);
	case O_ELF:
		return set_once(&c->elf, opt, v, err, errlen);
	case O_BOOTARGS:
		if (strlen(v) > DM_BOOTARGS_MAX)
			return FAIL("%s '%.40s...': longer than %d characters", opt, v, DM_BOOTARGS_MAX);
		if (c->bootargs)
			return FAIL("%s '%s': given twice", opt, v);
		c->bootargs = v;
		return 0;
	case O_HELP:
		c->help = true;
		return 0;
	}
	return FAIL("%s: internal error", opt);
}

/* Which option argv[*i] is; sets *val to its value (attached or the next word). */
static int lookup(int argc, char *const argv[], int *i, enum opt_id *id, const char **val,
		  char *optname, size_t optlen, char *err, size_t errlen)
{
	const char *a = argv[*i], *attached = NULL;
	int found = -1;

	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		for (unsigned k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strlen(opts[k].lname) == len && !strncmp(opts[k].lname, name, len))
				found = (int)k;
		if (found < 0) {
			for (unsigned k = 0; k < sizeof(not_yet) / sizeof(not_yet[0]); k++)
				if (strlen(not_yet[k]) == len && !strncmp(not_yet[k], name, len))
					return FAIL("--%.*s: an acrn-dm option bulkhead-dm does not implement yet",
						    (int)len, name), -2;
			return FAIL("%s: unknown option (see --help)", a);
		}
		if (eq)
			attached = eq + 1;
	} else {
		for (unsigned k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (opts[k].sname && opts[k].sname == a[1])
				found = (int)k;
		if (found < 0)
			return FAIL("-%c: unknown option (see --help)", a[1]);
		if (a[2])
			attached = a + 2;
	}
	*id = (enum opt_id)found;
	/* Messages name the option as it was spelled, without an attached value. */
	if (a[1] == '-')
		snprintf(optname, optlen, "--%s", opts[found].lname);
	else
		snprintf(optname, optlen, "-%c", opts[found].sname);
	if (!opts[found].has_arg) {
		if (attached)
			return FAIL("%s: takes no value", optname);
		*val = NULL;
		return 0;
	}
	if (attached) {
		*val = attached;
		return 0;
	}
	if (*i + 1 >= argc)
		return FAIL("%s: needs a value", optname);
	*val = argv[++*i];
	return 0;
}

/* Checks across options, once every option is read. */
static int cross_check(struct dm_config *c, char *err, size_t errlen)
{
	if (!c->name[0])
		return FAIL("no VM name: give it last, e.g. bulkhead-dm -m 256M -k bzImage vm1");
	if (!c->mem_bytes)
		return FAIL("-m: required (the guest's RAM, e.g. -m 256M)");
	if (c->kernel && c->elf)
		return FAIL("-E %s: -k %s is given too; boot one or the other", c->elf, c->kernel);
	if (!c->kernel && !c->elf)
		return FAIL("nothing to boot: give -k BZIMAGE or -E ELF");
	if (c->initrd && !c->kernel)
		return FAIL("-r %s: a ramdisk needs a kernel (-k)", c->initrd);
	if (c->bootargs && !c->kernel)
		return FAIL("-B '%s': boot arguments need a kernel (-k)", c->bootargs);
	for (unsigned i = 0; i < c->ndevs; i++) {
		bool fn0 = false;

		/* one reader of stdin */
		if (c->dev[i].kind == DM_DEV_VIRTIO_CONSOLE && c->com[0].present &&
		    c->com[0].backend == DM_CHR_STDIO && c->dev[i].console.port[0].backend == DM_CHR_STDIO)
			return FAIL("-s %s: -l com1,stdio reads stdin already; give the console port "
				    "another back-end", c->dev[i].spec);

		/* a passthrough slot is the hypervisor's (its vPCI), an emulated one ours */
		for (unsigned j = 0; j < c->ndevs; j++)
			if (c->dev[j].slot == c->dev[i].slot && c->dev[i].kind == DM_DEV_PASSTHRU &&
			    c->dev[j].kind != DM_DEV_PASSTHRU)
				return FAIL("-s %s: slot %u has -s %s too: a passthrough function shares "
					    "its slot only with other passthrough functions",
					    c->dev[i].spec, c->dev[i].slot, c->dev[j].spec);
		if (c->dev[i].fn == 0)
			continue;
		for (unsigned j = 0; j < c->ndevs; j++)
			fn0 |= c->dev[j].slot == c->dev[i].slot && c->dev[j].fn == 0;
		if (!fn0)
			return FAIL("-s %s: function %u of slot %u needs a function 0 (guests probe that first)",
				    c->dev[i].spec, c->dev[i].fn, c->dev[i].slot);
	}
	return 0;
}

/* virtio-console: one port, on stdio or a file, so far */
static int refuse_console(const struct dm_dev *d, char *err, size_t errlen)
{
	static const char *const names[] = { "stdio", "pty", "tty", "file", "socket" };
	enum dm_chr_backend b = d->console.port[0].backend;

	if (d->console.nports > 1)
		return FAIL("-s %s: more than one virtio-console port (MULTIPORT) is not implemented "
			    "yet", d->spec);
	if (b != DM_CHR_STDIO && b != DM_CHR_FILE)
		return FAIL("-s %s: the %s back-end of virtio-console is not implemented yet (stdio and "
			    "file are)", d->spec, names[b]);
	return 0;
}

/* What cannot run yet, said precisely, after the command line is known to be well formed. */
static int refuse_unbuilt(const struct dm_config *c, char *err, size_t errlen)
{
	for (unsigned i = 0; i < c->ndevs; i++)
		if (c->dev[i].kind == DM_DEV_VIRTIO_CONSOLE && refuse_console(&c->dev[i], err, errlen))
			return -1;
	if (c->com[1].present)
		return FAIL("-l com2: not implemented yet (only com1 is)");
	if (c->com[0].present && c->com[0].backend != DM_CHR_STDIO)
		return FAIL("-l com1,%s: only the stdio backend is implemented yet",
			    c->com[0].backend == DM_CHR_PTY ? "pty" : c->com[0].path);
	if (c->elf)
		return FAIL("-E %s: booting an ELF image is not implemented yet (only -k BZIMAGE is)",
			    c->elf);
	return 0;
}

int dm_cmdline_parse(int argc, char *const argv[], struct dm_config *c, char *err, size_t errlen)
{
	bool options_done = false;

	memset(c, 0, sizeof(*c));
	if (errlen)
		err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char optname[24];
		enum opt_id id = O_HELP;

		if (!options_done && !strcmp(a, "--")) {
			options_done = true;
			continue;
		}
		if (options_done || a[0] != '-' || a[1] == '\0') {
			if (c->name[0])
				return FAIL("'%s': a second VM name (the first is '%s')", a, c->name);
			if (parse_name(a, c, err, errlen))
				return -1;
			continue;
		}
		int r = lookup(argc, argv, &i, &id, &val, optname, sizeof(optname), err, errlen);

		if (r)
			return r;
		if (apply(id, optname, val, c, err, errlen))
			return -1;
	}
	if (c->help)
		return 0;
	if (cross_check(c, err, errlen))
		return -1;
	return refuse_unbuilt(c, err, errlen) ? -2 : 0;
}
