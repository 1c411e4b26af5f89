"""Every malformed input in fixtures/bad/ must fail with the errors its
<!-- expect: LINE REGEX --> comments name (file, line, item), and nothing else.
A fixture named board-*.xml is a board, paired with a one-VM scenario for it; a
scenario fixture is checked against config/boards/bochs.xml unless it says
<!-- board: NAME -->."""
import os
import re
import unittest

from helpers import FIXTURES, TempDirCase, board_path, rel, run_genconfig, scenario_path, validate

BAD = os.path.join(FIXTURES, "bad")
# Scenarios for the board with a PCI bridge (fixtures/bridge/board.xml).
BRIDGE_BAD = os.path.join(FIXTURES, "bridge", "bad")
BRIDGE_BOARD = os.path.join(FIXTURES, "bridge", "board.xml")
# Scenarios for a board with two cores of two hyperthreads (fixtures/smt/board.xml).
SMT_BAD = os.path.join(FIXTURES, "smt", "bad")
SMT_BOARD = os.path.join(FIXTURES, "smt", "board.xml")
EXPECT = re.compile(r"<!-- expect: (\d+) (.*?) -->")
SCENARIO_FOR_BAD_BOARD = """<?xml version="1.0"?>
<scenario name="s" board="badboard">
  <hypervisor><memory base="0x1000000" size="32M"/></hypervisor>
  <vm name="vm0" kind="pre-launched">
    <cpu id="0"/>
    <memory size="32M"/>
    <kernel tag="k" file="k.elf"/>
  </vm>
</scenario>
"""


class BadInputs(TempDirCase):
    def check_fixture(self, name, where=BAD, scen_board=None):
        path = os.path.join(where, name)
        with open(path) as f:
            wants = [(int(line), rx) for line, rx in EXPECT.findall(f.read())]
        self.assertTrue(wants, "%s has no expect comments" % name)
        if name.startswith("board-"):
            board, scen = path, self.write("s.xml", SCENARIO_FOR_BAD_BOARD)
        else:
            # checked against bochs unless it says <!-- board: NAME --> (e.g. for a VT-d unit)
            with open(path) as f:
                m = re.search(r"<!-- board: ([\w-]+) -->", f.read())
            board, scen = scen_board or board_path(m.group(1) if m else "bochs"), path
        errors, res = validate(board, scen)
        self.assertIsNone(res)
        got = ["%s:%s: %s" % (e.path, e.line, e.message) for e in errors]
        for e in errors:
            self.assertEqual(e.path, path, "error names the wrong file: %s" % e)
            self.assertIsNotNone(e.line, "error without a line: %s" % e)
        for line, rx in wants:
            hits = [e for e in errors if e.line == line and re.search(rx, e.message)]
            self.assertTrue(hits, "%s: no error at line %d matching %r; got:\n  %s"
                            % (name, line, rx, "\n  ".join(got)))
        self.assertEqual(len(errors), len(wants), "%s: unexpected extra errors:\n  %s" % (name, "\n  ".join(got)))

    def test_cli_generates_nothing_and_removes_stale_output(self):
        out = os.path.join(self.tmp, "out")
        os.makedirs(out)
        for n in ("board.c", "scenario.c", "scenario.modules"):
            self.write(os.path.join("out", n), "stale\n")
        scen = os.path.join(BAD, "cpu-shared-pre.xml")
        rc, _o, err = run_genconfig("--board", board_path("bochs"), "--scenario", rel(scen), "--out", out)
        self.assertEqual(rc, 1)
        self.assertEqual(sorted(os.listdir(out)), [])
        self.assertEqual(sorted(os.listdir(self.tmp)), ["out"], "temporary directory left behind")
        lines = err.strip().splitlines()
        self.assertEqual(lines[-1], "genconfig: 1 error; nothing generated")
        self.assertRegex(lines[0], r"^tests/config/fixtures/bad/cpu-shared-pre\.xml:14: error: pre-launched VM "
                                   r"'vm1': CPU 1 is already given to pre-launched VM 'vm0'")

    def test_cli_missing_file(self):
        rc, _o, err = run_genconfig("--board", "config/boards/nosuch.xml", "--scenario",
                                    "config/scenarios/demo.xml", "--check")
        self.assertEqual(rc, 1)
        self.assertIn("config/boards/nosuch.xml: no such file", err)

    def test_cli_file_not_utf8(self):
        """A file that is not UTF-8: one clean error (xmllint quotes its bytes as they are)."""
        with open(scenario_path("one-vm"), encoding="utf-8") as f:
            text = f.read()
        scen = os.path.join(self.tmp, "s.xml")
        with open(scen, "wb") as f:
            f.write(text.replace('name="vm0"', 'name="vm\xe9"', 1).encode("latin-1"))
        rc, _o, err = run_genconfig("--board", board_path("bochs"), "--scenario", scen, "--check")
        self.assertEqual(rc, 1)
        self.assertEqual(err.splitlines(), [
            "%s:8: error: schema: malformed XML: Input is not proper UTF-8, indicate encoding !" % scen,
            "genconfig: 1 error; nothing generated"])

    def test_limits_follow_vm_config_h(self):
        inc = os.path.join(self.tmp, "inc")
        os.makedirs(inc)
        self.write("inc/vm_config.h", "#define CONFIG_MAX_VMS 1\n#define CONFIG_MAX_CPUS 1\n"
                                      "#define CONFIG_MAX_MEM_RANGES 1\n")
        scen = self.write("s.xml", """<scenario name="s" board="bochs">
  <hypervisor><memory base="0x1000000" size="32M"/></hypervisor>
  <vm name="a" kind="pre-launched"><cpu id="0"/><memory size="32M"/><kernel tag="k" file="k"/></vm>
  <vm name="b" kind="pre-launched"><cpu id="1"/>
    <memory><range gpa="0" hpa="0x8000000" size="1M"/><range gpa="0x100000" hpa="0x9000000" size="1M"/></memory>
    <kernel tag="k" file="k"/></vm>
</scenario>
""")
        errors, _r = validate(board_path("bochs"), scen, include=inc)
        msgs = sorted("%d %s" % (e.line, e.message) for e in errors)
        self.assertEqual(msgs, [
            "4 pre-launched VM 'b': CPU 1 is beyond CONFIG_MAX_CPUS (1)",
            "4 pre-launched VM 'b': more than CONFIG_MAX_VMS (1) VMs",
            "5 pre-launched VM 'b': more than CONFIG_MAX_MEM_RANGES (1) memory ranges"])

    def test_hypervisor_base_follows_ld_script(self):
        """The link address comes from HV_LOAD_ADDR in the linker script, nowhere else."""
        ld = self.write("hv.ld", "/* HV_LOAD_ADDR = 0x4000000; in a comment does not count */\n"
                                 "SECTIONS {}\n  HV_LOAD_ADDR = 0x2000000;\n")
        scen = {}
        for base in ("0x1000000", "0x2000000"):
            scen[base] = self.write("s%s.xml" % base, """<scenario name="s" board="bochs">
  <hypervisor><memory base="%s" size="32M"/></hypervisor>
  <vm name="a" kind="pre-launched"><cpu id="0"/><memory size="32M"/><kernel tag="k" file="k"/></vm>
</scenario>
""" % base)
        errors, _r = validate(board_path("bochs"), scen["0x1000000"], ld_script=ld)
        self.assertEqual(["%d %s" % (e.line, e.message) for e in errors], [
            "2 hypervisor memory base 0x1000000 must be 0x2000000, the image's link address "
            "(HV_LOAD_ADDR in %s): the hypervisor runs where it is linked, whatever base the "
            "scenario gives" % ld])
        errors, res = validate(board_path("bochs"), scen["0x2000000"], ld_script=ld)
        self.assertEqual(errors, [])
        self.assertIsNotNone(res)

    def test_cli_names_link_address_and_ld_script(self):
        scen = rel(os.path.join(BAD, "hypervisor-base-not-link-address.xml"))
        rc, _o, err = run_genconfig("--board", board_path("bochs"), "--scenario", scen, "--check")
        self.assertEqual(rc, 1)
        self.assertEqual(err.strip().splitlines()[0],
                         "%s:6: error: hypervisor memory base 0xc000000 must be 0x1000000, the image's "
                         "link address (HV_LOAD_ADDR in arch/x86/bulkhead.ld): the hypervisor runs where "
                         "it is linked, whatever base the scenario gives" % scen)

    def test_cli_ld_script_unreadable(self):
        out = os.path.join(self.tmp, "out")
        os.makedirs(out)
        no_line = self.write("no-line.ld", "/* HV_LOAD_ADDR = 0x1000000; */\nHV_LOAD_ADDR = 16M;\n")
        two = self.write("two.ld", "HV_LOAD_ADDR = 0x1000000;\nHV_LOAD_ADDR = 0x2000000;\n")
        for ld, why in ((no_line, "no 'HV_LOAD_ADDR = 0x...;' line"),
                        (two, "more than one 'HV_LOAD_ADDR = 0x...;' line"),
                        (os.path.join(self.tmp, "nosuch.ld"), "No such file or directory")):
            self.write("out/scenario.c", "stale\n")
            rc, _o, err = run_genconfig("--board", board_path("bochs"), "--scenario", "config/scenarios/demo.xml",
                                        "--ld-script", ld, "--out", out)
            self.assertEqual(rc, 1, err)
            self.assertIn("genconfig: %s: %s" % (ld, why), err)
            self.assertIn("link address", err)
            self.assertEqual(os.listdir(out), [], "output left behind")


def make_test(name, where=BAD, scen_board=None):
    return lambda self: self.check_fixture(name, where, scen_board)


for _f in sorted(os.listdir(BAD)):
    if _f.endswith(".xml"):
        setattr(BadInputs, "test_" + re.sub(r"\W", "_", _f[:-4]), make_test(_f))
for _f in sorted(os.listdir(BRIDGE_BAD)):
    if _f.endswith(".xml"):
        setattr(BadInputs, "test_bridge_" + re.sub(r"\W", "_", _f[:-4]), make_test(_f, BRIDGE_BAD, BRIDGE_BOARD))
for _f in sorted(os.listdir(SMT_BAD)):
    if _f.endswith(".xml"):
        setattr(BadInputs, "test_smt_" + re.sub(r"\W", "_", _f[:-4]), make_test(_f, SMT_BAD, SMT_BOARD))


class Siblings(TempDirCase):
    """Whole cores to one VM is accepted; a board without core ids gets a warning, not an error."""
    SCEN = """<?xml version="1.0"?>
<scenario name="s" board="%s">
  <hypervisor><memory base="0x1000000" size="32M"/></hypervisor>
  <vm name="vm0" kind="pre-launched"><cpu id="0"/><cpu id="1"/><memory size="32M"/>
    <kernel tag="k0" file="k.elf"/></vm>
  <vm name="vm1" kind="pre-launched"><cpu id="2"/><memory size="32M"/><kernel tag="k0" file="k.elf"/></vm>
</scenario>
"""

    def test_whole_cores_and_an_unused_sibling_are_fine(self):
        errors, res = validate(SMT_BOARD, self.write("s.xml", self.SCEN % "smt"))
        self.assertEqual([str(e) for e in errors], [])
        self.assertEqual(res.warnings, [])

    def test_board_without_core_ids_warns(self):
        with open(board_path("bochs")) as f:
            text = f.read()
        board = self.write("b.xml", re.sub(r' package-id="\d+" core-id="\d+" thread-id="\d+"', "", text))
        scen = self.write("s.xml", self.SCEN % "bochs")
        rc, _out, err = run_genconfig("--check", "--board", board, "--scenario", scen)
        self.assertEqual(rc, 0, err)
        self.assertRegex(err, r"b\.xml:\d+: warning: board 'bochs' gives no core-id/thread-id for its CPUs")
        rc, _out, err = run_genconfig("--check", "--board", board_path("bochs"), "--scenario", scen)
        self.assertEqual((rc, "warning" in err), (0, False), err)


class MsiShares(TempDirCase):
    """Every VM that can have PCI devices gets a share of the host MSI vectors; the shares fit the pool."""
    SCEN = """<?xml version="1.0"?>
<scenario name="s" board="bochs">
  <hypervisor><memory base="0x1000000" size="32M"/></hypervisor>
  <vm name="nodev" kind="pre-launched"><cpu id="0"/><memory size="32M"/><kernel tag="k0" file="k.elf"/></vm>
  <vm name="sos" kind="service"><cpu id="1"/><cpu id="2"/><cpu id="3"/><memory identity="true"/>
    <kernel tag="k0" file="k.elf"/>%s<flag>privileged</flag><flag>unprotected-dma</flag></vm>
  <vm name="post" kind="post-launched"><cpu id="2"/><cpu id="3"/><memory size="64M"/>%s</vm>
</scenario>
"""

    def shares(self, sos="", post=""):
        errors, res = validate(board_path("bochs"), self.write("s.xml", self.SCEN % (sos, post)))
        self.assertEqual([str(e) for e in errors], [])
        return {v.name: v.msi_vectors for v in res.vms}

    def test_default_split_counts_a_template_per_cpu(self):
        # no PCI devices: none; the Service VM 1 share, the template 2 (one VM per CPU): 128 / 3
        self.assertEqual(self.shares(), {"nodev": 0, "sos": 42, "post": 42})

    def test_explicit_shares_and_the_rest(self):
        self.assertEqual(self.shares(post="<msi-vectors>16</msi-vectors>"), {"nodev": 0, "sos": 96, "post": 16})
        self.assertEqual(self.shares(sos="<msi-vectors>0x20</msi-vectors>"), {"nodev": 0, "sos": 32, "post": 48})

    def test_nothing_left_for_the_others(self):
        errors, _res = validate(board_path("bochs"),
                                self.write("s.xml", self.SCEN % ("<msi-vectors>128</msi-vectors>", "")))
        self.assertEqual([e.message for e in errors],
                         ["post-launched template 'post': no host MSI vectors left for it: the msi-vectors "
                          "given take 128 of 128"])

    def test_generated_c_has_the_share(self):
        out = self.generate(board_path("bochs"), self.write("s.xml", self.SCEN % ("", "")))
        with open(os.path.join(out, "scenario.c")) as f:
            text = f.read()
        self.assertEqual(text.count(".msi_vectors = 42,"), 2)


if __name__ == "__main__":
    unittest.main()
