"""The board model: config/boards/NAME.xml read into plain objects (with lines)."""
from .xmltree import attr, parse_bdf, parse_bool, parse_num, parse_size, fmt_bdf, overlaps

MEM_TYPES = {"ram": 1, "reserved": 2, "acpi": 3, "nvs": 4}
BAR_TYPES = {"io": 1, "mem32": 2, "mem64": 3}
SCOPE_TYPES = {"endpoint": 1, "bridge": 2, "ioapic": 3, "hpet": 4, "namespace": 5}


class Obj:
    """A record with a source node (for file:line in messages)."""

    def __init__(self, node, **kw):
        self.node = node
        self.__dict__.update(kw)


class Board:
    def __init__(self, root):
        self.node = root
        self.path = root.path
        self.name = root.get("name")
        self.errors = []
        self.cpus = self._cpus(root.find("cpus"))
        self.mem = [Obj(r, base=attr(r, "base", parse_num), size=attr(r, "size", parse_size),
                        type=r.get("type")) for r in root.find("memory").findall("region")]
        io = root.find("ioapics")
        self.ioapics = [Obj(n, id=attr(n, "id", parse_num), base=attr(n, "base", parse_num),
                            gsi_base=attr(n, "gsi-base", parse_num))
                        for n in (io.findall("ioapic") if io is not None else [])]
        pci = root.find("pci")
        self.ecam_base = attr(pci, "ecam-base", parse_num, 0) if pci is not None else 0
        self.ecam_start = attr(pci, "ecam-start-bus", parse_num, 0) if pci is not None else 0
        self.ecam_end = attr(pci, "ecam-end-bus", parse_num, 255 if self.ecam_base else 0) \
            if pci is not None else 0
        self.pci = [self._pci_dev(d) for d in (pci.findall("device") if pci is not None else [])]
        acpi = root.find("acpi-devices")
        self.acpi = [self._acpi_dev(d) for d in (acpi.findall("device") if acpi is not None else [])]
        iom = root.find("iommus")
        self.iommu_width = attr(iom, "address-width", parse_num, 0) if iom is not None else 0
        self.iommu_intr_remap = attr(iom, "intr-remap", parse_bool, False) if iom is not None else False
        self.iommus = [Obj(n, base=attr(n, "base", parse_num), size=attr(n, "size", parse_size, 0x1000),
                           segment=attr(n, "segment", parse_num, 0),
                           include_all=attr(n, "include-pci-all", parse_bool, False),
                           scopes=self._scopes(n))
                       for n in (iom.findall("iommu") if iom is not None else [])]
        self.rmrrs = [Obj(n, base=attr(n, "base", parse_num), size=attr(n, "size", parse_size),
                          segment=attr(n, "segment", parse_num, 0), scopes=self._scopes(n))
                      for n in (iom.findall("rmrr") if iom is not None else [])]
        self.console = self._console(root.find("console"))
        self._check()

    # ---- readers ----

    def _cpus(self, node):
        cpus = []
        for i, c in enumerate(node.findall("cpu")):
            cid = attr(c, "id", parse_num)
            if cid != i:
                self.errors.append(c.error("board CPU %d: id must be %d (CPUs are listed in MADT "
                                           "order and numbered from 0)" % (cid, i)))
            core, thread = attr(c, "core-id", parse_num, None), attr(c, "thread-id", parse_num, None)
            if (core is None) != (thread is None):
                self.errors.append(c.error("board CPU %d: give core-id and thread-id together" % cid))
            cpus.append(Obj(c, id=cid, lapic_id=attr(c, "lapic-id", parse_num),
                            package=attr(c, "package-id", parse_num, 0), core=core, thread=thread))
        known = [c for c in cpus if c.core is not None]
        if known and len(known) != len(cpus):
            c = next(c for c in cpus if c.core is None)
            self.errors.append(c.node.error("board CPU %d: no core-id/thread-id, but other CPUs have "
                                            "them: give them on every CPU or on none" % c.id))
        seen = {}
        for c in known:
            key = (c.package, c.core, c.thread)
            if key in seen:
                self.errors.append(c.node.error("board CPU %d: package %d core %d thread %d is CPU %d's "
                                                "too" % ((c.id,) + key + (seen[key],))))
            seen.setdefault(key, c.id)
        self.topology = bool(cpus) and len(known) == len(cpus)
        self.cpus_node = node
        return cpus

    def _pci_dev(self, d):
        bdf = attr(d, "bdf", parse_bdf)
        bars = [None] * 6
        for b in d.findall("bar"):
            i = int(b.get("index"))
            if bars[i] is not None:
                self.errors.append(b.error("PCI device %s: BAR %d listed twice" % (fmt_bdf(bdf), i)))
            bars[i] = Obj(b, index=i, type=b.get("type"), base=attr(b, "base", parse_num),
                          size=attr(b, "size", parse_size),
                          prefetchable=attr(b, "prefetchable", parse_bool, False))
        intx = d.find("intx")
        msi = d.find("msi")
        msix = d.find("msix")
        return Obj(d, bdf=bdf & 0xFFFF, segment=bdf >> 16, vendor=attr(d, "vendor", parse_num),
                   device=attr(d, "device", parse_num), class_code=attr(d, "class", parse_num),
                   revision=attr(d, "revision", parse_num, 0), name=d.get("name"), bars=bars,
                   intx_pin=" ABCD".index(intx.get("pin")) if intx is not None else 0,
                   intx_line=attr(intx, "line", parse_num, 0xFF) if intx is not None else 0xFF,
                   msi=None if msi is None else Obj(
                       msi, cap=attr(msi, "offset", parse_num, 0), vectors=attr(msi, "vectors", parse_num, 1),
                       addr64=attr(msi, "addr64", parse_bool, False),
                       maskable=attr(msi, "maskable", parse_bool, False)),
                   msix=None if msix is None else Obj(
                       msix, cap=attr(msix, "offset", parse_num, 0),
                       table_size=attr(msix, "table-size", parse_num),
                       table_bar=attr(msix, "table-bar", parse_num),
                       table_offset=attr(msix, "table-offset", parse_num),
                       pba_bar=attr(msix, "pba-bar", parse_num),
                       pba_offset=attr(msix, "pba-offset", parse_num)))

    def _acpi_dev(self, d):
        return Obj(d, hid=d.get("hid"), uid=d.get("uid"), name=d.get("name"),
                   mmio=[(attr(r, "base", parse_num), attr(r, "size", parse_size)) for r in d.findall("mmio")],
                   io=[(attr(r, "base", parse_num), attr(r, "size", parse_size)) for r in d.findall("io")],
                   irqs=[attr(r, "num", parse_num) for r in d.findall("irq")])

    def _scopes(self, node):
        return [Obj(s, type=s.get("type"), bdf=attr(s, "bdf", parse_bdf) & 0xFFFF,
                    enum_id=attr(s, "id", parse_num, 0)) for s in node.findall("scope")]

    def _console(self, c):
        if c is None:
            return Obj(None, type="none", base=0, irq=0, baud=0, bdf=None)
        bdf = attr(c, "bdf", parse_bdf)
        con = Obj(c, type=c.get("type"), base=attr(c, "base", parse_num, 0), irq=attr(c, "irq", parse_num, 0),
                  baud=attr(c, "baud", parse_num, 115200), bdf=None if bdf is None else bdf & 0xFFFF)
        if con.type != "none" and c.get("base") is None:
            self.errors.append(c.error("board console of type %s needs base=" % con.type))
        return con

    # ---- consistency of the board itself ----

    def _check(self):
        seen = {}
        for d in self.pci:
            key = (d.segment, d.bdf)
            if key in seen:
                self.errors.append(d.node.error("PCI device %s listed twice (first at line %d)"
                                                % (fmt_bdf(d.bdf), seen[key].node.line)))
            seen[key] = d
            for b in d.bars:
                if b is None:
                    continue
                if b.size == 0 or b.size & (b.size - 1):
                    self.errors.append(b.node.error("PCI device %s BAR %d: size 0x%x is not a power of two"
                                                    % (fmt_bdf(d.bdf), b.index, b.size)))
                if b.type == "mem64" and (b.index == 5 or d.bars[b.index + 1] is not None):
                    self.errors.append(b.node.error("PCI device %s BAR %d: a 64-bit BAR needs BAR %d free "
                                                    "for its upper half" % (fmt_bdf(d.bdf), b.index,
                                                                           b.index + 1)))
            if d.msix is not None:
                for which in ("table_bar", "pba_bar"):
                    i = getattr(d.msix, which)
                    if i > 5 or d.bars[i] is None or d.bars[i].type == "io":
                        self.errors.append(d.msix.node.error(
                            "PCI device %s: MSI-X %s BAR %d is not a memory BAR of the device"
                            % (fmt_bdf(d.bdf), which.split("_")[0], i)))
        ids = {}
        for d in self.acpi:
            key = (d.hid, d.uid)
            if key in ids:
                self.errors.append(d.node.error("ACPI device %s listed twice (first at line %d)"
                                                % (acpi_name(d), ids[key].node.line)))
            ids[key] = d
        for i, a in enumerate(self.mem):
            for b in self.mem[i + 1:]:
                if overlaps(a.base, a.size, b.base, b.size):
                    self.errors.append(b.node.error("memory region 0x%x+0x%x overlaps the one at line %d"
                                                    % (b.base, b.size, a.node.line)))

    # ---- queries ----

    def ram(self):
        return [r for r in self.mem if r.type == "ram"]

    def pci_dev(self, bdf):
        for d in self.pci:
            if d.bdf == bdf:
                return d
        return None

    def acpi_matches(self, hid, uid):
        return [d for d in self.acpi if d.hid == hid and (uid is None or d.uid == uid)]


def acpi_name(d):
    return "%s%s" % (d.hid, ":" + d.uid if d.uid is not None else "")


def load(root):
    if root.tag != "board":
        raise root.error("expected a <board> document, found <%s>" % root.tag)
    return Board(root)
