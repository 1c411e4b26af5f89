"""run.py's choice of the figures a passing scenario writes (bench-exits, bench-on-pass)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import run  # noqa: E402


def result(name, bench, fails=(), exit_figures=()):
    r = run.Result(name)
    r.bench, r.fails, r.exit_figures = list(bench), list(fails), list(exit_figures)
    return r


class OnPassTest(unittest.TestCase):
    BENCH = [("boot_to_guest", "23346495", "insns", "hv"),
             ("virtio_kick_ioreq_insns", "12995", "insns", "post"),
             ("post_linux_boot_insns", "1249449415", "insns", "sos")]

    def test_vm_figures_of_a_pass(self):
        exps = {"linux-dm": {"bench_on_pass": True}}
        counted = run.on_pass_figures([result("linux-dm", self.BENCH)], exps)
        self.assertEqual([b[0] for b in counted[0].bench],
                         ["virtio_kick_ioreq_insns", "post_linux_boot_insns"])

    def test_nothing_from_a_failure_or_without_the_line(self):
        exps = {"linux-dm": {"bench_on_pass": True}, "one-vm": {}}
        self.assertEqual(run.on_pass_figures([result("linux-dm", self.BENCH, [(1, "x")])], exps), [])
        self.assertEqual(run.on_pass_figures([result("one-vm", self.BENCH)], exps), [])

    def test_exit_figures_alone(self):
        figs = [("linux_boot_exits", "5", "exits", "hv")]
        counted = run.on_pass_figures([result("linux-vm", self.BENCH, exit_figures=figs)],
                                      {"linux-vm": {}})
        self.assertEqual(counted[0].bench, figs)


if __name__ == "__main__":
    unittest.main()
