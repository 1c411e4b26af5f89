"""Tests of the harness's own parser: python3 -m unittest discover -s tests/integration"""
import unittest

import serial_log as sl

EXPECT = """\
# two VMs
machine cpus=2 megs=128 timeout=60
vm vm0 plan
vm vm1 plan
hv-log VM vm1 stopped:
bench
"""

GOOD = b"""\x1b[H\x1b[J  Booting `bulkhead x (multiboot2)'\n\r\n\r
[vm0] ok 1 - first
[vm1] ok 1 - one\r
[vm0] ok 2 - second
[vm1] 1..1
[vm0] bench cpuid_exit 280 insns
[vm0] 1..2
VM vm1 stopped: EPT violation at 0x1000
VM bench exits: 12 total
bench hv_exits 77 count
bulkhead: all VMs stopped
"""


def run(log_bytes, expect=EXPECT, status=0, reason="shutdown port"):
    exp = sl.parse_expect(expect)
    log = sl.parse_log(sl.clean_lines(log_bytes))
    return sl.judge(exp, log, status, reason), log


class ExpectTest(unittest.TestCase):
    def test_parse(self):
        exp = sl.parse_expect(EXPECT)
        self.assertEqual(exp["machine"]["cpus"], 2)
        self.assertEqual(exp["machine"]["megs"], 128)
        self.assertEqual(exp["machine"]["timeout"], 60)
        self.assertEqual(exp["vms"], ["vm0", "vm1"])
        self.assertEqual(exp["hv_logs"], ["VM vm1 stopped:"])
        self.assertTrue(exp["bench"])

    def test_defaults(self):
        exp = sl.parse_expect("vm vm0 plan\n")
        self.assertEqual((exp["machine"]["cpus"], exp["machine"]["megs"]), (2, 256))
        self.assertFalse(exp["bench"])

    def test_errors(self):
        for bad in ("machine mem=3\n", "machine cpus=two\n", "vm vm0\n", "hv-log\n",
                    "frobnicate\n", "bench now\n"):
            with self.assertRaises(sl.ExpectError, msg=bad):
                sl.parse_expect(bad, "x.expect")


class ExitFiguresTest(unittest.TestCase):
    LOG = ["VM linux exits: 5 total", "  WRMSR  1",  # periodic statistics: not the final figures
           "VM linux stopped: powered off (ACPI S5)",
           "VM linux exits: 120989 total",
           "  external interrupt           15718",
           "  WRMSR                        31513",
           "  APIC access                  7",
           "  virtualized EOI              3",
           "  I/O instruction              63950",
           "VM linux time: guest 9000 ticks, hypervisor 250 ticks (2.70%), asleep 77 ticks",
           "VM linux: devices released",
           "  WRMSR  100"]

    def test_parse_line(self):
        exp = sl.parse_expect("bench-exits linux linux_boot\n")
        self.assertEqual(exp["bench_exits"], [("linux", "linux_boot")])
        for bad in ("bench-exits\n", "bench-exits linux\n", "bench-exits a b c\n"):
            with self.assertRaises(sl.ExpectError, msg=bad):
                sl.parse_expect(bad)

    def test_figures_after_stop(self):
        figs = sl.exit_figures(self.LOG, "linux", "linux_boot")
        self.assertEqual([(n, v, u) for n, v, u, _ in figs],
                         [("linux_boot_exits", "120989", "exits"),
                          ("linux_boot_msr_apic_exits", "31523", "exits")])

    def test_share_after_stop(self):
        fig = sl.share_figure(self.LOG, "linux", "linux_boot")
        self.assertEqual(fig[:3], ("hv_share_linux_boot_pct", "2.70", "%"))
        self.assertIsNone(sl.share_figure(self.LOG[:4], "linux", "x"))
        self.assertIsNone(sl.share_figure(["VM linux time: guest 1 ticks, hypervisor 1 ticks"],
                                          "linux", "x"))  # printed before any stop

    def test_none_without_stop(self):
        self.assertEqual(sl.exit_figures(self.LOG[:2], "linux", "x"), [])
        self.assertEqual(sl.exit_figures(self.LOG, "vm1", "x"), [])


class JudgeTest(unittest.TestCase):
    def test_pass(self):
        (passed, fails), log = run(GOOD)
        self.assertEqual(passed, 3)
        self.assertEqual(fails, [])
        self.assertEqual(sorted((n, v, u) for n, v, u, _ in log["bench"]),
                         [("cpuid_exit", "280", "insns"), ("hv_exits", "77", "count")])

    def test_not_ok_missing_and_beyond(self):
        text = (b"[vm0] ok 1 - a\n[vm0] not ok 2 - b\n[vm0] ok 5 - e\n[vm0] 1..4\n"
                b"[vm1] 1..1\n[vm1] ok 1\n[vm1] ok 1\nVM vm1 stopped: x\nbulkhead: all VMs stopped\n")
        (passed, fails), _ = run(text)
        self.assertEqual(passed, 4)
        msgs = [m for _, m in fails]
        self.assertIn("vm0: not ok 2 - b", msgs)
        self.assertIn((2, "vm0: tests 3-4 of 1..4 missing"), fails)
        self.assertIn("vm0: test 5 beyond the plan 1..4", msgs)
        self.assertIn("vm1: test 1 reported more than once", msgs)
        self.assertEqual(sum(c for c, _ in fails), 5)

    def test_no_plan_panic_hvlog(self):
        text = b"[vm0] ok 1 - a\nbulkhead PANIC: oops\n"
        (passed, fails), _ = run(text)
        self.assertEqual(passed, 1)
        msgs = [m for _, m in fails]
        self.assertTrue(any(m.startswith("vm0: no plan line") for m in msgs))
        self.assertTrue(any(m.startswith("vm1: no plan line") for m in msgs))
        self.assertIn("PANIC line: bulkhead PANIC: oops", msgs)
        self.assertIn("no hypervisor log line contains 'VM vm1 stopped:'", msgs)
        self.assertEqual(len(fails), 4)  # no "all VMs stopped" complaint on top of a PANIC

    def test_hv_log_only_in_hv_lines(self):
        text = GOOD.replace(b"VM vm1 stopped: EPT", b"[vm0] VM vm1 stopped: EPT")
        (_, fails), _ = run(text)
        self.assertEqual([m for _, m in fails], ["no hypervisor log line contains 'VM vm1 stopped:'"])

    def test_timeout_and_emulator(self):
        (_, fails), _ = run(GOOD, status=124, reason="timed out after 60 s")
        self.assertEqual(fails, [(1, "time-out: timed out after 60 s")])
        (_, fails), _ = run(GOOD.replace(b"bulkhead: all VMs stopped\n", b""), status=3,
                            reason="triple fault")
        self.assertEqual(fails, [(1, "emulator: triple fault")])
        (_, fails), _ = run(GOOD.replace(b"bulkhead: all VMs stopped\n", b""))
        self.assertEqual(fails, [(1, "no 'bulkhead: all VMs stopped' line before the emulator stopped")])

    def test_hv_tap_lines(self):
        (passed, fails), _ = run(b"ok 1 - vtd\nnot ok 2 - dma\n1..2\nbulkhead: all VMs stopped\n",
                                 expect="vm hv plan\n")
        self.assertEqual(passed, 1)
        self.assertEqual([m for _, m in fails], ["hv: not ok 2 - dma"])

    def test_ranges(self):
        self.assertEqual(sl.ranges([5, 1, 2, 3, 7, 8]), "1-3, 5, 7-8")


RELAY_EXPECT = 'vm sos plan\nvm post plans 2 via sos "post: "\n'


def run_relay(log_bytes, expect=RELAY_EXPECT):
    exp = sl.parse_expect(expect)
    log = sl.parse_log(sl.clean_lines(log_bytes), exp["relays"])
    return sl.judge(exp, log, 0, "shutdown port"), log


class RelayTest(unittest.TestCase):
    """A console relayed inside another VM's (post-launched VM through the Service VM)."""

    def test_two_runs_pass(self):
        (passed, failed), log = run_relay(
            b"[sos] 1..1\n[sos] post: 1..2\n[sos] post: ok 1 - a\n[sos] post: ok 2 - b\n"
            b"[sos] ok 1 - s\n[sos] post: 1..1\n[sos] post: ok 1 - c\nbulkhead: all VMs stopped\n")
        self.assertEqual((passed, failed), (4, []))
        self.assertEqual(log["sources"]["post"].plans, [2, 1])

    def test_each_run_judged_against_its_plan(self):
        (_, failed), _ = run_relay(
            b"[sos] 1..1\n[sos] ok 1\n[sos] post: 1..2\n[sos] post: ok 1 - a\n"
            b"[sos] post: 1..1\n[sos] post: ok 1 - c\n[sos] post: ok 2 - c\n"
            b"bulkhead: all VMs stopped\n")
        self.assertIn((1, "post run 1: test 2 of 1..2 missing"), failed)
        self.assertIn((1, "post run 2: test 2 beyond the plan 1..1"), failed)

    def test_missing_run_and_early_results(self):
        (_, failed), _ = run_relay(
            b"[sos] 1..1\n[sos] ok 1\n[sos] post: ok 1\n[sos] post: 1..1\n"
            b"bulkhead: all VMs stopped\n")
        msgs = [m for _, m in failed]
        self.assertIn("post: 1 plan lines, want 2 (1..1)", msgs)
        self.assertIn("post: 1 results before the first plan line", msgs)

    def test_relayed_bench_lines(self):
        """linux-dm: the post guest's figures come relayed; they are no TAP results."""
        (passed, failed), log = run_relay(
            b"[sos] 1..1\n[sos] post: 1..1\n[sos] post: bench virtio_blk_read_4k_insns 81234 insns\n"
            b"[sos] post: ok 1 - a\n[sos] post: 1..1\n[sos] post: ok 1 - b\n"
            b"[sos] bench post_linux_boot_insns 912345678 insns\n[sos] ok 1 - s\n"
            b"bulkhead: all VMs stopped\n", RELAY_EXPECT + "bench-on-pass\n")
        self.assertEqual((passed, failed), (3, []))
        self.assertEqual(log["bench"], [("virtio_blk_read_4k_insns", "81234", "insns", "post"),
                                        ("post_linux_boot_insns", "912345678", "insns", "sos")])

    def test_bench_on_pass_line(self):
        self.assertTrue(sl.parse_expect("bench-on-pass\n")["bench_on_pass"])
        self.assertFalse(sl.parse_expect("bench\n")["bench_on_pass"])
        with self.assertRaises(sl.ExpectError):
            sl.parse_expect("bench-on-pass now\n")

    def test_single_plan_with_via(self):
        e = sl.parse_expect('vm post plan via sos "post: "\n')
        self.assertEqual(e["relays"], [("sos", "post: ", "post")])
        self.assertEqual(e["plans"], {})

    def test_malformed_lines_refused(self):
        for bad in ('vm post plans\n', 'vm post plans 0\n', 'vm post plan via sos\n',
                    'vm post plan via sos ""\n', 'vm post plan via sos "x\n'):
            with self.assertRaises(sl.ExpectError, msg=bad):
                sl.parse_expect(bad)


ATTACK_EXPECT = """\
vm victim plan
vm atk plan
canary victim after atk
attack-stop atk ins-outs "VM atk stopped: string I/O"
"""


def run_attack(log_bytes, expect=ATTACK_EXPECT):
    exp = sl.parse_expect(expect)
    log = sl.parse_log(sl.clean_lines(log_bytes), exp["relays"])
    return sl.judge(exp, log, 0, "shutdown port"), log


class AttackTest(unittest.TestCase):
    """The attack scenario: a canary round of the victim must follow each attack."""

    GOOD = (b"[victim] 1..3\n[atk] 1..2\n[victim] ok 1 - canary\n[atk] ok 1 - a: contained\n"
            b"[victim] ok 2 - canary\n[atk] not ok 2 - b: not contained yet # TODO later\n"
            b"VM atk stopped: string I/O (ins port 0x1f0)\n[victim] ok 3 - canary\n"
            b"bulkhead: all VMs stopped\n")

    def test_pass_with_todo(self):
        (passed, failed), log = run_attack(self.GOOD)
        self.assertEqual(failed, [])
        self.assertEqual(passed, 4)  # the TODO line is neither passed nor failed
        self.assertEqual(log["attack_note"], "attacks: 3 tried (1 TODO), 0 escapes")

    def test_canary_broken_after_attack(self):
        text = self.GOOD.replace(b"[victim] ok 2 - canary", b"[victim] not ok 2 - canary")
        (_, failed), log = run_attack(text)
        msgs = [m for _, m in failed]
        self.assertIn("victim: not ok 2 - canary", msgs)
        self.assertTrue(any(m.startswith("escape: atk 1 (a: contained): victim's canary round after it "
                                         "failed") for m in msgs), msgs)
        self.assertEqual(log["attack_note"], "attacks: 3 tried (1 TODO), 1 escapes")

    def test_victim_ended_first_and_no_stop(self):
        text = (b"[victim] 1..1\n[atk] 1..1\n[victim] ok 1 - canary\n[atk] ok 1 - a: contained\n"
                b"bulkhead: all VMs stopped\n")
        (_, failed), log = run_attack(text)
        msgs = [m for _, m in failed]
        self.assertIn("escape: atk 1 (a: contained): no canary round of victim after it", msgs)
        self.assertTrue(any("atk ins-outs: no hypervisor line" in m for m in msgs), msgs)
        self.assertEqual(log["attack_note"], "attacks: 2 tried (0 TODO), 2 escapes")

    def test_attacker_escape_is_counted_once_as_failure(self):
        text = self.GOOD.replace(b"[atk] ok 1 - a: contained", b"[atk] not ok 1 - a: ESCAPE")
        (_, failed), log = run_attack(text)
        self.assertEqual([m for _, m in failed], ["atk: not ok 1 - a: ESCAPE"])
        self.assertEqual(log["attack_note"], "attacks: 3 tried (1 TODO), 1 escapes")

    def test_attack_stops_in_order(self):
        expect = ATTACK_EXPECT + 'attack-stop atk again "VM atk stopped: string I/O"\n'
        (_, failed), log = run_attack(self.GOOD, expect)
        self.assertTrue(any("atk again: no hypervisor line" in m for _, m in failed), failed)
        twice = self.GOOD.replace(b"[victim] ok 3 - canary\n",
                                  b"[victim] ok 3 - canary\nVM atk stopped: string I/O\n"
                                  b"[victim] ok 4 - canary\n").replace(b"[victim] 1..3", b"[victim] 1..4")
        (_, failed), log = run_attack(twice, expect)
        self.assertEqual(failed, [])
        self.assertEqual(log["attack_note"], "attacks: 4 tried (1 TODO), 0 escapes")

    def test_malformed(self):
        for bad in ("canary victim\n", "canary victim atk\n", "attack-stop atk x\n",
                    'attack-stop atk x ""\n'):
            with self.assertRaises(sl.ExpectError, msg=bad):
                sl.parse_expect(bad)


if __name__ == "__main__":
    unittest.main()
