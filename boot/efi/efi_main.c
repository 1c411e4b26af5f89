/*
 * bulkhead.efi: the UEFI loader stub (gnu-efi). It carries the hypervisor ELF
 * (boot/efi/payload.S) and:
 *   1. reads bulkhead.cfg from its own directory on its own volume (the
 *      hypervisor command line and the boot modules, the format of a
 *      scenario's .modules file) and takes its command line from its load
 *      options when they hold text;
 *   2. finds the ACPI RSDP in the EFI configuration table;
 *   3. copies the hypervisor's segments to their link address (16 MiB,
 *      AllocatePages AllocateAddress: the hypervisor runs identity-mapped at
 *      the address it is linked at) and loads each module after it;
 *   4. takes the memory map, checks that the hypervisor can use it, builds a
 *      multiboot2 information block (tags 1, 2, 3, 12, 14/15, 17), exits
 *      boot services and jumps to the hypervisor's 64-bit entry _start64,
 *      which loads the hypervisor's own page tables and goes the way the
 *      multiboot entry goes (boot/entry.S, boot_main).
 * Every failure before ExitBootServices prints why on the firmware's console
 * and returns an error to the firmware (which goes on to its next boot
 * option or its menu). Nothing calls a boot service after the exit; no
 * runtime service is used at all (bulkhead does not call UEFI at run time).
 */
#include "efi_loader.h"

#define MB2_ALIGN(x)	(((x) + 7) & ~7ULL)

/* the hypervisor ELF (payload.S) and its two entries (from nm, by the Makefile) */
extern const UINT8 hv_payload[], hv_payload_end[];
#ifndef HV_ENTRY32
#error "HV_ENTRY32 (the ELF's _start32) must be defined by the build"
#endif
#ifndef HV_ENTRY64
#error "HV_ENTRY64 (the ELF's _start64) must be defined by the build"
#endif

typedef void (*hv_entry64_t)(UINT32 magic, UINT64 info) __attribute__((sysv_abi, noreturn));

EFI_HANDLE image;
EFI_LOADED_IMAGE *loaded;
EFI_FILE_HANDLE root;
CHAR16 dir[PATH_MAX_CH];
CHAR8 cmdline[BOOTINFO_CMDLINE_LEN];
const char *cmdline_from = "bulkhead.cfg";
struct module mods[BOOTINFO_MAX_MODS];
unsigned nr_mods;
UINT64 hv_start, hv_end;
static const UINT8 *rsdp;
static unsigned rsdp_len;

void msg(const char *s)
{
	Print(L"bulkhead.efi: %a\n", s);
}

/* ---- ACPI ---- */

static BOOLEAN sum_ok(const UINT8 *p, UINTN n)
{
	UINT8 s = 0;

	for (UINTN i = 0; i < n; i++)
		s += p[i];
	return s == 0;
}

static EFI_STATUS find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;

	for (int pass = 0; pass < 2 && !rsdp; pass++) {
		for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
			EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
			const UINT8 *r = t->VendorTable;

			if (CompareGuid(&t->VendorGuid, pass ? &acpi10 : &acpi20))
				continue;
			if (!r || CompareMem(r, "RSD PTR ", 8) || !sum_ok(r, 20)) {
				msg("an ACPI RSDP in the EFI configuration table has a bad signature or "
				    "checksum: skipped");
				continue;
			}
			if (!pass && (r[15] < 2 || !sum_ok(r, 36))) {
				msg("the ACPI 2.0 RSDP's extended checksum is wrong: skipped");
				continue;
			}
			rsdp = r;
			rsdp_len = pass ? 20 : 36;
			break;
		}
	}
	if (!rsdp) {
		msg("no ACPI RSDP in the EFI configuration table: bulkhead needs the firmware's "
		    "ACPI tables (MADT for the CPUs, DMAR for VT-d); not starting");
		return EFI_NOT_FOUND;
	}
	return EFI_SUCCESS;
}

/* ---- the hypervisor ELF ---- */

struct elf64_ehdr {
	UINT8 ident[16];
	UINT16 type, machine;
	UINT32 version;
	UINT64 entry, phoff, shoff;
	UINT32 flags;
	UINT16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	UINT32 type, flags;
	UINT64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1

static void say_who_owns(UINT64 start, UINT64 end)
{
	UINTN n, key, dsz;
	UINT32 ver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&n, &key, &dsz, &ver);

	if (!map)
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)map + i * dsz);
		UINT64 e = d->PhysicalStart + d->NumberOfPages * PAGE;

		if (d->PhysicalStart < end && e > start && d->Type != EfiConventionalMemory)
			Print(L"bulkhead.efi:   0x%lx-0x%lx is EFI memory type %d\n",
			      d->PhysicalStart, e, d->Type);
	}
	FreePool(map);
}

static BOOLEAN overlaps(UINT64 a, UINT64 alen, UINT64 b, UINT64 blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * The link address is in use by the firmware (OVMF keeps boot-services data at
 * 9-21 MiB): usable all the same if every page of it is memory that is free once
 * boot services exit (conventional, boot-services code/data, loader code/data
 * other than this image), as GRUB's relocator does. The conventional parts are
 * claimed now so that nothing else of ours lands there; the image is staged
 * elsewhere and copied into place after ExitBootServices (finish_hypervisor).
 */
static UINT8 *staging;
static UINTN staging_pages;

static EFI_STATUS claim_after_exit(void)
{
	UINTN n, key, dsz;
	UINT32 ver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&n, &key, &dsz, &ver);
	UINT64 covered = 0, self = (UINT64)(UINTN)loaded->ImageBase;
	EFI_STATUS s = EFI_SUCCESS;

	if (!map)
		return EFI_OUT_OF_RESOURCES;
	for (UINTN i = 0; i < n && !s; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)map + i * dsz);
		UINT64 st = d->PhysicalStart, e = st + d->NumberOfPages * PAGE;

		if (!overlaps(st, e - st, hv_start, hv_end - hv_start))
			continue;
		st = st < hv_start ? hv_start : st;
		e = e > hv_end ? hv_end : e;
		covered += e - st;
		switch (d->Type) {
		case EfiConventionalMemory: {
			EFI_PHYSICAL_ADDRESS a = st;

			s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData,
					      (e - st) / PAGE, &a);
			break;
		}
		case EfiBootServicesCode:
		case EfiBootServicesData:
		case EfiLoaderCode:
		case EfiLoaderData:
			if (overlaps(st, e - st, self, loaded->ImageSize))
				s = EFI_ACCESS_DENIED;	/* this very program */
			break;
		default:
			s = EFI_ACCESS_DENIED;		/* runtime, ACPI, MMIO, reserved: kept after exit */
		}
	}
	FreePool(map);
	if (!s && covered != hv_end - hv_start)
		s = EFI_NOT_FOUND;	/* a hole: no memory there at all */
	return s;
}

static EFI_STATUS load_hypervisor(void)
{
	const UINT8 *elf = hv_payload;
	UINTN size = hv_payload_end - hv_payload;
	struct elf64_ehdr eh;
	UINT64 lo = ~0ULL, hi = 0;
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS s;
	UINT8 *dst;

	if (size < sizeof(eh))
		goto bad;
	CopyMem(&eh, elf, sizeof(eh));
	if (CompareMem(eh.ident, "\177ELF", 4) || eh.ident[4] != 2 || eh.machine != 62 ||
	    eh.phentsize != sizeof(struct elf64_phdr) || eh.phoff > size ||
	    (UINT64)eh.phnum * sizeof(struct elf64_phdr) > size - eh.phoff || eh.entry != HV_ENTRY32)
		goto bad;
	for (unsigned i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;

		CopyMem(&ph, elf + eh.phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (ph.filesz > ph.memsz || ph.offset > size || ph.filesz > size - ph.offset ||
		    ph.paddr < (1ULL << 20) || ph.memsz > FOUR_GIB || ph.paddr + ph.memsz > FOUR_GIB)
			goto bad;
		lo = ph.paddr < lo ? ph.paddr : lo;
		hi = ph.paddr + ph.memsz > hi ? ph.paddr + ph.memsz : hi;
	}
	if (hi <= lo || HV_ENTRY64 < lo || HV_ENTRY64 >= hi)
		goto bad;
	hv_start = lo & ~(PAGE - 1);
	hv_end = (hi + PAGE - 1) & ~(PAGE - 1);
	a = hv_start;
	s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData,
			      (hv_end - hv_start) / PAGE, &a);
	if (s == EFI_SUCCESS) {
		dst = (UINT8 *)(UINTN)hv_start;
	} else {
		s = claim_after_exit();
		if (s != EFI_SUCCESS) {
			Print(L"bulkhead.efi: the hypervisor is linked at 0x%lx-0x%lx and runs there "
			      "(identity-mapped), but that memory is not free now nor after boot "
			      "services exit (%r):\n", hv_start, hv_end, s);
			say_who_owns(hv_start, hv_end);
			msg("this machine's memory map cannot hold bulkhead at its link address; "
			    "not starting");
			return EFI_OUT_OF_RESOURCES;
		}
		staging_pages = (hv_end - hv_start) / PAGE;
		a = 0;
		s = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
				      staging_pages, &a);
		if (s != EFI_SUCCESS) {
			Print(L"bulkhead.efi: no memory to stage the hypervisor (%r)\n", s);
			return s;
		}
		staging = dst = (UINT8 *)(UINTN)a;
	}
	SetMem(dst, hv_end - hv_start, 0);
	for (unsigned i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;

		CopyMem(&ph, elf + eh.phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type == PT_LOAD && ph.filesz)
			CopyMem(dst + (ph.paddr - hv_start), elf + ph.offset, ph.filesz);
	}
	return EFI_SUCCESS;
bad:
	msg("the hypervisor image inside bulkhead.efi is malformed (rebuild it: make efi)");
	return EFI_LOAD_ERROR;
}

/* After ExitBootServices: the staged image into place (no firmware service used). */
static void finish_hypervisor(void)
{
	UINT64 *d = (UINT64 *)(UINTN)hv_start;
	const UINT64 *src = (const UINT64 *)staging;

	if (!staging)
		return;
	for (UINTN i = 0; i < staging_pages * PAGE / 8; i++)
		d[i] = src[i];
}

/* ---- the multiboot2 hand-over ---- */

struct mb2_builder {
	UINT8 *base;
	UINTN off, cap;
};

static UINT8 *mb2_tag(struct mb2_builder *b, UINT32 type, UINTN body)
{
	UINTN size = 8 + body;
	UINT8 *t;

	if (b->off + MB2_ALIGN(size) + 8 > b->cap)
		return NULL;
	t = b->base + b->off;
	SetMem(t, MB2_ALIGN(size), 0);
	CopyMem(t, &type, 4);
	CopyMem(t + 4, &(UINT32){ (UINT32)size }, 4);
	b->off += MB2_ALIGN(size);
	return t + 8;
}

static BOOLEAN mb2_string(struct mb2_builder *b, UINT32 type, const CHAR8 *s)
{
	UINTN n = slen(s);
	UINT8 *p = mb2_tag(b, type, n + 1);

	if (p)
		CopyMem(p, (void *)s, n);
	return p != NULL;
}

/* The info block for this memory map; FALSE when it does not fit (no boot services used). */
static BOOLEAN build_info(struct mb2_builder *b, const void *map, UINTN map_size, UINTN dsz, UINT32 dver)
{
	UINT8 *p;

	b->off = 8;
	if (!mb2_string(b, 1, cmdline) || !mb2_string(b, 2, (const CHAR8 *)"bulkhead.efi"))
		return FALSE;
	for (unsigned i = 0; i < nr_mods; i++) {
		UINTN n = slen(mods[i].string);
		UINT32 se[2] = { (UINT32)mods[i].start, (UINT32)(mods[i].start + mods[i].len) };

		if (!(p = mb2_tag(b, 3, 8 + n + 1)))
			return FALSE;
		CopyMem(p, se, 8);
		CopyMem(p + 8, mods[i].string, n);
	}
	if (!(p = mb2_tag(b, 12, 8)))
		return FALSE;
	CopyMem(p, &(UINT64){ (UINT64)(UINTN)ST }, 8);
	if (!(p = mb2_tag(b, rsdp_len == 36 ? 15 : 14, rsdp_len)))
		return FALSE;
	CopyMem(p, (void *)rsdp, rsdp_len);
	/* the EFI memory map as the firmware gave it; the hypervisor converts it (tag 17) */
	if (!(p = mb2_tag(b, 17, 8 + map_size)))
		return FALSE;
	CopyMem(p, &(UINT32){ (UINT32)dsz }, 4);
	CopyMem(p + 4, &dver, 4);
	CopyMem(p + 8, (void *)map, map_size);
	if (!mb2_tag(b, 0, 0))
		return FALSE;
	CopyMem(b->base, &(UINT32){ (UINT32)b->off }, 4);
	CopyMem(b->base + 4, &(UINT32){ 0 }, 4);
	return TRUE;
}

static UINT8 port_in(UINT16 port)
{
	UINT8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void port_out(UINT16 port, UINT8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* After ExitBootServices failed for good: no console service is left, so COM1 directly. */
static void __attribute__((noreturn)) die_after_exit(const char *s)
{
	for (const char *p = "bulkhead.efi: "; ; ) {
		for (; *p; p++) {
			for (int spin = 0; spin < 100000 && !(port_in(0x3FD) & 0x20); spin++)
				;
			port_out(0x3F8, (UINT8)*p);
		}
		if (!s)
			break;
		p = s;
		s = NULL;
	}
	for (;;)
		asm volatile("cli; hlt");
}

/*
 * The map is checked with the hypervisor's own converter: the hypervisor will
 * read the same map the same way (boot/efi_mmap.c, tag 17).
 */
static int check_map(const void *map, UINTN map_size, UINTN dsz, BOOLEAN verbose)
{
	struct boot_mmap_entry e[BOOTINFO_MAX_MMAP];
	unsigned nr;
	int r = efi_mmap_convert(map, map_size, dsz, e, BOOTINFO_MAX_MMAP, &nr);
	BOOLEAN covered = FALSE;

	if (r && r != -E2BIG) {
		if (verbose)
			Print(L"bulkhead.efi: the firmware's memory map is unusable (%a, %d bytes, "
			      "descriptor size %d); not starting\n",
			      r == -ENOENT ? "no RAM in it" : "malformed: misaligned, overlapping or "
			      "bad sizes", map_size, dsz);
		return r;
	}
	for (unsigned i = 0; i < nr; i++)
		covered |= e[i].type == 1 && e[i].base <= hv_start && e[i].base + e[i].len >= hv_end;
	if (!covered) {
		if (verbose)
			Print(L"bulkhead.efi: the memory map does not show the hypervisor's pages "
			      "0x%lx-0x%lx as RAM; not starting\n", hv_start, hv_end);
		return -EINVAL;
	}
	if (r == -E2BIG && verbose)
		Print(L"bulkhead.efi: the memory map has more ranges than bulkhead keeps (%d): "
		      "the highest are ignored\n", BOOTINFO_MAX_MMAP);
	return 0;
}

static EFI_STATUS start(void)
{
	EFI_PHYSICAL_ADDRESS map_pa = FOUR_GIB - 1, info_pa = FOUR_GIB - 1;
	UINTN map_size = 0, key, dsz, cap, info_cap, pages;
	UINT32 dver;
	struct mb2_builder b;
	EFI_STATUS s;

	s = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &dsz, &dver);
	if (s != EFI_BUFFER_TOO_SMALL || !dsz) {
		Print(L"bulkhead.efi: GetMemoryMap does not say its size (%r); not starting\n", s);
		return EFI_UNSUPPORTED;
	}
	/* room for the map growing by the allocations below and between the tries */
	cap = map_size + 64 * dsz;
	pages = (cap + PAGE - 1) / PAGE;
	info_cap = (pages + 2) * PAGE;		/* the EFI map plus the other tags */
	if (uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData, pages, &map_pa) ||
	    uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
			      info_cap / PAGE, &info_pa)) {
		msg("no memory below 4 GiB for the memory map and the hand-over block; not starting");
		return EFI_OUT_OF_RESOURCES;
	}
	b.base = (UINT8 *)(UINTN)info_pa;
	b.cap = info_cap;

	map_size = pages * PAGE;
	s = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (void *)(UINTN)map_pa, &key, &dsz, &dver);
	if (s != EFI_SUCCESS) {
		Print(L"bulkhead.efi: GetMemoryMap failed (%r); not starting\n", s);
		return s;
	}
	if (check_map((void *)(UINTN)map_pa, map_size, dsz, TRUE))
		return EFI_UNSUPPORTED;
	{
		UINT64 sp;

		asm volatile("mov %%rsp, %0" : "=r"(sp));
		if (staging && overlaps(sp - 64 * 1024, 128 * 1024, hv_start, hv_end - hv_start)) {
			msg("the firmware's stack lies where the hypervisor must go; not starting");
			return EFI_OUT_OF_RESOURCES;
		}
	}
	Print(L"bulkhead.efi: hypervisor at 0x%lx-0x%lx%a, %d module(s), ACPI %d.0 RSDP at 0x%lx, "
	      "command line (%a): \"%a\"; exiting boot services\n", hv_start, hv_end,
	      staging ? " (staged: copied there after boot services exit)" : "", nr_mods,
	      rsdp_len == 36 ? 2 : 1, (UINT64)(UINTN)rsdp, cmdline_from, cmdline);

	/*
	 * From here no printing (the console may allocate and change the map key).
	 * ExitBootServices may fail once because the map changed: take it again and
	 * retry (after a failed exit only GetMemoryMap and ExitBootServices may be called).
	 */
	for (int tries = 0; ; tries++) {
		map_size = pages * PAGE;
		s = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (void *)(UINTN)map_pa, &key, &dsz, &dver);
		if (s != EFI_SUCCESS) {
			if (tries)
				die_after_exit("GetMemoryMap failed after a failed ExitBootServices; stopped\r\n");
			Print(L"bulkhead.efi: GetMemoryMap failed (%r); not starting\n", s);
			return s;
		}
		if (check_map((void *)(UINTN)map_pa, map_size, dsz, FALSE)) {
			if (tries)
				die_after_exit("the memory map became unusable; stopped\r\n");
			check_map((void *)(UINTN)map_pa, map_size, dsz, TRUE);
			return EFI_UNSUPPORTED;
		}
		if (!build_info(&b, (void *)(UINTN)map_pa, map_size, dsz, dver)) {
			if (tries)
				die_after_exit("the hand-over block overflowed; stopped\r\n");
			msg("the hand-over block does not fit its buffer; not starting");
			return EFI_BUFFER_TOO_SMALL;
		}
		s = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (s == EFI_SUCCESS)
			break;
		if (tries == 8)
			die_after_exit("ExitBootServices keeps failing; stopped\r\n");
	}

	/* boot services are gone: interrupts off, into the hypervisor on its own tables */
	asm volatile("cli" ::: "memory");
	finish_hypervisor();
	((hv_entry64_t)(UINTN)HV_ENTRY64)(MB2_BOOTLOADER_MAGIC, (UINT64)(UINTN)info_pa);
}

EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image_handle, EFI_SYSTEM_TABLE *systab)
{
	EFI_STATUS s;
	UINT64 cr4;

	image = image_handle;
	InitializeLib(image_handle, systab);
	Print(L"bulkhead.efi: UEFI loader for the bulkhead hypervisor\n");
	s = uefi_call_wrapper(BS->HandleProtocol, 3, image_handle, &LoadedImageProtocol, (void **)&loaded);
	if (s != EFI_SUCCESS) {
		Print(L"bulkhead.efi: no loaded image protocol on our own image (%r)\n", s);
		return s;
	}
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & (1ULL << 12)) {
		msg("the firmware runs with 5-level paging (CR4.LA57), which bulkhead's 4-level "
		    "page tables cannot take over; not starting");
		return EFI_UNSUPPORTED;
	}
	if ((s = find_dir()) || (s = read_cfg()))
		goto fail;
	take_load_options();
	if ((s = find_rsdp()) || (s = load_hypervisor()))
		goto fail;
	if ((s = load_modules()))
		goto fail;
	s = start();
fail:
	/*
	 * Pages allocated so far are loader data the firmware keeps until reset; the
	 * firmware's boot manager goes on to its next boot option or its menu.
	 */
	Print(L"bulkhead.efi: returning to the firmware (%r)\n", s);
	return s;
}
