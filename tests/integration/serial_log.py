"""Parse a scenario's serial log and an .expect file, and judge the run.

Used by tests/integration/run.py.  Pure functions over text: no processes.
"""
import re
import shlex

ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])")
VM_LINE = re.compile(r"^\[([A-Za-z][\w.-]*)\] ?(.*)$")
TAP = re.compile(r"^\s*(not )?ok (\d+)\b\s*(?:-\s*)?(.*)$")
PLAN = re.compile(r"^\s*1\.\.(\d+)\s*$")
BENCH = re.compile(r"^\s*bench (\S+) (-?\d+(?:\.\d+)?) (\S+)\s*$")
ALL_STOPPED = "bulkhead: all VMs stopped"
HV = "hv"  # name under which unprefixed (hypervisor) TAP lines are counted
TODO = re.compile(r"#\s*TODO\b", re.I)  # TAP: a "not ok" marked TODO is no failure

MACHINE_KEYS = {"cpus": 2, "megs": 256, "timeout": 120, "ips": None, "model": None, "pci": None,
                "input": None}


class ExpectError(Exception):
    pass


def parse_vm_line(rest, where):
    """'NAME plan' | 'NAME plans N', then optionally 'via SRC "PREFIX"'.

    Returns (name, number of plans, (source, prefix) or None)."""
    try:
        parts = shlex.split(rest)
    except ValueError as e:
        raise ExpectError("%s: %s" % (where, e))
    relay = None
    if len(parts) >= 3 and parts[-3] == "via":
        if not parts[-1]:
            raise ExpectError("%s: 'via SRC PREFIX' needs a non-empty prefix" % where)
        relay = (parts[-2], parts[-1])
        parts = parts[:-3]
    if len(parts) == 2 and parts[1] == "plan":
        return parts[0], 1, relay
    if len(parts) == 3 and parts[1] == "plans" and parts[2].isdigit() and int(parts[2]) >= 1:
        return parts[0], int(parts[2]), relay
    raise ExpectError("%s: want 'vm NAME plan' or 'vm NAME plans N' [via SRC \"PREFIX\"]" % where)


def parse_expect(text, path="expect"):
    """Return a dict: machine (dict), vms (list), plans ({vm: N} for N > 1),
    relays (list of (source, prefix, vm)), hv_logs (list), bench (bool),
    bench_exits (list of (vm, figure prefix)), bench_on_pass (bool: its bench
    lines are figures whenever it passes)."""
    exp = {"machine": dict(MACHINE_KEYS), "vms": [], "plans": {}, "relays": [],
           "hv_logs": [], "bench": False, "canary": None, "attack_stops": [],
           "bench_exits": [], "bench_on_pass": False}
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
                if k in ("model", "pci", "input"):
                    exp["machine"][k] = v
                    continue
                try:
                    exp["machine"][k] = int(v, 0)
                except ValueError:
                    raise ExpectError("%s: %s=%s is not a number" % (where, k, v))
        elif word == "vm":
            name, plans, relay = parse_vm_line(rest, where)
            exp["vms"].append(name)
            if plans > 1:
                exp["plans"][name] = plans
            if relay:
                exp["relays"].append((relay[0], relay[1], name))
        elif word == "hv-log":
            if not rest:
                raise ExpectError("%s: hv-log needs a text to look for" % where)
            exp["hv_logs"].append(rest)
        elif word == "bench" and not rest:
            exp["bench"] = True
        elif word == "bench-on-pass" and not rest:
            exp["bench_on_pass"] = True
        elif word == "canary":
            parts = rest.split()
            if len(parts) < 3 or parts[1] != "after":
                raise ExpectError("%s: want 'canary VICTIM after ATTACKER...'" % where)
            exp["canary"] = (parts[0], parts[2:])
        elif word == "attack-stop":
            try:
                parts = shlex.split(rest)
            except ValueError as e:
                raise ExpectError("%s: %s" % (where, e))
            if len(parts) != 3 or not parts[2]:
                raise ExpectError("%s: want 'attack-stop VM NAME \"HV LOG TEXT\"'" % where)
            exp["attack_stops"].append(tuple(parts))
        elif word == "bench-exits":
            parts = rest.split()
            if len(parts) != 2:
                raise ExpectError("%s: want 'bench-exits VM PREFIX'" % where)
            exp["bench_exits"].append((parts[0], parts[1]))
        else:
            raise ExpectError("%s: unknown line '%s' (want machine, vm, hv-log, bench, bench-exits, "
                              "bench-on-pass, canary or attack-stop)" % (where, line))
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
        self.runs = []     # per plan line: (N, [test numbers after it])
        self.unplanned = 0  # results before the first plan line
        self.todo = []     # (number, description) of "not ok ... # TODO" lines
        self.events = []   # (log line index, ok, number, description) of every result


def parse_log(lines, relays=()):
    """Split into per-source TAP results, hypervisor lines and bench figures.

    relays: (source, prefix, name) triples: a line of source's console that
    starts with prefix is name's (a console relayed by, e.g., a device model)."""
    sources, hv_lines, bench, panics, hv_at = {}, [], [], [], []
    for idx, line in enumerate(lines):
        if "PANIC" in line:
            panics.append(line)
        m = VM_LINE.match(line)
        if m:
            name, body = m.group(1), m.group(2)
            for src, prefix, target in relays:
                if name == src and body.startswith(prefix):
                    name, body = target, body[len(prefix):]
                    break
        else:
            name, body = HV, line
            hv_lines.append(line)
            hv_at.append(idx)
        b = BENCH.search(body)
        if b:
            bench.append((b.group(1), b.group(2), b.group(3), name))
            continue
        t = TAP.match(body)
        if t:
            src = sources.setdefault(name, Source())
            ok, res = not t.group(1), (int(t.group(2)), t.group(3))
            if not ok and TODO.search(t.group(3)):
                src.todo.append(res)
            else:
                (src.ok if ok else src.not_ok).append(res)
            src.events.append((idx, ok, res[0], res[1]))
            if src.runs:
                src.runs[-1][1].append(int(t.group(2)))
            else:
                src.unplanned += 1
            continue
        p = PLAN.match(body)
        if p:
            src = sources.setdefault(name, Source())
            src.plans.append(int(p.group(1)))
            src.runs.append((int(p.group(1)), []))
    return {"sources": sources, "hv_lines": hv_lines, "hv_at": hv_at, "bench": bench,
            "panics": panics}


# exits that a vLAPIC access costs: x2APIC MSRs, xAPIC page accesses, EOIs of level vectors
APIC_EXIT_NAMES = ("WRMSR", "APIC access", "virtualized EOI", "APIC write")
EXITS_TOTAL = re.compile(r"^VM (\S+) exits: (\d+) total$")
EXITS_ROW = re.compile(r"^  (\S.*?)\s+(\d+)$")


def exit_counts(hv_lines, vm):
    """The exit counters the hypervisor printed when vm stopped: (total, {name: count}),
    or None when it did not stop (or printed none)."""
    stopped = False
    for i, line in enumerate(hv_lines):
        if line.startswith("VM %s stopped:" % vm):
            stopped = True
            continue
        m = EXITS_TOTAL.match(line)
        if not (stopped and m and m.group(1) == vm):
            continue
        rows = {}
        for row in hv_lines[i + 1:]:
            r = EXITS_ROW.match(row)
            if not r:
                break
            rows[r.group(1)] = int(r.group(2))
        return int(m.group(2)), rows
    return None


def exit_figures(hv_lines, vm, prefix):
    """Bench figures PREFIX_exits and PREFIX_msr_apic_exits (WRMSR, APIC access,
    virtualized EOI and APIC write exits) from vm's final exit counters."""
    counts = exit_counts(hv_lines, vm)
    if counts is None:
        return []
    total, rows = counts
    apic = sum(rows.get(n, 0) for n in APIC_EXIT_NAMES)
    return [(prefix + "_exits", str(total), "exits", HV),
            (prefix + "_msr_apic_exits", str(apic), "exits", HV)]


TIME_LINE = re.compile(r"^VM (\S+) time: guest (\d+) ticks, hypervisor (\d+) ticks")


def share_figure(hv_lines, vm, prefix):
    """Bench figure hv_share_PREFIX_pct: the hypervisor's share (VMX root, working,
    not asleep) of vm's time, from the line printed once all its vCPUs parked after
    it stopped; None when there is none."""
    stopped = False
    for line in hv_lines:
        if line.startswith("VM %s stopped:" % vm):
            stopped = True
            continue
        m = TIME_LINE.match(line)
        if stopped and m and m.group(1) == vm:
            guest, hv = int(m.group(2)), int(m.group(3))
            if guest + hv == 0:
                return None
            return ("hv_share_%s_pct" % prefix, "%.2f" % (100.0 * hv / (guest + hv)), "%", HV)
    return None


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


def check_plan(label, plan, nums):
    """Failures of one plan 1..plan given the test numbers reported for it."""
    fails, seen = [], {}
    for num in nums:
        seen[num] = seen.get(num, 0) + 1
    missing = [n for n in range(1, plan + 1) if n not in seen]
    if missing:
        fails.append((len(missing), "%s: test%s %s of 1..%d missing"
                      % (label, "s" if len(missing) > 1 else "", ranges(missing), plan)))
    beyond = sorted(n for n in seen if n < 1 or n > plan)
    if beyond:
        fails.append((1, "%s: test%s %s beyond the plan 1..%d"
                      % (label, "s" if len(beyond) > 1 else "", ranges(beyond), plan)))
    dups = sorted(n for n, c in seen.items() if c > 1)
    if dups:
        fails.append((1, "%s: test%s %s reported more than once"
                      % (label, "s" if len(dups) > 1 else "", ranges(dups))))
    return fails


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
        want_plans = exp.get("plans", {}).get(name, 1)
        if want_plans == 1:
            if len(src.plans) > 1:
                fails.append((1, "%s: %d plan lines (%s)" % (name, len(src.plans),
                                                             ", ".join("1..%d" % p for p in src.plans))))
            fails += check_plan(name, src.plans[-1], [n for n, _ in src.ok + src.not_ok + src.todo])
            continue
        # a VM run several times (e.g. reset by its device model): each plan line
        # opens a run, judged with the results that follow it
        if len(src.plans) != want_plans:
            fails.append((1, "%s: %d plan lines, want %d (%s)"
                          % (name, len(src.plans), want_plans,
                             ", ".join("1..%d" % p for p in src.plans))))
        if src.unplanned:
            fails.append((1, "%s: %d results before the first plan line" % (name, src.unplanned)))
        for i, (plan, nums) in enumerate(src.runs, 1):
            fails += check_plan("%s run %d" % (name, i), plan, nums)
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
    if exp.get("canary"):
        fails += judge_attacks(exp, log)
    return passed, fails


def canary_after(victim, idx):
    """The victim's first result after log line idx: (ok, number, description) or None."""
    for at, ok, num, desc in victim.events:
        if at > idx:
            return ok, num, desc
    return None


def judge_attacks(exp, log):
    """The attack scenario (tests/guests/README.md): every attack is followed in
    the log by a canary round of the victim, which must be ok. Fills
    log["attack_note"] with the closing count; returns the escapes as failures."""
    victim_name, attackers = exp["canary"]
    sources = log["sources"]
    victim = sources.get(victim_name) or Source()
    tried, todo, escapes = 0, 0, []

    def judge_one(who, idx, what, contained):
        after = canary_after(victim, idx)
        if after is None:
            escapes.append("%s: no canary round of %s after it" % (what, victim_name))
        elif not after[0]:
            escapes.append("%s: %s's canary round after it failed (not ok %d - %s)"
                           % (what, victim_name, after[1], after[2]))
        elif not contained:
            escapes.append("%s: the attacker reports an escape" % what)

    for name in attackers:
        for idx, ok, num, desc in (sources.get(name) or Source()).events:
            tried += 1
            is_todo = bool(TODO.search(desc))
            todo += is_todo
            judge_one(name, idx, "%s %d (%s)" % (name, num, desc), ok or is_todo)
    after_stop = {}  # a VM's attack-stops are found in order: each after the one before
    for vm, attack, text in exp.get("attack_stops", []):
        tried += 1
        hits = [at for at, l in zip(log["hv_at"], log["hv_lines"])
                if text in l and at > after_stop.get(vm, -1)]
        if not hits:
            escapes.append("%s %s: no hypervisor line '%s' (the VM was not stopped as expected)"
                           % (vm, attack, text))
        else:
            after_stop[vm] = hits[0]
            judge_one(vm, hits[0], "%s %s (stopped: '%s')" % (vm, attack, text), True)
    # "not ok" lines of the attackers are failures already; count the rest here
    fails = [(1, "escape: " + e) for e in escapes if "the attacker reports" not in e]
    log["attack_note"] = "attacks: %d tried (%d TODO), %d escapes" % (tried, todo, len(escapes))
    return fails
