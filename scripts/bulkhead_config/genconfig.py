"""scripts/genconfig: validate a board and a scenario XML, then write the C data and
the boot module list into one directory (all or nothing)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from . import board as board_mod
from . import checks
from . import emit_c
from . import libxml2_schema
from . import scenario as scenario_mod
from .xmltree import ConfigError, parse_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUTPUTS = ("board.c", "scenario.c", "scenario.modules")
XMLLINT_LINE = re.compile(r"^(.*?):(\d+): (.*)$")
LD_SCRIPT = os.path.join(ROOT, "arch", "x86", "bulkhead.ld")
LD_LOAD_ADDR = re.compile(r"^\s*HV_LOAD_ADDR\s*=\s*(0x[0-9a-fA-F]+)\s*;", re.M)


def xmllint_report(path, schema):
    """(valid, stderr) of xmllint --schema on path; OSError when there is no xmllint.
    Its output is read as UTF-8, a bad byte replaced: after a parser error it quotes
    the file's line as it is, and the file need not be UTF-8."""
    try:
        proc = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", schema, path],
                              capture_output=True, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise OSError("xmllint not found: install libxml2-utils (scripts/setup)")
    return proc.returncode == 0, proc.stderr


def report_errors(path, valid, report):
    """ConfigErrors (file, line, message) from xmllint's report's lines that name path."""
    if valid:
        return []
    errors = []
    for line in report.splitlines():
        m = XMLLINT_LINE.match(line)
        if not m or m.group(1) != path:
            continue
        msg = m.group(3)
        msg = re.sub(r"^element [^:]*: Schemas validity error : ", "", msg)
        msg = re.sub(r"^(parser|namespace) error : ", "malformed XML: ", msg)
        errors.append(ConfigError(path, int(m.group(2)), "schema: " + msg.strip()))
    return errors


def schema_errors(path, schema):
    """What xmllint --schema says of path, as ConfigErrors; OSError when it cannot be run.
    libxml2 in-process when it can say the same (libxml2_schema), else xmllint itself;
    xmllint too for a failure that names no line of path: the error quotes its output."""
    got = libxml2_schema.report(path, schema)
    if got is not None:
        errors = report_errors(path, *got)
        if errors or got[0]:
            return errors
    valid, report = xmllint_report(path, schema)
    errors = report_errors(path, valid, report)
    if not valid and not errors:
        errors.append(ConfigError(path, None, "schema: xmllint failed: %s" % report.strip()[:500]))
    return errors


def read_link_addr(ld_script):
    """HV_LOAD_ADDR from the hypervisor's linker script: the image runs there, so the
    scenario's hypervisor memory must start there. OSError when it cannot be read."""
    try:
        with open(ld_script) as f:
            found = LD_LOAD_ADDR.findall(f.read())
    except OSError as e:
        raise OSError("%s: %s (the hypervisor's link address, HV_LOAD_ADDR, is read from it)"
                      % (ld_script, e.strerror))
    if len(found) != 1:
        raise OSError("%s: %s 'HV_LOAD_ADDR = 0x...;' line: genconfig takes the hypervisor's link "
                      "address from it" % (ld_script, "no" if not found else "more than one"))
    return int(found[0], 16)


def read_limits(include_dir, ld_script=LD_SCRIPT):
    """CONFIG_MAX_* from include/vm_config.h, so the checks follow the hypervisor's arrays,
    and the link address from the linker script (OSError when that cannot be read)."""
    lim = checks.Limits()
    lim.hv_link_addr = read_link_addr(ld_script)
    inside = os.path.abspath(ld_script).startswith(ROOT + os.sep)
    lim.hv_link_src = os.path.relpath(ld_script, ROOT) if inside else ld_script
    path = os.path.join(include_dir, "vm_config.h")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return lim
    for name, field in (("CONFIG_MAX_VMS", "max_vms"), ("CONFIG_MAX_CPUS", "max_cpus"),
                        ("CONFIG_MAX_MEM_RANGES", "max_mem_ranges")):
        m = re.search(r"#define\s+%s\s+(\d+)" % name, text)
        if m:
            setattr(lim, field, int(m.group(1)))
    try:
        with open(os.path.join(include_dir, "irq.h")) as f:
            m = re.search(r"#define\s+IRQ_MSI_COUNT\s+(0x[0-9a-fA-F]+|\d+)", f.read())
        if m:
            lim.msi_vectors = int(m.group(1), 0)
    except OSError:
        pass
    return lim


def validate(board_path, scen_path, schema_dir, limits, build_dir="build"):
    """Returns (errors, resolved or None)."""
    errors = []
    for path, xsd in ((board_path, "board.xsd"), (scen_path, "scenario.xsd")):
        errors += schema_errors(path, os.path.join(schema_dir, xsd))
    if errors:
        return errors, None
    try:
        b = board_mod.load(parse_file(board_path))
        s = scenario_mod.load(parse_file(scen_path))
    except ConfigError as e:
        return [e], None
    errors, res = checks.check(b, s, limits, build_dir)
    return errors, (None if errors else res)


def render(res, board_path, scen_path):
    return {
        "board.c": emit_c.board_c(res.board, board_path),
        "scenario.c": emit_c.scenario_c(res, [scen_path, board_path]),
        "scenario.modules": emit_c.modules_list(res, scen_path),
    }


def install(files, out_dir):
    """Write into a temporary directory next to out_dir, then move each file into place;
    a file whose content did not change keeps its time stamp (no needless rebuilds)."""
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".genconfig-", dir=parent)
    try:
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        os.makedirs(out_dir, exist_ok=True)
        for name in files:
            dst = os.path.join(out_dir, name)
            try:
                with open(dst) as f:
                    if f.read() == files[name]:
                        continue
            except OSError:
                pass
            os.replace(os.path.join(tmp, name), dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_outputs(out_dir):
    for name in OUTPUTS:
        try:
            os.unlink(os.path.join(out_dir, name))
        except OSError:
            pass


def make_parser():
    p = argparse.ArgumentParser(prog="genconfig", description=__doc__)
    p.add_argument("--board", required=True, help="board XML (config/boards/NAME.xml)")
    p.add_argument("--scenario", required=True, help="scenario XML (config/scenarios/NAME.xml)")
    p.add_argument("--out", help="output directory (build/config/BOARD/SCENARIO)")
    p.add_argument("--build-dir", default="build", help="what ${BUILD} in module paths means")
    p.add_argument("--schema-dir", default=os.path.join(ROOT, "config", "schema"))
    p.add_argument("--include-dir", default=os.path.join(ROOT, "include"),
                   help="where vm_config.h (CONFIG_MAX_*) is")
    p.add_argument("--ld-script", default=LD_SCRIPT,
                   help="the hypervisor's linker script (HV_LOAD_ADDR, where the image runs)")
    p.add_argument("--check", action="store_true", help="validate only, write nothing")
    return p


_parser = None      # built on first use: main() may run many times in one process (the fuzzer)


def main(argv=None):
    global _parser
    if _parser is None:
        _parser = make_parser()
    p = _parser
    a = p.parse_args(argv)
    if not a.check and not a.out:
        p.error("--out is required unless --check")
    for path in (a.board, a.scenario):
        if not os.path.isfile(path):
            print("genconfig: %s: no such file" % path, file=sys.stderr)
            if a.out:
                remove_outputs(a.out)
            return 1
    try:
        errors, res = validate(a.board, a.scenario, a.schema_dir, read_limits(a.include_dir, a.ld_script),
                                a.build_dir)
    except OSError as e:
        print("genconfig: %s" % e, file=sys.stderr)
        if a.out:
            remove_outputs(a.out)
        return 1
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print("genconfig: %d error%s; nothing generated" % (len(errors), "" if len(errors) == 1 else "s"),
              file=sys.stderr)
        if a.out:
            remove_outputs(a.out)
        return 1
    for w in res.warnings:
        print(w, file=sys.stderr)
    if a.check:
        print("genconfig: %s + %s: OK" % (a.board, a.scenario))
        return 0
    install(render(res, a.board, a.scenario), a.out)
    return 0
