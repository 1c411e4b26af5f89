/*
 * A small AML emitter: just the objects a static DSDT needs (ACPI 6.3
 * chapter 20). Objects with a PkgLength are emitted with 4 bytes reserved
 * for it; closing one encodes the real length and slides the body down, so
 * callers never compute sizes. Errors (bad names, nesting misuse) set
 * a->error; the bytes written are then meaningless.
 */
#include "lib.h"
#include "vacpi.h"

#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0A
#define AML_WORD_PREFIX		0x0B
#define AML_DWORD_PREFIX	0x0C
#define AML_STRING_PREFIX	0x0D
#define AML_QWORD_PREFIX	0x0E
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2E
#define AML_MULTI_NAME_PREFIX	0x2F
#define AML_EXT_OP_PREFIX	0x5B
#define AML_DEVICE_OP		0x82	/* after the ExtOp prefix */
#define AML_ROOT_CHAR		'\\'
#define AML_PARENT_CHAR		'^'
#define AML_RES_END_TAG		0x79

void aml_init(struct aml *a, struct vacpi_out *o)
{
	memset(a, 0, sizeof(*a));
	a->o = o;
}

/* A PkgLength counts itself: 1 byte up to 63, then 12, 20, 28 bits. */
unsigned aml_pkglen_size(size_t body)
{
	if (body + 1 <= 0x3F)
		return 1;
	if (body + 2 <= 0xFFF)
		return 2;
	if (body + 3 <= 0xFFFFF)
		return 3;
	if (body + 4 <= 0xFFFFFFF)
		return 4;
	return 0;
}

unsigned aml_pkglen_encode(u8 dst[4], size_t body)
{
	unsigned n = aml_pkglen_size(body);
	u32 total = (u32)(body + n);

	if (n == 1) {
		dst[0] = (u8)total;
	} else if (n) {
		/* lead byte: count of following bytes in 7:6, low nibble in 3:0 */
		dst[0] = (u8)(((n - 1) << 6) | (total & 0xF));
		for (unsigned i = 1; i < n; i++)
			dst[i] = (u8)(total >> (4 + 8 * (i - 1)));
	}
	return n;
}

void aml_open(struct aml *a)
{
	if (a->depth >= AML_MAX_DEPTH) {
		a->error = true;
		return;
	}
	a->open[a->depth++] = a->o->len;
	vacpi_put32(a->o, 0);		/* room for the longest PkgLength */
}

void aml_close(struct aml *a)
{
	struct vacpi_out *o = a->o;
	size_t start, body;
	unsigned n;
	u8 enc[4];

	if (!a->depth) {
		a->error = true;
		return;
	}
	start = a->open[--a->depth];
	body = o->len - start - 4;
	n = aml_pkglen_encode(enc, body);
	if (!n) {
		a->error = true;
		return;
	}
	if (!o->overflow) {
		memmove(o->buf + start + n, o->buf + start + 4, body);
		memcpy(o->buf + start, enc, n);
	}
	o->len -= 4 - n;
}

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

bool aml_nameseg_valid(const char *seg)
{
	if (!seg || !lead_char(seg[0]))
		return false;
	for (int i = 1; i < 4; i++)
		if (!name_char(seg[i]))
			return false;
	return seg[4] == '\0';
}

/* One segment of up to 4 chars ending at '.' or NUL, padded with '_'. */
static const char *put_seg(struct aml *a, const char *p)
{
	char seg[4] = { '_', '_', '_', '_' };
	int i = 0;

	if (!lead_char(*p))
		a->error = true;
	for (; *p && *p != '.'; p++, i++) {
		if (i == 4 || !name_char(*p))
			a->error = true;
		else
			seg[i] = *p;
	}
	vacpi_putn(a->o, seg, 4);
	return *p == '.' ? p + 1 : p;
}

void aml_name_string(struct aml *a, const char *path)
{
	unsigned nsegs = 0;
	const char *p;

	if (!path) {
		a->error = true;
		return;
	}
	if (*path == AML_ROOT_CHAR) {
		vacpi_put8(a->o, AML_ROOT_CHAR);
		path++;
	} else {
		while (*path == AML_PARENT_CHAR) {
			vacpi_put8(a->o, AML_PARENT_CHAR);
			path++;
		}
	}
	if (!*path) {
		vacpi_put8(a->o, AML_ZERO);	/* NullName */
		return;
	}
	for (p = path, nsegs = 1; *p; p++)
		if (*p == '.')
			nsegs++;
	if (nsegs == 2) {
		vacpi_put8(a->o, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		if (nsegs > 255)
			a->error = true;
		vacpi_put8(a->o, AML_MULTI_NAME_PREFIX);
		vacpi_put8(a->o, (u8)nsegs);
	}
	for (p = path; nsegs--;)
		p = put_seg(a, p);
	if (*p)
		a->error = true;	/* trailing '.' */
}

void aml_integer(struct aml *a, u64 v)
{
	if (v == 0) {
		vacpi_put8(a->o, AML_ZERO);
	} else if (v == 1) {
		vacpi_put8(a->o, AML_ONE);
	} else if (v <= 0xFF) {
		vacpi_put8(a->o, AML_BYTE_PREFIX);
		vacpi_put8(a->o, (u8)v);
	} else if (v <= 0xFFFF) {
		vacpi_put8(a->o, AML_WORD_PREFIX);
		vacpi_put16(a->o, (u16)v);
	} else if (v <= 0xFFFFFFFF) {
		vacpi_put8(a->o, AML_DWORD_PREFIX);
		vacpi_put32(a->o, (u32)v);
	} else {
		vacpi_put8(a->o, AML_QWORD_PREFIX);
		vacpi_put64(a->o, v);
	}
}

void aml_string(struct aml *a, const char *s)
{
	vacpi_put8(a->o, AML_STRING_PREFIX);
	for (; *s; s++) {
		if ((u8)*s > 0x7F)
			a->error = true;	/* AsciiCharList is 0x01-0x7F */
		vacpi_put8(a->o, (u8)*s);
	}
	vacpi_put8(a->o, 0);
}

static bool upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool aml_eisaid_valid(const char *id)
{
	if (!id || !upper(id[0]) || !upper(id[1]) || !upper(id[2]))
		return false;
	for (int i = 3; i < 7; i++)
		if (hexval(id[i]) < 0)
			return false;
	return id[7] == '\0';
}

/*
 * Three letters in 5 bits each (A = 1) then four hex digits, stored so
 * the bytes in memory read: compressed letters big-endian, then digits.
 */
u32 aml_eisaid(const char *id)
{
	u16 letters = (u16)(((id[0] - 0x40) << 10) | ((id[1] - 0x40) << 5) | (id[2] - 0x40));
	u8 b[4] = {
		(u8)(letters >> 8), (u8)letters,
		(u8)(hexval(id[3]) << 4 | hexval(id[4])),
		(u8)(hexval(id[5]) << 4 | hexval(id[6])),
	};

	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

/* ACPI id: 4 uppercase letters/digits (vendor) and 4 hex digits. */
static bool acpi_id_valid(const char *id)
{
	for (int i = 0; i < 4; i++)
		if (!upper(id[i]) && !(id[i] >= '0' && id[i] <= '9'))
			return false;
	for (int i = 4; i < 8; i++)
		if (hexval(id[i]) < 0)
			return false;
	return id[8] == '\0';
}

bool aml_hid_valid(const char *id)
{
	if (!id)
		return false;
	if (strlen(id) == 7)
		return aml_eisaid_valid(id);
	return strlen(id) == 8 && acpi_id_valid(id);
}

void aml_hid(struct aml *a, const char *id)
{
	if (!aml_hid_valid(id)) {
		a->error = true;
		return;
	}
	if (aml_eisaid_valid(id)) {
		/* always a DWord, as ASL's EISAID() makes, so tools see an EISA id */
		vacpi_put8(a->o, AML_DWORD_PREFIX);
		vacpi_put32(a->o, aml_eisaid(id));
	} else {
		aml_string(a, id);
	}
}

void aml_name_begin(struct aml *a, const char *name)
{
	if (!aml_nameseg_valid(name))
		a->error = true;
	vacpi_put8(a->o, AML_NAME_OP);
	aml_name_string(a, name);
}

void aml_name_integer(struct aml *a, const char *name, u64 v)
{
	aml_name_begin(a, name);
	aml_integer(a, v);
}

void aml_scope_begin(struct aml *a, const char *path)
{
	vacpi_put8(a->o, AML_SCOPE_OP);
	aml_open(a);
	aml_name_string(a, path);
}

void aml_device_begin(struct aml *a, const char *name)
{
	vacpi_put8(a->o, AML_EXT_OP_PREFIX);
	vacpi_put8(a->o, AML_DEVICE_OP);
	aml_open(a);
	aml_name_string(a, name);
}

void aml_package_begin(struct aml *a, u8 n)
{
	vacpi_put8(a->o, AML_PACKAGE_OP);
	aml_open(a);
	vacpi_put8(a->o, n);
}

/*
 * Buffer(size) { descriptors, EndTag }. The size comes before the bytes, so
 * it is reserved as a WordConst and shrunk to a ByteConst when it fits.
 */
void aml_restemplate_begin(struct aml *a)
{
	vacpi_put8(a->o, AML_BUFFER_OP);
	aml_open(a);
	if (a->in_res)
		a->error = true;	/* templates do not nest */
	a->in_res = true;
	a->res_size_at = a->o->len;
	vacpi_put8(a->o, AML_WORD_PREFIX);
	vacpi_put16(a->o, 0);
}

void aml_restemplate_end(struct aml *a)
{
	struct vacpi_out *o = a->o;
	size_t data = a->res_size_at + 3, n;
	u8 sum = 0;

	if (!a->in_res) {
		a->error = true;
		return;
	}
	a->in_res = false;
	vacpi_put8(o, AML_RES_END_TAG);
	if (!o->overflow)
		for (size_t i = data; i < o->len; i++)
			sum += o->buf[i];
	vacpi_put8(o, (u8)-sum);	/* whole template sums to 0 */
	n = o->len - data;
	if (n > 0xFFFF)
		a->error = true;
	if (n <= 0xFF) {
		if (!o->overflow) {
			o->buf[a->res_size_at] = AML_BYTE_PREFIX;
			o->buf[a->res_size_at + 1] = (u8)n;
			memmove(o->buf + a->res_size_at + 2, o->buf + data, n);
		}
		o->len--;
	} else if (!o->overflow) {
		o->buf[a->res_size_at + 1] = (u8)n;
		o->buf[a->res_size_at + 2] = (u8)(n >> 8);
	}
	aml_close(a);
}
