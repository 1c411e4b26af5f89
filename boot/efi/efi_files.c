/*
 * bulkhead.efi's volume: the directory it was loaded from, bulkhead.cfg
 * (the hypervisor command line and the boot modules), the load options as
 * command line, and the modules read into memory behind the hypervisor.
 */
#include "efi_loader.h"

/* ---- small string helpers (no libc here) ---- */

UINTN slen(const CHAR8 *s)
{
	UINTN n = 0;

	while (s[n])
		n++;
	return n;
}

static void scopy(CHAR8 *d, UINTN cap, const CHAR8 *s, UINTN n)
{
	UINTN i;

	for (i = 0; i + 1 < cap && i < n && s[i]; i++)
		d[i] = s[i];
	d[i] = 0;
}

static BOOLEAN is_blank(CHAR8 c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* ---- files on our own volume ---- */

EFI_STATUS find_dir(void)
{
	EFI_DEVICE_PATH *dp = loaded->FilePath;
	UINTN n = 0, last = 0;

	/* the file path nodes of our own image path: "\EFI\BOOT\BOOTX64.EFI" */
	while (dp && !IsDevicePathEnd(dp)) {
		if (DevicePathType(dp) == MEDIA_DEVICE_PATH && DevicePathSubType(dp) == MEDIA_FILEPATH_DP) {
			FILEPATH_DEVICE_PATH *fp = (FILEPATH_DEVICE_PATH *)dp;
			UINTN chars = (DevicePathNodeLength(dp) - 4) / sizeof(CHAR16);

			if (n && dir[n - 1] != L'\\' && fp->PathName[0] != L'\\' && n + 1 < PATH_MAX_CH)
				dir[n++] = L'\\';
			for (UINTN i = 0; i < chars && fp->PathName[i] && n + 1 < PATH_MAX_CH; i++)
				dir[n++] = fp->PathName[i] == L'/' ? L'\\' : fp->PathName[i];
		}
		dp = NextDevicePathNode(dp);
	}
	dir[n] = 0;
	for (UINTN i = 0; i < n; i++)
		if (dir[i] == L'\\')
			last = i + 1;
	dir[last] = 0;		/* "" when booted from a path we cannot see: the root */
	root = LibOpenRoot(loaded->DeviceHandle);
	if (!root) {
		msg("cannot open the volume bulkhead.efi was loaded from (no simple file system on it)");
		return EFI_NOT_FOUND;
	}
	return EFI_SUCCESS;
}

/* Open dir + name (ASCII). */
EFI_FILE_HANDLE open_file(const CHAR8 *name, CHAR16 *path, UINTN cap)
{
	EFI_FILE_HANDLE f;
	UINTN n = 0;

	for (UINTN i = 0; dir[i] && n + 1 < cap; i++)
		path[n++] = dir[i];
	for (UINTN i = 0; name[i] && n + 1 < cap; i++)
		path[n++] = name[i] == '/' ? L'\\' : name[i];
	path[n] = 0;
	if (uefi_call_wrapper(root->Open, 5, root, &f, path, EFI_FILE_MODE_READ, 0ULL) != EFI_SUCCESS)
		return NULL;
	return f;
}

/* Read a whole file into pages at or below @max (AllocateAddress at @at when nonzero). */
EFI_STATUS read_file(EFI_FILE_HANDLE f, UINT64 at, UINT64 *start, UINT64 *len)
{
	EFI_FILE_INFO *info = LibFileInfo(f);
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS s;
	UINTN size, pages;

	if (!info)
		return EFI_DEVICE_ERROR;
	size = info->FileSize;
	FreePool(info);
	pages = (size + PAGE - 1) / PAGE;
	if (!pages)
		pages = 1;
	a = at;
	s = at ? uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData, pages, &a)
	       : EFI_NOT_FOUND;
	if (s != EFI_SUCCESS) {
		a = FOUR_GIB - 1;
		s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, pages, &a);
		if (s != EFI_SUCCESS)
			return s;
	}
	*start = a;
	*len = size;
	s = uefi_call_wrapper(f->Read, 3, f, &size, (void *)(UINTN)a);
	if (s == EFI_SUCCESS && size != *len)
		s = EFI_DEVICE_ERROR;
	if (s != EFI_SUCCESS)
		uefi_call_wrapper(BS->FreePages, 2, a, pages);
	return s;
}

/* ---- bulkhead.cfg: "cmdline WORDS", "module FILE TAG [ARGS]", '#' comments ---- */

static EFI_STATUS parse_cfg(CHAR8 *text)
{
	unsigned lineno = 0;
	BOOLEAN have_cmdline = FALSE;

	for (CHAR8 *line = text; *line; ) {
		CHAR8 *end = line, *w[3] = { 0 }, *p;
		UINTN wl[3] = { 0 };
		unsigned nw = 0;

		while (*end && *end != '\n')
			end++;
		if (*end)
			*end++ = 0;
		lineno++;
		for (p = line; *p; p++)
			if (*p == '#') {
				*p = 0;
				break;
			}
		/* first two words, then the rest of the line as the third */
		for (p = line; *p && nw < 3; ) {
			while (is_blank(*p))
				p++;
			if (!*p)
				break;
			w[nw] = p;
			if (nw < 2)
				while (*p && !is_blank(*p))
					p++;
			else
				while (*p)
					p++;
			wl[nw] = p - w[nw];
			while (wl[nw] && is_blank(w[nw][wl[nw] - 1]))
				wl[nw]--;
			nw++;
		}
		if (!nw)
			goto next;
		if (wl[0] == 7 && !CompareMem(w[0], "cmdline", 7)) {
			/* everything after the word (the line ends at its NUL or its '#') */
			CHAR8 *rest = w[1] ? w[1] : (CHAR8 *)"";
			UINTN rl = slen(rest);

			if (have_cmdline) {
				Print(L"bulkhead.efi: bulkhead.cfg:%d: a second cmdline line\n", lineno);
				return EFI_INVALID_PARAMETER;
			}
			have_cmdline = TRUE;
			while (rl && is_blank(rest[rl - 1]))
				rl--;
			scopy(cmdline, sizeof(cmdline), rest, rl);
		} else if (wl[0] == 6 && !CompareMem(w[0], "module", 6)) {
			struct module *m;

			if (nw < 3) {
				Print(L"bulkhead.efi: bulkhead.cfg:%d: want 'module FILE TAG [ARGS]'\n", lineno);
				return EFI_INVALID_PARAMETER;
			}
			if (nr_mods == BOOTINFO_MAX_MODS) {
				Print(L"bulkhead.efi: bulkhead.cfg:%d: more than %d modules\n", lineno,
				      BOOTINFO_MAX_MODS);
				return EFI_INVALID_PARAMETER;
			}
			m = &mods[nr_mods++];
			if (wl[1] >= sizeof(m->file)) {
				Print(L"bulkhead.efi: bulkhead.cfg:%d: file name too long\n", lineno);
				return EFI_INVALID_PARAMETER;
			}
			scopy(m->file, sizeof(m->file), w[1], wl[1]);
			scopy(m->string, sizeof(m->string), w[2], wl[2]);
		} else {
			Print(L"bulkhead.efi: bulkhead.cfg:%d: unknown directive (want cmdline or module)\n",
			      lineno);
			return EFI_INVALID_PARAMETER;
		}
next:
		line = end;
	}
	return EFI_SUCCESS;
}

EFI_STATUS read_cfg(void)
{
	CHAR16 path[PATH_MAX_CH];
	EFI_FILE_HANDLE f = open_file((const CHAR8 *)"bulkhead.cfg", path, PATH_MAX_CH);
	EFI_FILE_INFO *info;
	CHAR8 *text;
	UINTN size;
	EFI_STATUS s;

	if (!f) {
		Print(L"bulkhead.efi: %s not found: it names the boot modules and the command line "
		      "(scripts/mkesp writes it)\n", path);
		return EFI_NOT_FOUND;
	}
	info = LibFileInfo(f);
	size = info ? info->FileSize : CFG_MAX;
	if (info)
		FreePool(info);
	if (size >= CFG_MAX) {
		Print(L"bulkhead.efi: %s: larger than %d bytes\n", path, CFG_MAX);
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_INVALID_PARAMETER;
	}
	text = AllocateZeroPool(size + 1);
	if (!text)
		return EFI_OUT_OF_RESOURCES;
	s = uefi_call_wrapper(f->Read, 3, f, &size, text);
	uefi_call_wrapper(f->Close, 1, f);
	if (s != EFI_SUCCESS) {
		Print(L"bulkhead.efi: %s: read error %r\n", path, s);
		return s;
	}
	text[size] = 0;
	s = parse_cfg(text);
	FreePool(text);
	return s;
}

/*
 * Load options: the firmware boot entry's optional data or the shell's command
 * line ("bulkhead.efi ARGS"). Text replaces bulkhead.cfg's command line; anything
 * else (binary data some boot managers store there) is ignored, and said so.
 */
void take_load_options(void)
{
	const CHAR16 *o = loaded->LoadOptions;
	UINTN n = loaded->LoadOptionsSize / sizeof(CHAR16), i, k = 0, start = 0;
	CHAR8 text[BOOTINFO_CMDLINE_LEN];

	if (!o || !n)
		return;
	for (i = 0; i < n && o[i]; i++)
		if (o[i] != L'\t' && (o[i] < 0x20 || o[i] > 0x7e)) {
			Print(L"bulkhead.efi: load options are not text (%d bytes): ignored, "
			      "command line from bulkhead.cfg\n", (INTN)loaded->LoadOptionsSize);
			return;
		}
	n = i;
	while (start < n && (o[start] == L' ' || o[start] == L'\t'))
		start++;
	/* the shell passes the program's own name first */
	for (i = start; i < n && o[i] != L' ' && o[i] != L'\t'; i++)
		;
	if (i - start >= 4) {
		const CHAR16 *e = &o[i - 4];

		if (e[0] == L'.' && (e[1] | 0x20) == L'e' && (e[2] | 0x20) == L'f' && (e[3] | 0x20) == L'i')
			start = i;
	}
	while (start < n && (o[start] == L' ' || o[start] == L'\t'))
		start++;
	for (i = start; i < n && k + 1 < sizeof(text); i++)
		text[k++] = (CHAR8)o[i];
	while (k && is_blank(text[k - 1]))
		k--;
	text[k] = 0;
	if (!k)
		return;
	if (i < n)
		msg("load options longer than the hypervisor's command line: cut");
	scopy(cmdline, sizeof(cmdline), text, k);
	cmdline_from = "load options";
}


EFI_STATUS load_modules(void)
{
	UINT64 next = hv_end;

	for (unsigned i = 0; i < nr_mods; i++) {
		struct module *m = &mods[i];
		CHAR16 path[PATH_MAX_CH];
		EFI_FILE_HANDLE f = open_file(m->file, path, PATH_MAX_CH);
		EFI_STATUS s;

		if (!f) {
			Print(L"bulkhead.efi: boot module %s (\"%a\", from bulkhead.cfg) not found "
			      "on the volume bulkhead.efi was loaded from; not starting\n", path, m->string);
			return EFI_NOT_FOUND;
		}
		/* right behind the image (or the module before), as GRUB puts them; else below 4 GiB */
		s = read_file(f, next, &m->start, &m->len);
		uefi_call_wrapper(f->Close, 1, f);
		if (s != EFI_SUCCESS) {
			Print(L"bulkhead.efi: boot module %s: cannot load it below 4 GiB (%r); "
			      "not starting\n", path, s);
			return s;
		}
		if (m->start == next)
			next = (m->start + m->len + PAGE - 1) & ~(PAGE - 1);
		if (!m->len)
			next += PAGE;
	}
	return EFI_SUCCESS;
}
