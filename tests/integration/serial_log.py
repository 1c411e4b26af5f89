"""Parse a scenario's serial log and an .expect file, and judge the run.

Used by tests/integration/run.py.  Pure functions over text: no processes.
"""
import re

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
VM_LINE = re.compile(r"^\[([A-Za-z][\w.-]*)\] ?(.*)$")
TAP = re.compile(r"^\s*(not )?ok (\d+)\b\s*(?:-\s*)?(.*)$")
PLAN = re.compile(r"^\s*1\.\.(\d+)\s*$")
BENCH = re.compile(r"^\s*bench (\S+) (-?\d+(?:\.\d+)?) (\S+)\s*$")
ALL_STOPPED = "bulkhead: all VMs stopped"
HV = "hv"  # name under which unprefixed (hypervisor) TAP lines are counted

MACHINE_KEYS = {"cpus": 2, "megs": 256, "timeout": 120, "ips": None, "model": None, "pci": None}


class ExpectError(Exception):
    pass


def parse_expect(text, path="expect"):
    """Return a dict: machine (dict), vms (list), hv_logs (list), bench (bool)."""
    exp = {"machine": dict(MACHINE_KEYS), "vms": [], "hv_logs": [], "bench": False}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        where = "%s:%d" % (path, n)
        if word == "machine":
            for kv in rest.split():
                k, eq, v = kv.partition("=")
                if not eq or k not in MACHINE_KEYS:
                    raise ExpectError("%s: bad machine setting '%s' (want %s=VALUE)"
                                      % (where, kv, "|".join(MACHINE_KEYS)))
                if k in ("model", "pci"):
                    exp["machine"][k] = v
                    continue
                try:
                    exp["machine"][k] = int(v, 0)
                except ValueError:
                    raise ExpectError("%s: %s=%s is not a number" % (where, k, v))
        elif word == "vm":
            parts = rest.split()
            if len(parts) != 2 or parts[1] != "plan":
                raise ExpectError("%s: want 'vm NAME plan'" % where)
            exp["vms"].append(parts[0])
        elif word == "hv-log":
            if not rest:
                raise ExpectError("%s: hv-log needs a text to look for" % where)
            exp["hv_logs"].append(rest)
        elif word == "bench" and not rest:
            exp["bench"] = True
        else:
            raise ExpectError("%s: unknown line '%s' (want machine, vm, hv-log or bench)"
                              % (where, line))
    return exp


def clean_lines(data):
    """Serial bytes -> text lines without escape sequences or carriage returns."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = ANSI.sub("", text).replace("\r", "")
    return [l.rstrip() for l in text.split("\n")]


class Source:
    """What one VM (or the hypervisor) reported."""

    def __init__(self):
        self.ok = []       # (number, description)
        self.not_ok = []   # (number, description)
        self.plans = []    # N of each 1..N line


def parse_log(lines):
    """Split into per-source TAP results, hypervisor lines and bench figures."""
    sources, hv_lines, bench, panics = {}, [], [], []
    for line in lines:
        if "PANIC" in line:
            panics.append(line)
        m = VM_LINE.match(line)
        if m:
            name, body = m.group(1), m.group(2)
        else:
            name, body = HV, line
            hv_lines.append(line)
        b = BENCH.search(body)
        if b:
            bench.append((b.group(1), b.group(2), b.group(3), name))
            continue
        t = TAP.match(body)
        if t:
            src = sources.setdefault(name, Source())
            (src.not_ok if t.group(1) else src.ok).append((int(t.group(2)), t.group(3)))
            continue
        p = PLAN.match(body)
        if p:
            sources.setdefault(name, Source()).plans.append(int(p.group(1)))
    return {"sources": sources, "hv_lines": hv_lines, "bench": bench, "panics": panics}


def ranges(nums):
    """[1,2,3,5] -> '1-3, 5'."""
    out, nums = [], sorted(nums)
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else "%d-%d" % (nums[i], nums[j]))
        i = j + 1
    return ", ".join(out)


def judge(exp, log, run_status, run_reason):
    """Return (passed, failures): failures is a list of (count, text)."""
    sources = log["sources"]
    passed = sum(len(s.ok) for s in sources.values())
    fails = []
    for name in sorted(sources):
        for num, desc in sources[name].not_ok:
            fails.append((1, "%s: not ok %d%s" % (name, num, " - " + desc if desc else "")))
    for name in exp["vms"]:
        src = sources.get(name)
        if src is None or not src.plans:
            fails.append((1, "%s: no plan line (1..N)%s"
                          % (name, "" if src else "; no test output at all")))
            continue
        if len(src.plans) > 1:
            fails.append((1, "%s: %d plan lines (%s)" % (name, len(src.plans),
                                                         ", ".join("1..%d" % p for p in src.plans))))
        plan = src.plans[-1]
        seen = {}
        for num, _ in src.ok + src.not_ok:
            seen[num] = seen.get(num, 0) + 1
        missing = [n for n in range(1, plan + 1) if n not in seen]
        if missing:
            fails.append((len(missing), "%s: test%s %s of 1..%d missing"
                          % (name, "s" if len(missing) > 1 else "", ranges(missing), plan)))
        beyond = sorted(n for n in seen if n < 1 or n > plan)
        if beyond:
            fails.append((1, "%s: test%s %s beyond the plan 1..%d"
                          % (name, "s" if len(beyond) > 1 else "", ranges(beyond), plan)))
        dups = sorted(n for n, c in seen.items() if c > 1)
        if dups:
            fails.append((1, "%s: test%s %s reported more than once"
                          % (name, "s" if len(dups) > 1 else "", ranges(dups))))
    if log["panics"]:
        more = len(log["panics"]) - 1
        fails.append((1, "PANIC line: %s%s" % (log["panics"][0].strip(),
                                           " (+%d more PANIC lines)" % more if more else "")))
    if run_status == 124:
        fails.append((1, "time-out: %s" % run_reason))
    elif run_status != 0:
        fails.append((1, "emulator: %s" % run_reason))
    elif not log["panics"] and not any(ALL_STOPPED in l for l in log["hv_lines"]):
        fails.append((1, "no '%s' line before the emulator stopped" % ALL_STOPPED))
    for want in exp["hv_logs"]:
        if not any(want in l for l in log["hv_lines"]):
            fails.append((1, "no hypervisor log line contains '%s'" % want))
    return passed, fails
