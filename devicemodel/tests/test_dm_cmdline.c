/* bulkhead-dm's command line: every option, every malformed value, every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dm_config.h"

static struct dm_config c;
static char err[512];

/* Split a command line on spaces (no quoting needed by these tests) and parse it. */
static int parse(const char *line)
{
	static char buf[4096];
	char *argv[64] = { "bulkhead-dm" };
	int argc = 1;

	strcpy(buf, line);
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	return dm_cmdline_parse(argc, argv, &c, err, sizeof(err));
}

#define BASE " -k bz vm1"
#define expect_err(line, rc, msg) do { \
	assert_int_equal(parse(line), rc); \
	assert_string_equal(err, msg); \
} while (0)

static void test_minimal(void **state)
{
	(void)state;
	assert_int_equal(parse("-m 256M -k bz vm1"), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.mem_bytes, 256ull << 20);
	assert_string_equal(c.kernel, "bz");
	assert_string_equal(c.name, "vm1");
	assert_null(c.initrd);
	assert_null(c.bootargs);
	assert_int_equal(c.ndevs, 0);
	assert_int_equal(c.ncpus, 0);
	assert_false(c.help);
}

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(parse("--help"), 0);
	assert_true(c.help);
	assert_int_equal(parse("-h"), 0);
	assert_true(c.help);
	/* --help wins over what else is missing, not over malformed values before it */
	assert_int_equal(parse("-m 256M --help"), 0);
	expect_err("--help=1", -1, "--help: takes no value");
	expect_err("-m 1M --help", -1, "-m 1M: guest memory must be at least 128M");
}

static void test_mem_sizes(void **state)
{
	(void)state;
	assert_int_equal(parse("-m 256M" BASE), 0);
	assert_int_equal(c.mem_bytes, 256ull << 20);
	assert_int_equal(parse("-m 1g" BASE), 0);
	assert_int_equal(c.mem_bytes, 1ull << 30);
	assert_int_equal(parse("-m 262144K" BASE), 0);
	assert_int_equal(c.mem_bytes, 256ull << 20);
	assert_int_equal(parse("-m 128" BASE), 0);	/* bare: MiB */
	assert_int_equal(c.mem_bytes, 128ull << 20);
	assert_int_equal(parse("-m512M" BASE), 0);
	assert_int_equal(c.mem_bytes, 512ull << 20);
	assert_int_equal(parse("--memsize=130M" BASE), 0);
	assert_int_equal(c.mem_bytes, 130ull << 20);
	assert_int_equal(parse("--memsize 512G" BASE), 0);
}

static void test_mem_errors(void **state)
{
	(void)state;
	expect_err("-m 127M" BASE, -1, "-m 127M: guest memory must be at least 128M");
	expect_err("-m 129M" BASE, -1,
		   "-m 129M: guest memory must be a multiple of 2M (it comes in 2 MiB hugepages)");
	expect_err("-m 131073K" BASE, -1,
		   "-m 131073K: guest memory must be a multiple of 2M (it comes in 2 MiB hugepages)");
	expect_err("-m 513G" BASE, -1, "-m 513G: guest memory must be at most 512G");
	expect_err("-m 256MB" BASE, -1, "-m 256MB: not a size (a number with K, M or G; a bare number is MiB)");
	expect_err("-m M" BASE, -1, "-m M: not a size (a number with K, M or G; a bare number is MiB)");
	expect_err("-m -256M" BASE, -1, "-m -256M: not a size (a number with K, M or G; a bare number is MiB)");
	expect_err("-m 256T" BASE, -1, "-m 256T: not a size (a number with K, M or G; a bare number is MiB)");
	expect_err("-m 99999999999999999999G" BASE, -1,
		   "-m 99999999999999999999G: not a size (a number with K, M or G; a bare number is MiB)");
	expect_err("-m 17179869184G" BASE, -1,
		   "-m 17179869184G: not a size (a number with K, M or G; a bare number is MiB)");
	expect_err("--memsize=1M" BASE, -1, "--memsize 1M: guest memory must be at least 128M");
	expect_err("-m 256M -m 512M" BASE, -1, "-m 512M: given twice");
	expect_err("-k bz vm1 -m", -1, "-m: needs a value");
	expect_err("-k bz vm1", -1, "-m: required (the guest's RAM, e.g. -m 256M)");
}

static void test_cpu_affinity(void **state)
{
	(void)state;
	assert_int_equal(parse("--cpu_affinity 1 -m 256M" BASE), 0);
	assert_int_equal(c.ncpus, 1);
	assert_int_equal(c.cpu_lapic[0], 1);
	assert_int_equal(parse("--cpu_affinity=3,2,6 -m 256M" BASE), 0);
	assert_int_equal(c.ncpus, 3);
	assert_int_equal(c.cpu_lapic[0], 3);
	assert_int_equal(c.cpu_lapic[1], 2);
	assert_int_equal(c.cpu_lapic[2], 6);
	assert_int_equal(parse("--cpu_affinity 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 -m 256M" BASE), 0);
	assert_int_equal(c.ncpus, 16);
	expect_err("--cpu_affinity 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -m 256M" BASE, -1,
		   "--cpu_affinity 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16: more than 16 vCPUs");
	expect_err("--cpu_affinity 1,1" BASE, -1, "--cpu_affinity 1,1: LAPIC id 1 is given twice");
	expect_err("--cpu_affinity 1,,2" BASE, -1,
		   "--cpu_affinity 1,,2: expected LAPIC ids separated by commas, e.g. 1,2");
	expect_err("--cpu_affinity 1," BASE, -1,
		   "--cpu_affinity 1,: expected LAPIC ids separated by commas, e.g. 1,2");
	expect_err("--cpu_affinity x" BASE, -1, "--cpu_affinity x: 'x' is not a LAPIC id");
	expect_err("--cpu_affinity 4294967295" BASE, -1,
		   "--cpu_affinity 4294967295: '4294967295' is not a LAPIC id");
	expect_err("--cpu_affinity 1 --cpu_affinity 2" BASE, -1, "--cpu_affinity 2: given twice");
	expect_err("--cpu_affinity", -1, "--cpu_affinity: needs a value");
}

static void test_kernel_ramdisk_bootargs_elf(void **state)
{
	static char longargs[2100];

	(void)state;
	assert_int_equal(parse("-m 256M -k bz -r initrd.gz -B console=ttyS0 vm1"), 0);
	assert_string_equal(c.kernel, "bz");
	assert_string_equal(c.initrd, "initrd.gz");
	assert_string_equal(c.bootargs, "console=ttyS0");
	assert_int_equal(parse("-m 256M --kernel=bz --ramdisk=rd --bootargs=quiet vm1"), 0);
	assert_string_equal(c.initrd, "rd");
	assert_string_equal(c.bootargs, "quiet");
	/* well formed, but booting an ELF is not built yet */
	expect_err("-m 256M -E guest.elf vm1", -2,
		   "-E guest.elf: booting an ELF image is not implemented yet (only -k BZIMAGE is)");
	assert_string_equal(c.elf, "guest.elf");
	assert_null(c.kernel);
	expect_err("-m 256M -E g.elf -k bz vm1", -1, "-E g.elf: -k bz is given too; boot one or the other");
	expect_err("-m 256M vm1", -1, "nothing to boot: give -k BZIMAGE or -E ELF");
	expect_err("-m 256M -E g -r rd vm1", -1, "-r rd: a ramdisk needs a kernel (-k)");
	expect_err("-m 256M -E g -B quiet vm1", -1, "-B 'quiet': boot arguments need a kernel (-k)");
	expect_err("-m 256M -k a -k b vm1", -1, "-k b: given twice (first a)");
	expect_err("-m 256M -k bz -r a -r b vm1", -1, "-r b: given twice (first a)");
	expect_err("-m 256M -k bz -B a -B b vm1", -1, "-B 'b': given twice");
	expect_err("-m 256M --kernel= vm1", -1, "--kernel '': empty value");
	memset(longargs, 'a', sizeof(longargs) - 1);
	memcpy(longargs, "-m 256M -k bz vm1 -B ", 21);
	expect_err(longargs, -1, "-B 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...': longer than 2047 characters");
}

static void test_name(void **state)
{
	(void)state;
	assert_int_equal(parse("-m 256M -k bz abcdefghijklmno"), 0);
	assert_string_equal(c.name, "abcdefghijklmno");
	expect_err("-m 256M -k bz -- -odd", -1, "VM name '-odd': only letters, digits, '-', '_' and '.' (not first)");
	assert_int_equal(parse("-m 256M -k bz -- vm-1"), 0);
	assert_string_equal(c.name, "vm-1");
	assert_int_equal(parse("-m 256M -k bz vm_1.a-b"), 0);
	expect_err("-m 256M -k bz abcdefghijklmnop", -1, "VM name 'abcdefghijklmnop': must be 1-15 characters");
	expect_err("-m 256M -k bz a/b", -1, "VM name 'a/b': only letters, digits, '-', '_' and '.' (not first)");
	expect_err("-m 256M -k bz .vm", -1, "VM name '.vm': only letters, digits, '-', '_' and '.' (not first)");
	expect_err("-m 256M -k bz -", -1, "VM name '-': only letters, digits, '-', '_' and '.' (not first)");
	expect_err("-m 256M -k bz vm1 vm2", -1, "'vm2': a second VM name (the first is 'vm1')");
	expect_err("-m 256M -k bz", -1, "no VM name: give it last, e.g. bulkhead-dm -m 256M -k bzImage vm1");
}

static void test_unknown_options(void **state)
{
	(void)state;
	expect_err("-x" BASE, -1, "-x: unknown option (see --help)");
	expect_err("--frobnicate=1" BASE, -1, "--frobnicate=1: unknown option (see --help)");
	expect_err("--ovmf OVMF.fd" BASE, -2, "--ovmf: an acrn-dm option bulkhead-dm does not implement yet");
	expect_err("--lapic_pt" BASE, -2, "--lapic_pt: an acrn-dm option bulkhead-dm does not implement yet");
	expect_err("--mem" BASE, -1, "--mem: unknown option (see --help)");
}

/* -s values through dm_parse_slot, which does not refuse the unbuilt. */
static struct dm_dev d;
#define slot_ok(spec) assert_int_equal(dm_parse_slot(spec, &d, err, sizeof(err)), 0)
#define slot_err(spec, msg) do { \
	assert_int_equal(dm_parse_slot(spec, &d, err, sizeof(err)), -1); \
	assert_string_equal(err, msg); \
} while (0)

static void test_slot_numbers(void **state)
{
	(void)state;
	slot_ok("0:0,hostbridge");
	assert_int_equal(d.kind, DM_DEV_HOSTBRIDGE);
	assert_int_equal(d.slot, 0);
	assert_int_equal(d.fn, 0);
	slot_ok("31:7,virtio-rnd");
	assert_int_equal(d.kind, DM_DEV_VIRTIO_RND);
	assert_int_equal(d.slot, 31);
	assert_int_equal(d.fn, 7);
	slot_ok("6,virtio-rnd");
	assert_int_equal(d.slot, 6);
	assert_int_equal(d.fn, 0);
	slot_ok("0:5:2,lpc");
	assert_int_equal(d.slot, 5);
	assert_int_equal(d.fn, 2);
	slot_err("32,virtio-rnd", "-s 32,virtio-rnd: slot 32 is out of range 0-31");
	slot_err("3:8,virtio-rnd", "-s 3:8,virtio-rnd: function 8 is out of range 0-7");
	slot_err("1:3:0,lpc", "-s 1:3:0,lpc: bus 1: only bus 0 exists");
	slot_err("0:1:2:3,lpc", "-s 0:1:2:3,lpc: '0:1:2:3,lpc' is not a slot: expected SLOT[:FUNCTION]");
	slot_err("x,lpc", "-s x,lpc: 'x' is not a slot: expected SLOT[:FUNCTION] in decimal");
	slot_err("3:,lpc", "-s 3:,lpc: '3:' is not a slot: expected SLOT[:FUNCTION] in decimal");
	slot_err(",lpc", "-s ,lpc: '' is not a slot: expected SLOT[:FUNCTION]");
	slot_err("999,lpc", "-s 999,lpc: '999' is not a slot: expected SLOT[:FUNCTION] in decimal");
	slot_err("3", "-s 3: expected SLOT[:FUNCTION],DEVICE[,ARGS]");
	slot_err("3,", "-s 3,: unknown device '' (known: hostbridge, lpc, virtio-blk, virtio-net, "
		 "virtio-console, virtio-rnd, passthru)");
	slot_err("3,virtio-gpu", "-s 3,virtio-gpu: unknown device 'virtio-gpu' (known: hostbridge, lpc, "
		 "virtio-blk, virtio-net, virtio-console, virtio-rnd, passthru)");
	slot_err("3,virtio-rnd,x", "-s 3,virtio-rnd,x: virtio-rnd takes no arguments");
	slot_err("0,hostbridge,", "-s 0,hostbridge,: hostbridge takes no arguments");
	slot_err("1,lpc,x", "-s 1,lpc,x: lpc takes no arguments");
}

static void test_slot_blk(void **state)
{
	static char longpath[300];

	(void)state;
	slot_ok("3,virtio-blk,/disk.img");
	assert_int_equal(d.kind, DM_DEV_VIRTIO_BLK);
	assert_string_equal(d.blk.path, "/disk.img");
	assert_false(d.blk.readonly);
	slot_ok("3,virtio-blk,/disk.img,ro");
	assert_string_equal(d.blk.path, "/disk.img");
	assert_true(d.blk.readonly);
	slot_err("3,virtio-blk", "-s 3,virtio-blk: virtio-blk needs an image file: -s SLOT,virtio-blk,PATH[,ro]");
	slot_err("3,virtio-blk,", "-s 3,virtio-blk,: virtio-blk needs an image file: -s SLOT,virtio-blk,PATH[,ro]");
	slot_err("3,virtio-blk,,ro", "-s 3,virtio-blk,,ro: virtio-blk needs an image file: -s SLOT,virtio-blk,PATH[,ro]");
	slot_err("3,virtio-blk,/d,writeback",
		 "-s 3,virtio-blk,/d,writeback: virtio-blk option 'writeback' is not implemented (only 'ro' is)");
	slot_err("3,virtio-blk,/d,ro,x", "-s 3,virtio-blk,/d,ro,x: virtio-blk option 'ro,x' is not implemented (only 'ro' is)");
	assert_false(d.ioeventfd);
	/* bulkhead's ioeventfd option, last: the kind's own arguments are what is before it */
	slot_ok("3,virtio-blk,/disk.img,ro,ioeventfd");
	assert_string_equal(d.blk.path, "/disk.img");
	assert_true(d.blk.readonly);
	assert_true(d.ioeventfd);
	slot_ok("3,virtio-blk,/disk.img,ioeventfd");
	assert_string_equal(d.blk.path, "/disk.img");
	assert_false(d.blk.readonly);
	assert_true(d.ioeventfd);
	slot_err("3,virtio-blk,ioeventfd", "-s 3,virtio-blk,ioeventfd: virtio-blk needs an image file: -s SLOT,virtio-blk,PATH[,ro]");
	slot_err("3,virtio-blk,/d,ioeventfd,ro",
		 "-s 3,virtio-blk,/d,ioeventfd,ro: virtio-blk option 'ioeventfd,ro' is not implemented (only 'ro' is)");
	slot_ok("4,virtio-rnd,ioeventfd");
	assert_true(d.ioeventfd);
	slot_ok("4,virtio-rnd");
	assert_false(d.ioeventfd);
	slot_err("4,virtio-rnd,ioeventfd,x", "-s 4,virtio-rnd,ioeventfd,x: virtio-rnd takes no arguments");
	slot_err("0:0,hostbridge,ioeventfd", "-s 0:0,hostbridge,ioeventfd: hostbridge takes no arguments");
	strcpy(longpath, "3,virtio-blk,/");
	memset(longpath + 14, 'p', 260);
	assert_int_equal(dm_parse_slot(longpath, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ": image path longer than 255 characters"));
}

static void test_slot_net(void **state)
{
	(void)state;
	slot_ok("4,virtio-net,tap0");
	assert_int_equal(d.kind, DM_DEV_VIRTIO_NET);
	assert_string_equal(d.net.ifname, "tap0");
	slot_ok("4,virtio-net,tap=tap_vm1");
	assert_string_equal(d.net.ifname, "tap_vm1");
	slot_ok("4,virtio-net,tap=abcdefghijklmno");
	slot_err("4,virtio-net", "-s 4,virtio-net: virtio-net needs a TAP interface: -s SLOT,virtio-net,tap=NAME");
	slot_err("4,virtio-net,tap=", "-s 4,virtio-net,tap=: TAP name '' must be 1-15 characters");
	slot_err("4,virtio-net,abcdefghijklmnop", "-s 4,virtio-net,abcdefghijklmnop: TAP name "
		 "'abcdefghijklmnop' must be 1-15 characters");
	slot_err("4,virtio-net,ta/p", "-s 4,virtio-net,ta/p: TAP name 'ta/p' has a character an interface name cannot have");
	/* acrn-dm's options */
	slot_ok("4,virtio-net,tap=tap0,vhost");
	assert_true(d.net.vhost);
	assert_false(d.net.has_mac);
	slot_ok("4,virtio-net,tap0,mac=00:16:3E:01:02:fe");
	assert_string_equal(d.net.ifname, "tap0");
	assert_false(d.net.vhost);
	assert_true(d.net.has_mac);
	assert_memory_equal(d.net.mac, "\x00\x16\x3e\x01\x02\xfe", 6);
	slot_ok("4,virtio-net,tap=t,mac_seed=vm-seed,vhost");
	assert_string_equal(d.net.mac_seed, "vm-seed");
	assert_true(d.net.vhost);
	slot_err("4,virtio-net,tap0,mac=01:16:3e:01:02:03", "-s 4,virtio-net,tap0,mac=01:16:3e:01:02:03: "
		 "mac=01:16:3e:01:02:03: expected a unicast MAC, XX:XX:XX:XX:XX:XX in hex");
	slot_err("4,virtio-net,tap0,mac=00:00:00:00:00:00", "-s 4,virtio-net,tap0,mac=00:00:00:00:00:00: "
		 "mac=00:00:00:00:00:00: expected a unicast MAC, XX:XX:XX:XX:XX:XX in hex");
	slot_err("4,virtio-net,tap0,mac=00:16:3e:01:02", "-s 4,virtio-net,tap0,mac=00:16:3e:01:02: "
		 "mac=00:16:3e:01:02: expected a unicast MAC, XX:XX:XX:XX:XX:XX in hex");
	slot_err("4,virtio-net,tap0,mac=00-16-3e-01-02-03", "-s 4,virtio-net,tap0,mac=00-16-3e-01-02-03: "
		 "mac=00-16-3e-01-02-03: expected a unicast MAC, XX:XX:XX:XX:XX:XX in hex");
	slot_err("4,virtio-net,tap0,mac=0g:16:3e:01:02:03", "-s 4,virtio-net,tap0,mac=0g:16:3e:01:02:03: "
		 "mac=0g:16:3e:01:02:03: expected a unicast MAC, XX:XX:XX:XX:XX:XX in hex");
	slot_err("4,virtio-net,tap0,mac_seed=", "-s 4,virtio-net,tap0,mac_seed=: mac_seed= must be 1-31 characters");
	slot_err("4,virtio-net,tap0,mac_seed=a,mac=00:16:3e:01:02:03", "-s 4,virtio-net,tap0,mac_seed=a,"
		 "mac=00:16:3e:01:02:03: mac= and mac_seed= together: give one");
	slot_err("4,virtio-net,tap0,mrg", "-s 4,virtio-net,tap0,mrg: virtio-net option 'mrg' is unknown "
		 "(known: tap=NAME, vhost, mac=XX:XX:XX:XX:XX:XX, mac_seed=STRING)");
	slot_err("4,virtio-net,tap0,", "-s 4,virtio-net,tap0,: virtio-net option '' is unknown "
		 "(known: tap=NAME, vhost, mac=XX:XX:XX:XX:XX:XX, mac_seed=STRING)");
	slot_err("4,virtio-net,tap=a=b", "-s 4,virtio-net,tap=a=b: TAP name 'a=b' has a character an interface name cannot have");
}

static void test_slot_console(void **state)
{
	(void)state;
	slot_ok("5,virtio-console,@pty");
	assert_int_equal(d.kind, DM_DEV_VIRTIO_CONSOLE);
	assert_int_equal(d.console.nports, 1);
	assert_true(d.console.port[0].is_console);
	assert_int_equal(d.console.port[0].backend, DM_CHR_PTY);
	assert_string_equal(d.console.port[0].name, "");
	slot_ok("5,virtio-console,@stdio:stdio_port,tty:tty_port=/dev/pts/0,file:log=/tmp/f,socket:s=/run/s,pty:p");
	assert_int_equal(d.console.nports, 5);
	assert_true(d.console.port[0].is_console);
	assert_int_equal(d.console.port[0].backend, DM_CHR_STDIO);
	assert_string_equal(d.console.port[0].name, "stdio_port");
	assert_false(d.console.port[1].is_console);
	assert_int_equal(d.console.port[1].backend, DM_CHR_TTY);
	assert_string_equal(d.console.port[1].name, "tty_port");
	assert_string_equal(d.console.port[1].path, "/dev/pts/0");
	assert_int_equal(d.console.port[2].backend, DM_CHR_FILE);
	assert_string_equal(d.console.port[2].path, "/tmp/f");
	assert_int_equal(d.console.port[3].backend, DM_CHR_SOCKET);
	assert_string_equal(d.console.port[3].path, "/run/s");
	assert_int_equal(d.console.port[4].backend, DM_CHR_PTY);
	assert_string_equal(d.console.port[4].name, "p");
	assert_string_equal(d.console.port[4].path, "");
	slot_err("5,virtio-console", "-s 5,virtio-console: virtio-console needs a port: -s SLOT,virtio-console,@pty:NAME");
	slot_err("5,virtio-console,@pty,", "-s 5,virtio-console,@pty,: an empty console port");
	slot_err("5,virtio-console,@serial", "-s 5,virtio-console,@serial: console port 'serial': backend "
		 "must be stdio, pty, tty, file or socket");
	slot_err("5,virtio-console,@pty,@stdio", "-s 5,virtio-console,@pty,@stdio: more than one console port ('@')");
	slot_err("5,virtio-console,stdio,stdio:b", "-s 5,virtio-console,stdio,stdio:b: more than one stdio port");
	slot_err("5,virtio-console,pty=/x", "-s 5,virtio-console,pty=/x: console port 'pty=/x': a pty port takes no path");
	slot_err("5,virtio-console,tty:t", "-s 5,virtio-console,tty:t: console port 'tty:t': a tty port needs =PATH");
	slot_err("5,virtio-console,file:f=", "-s 5,virtio-console,file:f=: console port 'file:f=': a file port needs =PATH");
	slot_err("5,virtio-console,pty:", "-s 5,virtio-console,pty:: console port 'pty:': name must be 1-31 characters");
	slot_err("5,virtio-console,ptyx", "-s 5,virtio-console,ptyx: console port 'ptyx': backend must be "
		 "stdio, pty, tty, file or socket");
	slot_err("5,virtio-console,pty:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "-s 5,virtio-console,"
		 "pty:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: console port 'pty:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': "
		 "name must be 1-31 characters");
	slot_err("5,virtio-console,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty",
		 "-s 5,virtio-console,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty,pty: "
		 "more than 16 console ports");
}

static void test_slot_passthru(void **state)
{
	(void)state;
	slot_ok("7,passthru,0/3/0");
	assert_int_equal(d.kind, DM_DEV_PASSTHRU);
	assert_int_equal(d.passthru.bus, 0);
	assert_int_equal(d.passthru.dev, 3);
	assert_int_equal(d.passthru.fn, 0);
	slot_ok("7,passthru,ff/1f/7");
	assert_int_equal(d.passthru.bus, 0xff);
	assert_int_equal(d.passthru.dev, 0x1f);
	assert_int_equal(d.passthru.fn, 7);
	slot_err("7,passthru", "-s 7,passthru: passthru needs the host device: -s SLOT,passthru,BUS/DEV/FN (hex)");
	slot_err("7,passthru,0/3", "-s 7,passthru,0/3: host device '0/3' is not BUS/DEV/FN (hex, e.g. 0/3/0)");
	slot_err("7,passthru,0/20/0", "-s 7,passthru,0/20/0: host device '0/20/0' is not BUS/DEV/FN "
		 "(hex; bus <= ff, dev <= 1f, fn <= 7)");
	slot_err("7,passthru,0/3/8", "-s 7,passthru,0/3/8: host device '0/3/8' is not BUS/DEV/FN "
		 "(hex; bus <= ff, dev <= 1f, fn <= 7)");
	slot_err("7,passthru,100/3/0", "-s 7,passthru,100/3/0: host device '100/3/0' is not BUS/DEV/FN "
		 "(hex; bus <= ff, dev <= 1f, fn <= 7)");
	slot_err("7,passthru,0/3/0/1", "-s 7,passthru,0/3/0/1: host device '0/3/0/1' is not BUS/DEV/FN "
		 "(hex; bus <= ff, dev <= 1f, fn <= 7)");
	slot_err("7,passthru,0/3/0,keep_gsi", "-s 7,passthru,0/3/0,keep_gsi: passthru option 'keep_gsi' "
		 "is not implemented (only BUS/DEV/FN is)");
}

static void test_lpc(void **state)
{
	struct dm_uart u;
	unsigned com;

	(void)state;
	assert_int_equal(dm_parse_lpc("com1,stdio", &com, &u, err, sizeof(err)), 0);
	assert_int_equal(com, 0);
	assert_int_equal(u.backend, DM_CHR_STDIO);
	assert_int_equal(dm_parse_lpc("com2,pty", &com, &u, err, sizeof(err)), 0);
	assert_int_equal(com, 1);
	assert_int_equal(u.backend, DM_CHR_PTY);
	assert_int_equal(dm_parse_lpc("com1,/dev/ttyS1", &com, &u, err, sizeof(err)), 0);
	assert_int_equal(u.backend, DM_CHR_TTY);
	assert_string_equal(u.path, "/dev/ttyS1");
	assert_int_equal(dm_parse_lpc("com3,stdio", &com, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "-l com3,stdio: expected com1 or com2, then a backend: -l com1,stdio|pty|/dev/TTY");
	assert_int_equal(dm_parse_lpc("com1", &com, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "-l com1: expected com1 or com2, then a backend: -l com1,stdio|pty|/dev/TTY");
	assert_int_equal(dm_parse_lpc("com1,tty", &com, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "-l com1,tty: backend 'tty' must be stdio, pty or a terminal under /dev/");
	assert_int_equal(dm_parse_lpc("com1,/dev/", &com, &u, err, sizeof(err)), -1);
	assert_string_equal(err, "-l com1,/dev/: backend '/dev/' must be stdio, pty or a terminal under /dev/");
	/* through the whole parser: well formed, then refused as not built */
	assert_int_equal(parse("-l com1,stdio -m 256M" BASE), 0);
	assert_true(c.com[0].present);
	expect_err("-l com2,stdio -m 256M" BASE, -2, "-l com2: not implemented yet (only com1 is)");
	expect_err("-l com1,pty -m 256M" BASE, -2, "-l com1,pty: only the stdio backend is implemented yet");
	expect_err("-l com1,/dev/ttyS1 -m 256M" BASE, -2,
		   "-l com1,/dev/ttyS1: only the stdio backend is implemented yet");
	expect_err("-l com1,stdio -l com1,pty -m 256M" BASE, -1, "-l com1,pty: com1 is given twice");
	expect_err("-l com9,stdio -m 256M" BASE, -1,
		   "-l com9,stdio: expected com1 or com2, then a backend: -l com1,stdio|pty|/dev/TTY");
}

/* The whole command line: syntax, then cross-checks, then the refusal of the unbuilt. */
static void test_devices_refused(void **state)
{
	(void)state;
	expect_err("-m 256M --cpu_affinity 1 -s 0:0,hostbridge -s 1:0,lpc -l com1,stdio -s 3,virtio-blk,/disk.img "
		   "-s 4,virtio-net,tap0 -s 5,virtio-console,@pty -s 6,virtio-rnd -s 7,passthru,0/3/0 -k bzImage "
		   "-r initrd.gz -B console=ttyS0 NAME", -2,
		   "-s 5,virtio-console,@pty: the pty back-end of virtio-console is not implemented yet "
		   "(stdio and file are)");
	assert_int_equal(c.ndevs, 7);
	assert_int_equal(c.dev[6].kind, DM_DEV_PASSTHRU);
	assert_true(c.com[0].present);
	/* what is built: acrn-dm's minimal platform */
	assert_int_equal(parse("-m 256M --cpu_affinity 2 -s 0:0,hostbridge -s 1:0,lpc -l com1,stdio" BASE), 0);
	/* and the virtio devices done so far */
	assert_int_equal(parse("-m 256M -s 0:0,hostbridge -s 3,virtio-blk,/d,ro -s 6,virtio-rnd" BASE), 0);
	/* virtio-net on a TAP, served here or by vhost-net */
	assert_int_equal(parse("-m 256M -s 6,virtio-net,tap=tap0,mac=02:00:00:00:00:01" BASE), 0);
	assert_int_equal(parse("-m 256M -s 6,virtio-net,tap=tap0,vhost" BASE), 0);
	assert_true(c.dev[0].net.vhost);
	/* passthru (devicemodel/passthru.c): alone in its slot or beside other passthru functions */
	assert_int_equal(parse("-m 256M -s 0:0,hostbridge -s 7,passthru,0/3/0" BASE), 0);
	assert_int_equal(parse("-m 256M -s 7:0,passthru,0/3/0 -s 7:1,passthru,0/3/1" BASE), 0);
	expect_err("-m 256M -s 7:0,virtio-rnd -s 7:1,passthru,0/3/0" BASE, -1,
		   "-s 7:1,passthru,0/3/0: slot 7 has -s 7:0,virtio-rnd too: a passthrough function "
		   "shares its slot only with other passthrough functions");
	/* virtio-console: one port on stdio or a file */
	assert_int_equal(parse("-m 256M -s 5,virtio-console,@file:con=/tmp/hvc" BASE), 0);
	assert_int_equal(parse("-m 256M -s 5,virtio-console,@stdio:con" BASE), 0);
	expect_err("-m 256M -s 5,virtio-console,@stdio:a,file:b=/x" BASE, -2,
		   "-s 5,virtio-console,@stdio:a,file:b=/x: more than one virtio-console port (MULTIPORT) "
		   "is not implemented yet");
	expect_err("-m 256M -s 5,virtio-console,socket:s=/run/s" BASE, -2,
		   "-s 5,virtio-console,socket:s=/run/s: the socket back-end of virtio-console is not "
		   "implemented yet (stdio and file are)");
	expect_err("-m 256M -l com1,stdio -s 5,virtio-console,@stdio" BASE, -1,
		   "-s 5,virtio-console,@stdio: -l com1,stdio reads stdin already; give the console port "
		   "another back-end");
	/* a malformed value anywhere is reported before any refusal */
	expect_err("-s 3,virtio-blk,/d -s 9,virtio-rnd,x -m 256M" BASE, -1,
		   "-s 9,virtio-rnd,x: virtio-rnd takes no arguments");
	expect_err("-s 3,virtio-blk,/d -m 256M -k bz", -1,
		   "no VM name: give it last, e.g. bulkhead-dm -m 256M -k bzImage vm1");
}

static void test_slot_cross_checks(void **state)
{
	(void)state;
	expect_err("-m 256M -s 3,virtio-rnd -s 3:0,virtio-blk,/d" BASE, -1,
		   "-s 3:0,virtio-blk,/d: slot 3:0 is already taken by -s 3,virtio-rnd");
	expect_err("-m 256M -s 0:3:1,virtio-rnd -s 3:1,virtio-rnd" BASE, -1,
		   "-s 3:1,virtio-rnd: slot 3:1 is already taken by -s 0:3:1,virtio-rnd");
	expect_err("-m 256M -s 3:1,virtio-rnd" BASE, -1,
		   "-s 3:1,virtio-rnd: function 1 of slot 3 needs a function 0 (guests probe that first)");
	/* a function 0 after its other functions on the command line is fine */
	assert_int_equal(parse("-m 256M -s 3:1,virtio-rnd -s 3:0,virtio-rnd" BASE), 0);
	/* as with getopt, a value may start with '-' */
	expect_err("-m 256M -s" BASE, -1, "-s -k: expected SLOT[:FUNCTION],DEVICE[,ARGS]");
	expect_err("-m 256M -k bz vm1 -s", -1, "-s: needs a value");
	expect_err("-m 256M --pci_slot=40,lpc" BASE, -1, "-s 40,lpc: slot 40 is out of range 0-31");
}

static void test_numbers(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(dm_parse_uint("0", 10, 5, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(dm_parse_uint("18446744073709551615", 10, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(dm_parse_uint("18446744073709551616", 10, UINT64_MAX, &v), -1);
	assert_int_equal(dm_parse_uint("6", 10, 5, &v), -1);
	assert_int_equal(dm_parse_uint("0x1F", 16, 0x1f, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(dm_parse_uint("", 10, 5, &v), -1);
	assert_int_equal(dm_parse_uint("0x", 16, 5, &v), -1);
	assert_int_equal(dm_parse_uint("1 ", 10, 5, &v), -1);
	assert_int_equal(dm_parse_uint("a", 10, 50, &v), -1);
	assert_int_equal(dm_parse_size("16383G", &v), 0);
	assert_true(v == 16383ull << 30);
	assert_int_equal(dm_parse_size("17179869183G", &v), 0);
	assert_int_equal(dm_parse_size("17179869184G", &v), -1);
	assert_int_equal(dm_parse_size("1k", &v), 0);
	assert_int_equal(v, 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_mem_sizes),
		cmocka_unit_test(test_mem_errors),
		cmocka_unit_test(test_cpu_affinity),
		cmocka_unit_test(test_kernel_ramdisk_bootargs_elf),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_slot_numbers),
		cmocka_unit_test(test_slot_blk),
		cmocka_unit_test(test_slot_net),
		cmocka_unit_test(test_slot_console),
		cmocka_unit_test(test_slot_passthru),
		cmocka_unit_test(test_lpc),
		cmocka_unit_test(test_devices_refused),
		cmocka_unit_test(test_slot_cross_checks),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
