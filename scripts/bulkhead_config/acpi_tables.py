"""Binary ACPI tables the board inspector reads (as `acpidump -b` writes them):
MADT (CPUs, IOAPICs), MCFG (ECAM) and DMAR (VT-d units, RMRRs). Pure functions."""
import struct

HEADER = 36


class TableError(ValueError):
    pass


def header(data, sig):
    if len(data) < HEADER:
        raise TableError("%s: %d bytes, shorter than an ACPI header" % (sig, len(data)))
    if data[:4] != sig.encode():
        raise TableError("%s: signature is %r" % (sig, data[:4]))
    length = struct.unpack_from("<I", data, 4)[0]
    if length < HEADER or length > len(data):
        raise TableError("%s: length %d does not fit the %d bytes read" % (sig, length, len(data)))
    if sum(data[:length]) & 0xFF:
        raise TableError("%s: checksum is wrong" % sig)
    return length


def subtables(data, start, end, sig, type_size):
    """(type, offset, length) of each subtable; type and length fields of type_size bytes."""
    off = start
    fmt = "<BB" if type_size == 1 else "<HH"
    while off + 2 * type_size <= end:
        typ, ln = struct.unpack_from(fmt, data, off)
        if ln < 2 * type_size or off + ln > end:
            raise TableError("%s: subtable at offset %d has a bad length %d" % (sig, off, ln))
        yield typ, off, ln
        off += ln


def parse_madt(data):
    """{'cpus': [lapic ids of enabled CPUs, table order], 'ioapics': [(id, base, gsi_base)]}"""
    length = header(data, "APIC")
    if length < HEADER + 8:
        raise TableError("APIC: too short")
    cpus, ioapics = [], []
    for typ, off, ln in subtables(data, HEADER + 8, length, "APIC", 1):
        if typ == 0 and ln >= 8:
            apic_id, flags = data[off + 3], struct.unpack_from("<I", data, off + 4)[0]
        elif typ == 9 and ln >= 16:
            apic_id, flags = struct.unpack_from("<II", data, off + 4)
        elif typ == 1 and ln >= 12:
            ioapics.append((data[off + 2],) + struct.unpack_from("<II", data, off + 4))
            continue
        else:
            continue
        if flags & 1 and apic_id not in cpus:
            cpus.append(apic_id)
    return {"cpus": cpus, "ioapics": ioapics}


def parse_mcfg(data):
    """[(base, segment, start bus, end bus)]"""
    length = header(data, "MCFG")
    out = []
    off = HEADER + 8
    while off + 16 <= length:
        base, seg, start, end = struct.unpack_from("<QHBB", data, off)
        out.append((base, seg, start, end))
        off += 16
    return out


SCOPE_NAMES = {1: "endpoint", 2: "bridge", 3: "ioapic", 4: "hpet", 5: "namespace"}


def parse_scopes(data, off, end):
    """[(type name, enum id, start bus, [(dev, fn), ...])]"""
    out = []
    while off + 6 <= end:
        typ, ln, _r, enum_id, bus = struct.unpack_from("<BBHBB", data, off)
        if ln < 6 or off + ln > end or (ln - 6) % 2:
            raise TableError("DMAR: device scope at offset %d has a bad length %d" % (off, ln))
        path = [(data[p], data[p + 1]) for p in range(off + 6, off + ln, 2)]
        if typ in SCOPE_NAMES:
            out.append((SCOPE_NAMES[typ], enum_id, bus, path))
        off += ln
    return out


def parse_dmar(data):
    """{'width': host address width in bits, 'intr_remap': bool,
        'drhds': [{'flags', 'size', 'segment', 'base', 'scopes'}],
        'rmrrs': [{'segment', 'base', 'limit', 'scopes'}]}"""
    length = header(data, "DMAR")
    if length < 48:
        raise TableError("DMAR: too short")
    out = {"width": data[36] + 1, "intr_remap": bool(data[37] & 1), "drhds": [], "rmrrs": []}
    for typ, off, ln in subtables(data, 48, length, "DMAR", 2):
        if typ == 0 and ln >= 16:
            flags, size, seg, base = struct.unpack_from("<BBHQ", data, off + 4)
            out["drhds"].append({"flags": flags, "size": 0x1000 << (size & 0xF), "segment": seg,
                                 "base": base, "scopes": parse_scopes(data, off + 16, off + ln)})
        elif typ == 1 and ln >= 24:
            seg, base, limit = struct.unpack_from("<HQQ", data, off + 6)
            out["rmrrs"].append({"segment": seg, "base": base, "limit": limit,
                                 "scopes": parse_scopes(data, off + 24, off + ln)})
    return out
