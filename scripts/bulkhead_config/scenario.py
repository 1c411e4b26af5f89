"""The scenario model: config/scenarios/NAME.xml read into plain objects (with lines)."""
from .board import Obj
from .xmltree import attr, parse_bdf, parse_num, parse_size

KINDS = {"pre-launched": "VM_PRE_LAUNCHED", "service": "VM_SERVICE",
         "post-launched": "VM_POST_LAUNCHED"}
KIND_WORDS = {"pre-launched": "pre-launched VM", "service": "Service VM",
              "post-launched": "post-launched template"}


class Scenario:
    def __init__(self, root):
        self.node = root
        self.path = root.path
        self.name = root.get("name")
        self.board = root.get("board")
        hv = root.find("hypervisor")
        mem = hv.find("memory")
        self.hv_mem = Obj(mem, base=attr(mem, "base", parse_num), size=attr(mem, "size", parse_size))
        cmd = hv.find("cmdline")
        self.hv_cmdline = cmd.text if cmd is not None else ""
        self.modules = [Obj(m, tag=m.get("tag"), file=m.get("file")) for m in hv.findall("module")]
        self.vms = [self._vm(v) for v in root.findall("vm")]

    def _vm(self, v):
        mem = v.find("memory")
        kernel = v.find("kernel")
        initrd = v.find("initrd")
        bootargs = v.find("bootargs")
        console = v.find("console")
        msi = v.find("msi-vectors")
        return Obj(
            v, name=v.get("name"), kind=v.get("kind"),
            cpus=[Obj(c, id=attr(c, "id", parse_num)) for c in v.findall("cpu")],
            mem=None if mem is None else Obj(
                mem, size=attr(mem, "size", parse_size), hpa=attr(mem, "hpa", parse_num),
                identity=mem.get("identity") == "true",
                ranges=[Obj(r, gpa=attr(r, "gpa", parse_num), hpa=attr(r, "hpa", parse_num),
                            size=attr(r, "size", parse_size)) for r in mem.findall("range")]),
            kernel=None if kernel is None else Obj(kernel, tag=kernel.get("tag"), file=kernel.get("file"),
                                                   type=kernel.get("type", "elf")),
            initrd=None if initrd is None else Obj(initrd, tag=initrd.get("tag"), file=initrd.get("file")),
            bootargs=bootargs.text if bootargs is not None else "",
            pci=[Obj(p, bdf=attr(p, "bdf", parse_bdf) & 0xFFFF,
                     vbdf=None if p.get("vbdf") is None else attr(p, "vbdf", parse_bdf) & 0xFFFF)
                 for p in v.findall("pci-device")],
            acpi=[Obj(a, hid=a.get("hid"), uid=a.get("uid")) for a in v.findall("acpi-device")],
            mmio=[Obj(m, hpa=attr(m, "hpa", parse_num), size=attr(m, "size", parse_size),
                      gpa=attr(m, "gpa", parse_num)) for m in v.findall("mmio-region")],
            console=Obj(console, type="vuart", port=0x3F8, irq=4) if console is None else Obj(
                console, type=console.get("type"), port=attr(console, "port", parse_num, 0x3F8),
                irq=attr(console, "irq", parse_num, 4)),
            flags=[Obj(f, name=f.text) for f in v.findall("flag")],
            msi=None if msi is None else Obj(msi, n=parse_num((msi.text or "").strip())))


def describe(vm):
    return "%s '%s'" % (KIND_WORDS.get(vm.kind, vm.kind), vm.name)


def load(root):
    if root.tag != "scenario":
        raise root.error("expected a <scenario> document, found <%s>" % root.tag)
    return Scenario(root)
