"""scripts/board-inspector: write a board XML (config/schema/board.xsd) from a running
Linux machine: PCI devices from sysfs, the memory map from /proc/iomem, CPUs/IOAPICs
(MADT), ECAM (MCFG) and VT-d units (DMAR) from `acpidump -b`, ACPI devices from
/sys/bus/acpi/devices, the console UART from /proc/cmdline and /sys/class/tty, each CPU's
package/core/thread from /proc/cpuinfo."""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
from xml.sax.saxutils import quoteattr

from . import acpi_tables, iomem, sysfs_pci
from .xmltree import fmt_bdf

EXIT_RIGHTS = 2
SKIP_HIDS = {"PNP0C01", "PNP0C02", "PNP0A03", "PNP0A08", "PNP0C0F", "LNXSYSTM", "LNXSYBUS",
             "LNXCPU", "ACPI0007", "ACPI0010", "PNP0A05", "PNP0A06", "LNXPWRBN", "LNXVIDEO"}
PNP_RES = re.compile(r"^(io|mem|irq)\s+(0x[0-9a-fA-F]+|\d+)(?:-(0x[0-9a-fA-F]+))?")


class Rights(Exception):
    """Something the inspector needs is unreadable (usually: not root)."""


def rd(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


# ---- gathering ----

def load_tables(root, tables_dir, problems):
    """{'APIC': bytes, ...}: from --tables, from `acpidump -b` (live system) or sysfs."""
    found, why = {}, []
    if tables_dir:
        for name in os.listdir(tables_dir):
            sig = name.split(".")[0].upper()[:4]
            if sig in ("APIC", "DMAR", "MCFG") and sig not in found:
                found[sig] = rd(os.path.join(tables_dir, name), "rb")
        if "APIC" not in found:
            problems.append("%s: no MADT (apic.dat)" % tables_dir)
        return found
    if root == "/" and shutil.which("acpidump"):
        tmp = tempfile.mkdtemp(prefix="board-inspector-")
        try:
            proc = subprocess.run(["acpidump", "-b"], cwd=tmp, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
            if proc.returncode == 0:
                return load_tables(root, tmp, problems)
            why.append("acpidump -b: %s" % (proc.stderr.strip().splitlines() or ["failed"])[-1])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    elif root == "/":
        why.append("acpidump not found (package acpica-tools)")
    base = os.path.join(root, "sys/firmware/acpi/tables")
    for sig in ("APIC", "DMAR", "MCFG"):
        try:
            found[sig] = rd(os.path.join(base, sig), "rb")
        except FileNotFoundError:
            pass
        except OSError as e:
            why.append("%s: %s" % (os.path.join(base, sig), e.strerror))
    if "APIC" not in found:
        problems.append("the ACPI tables (%s)" % ("; ".join(why) or base + "/APIC: missing"))
    return found


def load_iomem(root, problems):
    path = os.path.join(root, "proc/iomem")
    try:
        entries = iomem.parse(rd(path))
    except OSError as e:
        problems.append("%s: %s" % (path, e.strerror))
        return []
    if iomem.all_zero(entries):
        problems.append("%s: every address reads as 0 (the kernel hides them without "
                        "CAP_SYS_ADMIN)" % path)
    return entries


def load_pci(root, problems):
    try:
        devs = sysfs_pci.read_devices(root)
    except FileNotFoundError as e:
        raise Rights("no %s: not a Linux machine with sysfs?" % e.filename)
    except OSError as e:
        problems.append("PCI configuration space (%s: %s)" % (e.filename, e.strerror))
        return []
    short = [d for d in devs if d["config_len"] < 256]
    if short:
        problems.append("PCI configuration space: %s/sys/bus/pci/devices/*/config gives only %d bytes "
                        "of %s (capabilities need all 256)"
                        % (root.rstrip("/"), short[0]["config_len"], fmt_bdf(short[0]["bdf"])))
    return devs


def acpi_resources(node_dir):
    """mmio, io, irqs from the PNP `resources` files of an ACPI device's physical nodes."""
    mmio, io, irqs = [], [], []
    for name in sorted(os.listdir(node_dir)):
        if not name.startswith("physical_node"):
            continue
        try:
            text = rd(os.path.join(node_dir, name, "resources"))
        except OSError:
            continue
        for line in text.splitlines():
            m = PNP_RES.match(line.strip())
            if not m:
                continue
            kind, lo, hi = m.group(1), int(m.group(2), 0), m.group(3)
            if kind == "irq":
                irqs.append(lo)
            else:
                (mmio if kind == "mem" else io).append((lo, int(hi, 16) - lo + 1 if hi else 1))
    return mmio, io, irqs


def load_acpi_devices(root, iomem_entries):
    base = os.path.join(root, "sys/bus/acpi/devices")
    out = []
    if not os.path.isdir(base):
        return out
    for name in sorted(os.listdir(base)):
        d = os.path.join(base, name)
        try:
            hid = rd(os.path.join(d, "hid")).strip()
        except OSError:
            continue
        if hid in SKIP_HIDS or hid.startswith("device"):
            continue
        try:
            if not int(rd(os.path.join(d, "status")).strip()) & 1:
                continue        # not present
        except (OSError, ValueError):
            pass
        try:
            uid = rd(os.path.join(d, "uid")).strip() or None
        except OSError:
            uid = None
        try:
            path = rd(os.path.join(d, "path")).strip()
        except OSError:
            path = None
        mmio, io, irqs = acpi_resources(d)
        for r in iomem.named(iomem_entries, name):
            if r not in mmio:
                mmio.append(r)
        if mmio or io or irqs:
            out.append({"sysname": name, "hid": hid, "uid": uid, "path": path,
                        "mmio": mmio, "io": io, "irqs": irqs})
    # Devices without _UID sharing a HID: tell them apart by Linux's instance number.
    for dev in out:
        twins = [x for x in out if x["hid"] == dev["hid"] and x["uid"] == dev["uid"]]
        if len(twins) > 1:
            for x in twins:
                x["uid_note"] = "no unique _UID: uid is Linux's instance number"
                x["uid"] = x["sysname"].split(":")[-1]
    return [x for x in out if re.match(r"^[A-Za-z0-9_]{1,16}$", x["hid"]) and
            (x["uid"] is None or re.match(r"^[A-Za-z0-9_]{1,16}$", x["uid"]))]


def load_console(root):
    try:
        cmdline = rd(os.path.join(root, "proc/cmdline"))
    except OSError:
        cmdline = ""
    names = re.findall(r"console=(ttyS\d+)(?:,(\d+))?", cmdline)
    cands = [(n, int(b) if b else 115200) for n, b in names]
    tty = os.path.join(root, "sys/class/tty")
    if os.path.isdir(tty):
        cands += [(n, 115200) for n in sorted(os.listdir(tty), key=lambda s: (len(s), s))
                  if re.match(r"^ttyS\d+$", n)]
    for name, baud in cands:
        d = os.path.join(tty, name)
        try:
            if int(rd(os.path.join(d, "type")).strip()) == 0:
                continue        # no UART behind it
            io_type = int(rd(os.path.join(d, "io_type")).strip())
            port = int(rd(os.path.join(d, "port")).strip(), 0)
            mem = int(rd(os.path.join(d, "iomem_base")).strip(), 0)
            irq = int(rd(os.path.join(d, "irq")).strip())
        except (OSError, ValueError):
            continue
        if io_type == 0 and port:
            return {"type": "pio", "base": port, "irq": irq, "baud": baud, "tty": name}
        if io_type != 0 and mem:
            return {"type": "mmio", "base": mem, "irq": irq, "baud": baud, "tty": name}
    return {"type": "none"}


def load_topology(root):
    """/proc/cpuinfo: LAPIC id -> (package, core, thread), thread being the rank of
    the LAPIC id among its core's; {} when the file or a field is missing."""
    try:
        text = rd(os.path.join(root, "proc/cpuinfo"))
    except OSError:
        return {}
    cpus = []
    for block in text.split("\n\n"):
        f = dict((k.strip(), v.strip()) for k, _, v in (ln.partition(":") for ln in block.splitlines()))
        if "processor" not in f:
            continue
        try:
            cpus.append((int(f["apicid"]), int(f["physical id"]), int(f["core id"])))
        except (KeyError, ValueError):
            return {}
    out = {}
    for apic, pkg, core in cpus:
        rank = sorted(a for a, p, c in cpus if (p, c) == (pkg, core)).index(apic)
        out[apic] = (pkg, core, rank)
    return out


def cpu_xml(i, lapic, topo):
    t = topo.get(lapic)
    ids = ' package-id="%d" core-id="%d" thread-id="%d"' % t if t else ""
    return '    <cpu id="%d" lapic-id="%d"%s/>' % (i, lapic, ids)


def board_name(root, given):
    if given:
        return given
    for f in ("sys/class/dmi/id/board_name", "sys/class/dmi/id/product_name", "etc/hostname"):
        try:
            n = re.sub(r"[^A-Za-z0-9_.-]+", "-", rd(os.path.join(root, f)).strip()).strip("-.").lower()
        except OSError:
            continue
        if n:
            return n[:32]
    return "board"


def resolve_scope(bus, path, pci):
    """BDF a DMAR device scope names: follow bridges' secondary bus numbers along the path."""
    by_bdf = {d["bdf"]: d for d in pci}
    for dev, fn in path[:-1]:
        bridge = by_bdf.get((bus << 8) | (dev << 3) | fn)
        if bridge is None or bridge.get("secondary_bus") is None:
            return None
        bus = bridge["secondary_bus"]
    dev, fn = path[-1] if path else (0, 0)
    return (bus << 8) | (dev << 3) | fn


def gather(root="/", tables_dir=None, name=None):
    """Everything for the board XML; raises Rights listing what could not be read."""
    problems = []
    pci = load_pci(root, problems)
    entries = load_iomem(root, problems)
    tables = load_tables(root, tables_dir, problems)
    if problems:
        raise Rights("\n".join("  - " + p for p in problems))
    madt = acpi_tables.parse_madt(tables["APIC"])
    mcfg = acpi_tables.parse_mcfg(tables["MCFG"]) if "MCFG" in tables else []
    dmar = acpi_tables.parse_dmar(tables["DMAR"]) if "DMAR" in tables else None
    ecam = next(((b, s, e) for b, seg, s, e in mcfg if seg == 0), None) or iomem.ecam(entries)
    return {"name": board_name(root, name), "root": root, "madt": madt, "ecam": ecam, "dmar": dmar,
            "memory": iomem.memory_map(entries), "pci": [d for d in pci if d["bdf"] >> 16 == 0],
            "acpi": load_acpi_devices(root, entries), "console": load_console(root),
            "topology": load_topology(root),
            "tables": sorted(tables)}


# ---- writing ----

def h(n):
    return "0x%x" % n


def board_xml(info):
    L = ['<?xml version="1.0" encoding="UTF-8"?>',
         "<!--",
         "  Written by scripts/board-inspector on %s from %s:" % (datetime.date.today().isoformat(),
                                                                 "this machine" if info["root"] == "/"
                                                                 else info["root"]),
         "  sysfs PCI devices, /proc/iomem, ACPI tables %s, /sys/bus/acpi/devices." % ", ".join(info["tables"]),
         "  Review it before use: names and anything firmware got wrong are not checked.",
         "-->",
         "<board name=%s>" % quoteattr(info["name"]),
         "  <cpus>"]
    topo = info.get("topology", {})
    if not all(a in topo for a in info["madt"]["cpus"]):
        topo = {}       # all or none: genconfig warns that siblings go unchecked
    L += [cpu_xml(i, a, topo) for i, a in enumerate(info["madt"]["cpus"])]
    L += ["  </cpus>", "  <memory>"]
    L += ['    <region base="%s" size="%s" type="%s"/>' % (h(b), h(s), t) for b, s, t in info["memory"]]
    L.append("  </memory>")
    if info["madt"]["ioapics"]:
        L.append("  <ioapics>")
        L += ['    <ioapic id="%d" base="%s" gsi-base="%d"/>' % (i, h(b), g) for i, b, g in info["madt"]["ioapics"]]
        L.append("  </ioapics>")
    ecam = info["ecam"]
    L.append("  <pci%s>" % (' ecam-base="%s" ecam-start-bus="%d" ecam-end-bus="%d"' % (h(ecam[0]), ecam[1], ecam[2])
                            if ecam else ""))
    for d in info["pci"]:
        L += pci_xml(d)
    L.append("  </pci>")
    if info["acpi"]:
        L.append("  <acpi-devices>")
        for a in info["acpi"]:
            if a.get("uid_note"):
                L.append("    <!-- %s -->" % a["uid_note"])
            attrs = 'hid=%s%s%s' % (quoteattr(a["hid"]), " uid=%s" % quoteattr(a["uid"]) if a["uid"] else "",
                                    " name=%s" % quoteattr(a["path"]) if a["path"] else "")
            inner = ['      <mmio base="%s" size="%s"/>' % (h(b), h(s)) for b, s in a["mmio"]]
            inner += ['      <io base="%s" size="%s"/>' % (h(b), h(s)) for b, s in a["io"]]
            inner += ['      <irq num="%d"/>' % n for n in a["irqs"]]
            L += ["    <device %s>" % attrs] + inner + ["    </device>"]
        L.append("  </acpi-devices>")
    if info["dmar"] is not None:
        L += dmar_xml(info["dmar"], info["pci"])
    c = info["console"]
    if c["type"] == "none":
        L.append('  <console type="none"/>')
    else:
        L.append('  <console type="%s" base="%s" irq="%d" baud="%d"/>  <!-- %s -->'
                 % (c["type"], h(c["base"]), c["irq"], c["baud"], c["tty"]))
    L.append("</board>")
    return "\n".join(L) + "\n"


def pci_xml(d):
    name = d["driver"] and "driver %s" % d["driver"]
    L = ['    <device bdf="%s" vendor="0x%04x" device="0x%04x" class="0x%06x" revision="0x%02x"%s'
         % (fmt_bdf(d["bdf"]), d["vendor"], d["device"], d["class"], d["revision"],
            " name=%s" % quoteattr(name) if name else "")]
    inner = ['      <bar index="%d" type="%s" base="%s" size="%s"%s/>'
             % (b["index"], b["type"], h(b["base"]), h(b["size"]),
                ' prefetchable="true"' if b["prefetchable"] else "") for b in d["bars"]]
    if d["intx"]:
        inner.append('      <intx pin="%s" line="%d"/>' % ("ABCD"[d["intx"][0] - 1], d["intx"][1]))
    m = d["msi"]
    if m:
        inner.append('      <msi offset="0x%x" vectors="%d" addr64="%s" maskable="%s"/>'
                     % (m["offset"], m["vectors"], str(m["addr64"]).lower(), str(m["maskable"]).lower()))
    m = d["msix"]
    if m:
        inner.append('      <msix offset="0x%x" table-size="%d" table-bar="%d" table-offset="0x%x" '
                     'pba-bar="%d" pba-offset="0x%x"/>' % (m["offset"], m["table_size"], m["table_bar"],
                                                        m["table_offset"], m["pba_bar"], m["pba_offset"]))
    if inner:
        return [L[0] + ">"] + inner + ["    </device>"]
    return [L[0] + "/>"]


def scope_xml(s, pci, indent):
    typ, enum_id, bus, path = s
    bdf = resolve_scope(bus, path, pci)
    note = ""
    if bdf is None:
        bdf = (bus << 8) | ((path[-1][0] << 3 | path[-1][1]) if path else 0)
        note = "  <!-- path %s from bus %02x not resolved: a bridge is missing -->" % (path, bus)
    return '%s<scope type="%s" id="%d" bdf="%s"/>%s' % (indent, typ, enum_id, fmt_bdf(bdf), note)


def dmar_xml(dmar, pci):
    L = ['  <iommus address-width="%d" intr-remap="%s">' % (dmar["width"], str(dmar["intr_remap"]).lower())]
    for u in dmar["drhds"]:
        L.append('    <iommu base="%s" size="%s" segment="%d" include-pci-all="%s">'
                 % (h(u["base"]), h(u["size"]), u["segment"], str(bool(u["flags"] & 1)).lower()))
        L += [scope_xml(s, pci, "      ") for s in u["scopes"]]
        L.append("    </iommu>")
    for r in dmar["rmrrs"]:
        L.append('    <rmrr base="%s" size="%s" segment="%d">'
                 % (h(r["base"]), h(r["limit"] - r["base"] + 1), r["segment"]))
        L += [scope_xml(s, pci, "      ") for s in r["scopes"]]
        L.append("    </rmrr>")
    L.append("  </iommus>")
    return L


def validate(text, schema):
    """xmllint the output against board.xsd; returns its complaint or None."""
    if not shutil.which("xmllint"):
        return None
    proc = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", schema, "-"], input=text,
                          capture_output=True, text=True)
    return None if proc.returncode == 0 else proc.stderr.strip()


def main(argv=None):
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(prog="board-inspector", description=__doc__)
    p.add_argument("--out", "-o", help="board XML to write (default: stdout)")
    p.add_argument("--name", help="board name (default: DMI board name)")
    p.add_argument("--root", default="/", help="read sysfs/proc under this directory (saved trees)")
    p.add_argument("--tables", help="directory of binary ACPI tables (acpidump -b) instead of this machine's")
    p.add_argument("--schema", default=os.path.join(here, "config", "schema", "board.xsd"))
    p.add_argument("--save", metavar="DIR", help="copy what would be read into DIR (for --root/--tables)")
    a = p.parse_args(argv)
    try:
        info = gather(a.root, a.tables, a.name)
    except Rights as e:
        print("board-inspector: cannot read what a board description needs:\n%s\n"
              "board-inspector: run it as root (sudo scripts/board-inspector ...)" % e, file=sys.stderr)
        return EXIT_RIGHTS
    except acpi_tables.TableError as e:
        print("board-inspector: bad ACPI table: %s" % e, file=sys.stderr)
        return 1
    if a.save:
        from .inspector_save import save
        print("board-inspector: saved %d files under %s" % (save(a.root, a.save), a.save), file=sys.stderr)
    text = board_xml(info)
    bad = validate(text, a.schema)
    if bad:
        print("board-inspector: the board XML does not pass %s:\n%s" % (a.schema, bad), file=sys.stderr)
        return 1
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            f.write(text)
        os.replace(a.out + ".tmp", a.out)
        print("board-inspector: wrote %s (%d CPUs, %d PCI devices, %d ACPI devices, %s)"
              % (a.out, len(info["madt"]["cpus"]), len(info["pci"]), len(info["acpi"]),
                 "%d VT-d units" % len(info["dmar"]["drhds"]) if info["dmar"] else "no DMAR"), file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
