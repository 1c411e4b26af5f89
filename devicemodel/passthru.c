/*
 * PCI passthrough (include/passthru.h): the Service VM's function taken
 * off its driver through sysfs, its BARs placed in the VM's PCI window,
 * ASSIGN_PCIDEV and SET_PTDEV_INTR, and all of it undone.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/acrn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm_log.h"
#include "passthru.h"
#include "vacpi.h"

#define PCI_CFG_READ	64		/* the header: what is needed here */
#define BAR_IO		0x1U
#define BAR_MEM_TYPE	0x6U
#define BAR_MEM_64	0x4U
#define BAR_MEM_FLAGS	0xFU
#define PAGE		4096ULL

int pt_parse_resource(const char *text, struct pt_res res[PT_NUM_BARS])
{
	const char *p = text;

	for (unsigned i = 0; i < PT_NUM_BARS; i++) {
		unsigned long long start, end, flags;
		int used;

		if (sscanf(p, "%llx %llx %llx%n", &start, &end, &flags, &used) != 3)
			return -1;
		p += used;
		if (*p == '\n')
			p++;
		else if (*p)
			return -1;
		if (end < start || (start == 0 && end == 0)) {
			if (end < start || start || end)
				return -1;
			res[i] = (struct pt_res){ 0, 0 };
			continue;
		}
		res[i] = (struct pt_res){ start, end - start + 1 };
	}
	return 0;
}

int pt_place_bars(const uint32_t cfg_bar[PT_NUM_BARS], const struct pt_res res[PT_NUM_BARS],
		  uint64_t *next, uint64_t end, uint32_t out[PT_NUM_BARS], char *why, size_t whylen)
{
	uint64_t at = *next;

	memset(out, 0, sizeof(uint32_t) * PT_NUM_BARS);
	for (unsigned i = 0; i < PT_NUM_BARS; i++) {
		uint32_t raw = cfg_bar[i];
		uint64_t size = res[i].size, gpa;

		if (!size)
			continue;
		if (raw & BAR_IO) {
			/* I/O BARs keep their ports (the hypervisor maps them 1:1) */
			if (res[i].start > 0xFFFF || size > 0x10000 - res[i].start)
				return dm_err(why, whylen, "BAR %u: I/O range %#llx+%#llx", i,
						(unsigned long long)res[i].start, (unsigned long long)size);
			out[i] = (uint32_t)res[i].start | BAR_IO;
			continue;
		}
		if ((raw & BAR_MEM_TYPE) != 0 && (raw & BAR_MEM_TYPE) != BAR_MEM_64)
			return dm_err(why, whylen, "BAR %u: memory type %u not supported", i,
					(raw & BAR_MEM_TYPE) >> 1);
		if (size & (size - 1))
			return dm_err(why, whylen, "BAR %u: size %#llx is not a power of two", i,
					(unsigned long long)size);
		if (size < PAGE)
			size = PAGE;	/* EPT maps pages */
		gpa = (at + size - 1) & ~(size - 1);
		if (gpa < at || gpa > end || size > end - gpa)
			return dm_err(why, whylen, "BAR %u (%llu KiB) does not fit in the VM's PCI "
					"window below %#llx", i, (unsigned long long)(size >> 10),
					(unsigned long long)end);
		out[i] = (uint32_t)gpa | (raw & BAR_MEM_FLAGS);
		if ((raw & BAR_MEM_TYPE) == BAR_MEM_64) {
			if (i + 1 >= PT_NUM_BARS)
				return dm_err(why, whylen, "BAR %u: a 64-bit BAR in the last slot", i);
			out[++i] = (uint32_t)(gpa >> 32);
		}
		at = gpa + size;
	}
	*next = at;
	return 0;
}

unsigned pt_prt(const struct pt_set *s, struct vacpi_prt_entry *prt, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->n && n < max; i++) {
		const struct pt_dev *d = &s->dev[i];

		if (d->virt_gsi)
			prt[n++] = (struct vacpi_prt_entry){ .dev = (uint8_t)(d->vbdf >> 3),
							     .pin = (uint8_t)(d->pin - 1),
							     .gsi = d->virt_gsi };
	}
	return n;
}

/* ---- sysfs ---- */

static void dev_path(const struct pt_set *s, const struct pt_dev *d, const char *file, char *buf,
		     size_t n)
{
	snprintf(buf, n, "%s/devices/%s%s%s", s->root, d->bdf_name, *file ? "/" : "", file);
}

static ssize_t read_path(const char *path, void *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -1;
	got = read(fd, buf, n);
	close(fd);
	return got;
}

static int write_path(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);	/* as the shell's echo >, for sysfs */
	ssize_t len = (ssize_t)strlen(text), put;
	int e;

	if (fd < 0)
		return errno;
	put = write(fd, text, (size_t)len);
	e = put == len ? 0 : put < 0 ? errno : EIO;
	close(fd);
	return e;
}

/* The driver bound now (the last part of the `driver` link), "" none. */
static void bound_driver(const struct pt_set *s, const struct pt_dev *d, char *name, size_t n)
{
	char path[256], link[256];
	ssize_t len;
	const char *slash;

	dev_path(s, d, "driver", path, sizeof(path));
	len = readlink(path, link, sizeof(link) - 1);
	name[0] = '\0';
	if (len <= 0)
		return;
	link[len] = '\0';
	slash = strrchr(link, '/');
	slash = slash ? slash + 1 : link;
	if (strlen(slash) < n)
		memcpy(name, slash, strlen(slash) + 1);
}

/* driver_override cleared, the driver it had bound again. */
static void release_one(struct pt_set *s, struct pt_dev *d)
{
	char path[256], now[64];
	int e;

	if (!d->claimed)
		return;
	dev_path(s, d, "driver_override", path, sizeof(path));
	if ((e = write_path(path, "\n")))
		fprintf(stderr, "bulkhead-dm: %s: clearing driver_override: %s\n", d->bdf_name,
			strerror(e));
	d->claimed = false;
	if (!d->driver[0])
		return;
	snprintf(path, sizeof(path), "%s/drivers/%s/bind", s->root, d->driver);
	e = write_path(path, d->bdf_name);
	bound_driver(s, d, now, sizeof(now));
	if (e && strcmp(now, d->driver))
		fprintf(stderr, "bulkhead-dm: %s: binding it to %s again: %s\n", d->bdf_name,
			d->driver, strerror(e));
	else
		fprintf(stderr, "bulkhead-dm: %s: bound to its driver %s again\n", d->bdf_name,
			d->driver);
}

void pt_release(struct pt_set *s)
{
	for (unsigned i = s->n; i-- > 0; )
		release_one(s, &s->dev[i]);
}

static int claim_fail(char *err, size_t errlen, const struct pt_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int claim_fail(char *err, size_t errlen, const struct pt_dev *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dm_verr_after(err, errlen, snprintf(err, errlen, "-s %s: ", d->cfg->spec), fmt, ap);
	va_end(ap);
	return -1;
}

/* Read and check the function, place its BARs; nothing changed yet. */
static int inspect_one(struct pt_set *s, struct pt_dev *d, uint64_t *next, char *err, size_t errlen)
{
	uint8_t cfg[PCI_CFG_READ];
	uint32_t cfg_bar[PT_NUM_BARS];
	struct pt_res res[PT_NUM_BARS];
	char path[256], text[1024], why[PT_WHY_LEN];
	struct stat st;
	ssize_t n;

	dev_path(s, d, "", path, sizeof(path));
	if (stat(path, &st) < 0)
		return claim_fail(err, errlen, d, "the Service VM has no PCI device %s", d->bdf_name);
	dev_path(s, d, "config", path, sizeof(path));
	n = read_path(path, cfg, sizeof(cfg));
	if (n < (ssize_t)sizeof(cfg))
		return claim_fail(err, errlen, d, "cannot read the configuration space of %s",
				  d->bdf_name);
	d->vendor = (uint16_t)(cfg[0] | cfg[1] << 8);
	d->device = (uint16_t)(cfg[2] | cfg[3] << 8);
	if (d->vendor == 0xFFFF)
		return claim_fail(err, errlen, d, "%s reads all ones (not the Service VM's)",
				  d->bdf_name);
	if ((cfg[0x0E] & 0x7F) != 0)
		return claim_fail(err, errlen, d, "%s has header type %u: only type-0 functions "
				  "(no bridges) can be passed through", d->bdf_name, cfg[0x0E] & 0x7F);
	memcpy(cfg_bar, cfg + 0x10, sizeof(cfg_bar));
	dev_path(s, d, "resource", path, sizeof(path));
	n = read_path(path, text, sizeof(text) - 1);
	if (n <= 0)
		return claim_fail(err, errlen, d, "cannot read %s", path);
	text[n] = '\0';
	if (pt_parse_resource(text, res))
		return claim_fail(err, errlen, d, "%s is not a resource table", path);
	if (pt_place_bars(cfg_bar, res, next, PT_MMIO_END, d->bar, why, sizeof(why)))
		return claim_fail(err, errlen, d, "%s: %s", d->bdf_name, why);
	d->pin = cfg[0x3D] <= 4 ? cfg[0x3D] : 0;
	d->phys_gsi = cfg[0x3C];
	/* INTx passed when the Service VM knows its line (as acrn-dm, the Interrupt Line) */
	if (d->pin && d->phys_gsi && d->phys_gsi != 0xFF)
		d->virt_gsi = (uint8_t)(PT_GSI_BASE + (d - s->dev));
	return 0;
}

/* Keep drivers away, then unbind the one it has. */
static int claim_one(struct pt_set *s, struct pt_dev *d, char *err, size_t errlen)
{
	char path[256], now[64];
	int e;

	dev_path(s, d, "driver_override", path, sizeof(path));
	if ((e = write_path(path, PT_OVERRIDE "\n")))
		return claim_fail(err, errlen, d, "cannot keep drivers off %s (driver_override: %s)",
				  d->bdf_name, strerror(e));
	d->claimed = true;
	bound_driver(s, d, d->driver, sizeof(d->driver));
	if (!d->driver[0])
		return 0;
	dev_path(s, d, "driver/unbind", path, sizeof(path));
	e = write_path(path, d->bdf_name);
	bound_driver(s, d, now, sizeof(now));
	if (e || now[0]) {
		claim_fail(err, errlen, d, "the Service VM's driver %s does not let go of %s (%s)",
			   d->driver, d->bdf_name, e ? strerror(e) : "still bound");
		if (now[0])
			d->driver[0] = '\0';	/* still bound: nothing to bind again */
		return -1;
	}
	fprintf(stderr, "bulkhead-dm: %s unbound from the Service VM's driver %s\n", d->bdf_name,
		d->driver);
	return 0;
}

int pt_claim(struct pt_set *s, const struct dm_config *cfg, const char *root, char *err,
	     size_t errlen)
{
	uint64_t next = PT_MMIO_BASE;

	memset(s, 0, sizeof(*s));
	snprintf(s->root, sizeof(s->root), "%s", root);
	for (unsigned i = 0; i < cfg->ndevs; i++) {
		const struct dm_dev *c = &cfg->dev[i];
		struct pt_dev *d;

		if (c->kind != DM_DEV_PASSTHRU)
			continue;
		if (s->n == PT_MAX) {
			snprintf(err, errlen, "-s %s: more than %d passthrough functions", c->spec, PT_MAX);
			return -1;
		}
		d = &s->dev[s->n++];
		d->cfg = c;
		d->pbdf = (uint16_t)(c->passthru.bus << 8 | c->passthru.dev << 3 | c->passthru.fn);
		d->vbdf = (uint16_t)(c->slot << 3 | c->fn);
		snprintf(d->bdf_name, sizeof(d->bdf_name), "0000:%02x:%02x.%x", c->passthru.bus,
			 c->passthru.dev, c->passthru.fn);
		for (unsigned j = 0; j + 1 < s->n; j++)
			if (s->dev[j].pbdf == d->pbdf) {
				snprintf(err, errlen, "-s %s: %s is passed through twice", c->spec,
					 d->bdf_name);
				return -1;
			}
		if (inspect_one(s, d, &next, err, errlen))
			return -1;
	}
	for (unsigned i = 0; i < s->n; i++)
		if (claim_one(s, &s->dev[i], err, errlen)) {
			pt_release(s);
			return -1;
		}
	return 0;
}

/* ---- the hypervisor ---- */

static struct acrn_pcidev pcidev_of(const struct pt_dev *d)
{
	struct acrn_pcidev p;

	memset(&p, 0, sizeof(p));
	p.virt_bdf = d->vbdf;
	p.phys_bdf = d->pbdf;
	p.intr_pin = d->virt_gsi ? d->pin : 0;
	p.intr_line = d->virt_gsi ? d->virt_gsi : 0xFF;
	memcpy(p.bar, d->bar, sizeof(p.bar));
	return p;
}

static struct acrn_ptdev_irq intx_of(const struct pt_dev *d)
{
	struct acrn_ptdev_irq r;

	memset(&r, 0, sizeof(r));
	r.type = ACRN_PTDEV_IRQ_INTX;
	r.virt_bdf = d->vbdf;
	r.phys_bdf = d->pbdf;
	r.intx.virt_pin = d->virt_gsi;
	r.intx.phys_pin = d->phys_gsi;
	return r;
}

int pt_assign(struct pt_set *s, int hsm)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct pt_dev *d = &s->dev[i];
		struct acrn_pcidev p = pcidev_of(d);
		struct acrn_ptdev_irq r = intx_of(d);

		if (ioctl(hsm, ACRN_IOCTL_ASSIGN_PCIDEV, &p) < 0) {
			fprintf(stderr, "bulkhead-dm: -s %s: ASSIGN_PCIDEV of %s: %m\n", d->cfg->spec,
				d->bdf_name);
			return -1;
		}
		d->assigned = true;
		if (d->virt_gsi) {
			if (ioctl(hsm, ACRN_IOCTL_SET_PTDEV_INTR, &r) < 0) {
				fprintf(stderr, "bulkhead-dm: -s %s: SET_PTDEV_INTR GSI %u -> %u: %m\n",
					d->cfg->spec, d->phys_gsi, d->virt_gsi);
				return -1;
			}
			d->intx_set = true;
		}
		fprintf(stderr, "bulkhead-dm: %s (%04x:%04x) assigned at 00:%02x.%u, BAR0 %#x, "
			"INTx %s%u -> vIOAPIC pin %u\n", d->bdf_name, d->vendor, d->device, d->vbdf >> 3,
			d->vbdf & 7, d->bar[0], d->virt_gsi ? "GSI " : "none ",
			d->virt_gsi ? d->phys_gsi : 0, d->virt_gsi);
	}
	return 0;
}

void pt_deassign(struct pt_set *s, int hsm)
{
	for (unsigned i = s->n; i-- > 0; ) {
		struct pt_dev *d = &s->dev[i];
		struct acrn_pcidev p = pcidev_of(d);
		struct acrn_ptdev_irq r = intx_of(d);

		if (d->intx_set && ioctl(hsm, ACRN_IOCTL_RESET_PTDEV_INTR, &r) < 0)
			fprintf(stderr, "bulkhead-dm: %s: RESET_PTDEV_INTR: %m\n", d->bdf_name);
		d->intx_set = false;
		if (!d->assigned)
			continue;
		if (ioctl(hsm, ACRN_IOCTL_DEASSIGN_PCIDEV, &p) < 0)
			fprintf(stderr, "bulkhead-dm: %s: DEASSIGN_PCIDEV: %m (DESTROY_VM gives it "
				"back)\n", d->bdf_name);
		else
			fprintf(stderr, "bulkhead-dm: %s given back to the Service VM\n", d->bdf_name);
		d->assigned = false;
	}
}
