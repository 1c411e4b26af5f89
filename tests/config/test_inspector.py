"""scripts/board-inspector: table/iomem/config parsers on crafted bytes, the saved
trees in fixtures/inspector/ (QEMU q35 and this project's build machine), the
refusal without root, and a live run when the test runs as root on Linux."""
import os
import shutil
import struct
import subprocess
import sys
import unittest

from helpers import FIXTURES, ROOT, SCHEMA, TempDirCase, board_path, scenario_path, validate

from bulkhead_config import acpi_tables, board, iomem, inspector, sysfs_pci  # noqa: E402
from bulkhead_config.xmltree import parse_file  # noqa: E402

TREES = os.path.join(FIXTURES, "inspector")
INSPECTOR = os.path.join(ROOT, "scripts", "board-inspector")


def table(sig, body, rev=1):
    """An ACPI table with a valid header and checksum."""
    data = bytearray(struct.pack("<4sIBB6s8sI4sI", sig.encode(), 36 + len(body), rev, 0, b"TEST  ",
                                 b"TESTTBL ", 1, b"TEST", 1) + body)
    data[9] = (-sum(data)) & 0xFF
    return bytes(data)


def run_inspector(*args):
    p = subprocess.run([sys.executable, INSPECTOR] + list(args), cwd=ROOT, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class Tables(unittest.TestCase):
    def test_madt_lapic_x2apic_disabled_and_ioapic(self):
        body = struct.pack("<II", 0xFEE00000, 1)
        body += struct.pack("<BBBBI", 0, 8, 0, 0, 1)          # LAPIC 0, enabled
        body += struct.pack("<BBBBI", 0, 8, 1, 2, 0)          # LAPIC 2, disabled
        body += struct.pack("<BBBBII", 1, 12, 8, 0, 0xFEC00000, 24)   # IOAPIC 8, GSI 24
        body += struct.pack("<BBHIII", 9, 16, 0, 0x100, 1, 5)  # x2APIC 0x100, enabled
        body += struct.pack("<BBHIII", 9, 16, 0, 0, 1, 6)      # x2APIC 0 again: listed once
        m = acpi_tables.parse_madt(table("APIC", body))
        self.assertEqual(m, {"cpus": [0, 0x100], "ioapics": [(8, 0xFEC00000, 24)]})

    def test_bad_tables_are_refused(self):
        good = table("APIC", struct.pack("<II", 0, 0))
        bad_sum = bytearray(good)
        bad_sum[20] ^= 1
        for data, msg in ((good[:20], "shorter than"), (bytes(bad_sum), "checksum"),
                          (table("APIC", struct.pack("<II", 0, 0) + b"\x00\x01"), "bad length"),
                          (table("APIC", b"\0" * 8).replace(b"APIC", b"APIX", 1), "signature")):
            with self.assertRaisesRegex(acpi_tables.TableError, msg):
                acpi_tables.parse_madt(data)

    def test_dmar_drhd_rmrr_and_scopes(self):
        def scope(typ, enum_id, bus, path):
            return struct.pack("<BBHBB", typ, 6 + 2 * len(path), 0, enum_id, bus) + bytes(
                b for hop in path for b in hop)
        drhd_scopes = scope(1, 0, 0, [(2, 0)]) + scope(3, 2, 0xF0, [(0x1F, 0)])
        drhd = struct.pack("<HHBBHQ", 0, 16 + len(drhd_scopes), 1, 0, 0, 0xFED91000) + drhd_scopes
        rmrr_scopes = scope(1, 0, 0, [(0x1C, 0), (0, 0)])
        rmrr = struct.pack("<HHHHQQ", 1, 24 + len(rmrr_scopes), 0, 0, 0x7B800000, 0x7FFFFFFF) + rmrr_scopes
        d = acpi_tables.parse_dmar(table("DMAR", bytes([38, 1]) + b"\0" * 10 + drhd + rmrr))
        self.assertEqual(d["width"], 39)
        self.assertTrue(d["intr_remap"])
        self.assertEqual(d["drhds"], [{"flags": 1, "size": 0x1000, "segment": 0, "base": 0xFED91000,
                                       "scopes": [("endpoint", 0, 0, [(2, 0)]), ("ioapic", 2, 0xF0, [(0x1F, 0)])]}])
        self.assertEqual(d["rmrrs"], [{"segment": 0, "base": 0x7B800000, "limit": 0x7FFFFFFF,
                                       "scopes": [("endpoint", 0, 0, [(0x1C, 0), (0, 0)])]}])
        # The second hop goes through root port 00:1c.0, whose secondary bus is 3.
        pci = [{"bdf": 0xE0, "secondary_bus": 3}]
        self.assertEqual(inspector.resolve_scope(0, [(0x1C, 0), (0, 0)], pci), 0x300)
        self.assertIsNone(inspector.resolve_scope(0, [(0x1D, 0), (0, 0)], pci))

    def test_real_qemu_dmar(self):
        with open(os.path.join(TREES, "q35", "tables", "dmar.dat"), "rb") as f:
            d = acpi_tables.parse_dmar(f.read())
        self.assertEqual((d["width"], d["intr_remap"], len(d["drhds"]), d["rmrrs"]), (39, True, 1, []))
        self.assertEqual(d["drhds"][0]["base"], 0xFED90000)
        self.assertEqual(d["drhds"][0]["scopes"][0], ("ioapic", 0, 0xFF, [(0, 0)]))


class Parsers(unittest.TestCase):
    def test_iomem_memory_map(self):
        text = ("00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n"
                "00100000-7fffffff : System RAM\n  01000000-01ffffff : Kernel code\n"
                "e0000000-efffffff : PCI MMCONFIG 0000 [bus 00-3f]\n  e0000000-efffffff : Reserved\n"
                "fed00000-fed003ff : HPET 0\n  fed00000-fed003ff : PNP0103:00\n"
                "fee00000-fee00fff : Local APIC\n  fee00000-fee00fff : Reserved\n"
                "7a94d000-7a999fff : ACPI Tables\n100000000-17fffffff : System RAM\n")
        e = iomem.parse(text)
        self.assertEqual(iomem.memory_map(e), [
            (0, 0x1000, "reserved"), (0x1000, 0x9EC00, "ram"), (0x100000, 0x7FF00000, "ram"),
            (0x7A94D000, 0x4D000, "acpi"), (0xE0000000, 0x10000000, "reserved"),
            (0xFEE00000, 0x1000, "reserved"), (0x100000000, 0x80000000, "ram")])
        self.assertEqual(iomem.named(e, "PNP0103:00"), [(0xFED00000, 0x400)])
        self.assertEqual(iomem.ecam(e), (0xE0000000, 0, 0x3F))
        self.assertFalse(iomem.all_zero(e))
        self.assertTrue(iomem.all_zero(iomem.parse("00000000-00000000 : System RAM\n")))

    def test_capability_loop_and_bars(self):
        cfg = bytearray(256)
        struct.pack_into("<HHHH", cfg, 0, 0x8086, 0x1234, 0, 0x10)   # status: capability list
        struct.pack_into("<I", cfg, 8, 0x02000003)
        struct.pack_into("<I", cfg, 0x10, 0xC000000C)   # BAR0: 64-bit prefetchable memory
        struct.pack_into("<I", cfg, 0x18, 0xE001)       # BAR2: I/O
        cfg[0x34] = 0x40
        cfg[0x40:0x42] = bytes([0x05, 0x50])            # MSI -> 0x50
        struct.pack_into("<H", cfg, 0x42, 0x0186)       # 64-bit, maskable, 8 vectors capable
        cfg[0x50:0x52] = bytes([0x11, 0x40])            # MSI-X -> back to 0x40: a loop
        struct.pack_into("<HII", cfg, 0x52, 0x0007, 0x2002, 0x3002)
        cfg[0x3D], cfg[0x3C] = 2, 10
        res = "0x00000000c0000000 0x00000000c0003fff 0x0014220c\n0 0 0\n" \
              "0x000000000000e000 0x000000000000e01f 0x00040101\n"
        d = sysfs_pci.parse_device(0x18, bytes(cfg), res)
        self.assertEqual(d["bars"], [
            {"index": 0, "type": "mem64", "base": 0xC0000000, "size": 0x4000, "prefetchable": True},
            {"index": 2, "type": "io", "base": 0xE000, "size": 0x20, "prefetchable": False}])
        self.assertEqual(d["msi"], {"offset": 0x40, "vectors": 8, "addr64": True, "maskable": True})
        self.assertEqual(d["msix"], {"offset": 0x50, "table_size": 8, "table_bar": 2, "table_offset": 0x2000,
                                     "pba_bar": 2, "pba_offset": 0x3000})
        self.assertEqual(d["intx"], (2, 10))
        self.assertEqual((d["class"], d["revision"]), (0x020000, 3))


class SavedTrees(TempDirCase):
    def inspect(self, tree, name=None):
        out = os.path.join(self.tmp, tree + ".xml")
        args = ["--root", os.path.join(TREES, tree), "--tables", os.path.join(TREES, tree, "tables"), "--out", out]
        rc, _o, err = run_inspector(*(args + (["--name", name] if name else [])))
        self.assertEqual(rc, 0, err)
        return out

    def test_q35_tree_matches_the_shipped_board(self):
        got = board.load(parse_file(self.inspect("q35", "qemu-q35")))
        want = board.load(parse_file(board_path("qemu-q35")))
        self.assertEqual(got.errors, [])
        self.assertEqual([c.lapic_id for c in got.cpus], [c.lapic_id for c in want.cpus])
        self.assertEqual([(a.id, a.base, a.gsi_base) for a in got.ioapics],
                         [(a.id, a.base, a.gsi_base) for a in want.ioapics])
        self.assertEqual((got.ecam_base, got.ecam_start, got.ecam_end), (0xB0000000, 0, 255))

        def pci(d):
            return (d.bdf, d.vendor, d.device, d.class_code, d.revision, d.intx_pin, d.intx_line,
                    [(b.index, b.type, b.base, b.size, b.prefetchable) for b in d.bars if b],
                    d.msi and (d.msi.cap, d.msi.vectors, d.msi.addr64, d.msi.maskable),
                    d.msix and (d.msix.cap, d.msix.table_size, d.msix.table_bar, d.msix.table_offset,
                                d.msix.pba_bar, d.msix.pba_offset))
        self.assertEqual([pci(d) for d in got.pci], [pci(d) for d in want.pci])
        self.assertEqual((got.iommu_width, got.iommu_intr_remap), (want.iommu_width, want.iommu_intr_remap))

        def units(b):
            return [(u.base, u.size, u.include_all, [(s.type, s.enum_id, s.bdf) for s in u.scopes])
                    for u in b.iommus]
        self.assertEqual(units(got), units(want))
        # Linux reserves page 0 itself; otherwise the same map as the firmware's.
        self.assertEqual([(r.base, r.size, r.type) for r in got.mem][2:], [(r.base, r.size, r.type)
                                                                          for r in want.mem][1:])
        self.assertEqual({(a.hid, a.uid, tuple(a.mmio), tuple(a.io), tuple(a.irqs)) for a in got.acpi},
                         {("PNP0103", "0", ((0xFED00000, 0x400),), (), ()),
                          ("PNP0303", None, (), ((0x60, 1), (0x64, 1)), (1,)),
                          ("PNP0501", "1", (), ((0x3F8, 8),), (4,))})
        self.assertEqual((got.console.type, got.console.base, got.console.irq, got.console.baud),
                         ("pio", 0x3F8, 4, 115200))
        # And the generator takes it with the shipped q35 scenario.
        errors, res = validate(os.path.join(self.tmp, "q35.xml"), scenario_path("q35-edu"))
        self.assertEqual(errors, [])

    def test_cpu_topology_from_cpuinfo(self):
        """Hyperthread siblings share package and core id; thread-id is the rank of the LAPIC id."""
        tree = os.path.join(self.tmp, "host")
        shutil.copytree(os.path.join(TREES, "host"), tree, symlinks=True)
        cpu = "processor\t: %d\nphysical id\t: 0\ncore id\t\t: %d\napicid\t\t: %d\n"
        with open(os.path.join(tree, "proc", "cpuinfo"), "w") as f:
            f.write("\n".join([cpu % (0, 0, 1), cpu % (1, 0, 0)]))   # the tree's MADT: LAPIC ids 0, 1
        self.assertEqual(inspector.load_topology(tree), {0: (0, 0, 0), 1: (0, 0, 1)})
        out = os.path.join(self.tmp, "b.xml")
        rc, _o, err = run_inspector("--root", tree, "--tables", os.path.join(tree, "tables"), "--out", out)
        self.assertEqual(rc, 0, err)
        b = board.load(parse_file(out))
        self.assertEqual([(c.package, c.core, c.thread) for c in b.cpus], [(0, 0, 0), (0, 0, 1)])
        self.assertTrue(b.topology)
        # a cpuinfo without the LAPIC ids (or none at all): no ids written
        with open(os.path.join(tree, "proc", "cpuinfo"), "w") as f:
            f.write("processor\t: 0\nmodel name\t: x\n")
        self.assertEqual(inspector.load_topology(tree), {})
        self.assertFalse(board.load(parse_file(self.inspect("host"))).topology)

    def test_build_machine_tree(self):
        b = board.load(parse_file(self.inspect("host")))
        self.assertEqual(b.name, "vm")
        self.assertEqual([c.lapic_id for c in b.cpus], [0, 1])
        self.assertEqual([(r.base, r.size, r.type) for r in b.ram()],
                         [(0x1000, 0x9EC00, "ram"), (0x100000, 0xBFF00000, "ram"), (0x100000000, 0x540000000, "ram")])
        self.assertEqual((b.ecam_base, b.ecam_start, b.ecam_end), (0xEEC00000, 0, 0))
        self.assertEqual([(d.bdf, d.vendor, d.device) for d in b.pci],
                         [(0, 0x8086, 0x0D57), (8, 0x1AF4, 0x1045), (0x10, 0x1AF4, 0x1042), (0x18, 0x1AF4, 0x1041),
                          (0x20, 0x1AF4, 0x1053), (0x28, 0x1AF4, 0x1044)])
        net = b.pci_dev(0x18)
        self.assertEqual([(x.index, x.type, x.base, x.size) for x in net.bars if x],
                         [(0, "mem64", 0x4000100000, 0x80000)])
        self.assertEqual((net.msix.cap, net.msix.table_size, net.msix.table_bar, net.msix.table_offset,
                          net.msix.pba_offset), (0x98, 3, 0, 0x8000, 0x48000))
        self.assertIsNone(net.msi)
        self.assertEqual(b.iommus, [])
        self.assertEqual(sorted((a.hid, a.uid) for a in b.acpi),
                         [("AMZNC10C", None), ("PNP0303", None), ("PNP0501", "0")])
        self.assertEqual((b.console.type, b.console.base), ("pio", 0x3F8))

    def test_refuses_without_rights(self):
        """A tree as an unprivileged user sees it: 64-byte config, zeroed iomem, no tables."""
        root = os.path.join(self.tmp, "user")
        src = os.path.join(TREES, "host")
        shutil.copytree(src, root, symlinks=True)
        shutil.rmtree(os.path.join(root, "tables"))
        for dev in os.listdir(os.path.join(root, "sys/bus/pci/devices")):
            cfg = os.path.join(root, "sys/bus/pci/devices", dev, "config")
            with open(cfg, "rb") as f:
                head = f.read(64)
            with open(cfg, "wb") as f:
                f.write(head)
        with open(os.path.join(root, "proc/iomem"), "w") as f:
            f.write("00000000-00000000 : Reserved\n00000000-00000000 : System RAM\n")
        rc, out, err = run_inspector("--root", root, "--out", os.path.join(self.tmp, "x.xml"))
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.xml")))
        self.assertIn("gives only 64 bytes of 00:00.0", err)
        self.assertIn("/proc/iomem: every address reads as 0", err)
        self.assertIn("the ACPI tables (%s/sys/firmware/acpi/tables/APIC: missing)" % root, err)
        self.assertIn("run it as root", err)


@unittest.skipUnless(sys.platform.startswith("linux") and os.path.isdir("/sys/bus/pci/devices")
                     and os.geteuid() == 0, "needs root on Linux")
class LiveMachine(TempDirCase):
    def test_this_machine(self):
        out = os.path.join(self.tmp, "live.xml")
        rc, _o, err = run_inspector("--out", out, "--schema", os.path.join(SCHEMA, "board.xsd"))
        self.assertEqual(rc, 0, err)
        b = board.load(parse_file(out))
        self.assertEqual(b.errors, [])
        self.assertGreaterEqual(len(b.cpus), 1)
        self.assertEqual(len(b.pci), len([d for d in os.listdir("/sys/bus/pci/devices") if d.startswith("0000:")]))
        self.assertTrue(b.ram())

    @unittest.skipUnless(shutil.which("setpriv"), "no setpriv")
    def test_unprivileged_user_is_refused(self):
        py = os.path.realpath(sys.executable)
        tmp = os.path.join(self.tmp, "copy")
        shutil.copytree(os.path.join(ROOT, "scripts"), tmp, ignore=shutil.ignore_patterns("__pycache__"))
        os.chmod(self.tmp, 0o755)
        for d, _dirs, files in os.walk(tmp):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o755)
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", py,
                            os.path.join(tmp, "board-inspector"), "--schema", "/nonexistent"],
                           cwd="/", capture_output=True, text=True)
        if p.returncode == 126 or "Permission denied" in p.stderr and "board-inspector:" not in p.stderr:
            self.skipTest("python not runnable as nobody here: %s" % p.stderr.strip()[:200])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("run it as root", p.stderr)
        self.assertIn("/proc/iomem", p.stderr)


if __name__ == "__main__":
    unittest.main()
