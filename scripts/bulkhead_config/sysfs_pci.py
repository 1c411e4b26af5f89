"""PCI devices as Linux shows them in /sys/bus/pci/devices: ids, class, BARs from
`resource`, capabilities walked in `config`. Parsing is pure; reading takes a root
directory so tests can point it at a saved tree."""
import os
import re
import struct

DEV_NAME = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$")
CAP_MSI, CAP_MSIX = 0x05, 0x11


def walk_caps(cfg):
    """{cap id: offset} from the standard capability list (first instance of each)."""
    caps = {}
    if len(cfg) < 0x40 or not struct.unpack_from("<H", cfg, 6)[0] & 0x10:
        return caps
    ptr, seen = cfg[0x34] & 0xFC, set()
    while ptr >= 0x40 and ptr + 2 <= len(cfg) and ptr not in seen:
        seen.add(ptr)
        cid = cfg[ptr]
        caps.setdefault(cid, ptr)
        ptr = cfg[ptr + 1] & 0xFC
    return caps


def parse_msi(cfg, off):
    ctl = struct.unpack_from("<H", cfg, off + 2)[0]
    return {"offset": off, "vectors": 1 << ((ctl >> 1) & 7), "addr64": bool(ctl & 0x80),
            "maskable": bool(ctl & 0x100)}


def parse_msix(cfg, off):
    ctl, table, pba = struct.unpack_from("<HII", cfg, off + 2)
    return {"offset": off, "table_size": (ctl & 0x7FF) + 1, "table_bar": table & 7,
            "table_offset": table & ~7, "pba_bar": pba & 7, "pba_offset": pba & ~7}


def parse_resource(text):
    """sysfs `resource`: one 'start end flags' line per resource (BARs 0-5 first)."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            out.append(tuple(int(p, 16) for p in parts))
    return out


def parse_device(bdf, cfg, resource_text):
    """One device from its configuration space bytes and `resource` text."""
    vendor, device = struct.unpack_from("<HH", cfg, 0)
    rev_class = struct.unpack_from("<I", cfg, 8)[0]
    htype = cfg[0x0E] & 0x7F
    res = parse_resource(resource_text)
    nbars = {0: 6, 1: 2}.get(htype, 0)
    bars, i = [], 0
    while i < nbars:
        raw = struct.unpack_from("<I", cfg, 0x10 + 4 * i)[0]
        start, end, _flags = res[i] if i < len(res) else (0, 0, 0)
        is64 = not raw & 1 and (raw >> 1) & 3 == 2
        if end > start:
            bars.append({"index": i, "type": "io" if raw & 1 else ("mem64" if is64 else "mem32"),
                         "base": start, "size": end - start + 1,
                         "prefetchable": bool(not raw & 1 and raw & 8)})
        i += 2 if is64 else 1
    caps = walk_caps(cfg)
    pin = cfg[0x3D] if len(cfg) > 0x3D else 0
    return {"bdf": bdf, "vendor": vendor, "device": device, "class": rev_class >> 8,
            "revision": rev_class & 0xFF, "header_type": htype, "bars": bars,
            "intx": (pin, cfg[0x3C]) if 1 <= pin <= 4 else None,
            "msi": parse_msi(cfg, caps[CAP_MSI]) if CAP_MSI in caps else None,
            "msix": parse_msix(cfg, caps[CAP_MSIX]) if CAP_MSIX in caps else None,
            "secondary_bus": cfg[0x19] if htype == 1 else None}


def read_devices(root):
    """[(device dict, problems)] for every device under ROOT/sys/bus/pci/devices."""
    base = os.path.join(root, "sys/bus/pci/devices")
    out = []
    for name in sorted(os.listdir(base)):
        m = DEV_NAME.match(name)
        if not m:
            continue
        seg, bus, dev, fn = (int(g, 16) for g in m.groups())
        d = os.path.join(base, name)
        with open(os.path.join(d, "config"), "rb") as f:
            cfg = f.read()
        with open(os.path.join(d, "resource")) as f:
            res = f.read()
        info = parse_device((seg << 16) | (bus << 8) | (dev << 3) | fn, cfg, res)
        info["config_len"] = len(cfg)
        drv = os.path.join(d, "driver")
        info["driver"] = os.path.basename(os.readlink(drv)) if os.path.islink(drv) else None
        out.append(info)
    return out
