#!/usr/bin/env python3
"""Run the configuration generator and board inspector tests (tests/config/test_*.py).

usage: tests/config/run.py [-v] [PATTERN]

Prints each failure with its traceback and ends with "config: N passed, N failed"
(skipped tests are listed before it, not counted); exit status 1 when anything
failed or nothing passed.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True


class Result(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = []

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed.append(test)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)


def main():
    verbose = "-v" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "-v"]
    suite = unittest.defaultTestLoader.discover(HERE, pattern=args[0] if args else "test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2 if verbose else 1, resultclass=Result)
    res = runner.run(suite)
    # A test with failing subtests counts once, as failed.
    failed = {t.id() if not hasattr(t, "test_case") else t.test_case.id() for t, _ in res.failures + res.errors}
    passed = len([t for t in res.passed if t.id() not in failed])
    for t, why in res.skipped:
        print("config: skipped %s (%s)" % (t.id(), why))
    print("config: %d passed, %d failed" % (passed, len(failed)))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
