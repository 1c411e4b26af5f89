"""Shared pieces of the generator tests: paths, running genconfig, compiling its C."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.dont_write_bytecode = True

from bulkhead_config import genconfig  # noqa: E402

BOARDS = os.path.join(ROOT, "config", "boards")
SCENARIOS = os.path.join(ROOT, "config", "scenarios")
FIXTURES = os.path.join(HERE, "fixtures")
SCHEMA = os.path.join(ROOT, "config", "schema")
INCLUDE = os.path.join(ROOT, "include")
# The hypervisor's C flags (Makefile HV_CFLAGS) that matter for data.
HV_CFLAGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding", "-fno-pie", "-fno-pic",
             "-fno-stack-protector", "-fno-builtin", "-mno-red-zone", "-mgeneral-regs-only",
             "-mcmodel=kernel", "-I" + INCLUDE]


def rel(path):
    return os.path.relpath(path, ROOT)


def board_path(name):
    return os.path.join(BOARDS, name + ".xml")


def scenario_path(name):
    return os.path.join(SCENARIOS, name + ".xml")


def shipped_pairs():
    """(board, scenario) for every shipped scenario, its board from its board= attribute."""
    pairs = []
    for f in sorted(os.listdir(SCENARIOS)):
        if f.endswith(".xml"):
            with open(os.path.join(SCENARIOS, f)) as fh:
                m = re.search(r'<scenario\b[^>]*\bboard="([^"]+)"', fh.read())
            pairs.append((m.group(1) if m else None, f[:-4]))
    return pairs


def validate(board, scenario, build_dir="build", include=INCLUDE, ld_script=genconfig.LD_SCRIPT):
    """genconfig.validate in-process: (errors, resolved)."""
    return genconfig.validate(board, scenario, SCHEMA, genconfig.read_limits(include, ld_script), build_dir)


def run_genconfig(*args):
    """scripts/genconfig as a program: (exit status, stdout, stderr)."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "genconfig")] + list(args),
                       cwd=ROOT, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class TempDirCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="config-test-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def generate(self, board, scenario, build_dir="build"):
        """Generate into a fresh directory; returns it (fails the test on errors)."""
        out = os.path.join(self.tmp, "out-%s" % os.path.basename(scenario)[:-4])
        rc, _o, err = run_genconfig("--board", board, "--scenario", scenario, "--out", out,
                                    "--build-dir", build_dir)
        self.assertEqual(rc, 0, err)
        return out

    def compile_hv(self, out_dir):
        """gcc -c board.c scenario.c with the hypervisor's flags; returns the object files."""
        p = subprocess.run(["gcc"] + HV_CFLAGS + ["-c", "board.c", "scenario.c"], cwd=out_dir,
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, "%s does not compile:\n%s" % (out_dir, p.stderr))
        return [os.path.join(out_dir, "board.o"), os.path.join(out_dir, "scenario.o")]

    def dump(self, out_dir):
        return dump(out_dir)


def dump(out_dir):
    """Link the generated C with tests/config/dump_config.c for the host; its output lines."""
    exe = os.path.join(out_dir, "dump")
    p = subprocess.run(["gcc", "-std=gnu11", "-O0", "-Wall", "-Wextra", "-Werror", "-I" + INCLUDE, "-o", exe,
                        os.path.join(HERE, "dump_config.c"), os.path.join(out_dir, "board.c"),
                        os.path.join(out_dir, "scenario.c")], capture_output=True, text=True)
    if p.returncode:
        raise AssertionError("dump_config does not link with %s:\n%s" % (out_dir, p.stderr))
    return subprocess.run([exe], capture_output=True, text=True, check=True).stdout.splitlines()
