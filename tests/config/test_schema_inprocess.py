"""genconfig's schema check in-process (libxml2 through ctypes, bulkhead_config/libxml2_schema.py)
must say what xmllint says: for every shipped board and scenario, every fixture, and a set of
broken files (malformed, schema-invalid, elements missing, not UTF-8), the lines naming the file
and the ConfigErrors made of them are the same from both. Where the in-process path declines
(an unreadable file; entity references, which libxml2's validator refuses; an XSD that does
not compile), xmllint answers."""
import glob
import os
import tempfile
import unittest

from helpers import BOARDS, FIXTURES, ROOT, SCENARIOS, SCHEMA, TempDirCase
from bulkhead_config import genconfig, libxml2_schema

ONE_VM = os.path.join(SCENARIOS, "one-vm.xml")
BOCHS = os.path.join(BOARDS, "bochs.xml")
# (name, file to start from, [(text replaced, replacement), ...]); no pairs: an empty file
BROKEN = [
    ("tag-mismatch", ONE_VM, [('<cpu id="1"/>', '<cpu id="1">')]),
    ("unclosed-root", ONE_VM, [("</scenario>", "")]),
    ("attribute-twice", ONE_VM, [('<vm name="vm0"', '<vm name="vm0" name="vm1"')]),
    ("unquoted-attribute", ONE_VM, [('kind="pre-launched"', "kind=pre-launched")]),
    ("undefined-entity", ONE_VM, [('size="32M"', 'size="&big;"')]),
    ("stray-ampersand", ONE_VM, [("loglevel=2", "loglevel=2 & more")]),
    ("empty", ONE_VM, []),
    ("content-after-root", ONE_VM, [("</scenario>", "</scenario>\n<scenario/>")]),
    ("namespace-prefix", ONE_VM, [("<bootargs>vcpus=2 name=vm0</bootargs>", "<a:bootargs>x</a:bootargs>")]),
    ("not-utf8", ONE_VM, [('name="vm0"', 'name="vm\xe9"')]),
    ("bad-enumeration", ONE_VM, [('kind="pre-launched"', 'kind="partition"')]),
    ("bad-pattern", ONE_VM, [('<cpu id="1"/>', '<cpu id="one"/>')]),
    ("unknown-element", ONE_VM, [("<bootargs>", "<cpus/><bootargs>")]),
    ("text-in-element-only", ONE_VM, [("<hypervisor>", "<hypervisor>some\ntext")]),
    ("vm-missing", ONE_VM, [('<vm name="vm0" kind="pre-launched">', "<!--"), ("</vm>", "-->")]),
    ("required-attribute-missing", ONE_VM, [(' kind="pre-launched"', "")]),
    ("hypervisor-missing", ONE_VM, [('<memory base="0x1000000" size="32M"/>', "")]),
    ("wrong-root", ONE_VM, [("scenario", "board")]),
    ("default-namespace", ONE_VM, [("<scenario ", '<scenario xmlns="urn:x" ')]),
    ("board-cpus-missing", BOCHS, [("<cpus>", "<cpus-gone>"), ("</cpus>", "</cpus-gone>")]),
    ("board-bad-lapic", BOCHS, [('lapic-id="1"', 'lapic-id="0x"')]),
    ("board-two-roots", BOCHS, [("<board ", "<board/><board ")]),
]


def xsd_for(path):
    with open(path, "rb") as f:
        head = f.read()
    return os.path.join(SCHEMA, "board.xsd" if b"<board" in head and b"<scenario" not in head
                        else "scenario.xsd")


def naming(path, report):
    return [line for line in report.splitlines() if line.startswith(path + ":")]


class InProcessSchema(TempDirCase):
    def setUp(self):
        super().setUp()
        if not libxml2_schema.available():
            self.skipTest("libxml2.so.2 does not load: genconfig runs xmllint (covered by the other tests)")

    def same(self, path, xsd=None):
        """Both paths on one file; returns xmllint's (valid, stderr)."""
        xsd = xsd or xsd_for(path)
        mine = libxml2_schema.report(path, xsd)
        theirs = genconfig.xmllint_report(path, xsd)
        self.assertIsNotNone(mine, "%s: the in-process check declined" % path)
        self.assertEqual(mine[0], theirs[0], "%s: valid in one, not the other:\n%s" % (path, theirs[1]))
        self.assertEqual(naming(path, mine[1]), naming(path, theirs[1]), path)
        self.assertEqual([str(e) for e in genconfig.report_errors(path, *mine)],
                         [str(e) for e in genconfig.report_errors(path, *theirs)], path)
        return theirs

    def test_shipped_files(self):
        files = sorted(glob.glob(os.path.join(BOARDS, "*.xml")) + glob.glob(os.path.join(SCENARIOS, "*.xml")))
        self.assertTrue(files)
        for path in files:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                self.assertTrue(self.same(path)[0])

    def test_fixtures(self):
        files = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.xml"), recursive=True))
        invalid = 0
        for path in files:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                invalid += not self.same(path)[0]
        self.assertGreater(invalid, 2, "the fixtures hold schema-invalid files")

    def test_broken_files(self):
        for name, start, pairs in BROKEN:
            with self.subTest(name):
                with open(start, encoding="utf-8") as f:
                    text = f.read()
                for old, new in pairs:
                    self.assertIn(old, text, "%s: nothing to replace" % name)
                    text = text.replace(old, new, 1)
                if not pairs:
                    text = ""
                path = os.path.join(self.tmp, name + ".xml")
                with open(path, "wb") as f:
                    f.write(text.encode("latin-1" if name == "not-utf8" else "utf-8"))
                valid, report = self.same(path, xsd_for(start))
                self.assertFalse(valid, "%s: xmllint finds nothing wrong" % name)
                self.assertTrue(genconfig.report_errors(path, valid, report), name)

    def test_relative_path(self):
        """genconfig gets the paths as typed: the errors name the file the same way."""
        with open(ONE_VM) as f:
            self.write("rel.xml", f.read().replace('<cpu id="1"/>', '<cpu id="1">'))
        old = os.getcwd()
        os.chdir(self.tmp)
        try:
            self.assertFalse(self.same("rel.xml", os.path.join(SCHEMA, "scenario.xsd"))[0])
        finally:
            os.chdir(old)

    def test_declines_where_xmllint_must_answer(self):
        scen_xsd = os.path.join(SCHEMA, "scenario.xsd")
        bad_xsd = self.write("bad.xsd", '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
                                        '<xs:element name="scenario" type="nosuch"/></xs:schema>\n')
        with open(ONE_VM) as f:
            entity = self.write("entity.xml", f.read().replace(
                "<scenario ", '<!DOCTYPE scenario [<!ENTITY c "<cpu id=\'1\'/>">]>\n<scenario ', 1)
                .replace('<cpu id="1"/>', "&c;"))
        for what, path, xsd in (("unreadable", os.path.join(self.tmp, "nosuch.xml"), scen_xsd),
                                ("entity", entity, scen_xsd), ("xsd does not compile", ONE_VM, bad_xsd)):
            with self.subTest(what):
                got = libxml2_schema.report(path, xsd)
                valid, report = genconfig.xmllint_report(path, xsd)
                self.assertFalse(valid)
                if got is not None:     # the unreadable file: failed, naming no line of it
                    self.assertFalse(got[0])
                    self.assertEqual(genconfig.report_errors(path, *got), [])
                want = genconfig.report_errors(path, valid, report) or [
                    "%s:?: error: schema: xmllint failed: %s" % (path, report.strip()[:500])]
                self.assertEqual([str(e) for e in genconfig.schema_errors(path, xsd)], [str(e) for e in want])

    def test_without_libxml2_runs_xmllint(self):
        path = self.write("bad.xml", '<?xml version="1.0"?>\n<scenario name="s">\n  <vm name="a"/>\n</scenario>\n')
        xsd = os.path.join(SCHEMA, "scenario.xsd")
        inproc = [str(e) for e in genconfig.schema_errors(path, xsd)]
        saved = libxml2_schema._lib
        libxml2_schema._lib = False
        try:
            self.assertIsNone(libxml2_schema.report(path, xsd))
            self.assertEqual([str(e) for e in genconfig.schema_errors(path, xsd)], inproc)
        finally:
            libxml2_schema._lib = saved
        self.assertTrue(inproc)

    def test_quiet_and_handlers_restored(self):
        """libxml2 writes nothing to the process's stderr and leaves no error handler of ours behind."""
        lib = libxml2_schema._load()
        path = self.write("bad.xml", "<scenario><vm></scenario>\n")
        with tempfile.TemporaryFile() as err:
            saved = os.dup(2)
            os.dup2(err.fileno(), 2)
            try:
                got = libxml2_schema.report(path, os.path.join(SCHEMA, "scenario.xsd"))
            finally:
                os.dup2(saved, 2)
                os.close(saved)
            err.seek(0)
            self.assertEqual(err.read(), b"")
        self.assertFalse(got[0])
        for name in ("__xmlStructuredError", "__xmlStructuredErrorContext"):
            self.assertIsNone(getattr(lib, name)().contents.value, name)


if __name__ == "__main__":
    unittest.main()
