"""Valid inputs: the generated C compiles with the hypervisor's flags, holds data only,
and says what the XML says; every shipped board+scenario pair generates."""
import concurrent.futures
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from helpers import HERE, ROOT, TempDirCase, board_path, dump, run_genconfig, scenario_path, shipped_pairs, validate

EXPECTED = os.path.join(HERE, "expected")
_cache, _tmp = {}, []


def setUpModule():
    _tmp.append(tempfile.mkdtemp(prefix="config-test-shipped-"))


def tearDownModule():
    shutil.rmtree(_tmp.pop(), True)


def shipped(board, scen):
    """Generate a shipped pair once per run: (output directory, dump lines)."""
    if (board, scen) not in _cache:
        out = os.path.join(_tmp[0], board, scen)
        rc, _o, err = run_genconfig("--board", board_path(board), "--scenario", scenario_path(scen), "--out", out)
        if rc:
            raise AssertionError("%s + %s: %s" % (board, scen, err))
        _cache[(board, scen)] = (out, dump(out))
    return _cache[(board, scen)]


def modules_lines(path):
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


class ShippedPairs(TempDirCase):
    def test_every_shipped_pair_generates_and_compiles(self):
        pairs = shipped_pairs()
        self.assertGreaterEqual(len(pairs), 6)
        self.assertLessEqual({"bochs", "qemu-q35", "nuc7i7dnh"}, {b for b, _s in pairs})
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda p: shipped(*p), pairs))
            objs = list(pool.map(lambda d: self.compile_hv(d[0]), done))
        for (board, scen), (_out, lines), pair_objs in zip(pairs, done, objs):
            with self.subTest(board=board, scenario=scen):
                self.assertIn("scenario name=%s board=%s" % (scen, board), lines[0])
                for obj in pair_objs:
                    self.assert_data_only(obj)

    def assert_data_only(self, obj):
        """No code: every defined symbol is data (read-only or not), none in .text."""
        syms = subprocess.run(["nm", "--defined-only", obj], capture_output=True, text=True,
                              check=True).stdout.split("\n")
        kinds = {l.split()[1] for l in syms if l.strip()}
        self.assertTrue(kinds, obj)
        self.assertTrue(kinds <= set("RrDdBb"), "%s defines non-data symbols: %s" % (obj, kinds))
        size = subprocess.run(["size", "-A", obj], capture_output=True, text=True, check=True).stdout
        text = [l for l in size.splitlines() if l.startswith(".text")]
        self.assertTrue(all(int(l.split()[1]) == 0 for l in text), "%s has code:\n%s" % (obj, size))

    def test_integration_scenarios_keep_the_hand_written_layouts(self):
        # expected/NAME.vms: what the hand-written config/scenarios/NAME.c held, dumped the same way.
        names = sorted(f[:-4] for f in os.listdir(EXPECTED) if f.endswith(".vms"))
        self.assertEqual(names, ["bench", "demo", "misbehave", "one-vm", "two-vms"])
        for scen in names:
            with self.subTest(scenario=scen):
                out, lines = shipped("bochs", scen)
                got = [l for l in lines if not l.startswith("board") and " console " not in l]
                with open(os.path.join(EXPECTED, scen + ".vms")) as f:
                    self.assertEqual(got, f.read().splitlines())
                self.assertEqual(modules_lines(os.path.join(out, "scenario.modules")),
                                 modules_lines(os.path.join(EXPECTED, scen + ".modules")))


    def test_every_integration_scenario_has_a_bochs_scenario_file(self):
        # tests/integration/run.py builds each NAME.expect with `make SCENARIO=NAME iso` (BOARD=bochs).
        expects = os.path.join(ROOT, "tests", "integration", "scenarios")
        pairs = dict((s, b) for b, s in shipped_pairs())
        for f in sorted(os.listdir(expects)):
            if f.endswith(".expect"):
                self.assertEqual(pairs.get(f[:-7]), "bochs", "no config/scenarios/%s.xml for board bochs" % f[:-7])


class Contents(TempDirCase):
    def test_q35_edu_assignments(self):
        out, d = shipped("qemu-q35", "q35-edu")
        # vm0: pre-launched, edu (board index 3) at 00:01.0, memory placed from 64 MiB up.
        self.assertIn("vm 0 name=vm0 kind=0 cpus=0x1 kernel_type=0 kernel=vm0_kernel initrd=(null) flags=0x0", d)
        self.assertIn("vm 0 mem gpa=0x0 hpa=0x4000000 size=0x4000000", d)
        self.assertEqual([l for l in d if l.startswith("vm 0 pci")], ["vm 0 pci pbdf=0x0018 vbdf=0x0008 dev=3"])
        # sos: the Service VM owns every other device, identity BDFs, and the HPET; privileged.
        self.assertIn("vm 1 name=sos kind=1 cpus=0x2 kernel_type=0 kernel=sos_kernel initrd=(null) flags=0x1", d)
        self.assertIn("vm 1 mem gpa=0x0 hpa=0x8000000 size=0x8000000", d)
        self.assertEqual([l.split()[3] for l in d if l.startswith("vm 1 pci")],
                         ["pbdf=0x0000", "pbdf=0x0008", "pbdf=0x0010", "pbdf=0x00f8", "pbdf=0x00fa",
                          "pbdf=0x00fb"])
        self.assertIn("vm 1 mmio gpa=0xfed00000 hpa=0xfed00000 size=0x400 dev=0", d)
        # uos: template with the e1000e (index 2) at 00:04.0, RAM from the Service VM.
        self.assertIn("vm 2 name=uos kind=2 cpus=0x2 kernel_type=0 kernel=(null) initrd=(null) flags=0x0", d)
        self.assertIn("vm 2 template_mem=0x4000000", d)
        self.assertIn("vm 2 pci pbdf=0x0010 vbdf=0x0020 dev=2", d)
        self.assertFalse([l for l in d if l.startswith("vm 2 mem")])
        # Board data as the hypervisor reads it.
        self.assertIn("board name=qemu-q35 cpus=2 mem=9 ioapics=1 pci=7 acpi=2 iommus=1 rmrrs=0", d)
        self.assertIn("board ecam base=0xb0000000 buses=0-255", d)
        self.assertIn("board pci 2 seg=0 bdf=0x0010 id=8086:10d3 class=0x020000 rev=0x00 intx=1/11 "
                      "name=e1000e (82574L)", d)
        self.assertIn("board pci 2 bar 2 type=1 base=0xc040 size=0x20 pf=0", d)
        self.assertIn("board pci 2 msix cap=0xa0 size=5 table=3+0x0 pba=3+0x2000", d)
        self.assertIn("board pci 3 msi cap=0x40 vectors=1 addr64=1 maskable=0", d)
        self.assertIn("board pci 1 bar 0 type=2 base=0xfd000000 size=0x1000000 pf=1", d)
        self.assertIn("board iommu width=39 intr_remap=1", d)
        self.assertIn("board iommu 0 base=0xfed90000 size=0x1000 seg=0 all=0", d)
        self.assertIn("board iommu 0 scope type=3 id=0 bdf=0xff00", d)
        self.assertEqual(len([l for l in d if l.startswith("board iommu 0 scope type=1")]), 7)
        self.assertIn("board console type=1 base=0x3f8 irq=4 baud=115200 pci=0 bdf=0x0000", d)
        with open(os.path.join(out, "scenario.modules")) as f:
            self.assertEqual(modules_lines(f.name), ["cmdline loglevel=2 exit=qemu",
                                                     "module build/guests/selftest.elf vm0_kernel",
                                                     "module build/guests/selftest.elf sos_kernel"])

    def test_identity_service_vm_gets_the_rest_of_ram(self):
        _out, d = shipped("bochs", "postvm")
        # board RAM 0-0x9efff and 0x100000-0xffeffff, less the hypervisor (16-48 MiB) and vm0 (64-96 MiB)
        self.assertIn("vm 1 name=sos kind=1 cpus=0x6 kernel_type=0 kernel=sos_kernel initrd=(null) "
                      "flags=0x7", d)
        self.assertEqual([l for l in d if l.startswith("vm 1 mem")], [
            "vm 1 mem gpa=0x0 hpa=0x0 size=0x9f000",
            "vm 1 mem gpa=0x100000 hpa=0x100000 size=0xf00000",
            "vm 1 mem gpa=0x3000000 hpa=0x3000000 size=0x1000000",
            "vm 1 mem gpa=0x6000000 hpa=0x6000000 size=0x9ff0000"])

    def test_nuc_board_facts(self):
        _out, d = shipped("nuc7i7dnh", "nuc-hybrid")
        self.assertEqual([l for l in d if l.startswith("board cpu")],
                         ["board cpu 0 lapic=0", "board cpu 1 lapic=2", "board cpu 2 lapic=4", "board cpu 3 lapic=6"])
        self.assertIn("board iommu 1 base=0xfed91000 size=0x1000 seg=0 all=1", d)
        self.assertIn("board iommu 1 scope type=3 id=2 bdf=0xf0f8", d)
        self.assertIn("board iommu 0 scope type=1 id=0 bdf=0x0010", d)
        self.assertIn("board pci 1 bar 2 type=3 base=0xa0000000 size=0x20000000 pf=1", d)
        # 64-bit BAR 0 of the GPU: its upper half (BAR 1) stays unused.
        self.assertFalse([l for l in d if l.startswith("board pci 1 bar 1 ")])
        # rtvm: NIC at 00:01.0 and the TPM; the Service VM has neither.
        self.assertIn("vm 0 pci pbdf=0x00fe vbdf=0x0008 dev=15", d)
        self.assertIn("vm 0 mmio gpa=0xfed40000 hpa=0xfed40000 size=0x5000 dev=1", d)
        self.assertFalse([l for l in d if l.startswith("vm 1 pci pbdf=0x00fe")])
        self.assertFalse([l for l in d if l.startswith("vm 1 mmio") and l.endswith("dev=1")])
        self.assertIn("vm 1 name=sos kind=1 cpus=0x7 kernel_type=1 kernel=sos_kernel initrd=sos_initrd flags=0x1", d)
        self.assertIn("vm 2 pci pbdf=0x00a0 vbdf=0x0018 dev=3", d)

    def test_bridge_and_functions_behind_it(self):
        fix = os.path.join(HERE, "fixtures", "bridge")
        d = self.dump(self.generate(os.path.join(fix, "board.xml"), os.path.join(fix, "hybrid.xml")))
        # the pre-launched VM: the function behind the root port, on its bus 0
        self.assertEqual([l for l in d if l.startswith("vm 0 pci")], ["vm 0 pci pbdf=0x0101 vbdf=0x0010 dev=4"])
        # the Service VM: the root port and what else is behind it, at their own BDFs
        self.assertEqual([l for l in d if l.startswith("vm 1 pci")],
                         ["vm 1 pci pbdf=0x0000 vbdf=0x0000 dev=0", "vm 1 pci pbdf=0x0018 vbdf=0x0018 dev=1",
                          "vm 1 pci pbdf=0x00e0 vbdf=0x00e0 dev=2", "vm 1 pci pbdf=0x0100 vbdf=0x0100 dev=3"])
        # the board's facts the hypervisor routes INTx with: the root port's line, none behind it but one
        self.assertIn("board pci 2 seg=0 bdf=0x00e0 id=8086:9d12 class=0x060400 rev=0xf1 intx=1/16 "
                      "name=PCIe root port", d)
        self.assertIn("board pci 3 seg=0 bdf=0x0100 id=8086:24fd class=0x028000 rev=0x78 intx=1/255 "
                      "name=Wireless", d)
        self.assertIn("board pci 4 seg=0 bdf=0x0101 id=8086:24fe class=0x0c0330 rev=0x78 intx=2/17 "
                      "name=USB behind the port", d)

    def test_allocation_strings_and_build_dir(self):
        scen = self.write("s.xml", r"""<?xml version="1.0"?>
<scenario name="alloc" board="bochs">
  <hypervisor>
    <memory base="0x1000000" size="32M"/>
    <cmdline>loglevel=3 exit=bochs</cmdline>
    <module tag="extra" file="${BUILD}/extra.bin"/>
  </hypervisor>
  <vm name="fixed" kind="pre-launched">
    <cpu id="0"/>
    <memory size="32M" hpa="0x4000000"/>
    <kernel tag="k" file="${BUILD}/guests/selftest.elf"/>
    <bootargs>say="hi \there" 100%</bootargs>
  </vm>
  <vm name="placed" kind="pre-launched">
    <cpu id="1"/>
    <cpu id="2"/>
    <memory size="0x100000"/>
    <kernel tag="k" file="${BUILD}/guests/selftest.elf"/>
    <initrd tag="extra"/>
    <pci-device bdf="00:03.0" vbdf="00:02.0"/>
    <pci-device bdf="00:01.2"/>
    <mmio-region hpa="0xfed00000" size="0x1000" gpa="0xd0000000"/>
    <console type="none"/>
  </vm>
</scenario>
""")
        out = self.generate(board_path("bochs"), scen, build_dir="/tmp/b")
        d = self.dump(out)
        self.assertIn('vm 0 bootargs="say="hi \\there" 100%"', d)
        # First fit from 64 MiB, 2 MiB aligned, after vm 'fixed' (64-96 MiB).
        self.assertIn("vm 1 mem gpa=0x0 hpa=0x6000000 size=0x100000", d)
        self.assertIn("vm 1 name=placed kind=0 cpus=0x6 kernel_type=0 kernel=k initrd=extra flags=0x0", d)
        # PCI list sorted by virtual BDF; raw region mapped at its gpa; console off.
        self.assertEqual([l for l in d if l.startswith("vm 1 pci")],
                         ["vm 1 pci pbdf=0x000a vbdf=0x000a dev=3", "vm 1 pci pbdf=0x0018 vbdf=0x0010 dev=5"])
        self.assertIn("vm 1 mmio gpa=0xd0000000 hpa=0xfed00000 size=0x1000 dev=-1", d)
        self.assertIn("vm 1 console type=1 port=0x0 irq=0", d)
        self.assertEqual(modules_lines(os.path.join(out, "scenario.modules")),
                         ["cmdline loglevel=3 exit=bochs", "module /tmp/b/guests/selftest.elf k",
                          "module /tmp/b/extra.bin extra"])

    def test_unchanged_outputs_keep_their_time_stamps(self):
        out = self.generate(board_path("bochs"), scenario_path("demo"))
        old = {n: os.stat(os.path.join(out, n)).st_mtime_ns for n in os.listdir(out)}
        time.sleep(0.02)
        self.generate(board_path("bochs"), scenario_path("demo"))
        self.assertEqual(old, {n: os.stat(os.path.join(out, n)).st_mtime_ns for n in os.listdir(out)})
        self.assertEqual(sorted(old), ["board.c", "scenario.c", "scenario.modules"])

    def test_generated_text_is_stable(self):
        errors, res = validate(board_path("bochs"), scenario_path("two-vms"))
        self.assertEqual(errors, [])
        out = self.generate(board_path("bochs"), scenario_path("two-vms"))
        with open(os.path.join(out, "scenario.c")) as f:
            text = f.read()
        self.assertTrue(text.startswith("/* Generated by scripts/genconfig from "))
        self.assertRegex(text, r'\.bootargs = "vcpus=1 name=vm1 outside=1",')
        self.assertRegex(text, r"\.cpu_affinity = BIT\(1\),")
        self.assertNotRegex(text, r"\)\s*\{", "function body in generated C")
        self.assertEqual(len(re.findall(r"^const struct scenario_config scenario = \{$", text, re.M)), 1)


if __name__ == "__main__":
    unittest.main()
