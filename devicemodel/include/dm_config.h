/*
 * What bulkhead-dm's command line asks for, as plain data. String pointers
 * point into argv (alive as long as the process); parts of a -s value are
 * copied, as they end at a comma. Filled by dm_cmdline_parse.
 */
#ifndef DM_CONFIG_H
#define DM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DM_NAME_MAX	15		/* acrn_vm_creation.name is 16 bytes with the NUL */
#define DM_MAX_VCPUS	16		/* the ioreq page has 16 slots, one per vCPU */
#define DM_MEM_MIN	(128ull << 20)	/* acrn-dm's minimum */
#define DM_MEM_ALIGN	(2ull << 20)	/* guest RAM comes from 2 MiB hugepages */
#define DM_MEM_MAX	(512ull << 30)	/* far above any Service VM here; catches typos */
#define DM_BOOTARGS_MAX	2047		/* Linux's x86 COMMAND_LINE_SIZE less the NUL */
#define DM_PCI_SLOTS	32
#define DM_PCI_FUNCS	8
#define DM_CONSOLE_PORTS 16
#define DM_IFNAME_MAX	15		/* IFNAMSIZ less the NUL */
#define DM_PORTNAME_MAX	31
#define DM_MACSEED_MAX	31		/* virtio-net mac_seed= */
#define DM_PATH_MAX	255		/* paths inside a -s value (they end at a comma) */

enum dm_dev_kind {
	DM_DEV_HOSTBRIDGE,
	DM_DEV_LPC,
	DM_DEV_VIRTIO_BLK,
	DM_DEV_VIRTIO_NET,
	DM_DEV_VIRTIO_CONSOLE,
	DM_DEV_VIRTIO_RND,
	DM_DEV_PASSTHRU,
	DM_DEV_KINDS
};

/* Where a character device's bytes go (-l com1,... and virtio-console ports). */
enum dm_chr_backend { DM_CHR_STDIO, DM_CHR_PTY, DM_CHR_TTY, DM_CHR_FILE, DM_CHR_SOCKET };

struct dm_console_port {
	bool is_console;		/* '@': the port Linux uses as hvc0 */
	enum dm_chr_backend backend;
	char name[DM_PORTNAME_MAX + 1];	/* may be empty */
	char path[DM_PATH_MAX + 1];	/* tty, file, socket: where; else empty */
};

struct dm_dev {
	uint8_t slot, fn;
	enum dm_dev_kind kind;
	const char *spec;		/* the -s value as given, for messages */
	bool ioeventfd;			/* virtio: ",ioeventfd", notifies through an ioeventfd */
	union {
		struct { char path[DM_PATH_MAX + 1]; bool readonly; } blk;
		struct {
			char ifname[DM_IFNAME_MAX + 1];
			bool vhost;		/* asked for; refused until built (cmdline.c) */
			bool has_mac;		/* mac= given, else derived (virtio_net_req.h) */
			uint8_t mac[6];
			char mac_seed[DM_MACSEED_MAX + 1];	/* mac_seed=, else the VM name */
		} net;
		struct { unsigned nports; struct dm_console_port port[DM_CONSOLE_PORTS]; } console;
		struct { uint8_t bus, dev, fn; } passthru;
	};
};

struct dm_uart {
	bool present;
	enum dm_chr_backend backend;	/* stdio, pty or tty */
	const char *path;		/* tty only */
};

struct dm_config {
	uint64_t mem_bytes;
	unsigned ncpus;			/* 0: --cpu_affinity not given */
	uint32_t cpu_lapic[DM_MAX_VCPUS];	/* LAPIC ids, in vCPU order */
	unsigned ndevs;
	struct dm_dev dev[DM_PCI_SLOTS * DM_PCI_FUNCS];
	struct dm_uart com[2];
	const char *kernel, *initrd, *bootargs, *elf;
	char name[DM_NAME_MAX + 1];
	bool help;
};

/*
 * Parse argv (argv[0] is the program). Returns 0 with *c filled (c->help set
 * for --help, nothing else checked then); -1 for a malformed command line;
 * -2 for a well-formed one asking for what is not implemented yet. On
 * failure err names the option and its value.
 */
int dm_cmdline_parse(int argc, char *const argv[], struct dm_config *c, char *err, size_t errlen);

/*
 * One -s value, "SLOT[:FN],DEVICE[,ARGS]", parsed into *d without the
 * not-implemented refusal (dm_cmdline_parse adds that). 0 or -1 with err.
 */
int dm_parse_slot(const char *spec, struct dm_dev *d, char *err, size_t errlen);
/* One -l value, "com1|com2,stdio|pty|/dev/TTY". 0 or -1 with err. */
int dm_parse_lpc(const char *spec, unsigned *com, struct dm_uart *u, char *err, size_t errlen);

/* The device kind a -s name means (-1: none), its name, and whether it works yet. */
int dm_dev_kind_by_name(const char *name, size_t len);
const char *dm_dev_kind_name(enum dm_dev_kind k);

/* "256M", "1G", "131072K", plain numbers in MiB: bytes. 0 or -1 (not a size, or overflow). */
int dm_parse_size(const char *s, uint64_t *bytes);
/* A whole decimal (base 10) or 0x hexadecimal (base 16) number up to max. 0 or -1. */
int dm_parse_uint(const char *s, unsigned base, uint64_t max, uint64_t *v);

#endif
