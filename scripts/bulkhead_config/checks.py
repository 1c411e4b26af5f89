"""Cross-checks of a scenario against its board, and the resolved configuration
the emitters write out. Every problem is a ConfigError naming file, line and item."""
from .board import acpi_name
from .scenario import describe
from .xmltree import ConfigError, fmt_bdf, fmt_range, overlaps

PAGE = 0x1000
ALLOC_ALIGN = 0x200000
# Size-only memory goes first-fit at or above 64 MiB, 2 MiB aligned: below that sit the
# hypervisor (16 MiB up) and the boot modules GRUB loads after it.
ALLOC_FLOOR = 0x4000000
# PCI-to-PCI (0x0604), CardBus (0x0607) and semi-transparent PCI-to-PCI (0x0609) bridges
BRIDGE_CLASSES = (0x0604, 0x0607, 0x0609)

# Guest-physical addresses where every VM has virtual devices of its own (include/vm_layout.h):
# no RAM may sit there. (vACPI's 0xE0000-0xFFFFF is not here: the tables are built in the
# VM's own RAM, which must cover it.)
VM_DEVICE_AREAS = [
    (0xC0000000, 0x20000000, "its PCI BAR window 0xc0000000-0xdfffffff"),
    (0xE0000000, 0x100000, "its virtual ECAM (bus 0) at 0xe0000000"),
    (0xFEC00000, 0x1000, "its virtual IOAPIC at 0xfec00000"),
    (0xFEE00000, 0x1000, "its virtual LAPIC at 0xfee00000"),
]
HOST_LAPIC = 0xFEE00000


def host_owned(board):
    """Host-physical ranges the hypervisor owns (include/vm_layout.h): no VM may be given them."""
    areas = [(HOST_LAPIC, PAGE, "the host LAPIC page")]
    for io in board.ioapics:
        areas.append((io.base, PAGE, "the registers of IOAPIC %d" % io.id))
    for u in board.iommus:
        areas.append((u.base, u.size, "the registers of the VT-d unit at 0x%x" % u.base))
    if board.ecam_base:
        lo = board.ecam_base + (board.ecam_start << 20)
        areas.append((lo, (board.ecam_end - board.ecam_start + 1) << 20, "the host ECAM window"))
    return areas


class Limits:
    def __init__(self, max_vms=8, max_cpus=16, max_mem_ranges=4, msi_vectors=128):
        self.max_vms, self.max_cpus, self.max_mem_ranges = max_vms, max_cpus, max_mem_ranges
        self.msi_vectors = msi_vectors      # IRQ_MSI_COUNT: the host vectors passthrough MSIs share
        # HV_LOAD_ADDR and the linker script it came from (genconfig.read_limits); None: unchecked
        self.hv_link_addr, self.hv_link_src = None, None


class RVM:
    """A VM as the emitters see it: everything resolved to numbers and board indices."""

    def __init__(self, vm):
        self.src = vm
        self.name, self.kind = vm.name, vm.kind
        self.cpus = 0
        self.mem = []            # (gpa, hpa, size)
        self.template_mem = 0
        self.pci = []            # (pbdf, vbdf, board index)
        self.mmio = []           # (gpa, hpa, size, acpi board index or None)
        self.kernel_type = vm.kernel.type if vm.kernel else "elf"
        self.kernel_tag = vm.kernel.tag if vm.kernel else None
        self.initrd_tag = vm.initrd.tag if vm.initrd else None
        self.bootargs = vm.bootargs
        self.flags = sorted({f.name for f in vm.flags})
        self.console = vm.console
        self.msi_vectors = 0     # its share of the host MSI vectors


class Resolved:
    def __init__(self, board, scen):
        self.board, self.scen = board, scen
        self.vms = []
        self.modules = []        # (file, tag)
        self.warnings = []       # "FILE:LINE: warning: ..." lines: generated anyway


class Checker:
    def __init__(self, board, scen, limits, build_dir="build"):
        self.b, self.s, self.lim, self.build_dir = board, scen, limits, build_dir
        self.errors = list(board.errors)
        self.r = Resolved(board, scen)
        self.r.vms = [RVM(v) for v in scen.vms]

    def warn(self, node, msg):
        self.r.warnings.append("%s:%s: warning: %s" % (node.path, node.line or "?", msg))

    def err(self, node, msg):
        self.errors.append(ConfigError(node.path, node.line, msg) if node is not None
                           else ConfigError(self.s.path, None, msg))

    def run(self):
        self.check_header()
        self.check_vms()
        self.check_cpus()
        self.check_smt()
        self.check_msi()
        self.check_memory()
        self.check_pci()
        self.check_acpi_mmio()
        self.check_modules()
        self.errors.sort(key=lambda e: (e.path != self.s.path, e.path, e.line or 0))
        return self.errors, self.r

    # ---- scenario as a whole ----

    def check_header(self):
        if self.s.board != self.b.name:
            self.err(self.s.node, "scenario '%s' is for board '%s', but the board file describes '%s'"
                     % (self.s.name, self.s.board, self.b.name))
        hv = self.s.hv_mem
        if hv.size == 0 or hv.base % ALLOC_ALIGN or hv.size % ALLOC_ALIGN:
            self.err(hv.node, "hypervisor memory 0x%x+0x%x must be 2 MiB aligned and not empty"
                     % (hv.base, hv.size))
        link = self.lim.hv_link_addr
        if link is not None and hv.base != link:
            self.err(hv.node, "hypervisor memory base 0x%x must be 0x%x, the image's link address "
                     "(HV_LOAD_ADDR in %s): the hypervisor runs where it is linked, whatever base "
                     "the scenario gives" % (hv.base, link, self.lim.hv_link_src))
        if not self.in_ram(hv.base, hv.size):
            self.err(hv.node, "hypervisor memory %s is not inside one RAM region of board '%s'%s"
                     % (fmt_range(hv.base, hv.size), self.b.name, self.ram_hint()))

    def check_vms(self):
        vms = self.s.vms
        if len(vms) > self.lim.max_vms:
            self.err(vms[self.lim.max_vms].node, "%s: more than CONFIG_MAX_VMS (%d) VMs"
                     % (describe(vms[self.lim.max_vms]), self.lim.max_vms))
        names, service = {}, None
        for v in vms:
            if v.name in names:
                self.err(v.node, "%s: name already used by the VM at line %d"
                         % (describe(v), names[v.name].node.line))
            names.setdefault(v.name, v)
            if v.kind == "service":
                if service is not None:
                    self.err(v.node, "%s: a second Service VM (the first is '%s' at line %d)"
                             % (describe(v), service.name, service.node.line))
                else:
                    service = v
            if v.kind != "post-launched":
                if v.kernel is None:
                    self.err(v.node, "%s: needs a <kernel>" % describe(v))
                if v.mem is None:
                    self.err(v.node, "%s: needs a <memory>" % describe(v))
                if not v.cpus:
                    self.err(v.node, "%s: needs at least one <cpu>" % describe(v))
            elif service is None and not any(x.kind == "service" for x in vms):
                self.err(v.node, "%s: post-launched VMs need a Service VM to launch them" % describe(v))
            if v.kind == "service" and v.pci:
                self.err(v.pci[0].node, "%s: the Service VM owns every PCI device that no pre-launched "
                         "VM has; it takes no <pci-device> list" % describe(v))
            if v.kind == "service" and v.acpi:
                self.err(v.acpi[0].node, "%s: the Service VM owns every ACPI device that no pre-launched "
                         "VM has; it takes no <acpi-device> list" % describe(v))
            seen = set()
            for f in v.flags:
                if f.name in seen:
                    self.err(f.node, "%s: flag '%s' given twice" % (describe(v), f.name))
                seen.add(f.name)
        self.service = service

    # ---- CPUs ----

    def check_cpus(self):
        owner = {}   # cpu id -> (vm, node) among pre-launched and service VMs
        ncpu = len(self.b.cpus)
        for rv in self.r.vms:
            v = rv.src
            for c in v.cpus:
                if c.id >= ncpu:
                    self.err(c.node, "%s: CPU %d is not on board '%s' (it has %d CPUs: 0-%d)"
                             % (describe(v), c.id, self.b.name, ncpu, ncpu - 1))
                    continue
                if c.id >= self.lim.max_cpus:
                    self.err(c.node, "%s: CPU %d is beyond CONFIG_MAX_CPUS (%d)"
                             % (describe(v), c.id, self.lim.max_cpus))
                    continue
                if rv.cpus & (1 << c.id):
                    self.err(c.node, "%s: CPU %d listed twice" % (describe(v), c.id))
                    continue
                rv.cpus |= 1 << c.id
        for kind_pass in ("pre-launched", "service", "post-launched"):
            for rv in self.r.vms:
                v = rv.src
                if v.kind != kind_pass:
                    continue
                for c in v.cpus:
                    if c.id >= ncpu or c.id >= self.lim.max_cpus:
                        continue
                    prev = owner.get(c.id)
                    if prev is None:
                        if v.kind != "post-launched":
                            owner[c.id] = (v, c.node)
                        continue
                    pv, pnode = prev
                    if pv is v:
                        continue
                    if pv.kind == "pre-launched" or v.kind == "pre-launched":
                        self.err(c.node, "%s: CPU %d is already given to %s (line %d); CPUs are not "
                                 "shared with pre-launched VMs" % (describe(v), c.id, describe(pv), pnode.line))
                    elif v.kind == "service":
                        self.err(c.node, "%s: CPU %d is already given to %s (line %d)"
                                 % (describe(v), c.id, describe(pv), pnode.line))

    def check_smt(self):
        """Hyperthread siblings share the core's L1D and branch predictors: what one
        thread's guest leaves there the other's can sample (L1TF, MDS, BTB), and
        no flush on VM entry covers a sibling running at the same time. So every
        thread of a core that runs VMs at all must run the same ones."""
        users = {}   # cpu id -> {vm name: scenario <cpu> node}
        for rv in self.r.vms:
            for c in rv.src.cpus:
                if c.id < len(self.b.cpus):
                    users.setdefault(c.id, {})[rv.name] = c.node
        if not self.b.topology:
            if len({n for u in users.values() for n in u}) > 1:
                self.warn(self.b.cpus_node, "board '%s' gives no core-id/thread-id for its CPUs: whether "
                          "hyperthread siblings run different VMs is not checked" % self.b.name)
            return
        cores = {}
        for c in self.b.cpus:
            if c.id in users:
                cores.setdefault((c.package, c.core), []).append(c)
        for (pkg, core), threads in sorted(cores.items()):
            first = threads[0]
            for t in threads[1:]:
                a, b = users[first.id], users[t.id]
                if set(a) == set(b):
                    continue
                # name a VM on one thread and not on the other, at its <cpu> line
                extra = sorted(set(b) - set(a))
                cpu, other, name = (t, first, extra[0]) if extra else (first, t, sorted(set(a) - set(b))[0])
                others = ", ".join("'%s'" % n for n in sorted(users[other.id]))
                self.err(users[cpu.id][name], "VM '%s': CPU %d is a hyperthread sibling of CPU %d "
                         "(package %d, core %d), which runs VM %s: sibling threads share the core's L1D "
                         "and branch predictors, so they must run the same VMs (or one stays unused)"
                         % (name, cpu.id, other.id, pkg, core, others))

    # ---- host MSI vectors ----

    def check_msi(self):
        """Each VM that can have PCI devices gets a share of the host MSI vectors, so one
        that unmasks every MSI-X entry it has cannot leave another without: a template
        counts once per CPU (one VM may run on each), the shares add up to at most the
        pool, and what the explicit ones leave is split evenly among the others."""
        pool = self.lim.msi_vectors
        claims, asked, fixed = [], 0, 0
        for rv in self.r.vms:
            v = rv.src
            weight = max(bin(rv.cpus).count("1"), 1) if v.kind == "post-launched" else 1
            if v.msi is not None:
                if v.msi.n < 1 or v.msi.n > pool:
                    self.err(v.msi.node, "%s: msi-vectors %d: give 1-%d (the host's MSI vectors)"
                             % (describe(v), v.msi.n, pool))
                    continue
                rv.msi_vectors = v.msi.n
                fixed += v.msi.n * weight
                if fixed > pool:
                    self.err(v.msi.node, "%s: msi-vectors %d%s: the shares come to %d, more than the "
                             "%d host MSI vectors" % (describe(v), v.msi.n, "" if weight == 1 else
                                                       " for each of its %d CPUs" % weight, fixed, pool))
            elif v.kind != "pre-launched" or v.pci:
                claims.append((rv, weight))
                asked += weight
        if not claims or fixed > pool:
            return
        share = (pool - fixed) // asked
        for rv, _w in claims:
            rv.msi_vectors = share
            if not share:
                self.err(rv.src.node, "%s: no host MSI vectors left for it: the msi-vectors given take "
                         "%d of %d" % (describe(rv.src), fixed, pool))

    # ---- memory ----

    def in_ram(self, base, size):
        return any(base >= r.base and base + size <= r.base + r.size for r in self.b.ram())

    def ram_hint(self):
        return " (RAM: %s)" % ", ".join(fmt_range(r.base, r.size) for r in self.b.ram())

    def check_memory(self):
        hv = self.s.hv_mem
        used = [(hv.base, hv.size, "the hypervisor's memory", hv.node)]
        pending, identity = [], []
        for rv in self.r.vms:
            v = rv.src
            m = v.mem
            if m is None:
                continue
            if v.kind == "post-launched":
                if m.ranges or m.hpa is not None or m.size is None:
                    self.err(m.node, "%s: memory comes from the Service VM at launch: give size= only"
                             % describe(v))
                else:
                    rv.template_mem = m.size
                continue
            if m.identity:
                if v.kind != "service":
                    self.err(m.node, "%s: identity memory is for the Service VM only" % describe(v))
                elif m.ranges or m.size is not None or m.hpa is not None:
                    self.err(m.node, "%s: identity memory takes no size=, hpa= or <range>"
                             % describe(v))
                else:
                    identity.append(rv)
                continue
            if m.ranges and (m.size is not None or m.hpa is not None):
                self.err(m.node, "%s: <memory> takes either size= (and hpa=) or <range> elements, not both"
                         % describe(v))
                continue
            if not m.ranges and m.size is None:
                self.err(m.node, "%s: <memory> needs size= or <range> elements" % describe(v))
                continue
            ranges = [(r.gpa, r.hpa, r.size, r.node) for r in m.ranges]
            if m.size is not None and m.hpa is not None:
                ranges = [(0, m.hpa, m.size, m.node)]
            if len(ranges) > self.lim.max_mem_ranges:
                self.err(ranges[self.lim.max_mem_ranges][3], "%s: more than CONFIG_MAX_MEM_RANGES (%d) "
                         "memory ranges" % (describe(v), self.lim.max_mem_ranges))
                continue
            if not ranges:
                pending.append(rv)
                continue
            for i, (gpa, hpa, size, node) in enumerate(ranges):
                item = "%s: memory %s (gpa 0x%x)" % (describe(v), fmt_range(hpa, size), gpa)
                if size == 0 or gpa % PAGE or hpa % PAGE or size % PAGE:
                    self.err(node, "%s: gpa, hpa and size must be 4 KiB aligned and size nonzero" % item)
                    continue
                if not self.in_ram(hpa, size):
                    self.err(node, "%s does not fit in the RAM of board '%s'%s" % (item, self.b.name,
                                                                                  self.ram_hint()))
                for (ub, us, what, unode) in used:
                    if overlaps(hpa, size, ub, us):
                        self.err(node, "%s overlaps %s %s (line %d)"
                                 % (item, what, fmt_range(ub, us), unode.line))
                for (g2, _h2, s2, n2) in ranges[:i]:
                    if overlaps(gpa, size, g2, s2):
                        self.err(node, "%s: guest range overlaps the one at line %d" % (item, n2.line))
                self.check_ram_gpa(item, gpa, size, node)
                rv.mem.append((gpa, hpa, size))
            for (gpa, hpa, size) in rv.mem:
                used.append((hpa, size, "the memory of %s" % describe(v), m.node))
        for rv in pending:
            self.allocate(rv, used)
        for rv in identity:
            self.identity_map(rv, used)

    def check_ram_gpa(self, item, gpa, size, node):
        for (base, asize, what) in VM_DEVICE_AREAS:
            if overlaps(gpa, size, base, asize):
                self.err(node, "%s: guest range %s overlaps %s: RAM cannot sit where the VM's own "
                         "devices are" % (item, fmt_range(gpa, size), what))

    def identity_map(self, rv, used):
        """The Service VM: every piece of board RAM nobody else uses, at gpa = hpa."""
        v = rv.src
        rv.flags = sorted(set(rv.flags) | {"identity-mem"})
        holes = used + [(b, sz, w, None) for (b, sz, w) in VM_DEVICE_AREAS]
        for r in sorted(self.b.ram(), key=lambda r: r.base):
            pieces = [(r.base, r.base + r.size)]
            for (ub, us, _w, _n) in holes:
                cut = []
                for (lo, hi) in pieces:
                    if ub + us <= lo or ub >= hi:
                        cut.append((lo, hi))
                        continue
                    if lo < ub:
                        cut.append((lo, ub))
                    if ub + us < hi:
                        cut.append((ub + us, hi))
                pieces = cut
            for (lo, hi) in pieces:
                lo, hi = (lo + PAGE - 1) & ~(PAGE - 1), hi & ~(PAGE - 1)
                if hi > lo:
                    rv.mem.append((lo, lo, hi - lo))
        if not rv.mem:
            self.err(v.mem.node, "%s: no board RAM is left for its identity memory" % describe(v))
        elif len(rv.mem) > self.lim.max_mem_ranges:
            self.err(v.mem.node, "%s: its identity memory is %d ranges, more than "
                     "CONFIG_MAX_MEM_RANGES (%d)" % (describe(v), len(rv.mem), self.lim.max_mem_ranges))

    def allocate(self, rv, used):
        v, size = rv.src, rv.src.mem.size
        if size == 0 or size % PAGE:
            self.err(v.mem.node, "%s: memory size 0x%x must be a nonzero multiple of 4 KiB"
                     % (describe(v), size))
            return
        for r in sorted(self.b.ram(), key=lambda r: r.base):
            cand = max(r.base, ALLOC_FLOOR)
            cand = (cand + ALLOC_ALIGN - 1) & ~(ALLOC_ALIGN - 1)
            while cand + size <= r.base + r.size:
                clash = [ub + us for (ub, us, _w, _n) in used if overlaps(cand, size, ub, us)]
                if not clash:
                    self.check_ram_gpa("%s: memory (gpa 0x0, size 0x%x)" % (describe(v), size), 0, size,
                                       v.mem.node)
                    rv.mem.append((0, cand, size))
                    used.append((cand, size, "the memory of %s" % describe(v), v.mem.node))
                    return
                cand = (max(clash) + ALLOC_ALIGN - 1) & ~(ALLOC_ALIGN - 1)
        self.err(v.mem.node, "%s: memory of 0x%x bytes does not fit in the free RAM of board '%s'%s"
                 % (describe(v), size, self.b.name, self.ram_hint()))

    # ---- PCI, ACPI devices and raw MMIO ----

    def by_kind(self):
        """VMs with pre-launched ones first: they own what they name, templates come after."""
        order = {"pre-launched": 0, "service": 1, "post-launched": 2}
        return sorted(self.r.vms, key=lambda rv: order[rv.kind])

    def claim(self, owner, key, v, node, item):
        """Record that v takes key; False (with the error) when it cannot."""
        prev = owner.get(key)
        if prev is not None:
            pv, pnode = prev
            if v.kind == "post-launched" and pv.kind == "pre-launched":
                self.err(node, "%s is not owned by the Service VM: it is given to %s (line %d)"
                         % (item, describe(pv), pnode.line))
            else:
                where = "this VM" if pv is v else describe(pv)
                self.err(node, "%s is already given to %s (line %d)" % (item, where, pnode.line))
            return False
        if v.kind == "post-launched" and self.service is None:
            self.err(node, "%s is not owned by a Service VM (the scenario has none)" % item)
            return False
        owner[key] = (v, node)
        return True

    def check_pci(self):
        owner = {}     # pbdf -> (vm, node): pre-launched VMs and post-launched templates
        console_bdf = self.b.console.bdf
        for rv in self.by_kind():
            v = rv.src
            vbdfs = {}
            for p in v.pci:
                dev = self.b.pci_dev(p.bdf)
                item = "%s: PCI device %s" % (describe(v), fmt_bdf(p.bdf))
                if dev is None:
                    self.err(p.node, "%s is not on board '%s'" % (item, self.b.name))
                    continue
                vbdf = p.vbdf if p.vbdf is not None else p.bdf
                if vbdf in vbdfs:
                    self.err(p.node, "%s: virtual BDF %s is already used in this VM by device %s (line %d)"
                             % (item, fmt_bdf(vbdf), fmt_bdf(vbdfs[vbdf][0]), vbdfs[vbdf][1].line))
                    continue
                vbdfs[vbdf] = (p.bdf, p.node)
                if console_bdf is not None and p.bdf == console_bdf:
                    self.err(p.node, "%s is the hypervisor's console UART" % item)
                    continue
                if dev.class_code >> 8 in BRIDGE_CLASSES:
                    self.err(p.node, "%s is a PCI bridge: bridges stay with the Service VM (give the "
                                     "devices behind it instead)" % item)
                    continue
                if v.kind == "pre-launched" and vbdf >> 8:
                    self.err(p.node, "%s: virtual BDF %s is not on bus 0, the VM's only bus (give vbdf=)"
                             % (item, fmt_bdf(vbdf)))
                    continue
                if self.claim(owner, p.bdf, v, p.node, item):
                    rv.pci.append((p.bdf, vbdf, self.b.pci.index(dev)))
        for rv in self.r.vms:
            rv.pci.sort(key=lambda t: t[1])
        if self.service is not None:
            rsv = self.r.vms[self.s.vms.index(self.service)]
            taken = {b for b, (pv, _n) in owner.items() if pv.kind == "pre-launched"}
            for i, dev in enumerate(self.b.pci):
                if dev.bdf not in taken and dev.bdf != console_bdf:
                    rsv.pci.append((dev.bdf, dev.bdf, i))

    def check_acpi_mmio(self):
        owner = {}      # board acpi index -> (vm, node)
        ranges = []     # (base, size, vm, what, node): MMIO that one VM gets for itself
        for rv in self.by_kind():
            v = rv.src
            for a in v.acpi:
                item = "%s: ACPI device %s" % (describe(v), a.hid + (":" + a.uid if a.uid else ""))
                found = self.b.acpi_matches(a.hid, a.uid)
                if not found:
                    self.err(a.node, "%s is not on board '%s'" % (item, self.b.name))
                    continue
                if len(found) > 1:
                    self.err(a.node, "%s: board '%s' has %d devices with that HID (UIDs %s): give uid="
                             % (item, self.b.name, len(found), ", ".join(str(d.uid) for d in found)))
                    continue
                idx = self.b.acpi.index(found[0])
                if not self.claim(owner, idx, v, a.node, item):
                    continue
                for (base, size) in found[0].mmio:
                    if any(overlaps(base, size, g, sz) for (g, _h, sz) in rv.mem):
                        self.err(a.node, "%s: its MMIO %s overlaps the VM's own RAM"
                                 % (item, fmt_range(base, size)))
                        continue
                    rv.mmio.append((base, base, size, idx))
                    if v.kind == "pre-launched":
                        ranges.append((base, size, v, "ACPI device %s" % acpi_name(found[0]), a.node))
            for m in v.mmio:
                item = "%s: MMIO region %s" % (describe(v), fmt_range(m.hpa, m.size))
                if m.size == 0 or m.hpa % PAGE or m.size % PAGE or (m.gpa or 0) % PAGE:
                    self.err(m.node, "%s: hpa, gpa and size must be 4 KiB aligned and size nonzero" % item)
                    continue
                if v.kind == "post-launched":
                    self.err(m.node, "%s: post-launched templates take devices, not raw regions" % item)
                    continue
                bad = False
                for r in self.b.ram():
                    if overlaps(m.hpa, m.size, r.base, r.size):
                        self.err(m.node, "%s overlaps board RAM %s (line %d)"
                                 % (item, fmt_range(r.base, r.size), r.node.line))
                        bad = True
                for (base, asize, what) in host_owned(self.b):
                    if overlaps(m.hpa, m.size, base, asize):
                        self.err(m.node, "%s overlaps %s %s: the hypervisor owns it"
                                 % (item, what, fmt_range(base, asize)))
                        bad = True
                hv = self.s.hv_mem
                if overlaps(m.hpa, m.size, hv.base, hv.size):
                    self.err(m.node, "%s overlaps the hypervisor's memory (line %d)" % (item, hv.node.line))
                    bad = True
                gpa = m.hpa if m.gpa is None else m.gpa
                for (rgpa, _rhpa, rsize) in rv.mem:
                    if overlaps(gpa, m.size, rgpa, rsize):
                        self.err(m.node, "%s at GPA %s overlaps the VM's own RAM (GPA %s)"
                                 % (item, fmt_range(gpa, m.size), fmt_range(rgpa, rsize)))
                        bad = True
                if not bad:
                    rv.mmio.append((gpa, m.hpa, m.size, None))
                    ranges.append((m.hpa, m.size, v, "MMIO region", m.node))
            if v.kind == "pre-launched":
                for (pbdf, _vb, idx) in rv.pci:
                    for bar in self.b.pci[idx].bars:
                        if bar is not None and bar.type != "io":
                            ranges.append((bar.base, bar.size, v, "BAR %d of PCI device %s"
                                           % (bar.index, fmt_bdf(pbdf)), None))
        # The Service VM's raw regions count too: it must not take what a pre-launched VM has.
        for i, (b1, s1, v1, w1, n1) in enumerate(ranges):
            for (b2, s2, v2, w2, n2) in ranges[:i]:
                if v1 is v2 or not overlaps(b1, s1, b2, s2):
                    continue
                self.err(n1 or n2, "%s: %s %s overlaps %s %s of %s: an MMIO range given to two VMs"
                         % (describe(v1) if n1 else describe(v2), w1 if n1 else w2,
                            fmt_range(b1, s1) if n1 else fmt_range(b2, s2), w2 if n1 else w1,
                            fmt_range(b2, s2) if n1 else fmt_range(b1, s1), describe(v2) if n1 else describe(v1)))
        if self.service is not None:
            rsv = self.r.vms[self.s.vms.index(self.service)]
            taken = {i for i, (pv, _n) in owner.items() if pv.kind == "pre-launched"}
            for i, dev in enumerate(self.b.acpi):
                if i not in taken:
                    for (base, size) in dev.mmio:
                        rsv.mmio.append((base, base, size, i))

    # ---- boot modules ----

    def check_modules(self):
        files = {}      # tag -> (file, node)
        order = []

        def offer(tag, f, node):
            f = f.replace("${BUILD}", self.build_dir)
            prev = files.get(tag)
            if prev is None:
                files[tag] = (f, node)
                order.append(tag)
            elif prev[0] != f:
                self.err(node, "module tag '%s' names file %s, but line %d gave it %s"
                         % (tag, f, prev[1].line, prev[0]))

        for rv in self.r.vms:
            v = rv.src
            for part in (v.kernel, v.initrd):
                if part is not None and part.file:
                    offer(part.tag, part.file, part.node)
        for m in self.s.modules:
            offer(m.tag, m.file, m.node)
        for rv in self.r.vms:
            v = rv.src
            for what, part in (("kernel", v.kernel), ("initrd", v.initrd)):
                if part is not None and part.tag not in files:
                    self.err(part.node, "%s: %s tag '%s' has no module: give file= or a hypervisor "
                             "<module tag=\"%s\">" % (describe(v), what, part.tag, part.tag))
        self.r.modules = [(files[t][0], t) for t in order]


def check(board, scen, limits, build_dir="build"):
    return Checker(board, scen, limits, build_dir).run()
