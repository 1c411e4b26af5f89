#!/usr/bin/env python3
"""Check that a hypervisor ELF can be booted by GRUB as multiboot2 and multiboot1.

Usage: scripts/check-image.py [-v] ELF

Checks: ELF64 little-endian x86-64 executable; a multiboot2 header (magic
0xE85250D6, arch 0, valid checksum, well-formed tag list ending in an end tag)
8-byte aligned and wholly inside the first 32 KiB of the file; a multiboot1
header (0x1BADB002, valid checksum) 4-byte aligned inside the first 8 KiB;
every PT_LOAD segment (physical and virtual range) below 4 GiB; the entry
point inside an executable loadable segment.  Silent on success (-v prints a
summary); on failure prints what is wrong and exits 1.
"""
import struct
import sys

MB2_MAGIC = 0xE85250D6
MB1_MAGIC = 0x1BADB002
MB2_SEARCH = 32768
MB1_SEARCH = 8192
FOUR_GIB = 1 << 32
PT_LOAD = 1
PF_X = 1


class ImageError(Exception):
    pass


def parse_elf(data):
    if len(data) < 64 or data[:4] != b"\x7fELF":
        raise ImageError("not an ELF file")
    if data[4] != 2:
        raise ImageError("not ELF64 (EI_CLASS=%d); the hypervisor must be an ELF64 image" % data[4])
    if data[5] != 1:
        raise ImageError("not little-endian (EI_DATA=%d)" % data[5])
    (e_type, e_machine, _ver, e_entry, e_phoff, _shoff, _flags, _ehsize,
     e_phentsize, e_phnum) = struct.unpack_from("<HHIQQQIHHH", data, 16)
    if e_machine != 62:
        raise ImageError("e_machine is %d, not x86-64 (62)" % e_machine)
    if e_type != 2:
        raise ImageError("e_type is %d, not an executable (ET_EXEC)" % e_type)
    if e_phnum == 0 or e_phoff + e_phnum * e_phentsize > len(data):
        raise ImageError("no program headers, or they lie outside the file")
    segs = []
    for i in range(e_phnum):
        p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_LOAD:
            segs.append(dict(idx=i, flags=p_flags, offset=p_offset, vaddr=p_vaddr,
                             paddr=p_paddr, filesz=p_filesz, memsz=p_memsz))
    if not segs:
        raise ImageError("no PT_LOAD segment")
    return e_entry, segs


def check_segments(segs, file_len):
    errs = []
    for s in segs:
        if s["filesz"] and s["offset"] + s["filesz"] > file_len:
            errs.append("PT_LOAD #%d file range ends past the end of the file" % s["idx"])
        for kind in ("paddr", "vaddr"):
            end = s[kind] + s["memsz"]
            if end > FOUR_GIB:
                errs.append("PT_LOAD #%d %s range 0x%x-0x%x is not below 4 GiB"
                            % (s["idx"], "physical" if kind == "paddr" else "virtual",
                               s[kind], end))
    return errs


def in_exec_segment(addr, segs, kind):
    return any(s["flags"] & PF_X and s[kind] <= addr < s[kind] + s["memsz"] for s in segs)


def find_mb2(data):
    """Return (offset, entry_addr or None) of the first valid multiboot2 header."""
    problems = []
    limit = min(len(data), MB2_SEARCH)
    for off in range(0, limit - 15, 8):
        magic, arch, length, csum = struct.unpack_from("<IIII", data, off)
        if magic != MB2_MAGIC:
            continue
        if (magic + arch + length + csum) & 0xFFFFFFFF:
            problems.append("multiboot2 magic at 0x%x has a bad checksum" % off)
            continue
        if arch != 0:
            problems.append("multiboot2 header at 0x%x: architecture %d, not 0 (i386)" % (off, arch))
            continue
        if length < 24 or off + length > MB2_SEARCH or off + length > len(data):
            problems.append("multiboot2 header at 0x%x: header_length %d does not fit in the first 32 KiB"
                            % (off, length))
            continue
        # Walk the tags: each 8-byte aligned, the list ends with type 0 size 8.
        pos, end, entry, ok = off + 16, off + length, None, False
        while pos + 8 <= end:
            ttype, _tflags, tsize = struct.unpack_from("<HHI", data, pos)
            if tsize < 8 or pos + tsize > end:
                problems.append("multiboot2 header at 0x%x: tag type %d at +0x%x has bad size %d"
                                % (off, ttype, pos - off, tsize))
                break
            if ttype == 0:
                ok = tsize == 8
                if not ok:
                    problems.append("multiboot2 header at 0x%x: end tag size %d, not 8" % (off, tsize))
                break
            if ttype == 3 and tsize >= 12:
                entry = struct.unpack_from("<I", data, pos + 8)[0]
            pos += (tsize + 7) & ~7
        else:
            problems.append("multiboot2 header at 0x%x: no end tag (type 0) in the tag list" % off)
        if ok:
            return off, entry, problems
    if not problems:
        problems.append("no multiboot2 header (magic 0xE85250D6, 8-byte aligned) in the first 32 KiB")
    return None, None, problems


def find_mb1(data):
    problems = []
    limit = min(len(data), MB1_SEARCH)
    for off in range(0, limit - 11, 4):
        magic, flags, csum = struct.unpack_from("<III", data, off)
        if magic != MB1_MAGIC:
            continue
        if (magic + flags + csum) & 0xFFFFFFFF:
            problems.append("multiboot1 magic at 0x%x has a bad checksum" % off)
            continue
        if flags & (1 << 16):
            if off + 32 > len(data):
                problems.append("multiboot1 header at 0x%x: address fields run past the file" % off)
                continue
            hdr, load, load_end, bss_end, entry = struct.unpack_from("<IIIII", data, off + 12)
            if load > hdr or hdr - load > off:
                problems.append("multiboot1 header at 0x%x: load_addr 0x%x / header_addr 0x%x do not "
                                "match its file offset" % (off, load, hdr))
                continue
            if load_end and load_end < load or bss_end and bss_end < max(load_end, load):
                problems.append("multiboot1 header at 0x%x: bad load_end/bss_end addresses" % off)
                continue
            top = bss_end or load_end or load + len(data) - (off - (hdr - load))
            if not load <= entry < top:
                problems.append("multiboot1 header at 0x%x: entry_addr 0x%x outside the loaded image"
                                % (off, entry))
                continue
        return off, flags, problems
    if not problems:
        problems.append("no multiboot1 header (magic 0x1BADB002, 4-byte aligned) in the first 8 KiB")
    return None, None, problems


def check(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ImageError("cannot read: %s" % e.strerror)
    e_entry, segs = parse_elf(data)
    errs = check_segments(segs, len(data))
    mb2_off, mb2_entry, mb2_problems = find_mb2(data)
    if mb2_off is None:
        errs.extend(mb2_problems)
    mb1_off, mb1_flags, mb1_problems = find_mb1(data)
    if mb1_off is None:
        errs.extend(mb1_problems)
    if mb2_entry is not None:
        if not in_exec_segment(mb2_entry, segs, "paddr"):
            errs.append("multiboot2 entry address tag 0x%x is not inside an executable PT_LOAD segment"
                        % mb2_entry)
    elif not (e_entry < FOUR_GIB and in_exec_segment(e_entry, segs, "vaddr")):
        errs.append("ELF entry point 0x%x is not inside an executable PT_LOAD segment below 4 GiB"
                    % e_entry)
    summary = "mb2 header @0x%s, mb1 header @0x%s, entry 0x%x, %d PT_LOAD" % (
        "%x" % mb2_off if mb2_off is not None else "-",
        "%x" % mb1_off if mb1_off is not None else "-",
        mb2_entry if mb2_entry is not None else e_entry, len(segs))
    return errs, summary


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path = args[0]
    try:
        errs, summary = check(path)
    except ImageError as e:
        errs, summary = [str(e)], ""
    except struct.error:
        errs, summary = ["truncated ELF file"], ""
    if errs:
        for e in errs:
            print("check-image: %s: %s" % (path, e), file=sys.stderr)
        return 1
    if verbose:
        print("check-image: %s: ok (%s)" % (path, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
