#!/usr/bin/env python3
"""bulkhead integration tests: boot each scenario in Bochs and judge its console.

usage: tests/integration/run.py [--bench] [--scenario NAME ...] [--jobs N] [--verbose]

For each tests/integration/scenarios/NAME.expect (or the named ones): build the
ISO with `make SCENARIO=NAME iso`, boot it with scripts/run-bochs using the
.expect's machine line, and check build/NAME/serial.log against the .expect.
Every "ok" line is one passed; every "not ok", missing test and scenario-level
failure (build failure, PANIC, time-out, emulator death, missing hv-log) is one
failed.  The last line printed is "N passed, N failed".

A VM whose console another VM relays (a post-launched VM's UART emulated by the
device model in the Service VM) is named in the .expect as
    vm post plans 2 via sos "post: "
meaning: lines of sos's console that start with "post: " are post's console,
and post prints two plans (it is run twice, e.g. reset by its device model):
each "1..N" line opens a run judged with the results after it. `vm NAME plan`
is the one-plan form; `via SRC "PREFIX"` is optional with either.

--bench runs only the scenarios whose .expect has a "bench" line, and merges
their "bench NAME VALUE UNIT" figures and hv_image_bytes into
build/bench/results.tsv. A scenario with "bench-exits" or "bench-on-pass"
lines (minutes long: not in --bench unless named with --scenario) merges its
figures whenever it passes: the exit counters, or its VMs' bench lines
(relayed ones too, e.g. linux-dm's post-launched guest's; not the
hypervisor's, whose boot_to_guest is the bench scenario's).
"""
import argparse
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import serial_log  # noqa: E402

SCEN_DIR = os.path.join(HERE, "scenarios")
BUILD = os.path.join(ROOT, "build")
RESULTS = os.path.join(BUILD, "bench", "results.tsv")
TAIL = 40

print_lock = threading.Lock()
running = set()  # Popen objects to stop on Ctrl-C


def out(text=""):
    with print_lock:
        print(text, flush=True)


def rel(path):
    return os.path.relpath(path, ROOT)


def tail_of(path, n=TAIL):
    try:
        with open(path, "rb") as f:
            lines = serial_log.clean_lines(f.read())
    except OSError:
        return ["(no %s)" % rel(path)]
    while lines and not lines[-1]:
        lines.pop()
    return lines[-n:]


def child_env():
    """The environment for make: no jobserver inherited from a parent make."""
    env = dict(os.environ)
    flags = env.get("MAKEFLAGS", "")
    kept = [w for w in flags.split()
            if not re.match(r"^(--jobserver-(auth|fds)=|-j)", w)]
    env["MAKEFLAGS"] = " ".join(kept)
    env.pop("MFLAGS", None)
    return env


def build(name, jobs):
    """make the scenario's ISO; return (ok, log path)."""
    d = os.path.join(BUILD, name)
    os.makedirs(d, exist_ok=True)
    log = os.path.join(d, "build.log")
    cmd = ["make", "--no-print-directory", "-j%d" % jobs, "BUILD=build", "SCENARIO=" + name, "iso"]
    with open(log, "wb") as f:
        f.write(("$ %s\n" % " ".join(cmd)).encode())
        f.flush()
        rc = subprocess.call(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=f,
                             stderr=subprocess.STDOUT, env=child_env())
    return rc == 0, log


def boot(name, machine):
    """Run the ISO in Bochs; return (status, reason, serial log path, seconds)."""
    d = os.path.join(BUILD, name)
    serial = os.path.join(d, "serial.log")
    cmd = [os.path.join(ROOT, "scripts", "run-bochs"), "--iso", os.path.join(d, "bulkhead.iso"),
           "--cpus", str(machine["cpus"]), "--megs", str(machine["megs"]),
           "--timeout", str(machine["timeout"]), "--log", serial, "--scenario", name]
    if machine.get("ips"):
        cmd += ["--ips", str(machine["ips"])]
    if machine.get("model"):
        cmd += ["--model", machine["model"]]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    running.add(proc)
    try:
        _, err = proc.communicate()
    finally:
        running.discard(proc)
    status_line = err.decode("utf-8", "replace").strip().splitlines()
    reason = status_line[-1] if status_line else "run-bochs exited %d" % proc.returncode
    reason = re.sub(r"^run-bochs: ", "", reason)
    reason = re.sub(r", [\d.]+ s \(serial log .*\)$", "", reason)
    return proc.returncode, reason, serial, time.monotonic() - start


class Result:
    def __init__(self, name):
        self.name, self.passed, self.fails = name, 0, []
        self.seconds, self.log, self.detail, self.bench = 0.0, None, "", []
        self.note = None  # the attack scenario's closing count
        self.exit_figures = []  # from the .expect's bench-exits lines

    @property
    def failed(self):
        return sum(c for c, _ in self.fails)


def run_scenario(name, exp):
    r = Result(name)
    status, reason, serial, r.seconds = boot(name, exp["machine"])
    r.log = serial
    if status == 2:
        r.fails.append((1, "run-bochs could not start: %s" % reason))
        return r
    try:
        with open(serial, "rb") as f:
            lines = serial_log.clean_lines(f.read())
    except OSError:
        lines = []
    log = serial_log.parse_log(lines, exp["relays"])
    r.passed, r.fails = serial_log.judge(exp, log, status, reason)
    r.bench = log["bench"]
    r.note = log.get("attack_note")
    for vm, prefix in exp["bench_exits"]:
        figs = serial_log.exit_figures(log["hv_lines"], vm, prefix)
        if not figs:
            r.fails.append((1, "bench-exits: no exit counters of VM %s after it stopped" % vm))
        r.exit_figures += figs
        share = serial_log.share_figure(log["hv_lines"], vm, prefix)
        if not share:
            r.fails.append((1, "bench-exits: no time line of VM %s after it stopped" % vm))
        else:
            r.exit_figures.append(share)
    r.detail = ", ".join("%s %d/%s" % (vm, len(src.ok), "+".join(str(p) for p in src.plans) or "?")
                         for vm, src in sorted(log["sources"].items()))
    return r


def report(r, verbose):
    verdict = "FAIL" if r.fails else "PASS"
    counts = "%d passed, %d failed" % (r.passed, r.failed)
    lines = ["%s  %-20s %-24s %s%s" % (verdict, r.name, counts, "%5.1f s" % r.seconds if r.seconds else "",
                                        "  (%s)" % r.detail if r.detail else "")]
    if r.note:
        lines.append("      %s" % r.note)
    for count, text in r.fails:
        lines.append("      - %s%s" % (text, " [%d]" % count if count > 1 else ""))
    if (r.fails or verbose) and r.log:
        lines.append("      --- last %d lines of %s ---" % (TAIL, rel(r.log)))
        lines += ["      | " + l for l in tail_of(r.log)]
    out("\n".join(lines))


def image_bytes(elf):
    """.text + .data + .rodata (and their subsections) from `size -A`."""
    try:
        text = subprocess.run(["size", "-A", elf], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    total = 0
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit() and \
                re.match(r"^\.(text|data|rodata)(\..*)?$", parts[0]):
            total += int(parts[1])
    return total


def write_bench(results, names):
    figures = {}  # name -> (value, unit)
    # a figure several scenarios print (boot_to_guest) comes from the first by name: "bench"
    for r in sorted(results, key=lambda r: r.name):
        for name, value, unit, _src in r.bench:
            figures.setdefault(name, (value, unit))
    for n in sorted(names):
        size = image_bytes(os.path.join(BUILD, n, "bulkhead.elf"))
        if size is not None:
            figures.setdefault("hv_image_bytes", (str(size), "bytes"))
    rows, order = {}, []
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3 and parts[0] not in rows:
                    rows[parts[0]] = (parts[1], parts[2])
                    order.append(parts[0])
    for name, vu in figures.items():
        if name not in rows:
            order.append(name)
        rows[name] = vu
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS + ".tmp", "w") as f:
        for name in order:
            f.write("%s\t%s\t%s\n" % (name, rows[name][0], rows[name][1]))
    os.replace(RESULTS + ".tmp", RESULTS)
    out("bench figures (%s; * = measured in this run):" % rel(RESULTS))
    width = max([len(n) for n in order] + [4])
    for name in order:
        out("  %s %-*s %12s %s" % ("*" if name in figures else " ", width, name,
                                   rows[name][0], rows[name][1]))


def on_pass_figures(results, exps):
    """The passing runs of scenarios with bench-exits or bench-on-pass lines, each
    with its bench set to those figures: the exit counts, and the VMs' own bench
    lines (the hypervisor's, boot_to_guest, are the bench scenario's)."""
    counted = []
    for r in results:
        figs = list(r.exit_figures)
        if exps.get(r.name, {}).get("bench_on_pass"):
            figs += [b for b in r.bench if b[3] != serial_log.HV]
        if figs and not r.fails:
            r.bench = figs
            counted.append(r)
    return counted


def main():
    p = argparse.ArgumentParser(description="Boot the integration scenarios in Bochs.")
    p.add_argument("--bench", action="store_true", help="only scenarios with 'bench'; write results")
    p.add_argument("--scenario", action="append", default=[], metavar="NAME")
    p.add_argument("--jobs", type=int, default=2, help="scenarios booted at once (default 2)")
    p.add_argument("--verbose", "-v", action="store_true", help="show the log tail of passes too")
    a = p.parse_args()
    jobs = max(1, a.jobs)

    available = sorted(f[:-len(".expect")] for f in os.listdir(SCEN_DIR)
                       if f.endswith(".expect")) if os.path.isdir(SCEN_DIR) else []
    names = a.scenario or available
    results, exps = [], {}
    for name in names:
        path = os.path.join(SCEN_DIR, name + ".expect")
        r = Result(name)
        try:
            with open(path) as f:
                exps[name] = serial_log.parse_expect(f.read(), rel(path))
        except OSError:
            r.fails.append((1, "no such scenario: %s" % rel(path)))
        except serial_log.ExpectError as e:
            r.fails.append((1, "bad expect file: %s" % e))
        if r.fails:
            results.append(r)
            report(r, a.verbose)
    if a.bench:
        exps = {n: e for n, e in exps.items()
                if e["bench"] or (a.scenario and (e["bench_on_pass"] or e["bench_exits"]))}
        if not exps:
            out("no scenario has a 'bench' line")
    elif not names:
        out("no scenarios in %s" % rel(SCEN_DIR))

    def on_signal(signum, _frame):
        for proc in list(running):
            proc.terminate()  # run-bochs stops its Bochs on SIGTERM
        sys.exit(128 + signum)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    # Builds share objects, so they run one at a time; boots overlap with later builds.
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = []
        for name, exp in exps.items():
            t0 = time.monotonic()
            ok, log = build(name, jobs)
            if not ok:
                r = Result(name)
                r.seconds, r.log = time.monotonic() - t0, log
                r.fails.append((1, "build failed: make SCENARIO=%s iso (log %s)" % (name, rel(log))))
                results.append(r)
                report(r, a.verbose)
                continue
            fut = pool.submit(run_scenario, name, exp)
            fut.add_done_callback(lambda f: report(f.result(), a.verbose) if not f.exception() else None)
            futures.append((name, fut))
        for name, fut in futures:
            try:
                results.append(fut.result())
            except Exception as e:  # a harness bug must not look like a pass
                r = Result(name)
                r.fails.append((1, "harness error: %r" % e))
                report(r, a.verbose)
                results.append(r)

    benched = [n for n, e in exps.items() if e["bench"]]
    if a.bench and benched:
        write_bench([r for r in results if r.name in benched], benched)
    for r in sorted(results, key=lambda r: r.name):
        if r.note:
            out("%s %s" % (r.name, r.note))
    counted = on_pass_figures(results, exps)
    if counted:
        write_bench(counted, [])
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    out("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
