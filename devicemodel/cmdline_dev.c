/*
 * The values of -s (a PCI device) and -l (an LPC serial port), acrn-dm's
 * syntax. Each error names the option and the whole value it came from.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dm_config.h"
#include "dm_log.h"

/* hostbridge and lpc by launch.c, the virtio devices by vdevs.c, passthru by passthru.c */
static const struct {
	const char *name;
} kinds[DM_DEV_KINDS] = {
	[DM_DEV_HOSTBRIDGE]	= { "hostbridge" },
	[DM_DEV_LPC]		= { "lpc" },
	[DM_DEV_VIRTIO_BLK]	= { "virtio-blk" },
	[DM_DEV_VIRTIO_NET]	= { "virtio-net" },	/* TAP; vhost: cmdline.c */
	[DM_DEV_VIRTIO_CONSOLE]	= { "virtio-console" },	/* one port: cmdline.c */
	[DM_DEV_VIRTIO_RND]	= { "virtio-rnd" },
	[DM_DEV_PASSTHRU]	= { "passthru" },
};

int dm_dev_kind_by_name(const char *name, size_t len)
{
	for (int k = 0; k < DM_DEV_KINDS; k++)
		if (strlen(kinds[k].name) == len && !memcmp(kinds[k].name, name, len))
			return k;
	return -1;
}

const char *dm_dev_kind_name(enum dm_dev_kind k) { return kinds[k].name; }

static int fail(char *err, size_t errlen, const char *opt, const char *val, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *opt, const char *val, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dm_verr_after(err, errlen, snprintf(err, errlen, "%s %s: ", opt, val), fmt, ap);
	va_end(ap);
	return -1;
}

/* Copy [s, s+len) into buf (cap bytes); false if it does not fit. */
static bool copy_part(char *buf, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

#define FAIL(...) fail(err, errlen, "-s", spec, __VA_ARGS__)

/* "SLOT[:FN]" or "0:SLOT:FN" (bus 0 only: one virtual PCI bus). */
static int parse_bdf(const char *spec, const char *s, size_t len, struct dm_dev *d, char *err, size_t errlen)
{
	char buf[32], *part[3];
	uint64_t v[3] = { 0, 0, 0 };
	unsigned n = 0;

	if (!copy_part(buf, sizeof(buf), s, len) || len == 0)
		return FAIL("'%.*s' is not a slot: expected SLOT[:FUNCTION]", (int)len, s);
	part[n++] = buf;
	for (char *p = buf; *p; p++)
		if (*p == ':') {
			if (n == 3)
				return FAIL("'%s' is not a slot: expected SLOT[:FUNCTION]", s);
			*p = '\0';
			part[n++] = p + 1;
		}
	for (unsigned i = 0; i < n; i++)
		if (dm_parse_uint(part[i], 10, 255, &v[i]))
			return FAIL("'%.*s' is not a slot: expected SLOT[:FUNCTION] in decimal", (int)len, s);
	if (n == 3) {
		if (v[0] != 0)
			return FAIL("bus %llu: only bus 0 exists", (unsigned long long)v[0]);
		v[0] = v[1];
		v[1] = v[2];
	}
	if (v[0] >= DM_PCI_SLOTS)
		return FAIL("slot %llu is out of range 0-31", (unsigned long long)v[0]);
	if (v[1] >= DM_PCI_FUNCS)
		return FAIL("function %llu is out of range 0-7", (unsigned long long)v[1]);
	d->slot = (uint8_t)v[0];
	d->fn = (uint8_t)v[1];
	return 0;
}

static int parse_blk(const char *spec, const char *args, struct dm_dev *d, char *err, size_t errlen)
{
	const char *comma;

	if (!args || !*args || *args == ',')
		return FAIL("virtio-blk needs an image file: -s SLOT,virtio-blk,PATH[,ro]");
	comma = args + strcspn(args, ",");
	if (!copy_part(d->blk.path, sizeof(d->blk.path), args, (size_t)(comma - args)))
		return FAIL("image path longer than %d characters", DM_PATH_MAX);
	if (!*comma)
		return 0;
	/* Only "ro" so far: the cache and discard options of acrn-dm are not here. */
	if (strcmp(comma + 1, "ro"))
		return FAIL("virtio-blk option '%s' is not implemented (only 'ro' is)", comma + 1);
	d->blk.readonly = true;
	return 0;
}

/* "XX:XX:XX:XX:XX:XX" (hex pairs): a unicast MAC. */
static int parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	if (len != 17)
		return -1;
	for (unsigned i = 0; i < 6; i++) {
		unsigned v = 0;

		for (unsigned k = 0; k < 2; k++) {
			char ch = s[3 * i + k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (unsigned)(ch - '0');
			else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
				v |= (unsigned)((ch | 0x20) - 'a' + 10);
			else
				return -1;
		}
		if (i < 5 && s[3 * i + 2] != ':')
			return -1;
		mac[i] = (uint8_t)v;
	}
	return 0;
}

/* acrn-dm's "[tap=]NAME[,vhost][,mac=XX:XX:XX:XX:XX:XX][,mac_seed=STRING]" */
static int parse_net(const char *spec, const char *args, struct dm_dev *d, char *err, size_t errlen)
{
	size_t len;

	if (!args || !*args)
		return FAIL("virtio-net needs a TAP interface: -s SLOT,virtio-net,tap=NAME");
	if (!strncmp(args, "tap=", 4))
		args += 4;
	len = strcspn(args, ",");
	if (len == 0 || len > DM_IFNAME_MAX)
		return FAIL("TAP name '%.*s' must be 1-%d characters", (int)len, args, DM_IFNAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (args[i] == '/' || args[i] == ':' || args[i] == '=' || args[i] <= ' ' ||
		    args[i] == 0x7f)
			return FAIL("TAP name '%.*s' has a character an interface name cannot have",
				    (int)len, args);
	memcpy(d->net.ifname, args, len);
	d->net.ifname[len] = '\0';
	for (const char *o = args + len; *o; ) {
		size_t olen;

		o++;			/* the comma */
		olen = strcspn(o, ",");
		if (olen == 5 && !strncmp(o, "vhost", 5)) {
			d->net.vhost = true;
		} else if (olen > 4 && !strncmp(o, "mac=", 4)) {
			if (parse_mac(o + 4, olen - 4, d->net.mac) || (d->net.mac[0] & 1) ||
			    !memcmp(d->net.mac, "\0\0\0\0\0\0", 6))
				return FAIL("mac=%.*s: expected a unicast MAC, XX:XX:XX:XX:XX:XX in hex",
					    (int)(olen - 4), o + 4);
			d->net.has_mac = true;
		} else if (olen >= 9 && !strncmp(o, "mac_seed=", 9)) {
			if (olen == 9 || !copy_part(d->net.mac_seed, sizeof(d->net.mac_seed), o + 9, olen - 9))
				return FAIL("mac_seed= must be 1-%d characters", DM_MACSEED_MAX);
		} else {
			return FAIL("virtio-net option '%.*s' is unknown (known: tap=NAME, vhost, "
				    "mac=XX:XX:XX:XX:XX:XX, mac_seed=STRING)", (int)olen, o);
		}
		o += olen;
	}
	if (d->net.has_mac && d->net.mac_seed[0])
		return FAIL("mac= and mac_seed= together: give one");
	return 0;
}

static const char *const chr_names[] = {
	[DM_CHR_STDIO] = "stdio", [DM_CHR_PTY] = "pty", [DM_CHR_TTY] = "tty",
	[DM_CHR_FILE] = "file", [DM_CHR_SOCKET] = "socket",
};

/* One port: "[@]BACKEND[:NAME][=PATH]"; path for tty, file and socket only. */
static int parse_port(const char *spec, const char *s, size_t len, struct dm_console_port *p,
		      char *err, size_t errlen)
{
	size_t blen, nlen;
	const char *name, *eq;
	int b = -1;

	if (len && *s == '@') {
		p->is_console = true;
		s++;
		len--;
	}
	blen = strcspn(s, ":=,");
	if (blen > len)
		blen = len;
	for (unsigned i = 0; i < sizeof(chr_names) / sizeof(chr_names[0]); i++)
		if (strlen(chr_names[i]) == blen && !memcmp(chr_names[i], s, blen))
			b = (int)i;
	if (b < 0)
		return FAIL("console port '%.*s': backend must be stdio, pty, tty, file or socket",
			    (int)len, s);
	p->backend = (enum dm_chr_backend)b;
	name = s + blen;
	eq = memchr(s, '=', len);
	nlen = (size_t)((eq ? eq : s + len) - name);
	if (nlen && *name == ':') {
		name++;
		nlen--;
		if (nlen == 0 || !copy_part(p->name, sizeof(p->name), name, nlen))
			return FAIL("console port '%.*s': name must be 1-%d characters",
				    (int)len, s, DM_PORTNAME_MAX);
	} else if (nlen) {
		return FAIL("console port '%.*s': expected BACKEND[:NAME][=PATH]", (int)len, s);
	}
	if (p->backend == DM_CHR_STDIO || p->backend == DM_CHR_PTY) {
		if (eq)
			return FAIL("console port '%.*s': a %s port takes no path", (int)len, s, chr_names[b]);
		return 0;
	}
	if (!eq || eq + 1 == s + len)
		return FAIL("console port '%.*s': a %s port needs =PATH", (int)len, s, chr_names[b]);
	/* The path runs to the end of this port; ports are separated by commas. */
	if (!copy_part(p->path, sizeof(p->path), eq + 1, (size_t)(s + len - eq - 1)))
		return FAIL("console port '%.*s': path longer than %d characters", (int)len, s, DM_PATH_MAX);
	return 0;
}

static int parse_console(const char *spec, const char *args, struct dm_dev *d, char *err, size_t errlen)
{
	bool have_console = false, have_stdio = false;

	if (!args || !*args)
		return FAIL("virtio-console needs a port: -s SLOT,virtio-console,@pty:NAME");
	for (const char *s = args;; ) {
		size_t len = strcspn(s, ",");
		struct dm_console_port *p;

		if (d->console.nports == DM_CONSOLE_PORTS)
			return FAIL("more than %d console ports", DM_CONSOLE_PORTS);
		p = &d->console.port[d->console.nports++];
		if (len == 0)
			return FAIL("an empty console port");
		if (parse_port(spec, s, len, p, err, errlen))
			return -1;
		if (p->is_console && have_console)
			return FAIL("more than one console port ('@')");
		if (p->backend == DM_CHR_STDIO && have_stdio)
			return FAIL("more than one stdio port");
		have_console |= p->is_console;
		have_stdio |= p->backend == DM_CHR_STDIO;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

static int parse_passthru(const char *spec, const char *args, struct dm_dev *d, char *err, size_t errlen)
{
	char buf[16], *dev, *fn;
	uint64_t b, s, f;

	if (!args || !*args)
		return FAIL("passthru needs the host device: -s SLOT,passthru,BUS/DEV/FN (hex)");
	if (strchr(args, ','))
		return FAIL("passthru option '%s' is not implemented (only BUS/DEV/FN is)", strchr(args, ',') + 1);
	if (!copy_part(buf, sizeof(buf), args, strlen(args)) || !(dev = strchr(buf, '/')) ||
	    !(fn = strchr(dev + 1, '/')))
		return FAIL("host device '%s' is not BUS/DEV/FN (hex, e.g. 0/3/0)", args);
	*dev++ = '\0';
	*fn++ = '\0';
	if (dm_parse_uint(buf, 16, 0xff, &b) || dm_parse_uint(dev, 16, 0x1f, &s) ||
	    dm_parse_uint(fn, 16, 7, &f))
		return FAIL("host device '%s' is not BUS/DEV/FN (hex; bus <= ff, dev <= 1f, fn <= 7)", args);
	d->passthru.bus = (uint8_t)b;
	d->passthru.dev = (uint8_t)s;
	d->passthru.fn = (uint8_t)f;
	return 0;
}

/*
 * bulkhead's own option of the user-space virtio back-ends, last in the value:
 * "ioeventfd" (alone or after the kind's arguments) has the queues' notifies
 * completed in the Service VM kernel (ACRN_IOCTL_IOEVENTFD, ioeventfd.c).
 * Returns args without it (a copy in buf when it was there).
 */
static const char *strip_ioeventfd(const char *args, struct dm_dev *d, char *buf, size_t cap)
{
	static const char opt[] = "ioeventfd";
	size_t len = strlen(args), ol = sizeof(opt) - 1;

	if (d->kind != DM_DEV_VIRTIO_BLK && d->kind != DM_DEV_VIRTIO_RND &&
	    d->kind != DM_DEV_VIRTIO_CONSOLE)
		return args;
	if (!strcmp(args, opt)) {
		d->ioeventfd = true;
		return NULL;
	}
	if (len > ol + 1 && args[len - ol - 1] == ',' && !strcmp(args + len - ol, opt) &&
	    copy_part(buf, cap, args, len - ol - 1)) {
		d->ioeventfd = true;
		return buf;
	}
	return args;
}

int dm_parse_slot(const char *spec, struct dm_dev *d, char *err, size_t errlen)
{
	const char *c1 = strchr(spec, ','), *name, *args = NULL;
	char rest[DM_PATH_MAX + 64];
	size_t nlen;
	int kind, r;

	memset(d, 0, sizeof(*d));
	d->spec = spec;
	if (!c1)
		return FAIL("expected SLOT[:FUNCTION],DEVICE[,ARGS]");
	if (parse_bdf(spec, spec, (size_t)(c1 - spec), d, err, errlen))
		return -1;
	name = c1 + 1;
	nlen = strcspn(name, ",");
	if (name[nlen] == ',')
		args = name + nlen + 1;
	kind = dm_dev_kind_by_name(name, nlen);
	if (kind < 0)
		return FAIL("unknown device '%.*s' (known: hostbridge, lpc, virtio-blk, virtio-net, "
			    "virtio-console, virtio-rnd, passthru)", (int)nlen, name);
	d->kind = (enum dm_dev_kind)kind;
	if (args)
		args = strip_ioeventfd(args, d, rest, sizeof(rest));
	switch (d->kind) {
	case DM_DEV_VIRTIO_BLK:
		r = parse_blk(spec, args, d, err, errlen);
		break;
	case DM_DEV_VIRTIO_NET:
		r = parse_net(spec, args, d, err, errlen);
		break;
	case DM_DEV_VIRTIO_CONSOLE:
		r = parse_console(spec, args, d, err, errlen);
		break;
	case DM_DEV_PASSTHRU:
		r = parse_passthru(spec, args, d, err, errlen);
		break;
	default:
		r = args ? FAIL("%s takes no arguments", kinds[kind].name) : 0;
		break;
	}
	return r < 0 ? -1 : 0;
}
#undef FAIL

#define FAIL(...) fail(err, errlen, "-l", spec, __VA_ARGS__)

int dm_parse_lpc(const char *spec, unsigned *com, struct dm_uart *u, char *err, size_t errlen)
{
	const char *be;

	memset(u, 0, sizeof(*u));
	if (!strncmp(spec, "com1,", 5))
		*com = 0;
	else if (!strncmp(spec, "com2,", 5))
		*com = 1;
	else
		return FAIL("expected com1 or com2, then a backend: -l com1,stdio|pty|/dev/TTY");
	be = spec + 5;
	u->present = true;
	if (!strcmp(be, "stdio"))
		u->backend = DM_CHR_STDIO;
	else if (!strcmp(be, "pty"))
		u->backend = DM_CHR_PTY;
	else if (!strncmp(be, "/dev/", 5) && be[5]) {
		u->backend = DM_CHR_TTY;
		u->path = be;
	} else
		return FAIL("backend '%s' must be stdio, pty or a terminal under /dev/", be);
	return 0;
}
