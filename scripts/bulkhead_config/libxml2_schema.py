"""XSD validation in-process through libxml2 (ctypes), saying what
`xmllint --noout --nonet --schema XSD FILE` would say, without a process per file.

xmllint parses the file (xmlReadFile), validates the tree (xmlSchemaValidateDoc)
and prints each libxml2 error as "FILE:LINE: [element NAME: ]DOMAIN LEVEL : MESSAGE"
(libxml2's xmlReportError). report() does the same calls with a structured error
handler and writes those lines from the struct xmlError fields, so genconfig reads
them as it reads xmllint's stderr. Not written: the source excerpt and caret
lines xmllint prints after a parser error (they never start with "FILE:LINE: "
unless the XML text itself does).

report() answers None where it would not be sure to say the same as xmllint:
libxml2.so.2 does not load, the XSD does not compile (xmllint's message names
the XSD) or libxml2 fails inside; the caller runs xmllint then, as it does
for a failure whose lines name no line of the file (the file cannot be read):
its message quotes xmllint's whole output. Each XSD is parsed once per process
(keyed by its absolute path: the schemas do not change under a running genconfig).
"""
import ctypes
import os

# xmllint's parser options: its defaults (COMPACT, BIG_LINES) plus --nonet
XML_PARSE_NONET = 1 << 11
XML_PARSE_COMPACT = 1 << 16
XML_PARSE_BIG_LINES = 1 << 22
OPTIONS = XML_PARSE_COMPACT | XML_PARSE_BIG_LINES | XML_PARSE_NONET

XML_ELEMENT_NODE = 1
LEVELS = {0: ": ", 1: "warning : ", 2: "error : ", 3: "error : "}
# enum xmlErrorDomain (libxml/xmlerror.h) in order, each with xmlReportError's word for it
DOMAIN_NAMES = [
    ("NONE", ""), ("PARSER", "parser "), ("TREE", ""), ("NAMESPACE", "namespace "), ("DTD", "validity "),
    ("HTML", "HTML parser "), ("MEMORY", "memory "), ("OUTPUT", "output "), ("IO", "I/O "), ("FTP", ""),
    ("HTTP", ""), ("XINCLUDE", "XInclude "), ("XPATH", "XPath "), ("XPOINTER", "parser "),
    ("REGEXP", "regexp "), ("DATATYPE", ""), ("SCHEMASP", "Schemas parser "),
    ("SCHEMASV", "Schemas validity "), ("RELAXNGP", "Relax-NG parser "), ("RELAXNGV", "Relax-NG validity "),
    ("CATALOG", "Catalog "), ("C14N", "C14N "), ("XSLT", "XSLT "), ("VALID", "validity "), ("CHECK", ""),
    ("WRITER", ""), ("MODULE", "module "), ("I18N", "encoding "), ("SCHEMATRONV", "schematron "),
    ("BUFFER", "internal buffer "), ("URI", "URI ")]
DOMAIN = {name: n for n, (name, _) in enumerate(DOMAIN_NAMES)}
# where xmlReportError writes "Entity: line N: " for an error without a file
ENTITY_LINE_DOMAINS = tuple(DOMAIN[d] for d in ("PARSER", "SCHEMASV", "SCHEMASP", "DTD", "RELAXNGP",
                                                "RELAXNGV"))


class XmlError(ctypes.Structure):
    """struct _xmlError (libxml/xmlerror.h)."""
    _fields_ = [("domain", ctypes.c_int), ("code", ctypes.c_int), ("message", ctypes.c_char_p),
                ("level", ctypes.c_int), ("file", ctypes.c_char_p), ("line", ctypes.c_int),
                ("str1", ctypes.c_char_p), ("str2", ctypes.c_char_p), ("str3", ctypes.c_char_p),
                ("int1", ctypes.c_int), ("int2", ctypes.c_int), ("ctxt", ctypes.c_void_p),
                ("node", ctypes.c_void_p)]


class XmlNodeHead(ctypes.Structure):
    """The first fields of struct _xmlNode (libxml/tree.h): enough for its type and name."""
    _fields_ = [("private", ctypes.c_void_p), ("type", ctypes.c_int), ("name", ctypes.c_char_p)]


STRUCTURED_ERROR = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(XmlError))

_lib = None         # the loaded library, False when it would not load
_schemas = {}       # absolute XSD path -> xmlSchemaPtr, or None when it does not compile
_collected = []     # the errors of the call under way (one thread: genconfig's)


def _collect(_data, err):
    """The structured error handler: copy out what xmlReportError would print."""
    e = err.contents
    name = None
    if e.node:
        node = ctypes.cast(e.node, ctypes.POINTER(XmlNodeHead)).contents
        if node.type == XML_ELEMENT_NODE:
            name = node.name
    _collected.append((e.domain, e.level, e.file, e.line, name, e.message))


_handler = STRUCTURED_ERROR(_collect)   # kept referenced as long as libxml2 may call it


def _load():
    global _lib
    if _lib is None:
        try:
            lib = ctypes.CDLL("libxml2.so.2")
        except OSError:
            _lib = False
            return _lib
        vp = ctypes.c_void_p
        for name, res, args in (
                ("xmlInitParser", None, []),
                ("xmlReadFile", vp, [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]),
                ("xmlFreeDoc", None, [vp]),
                ("xmlSchemaNewParserCtxt", vp, [ctypes.c_char_p]),
                ("xmlSchemaSetParserStructuredErrors", None, [vp, STRUCTURED_ERROR, vp]),
                ("xmlSchemaParse", vp, [vp]),
                ("xmlSchemaFreeParserCtxt", None, [vp]),
                ("xmlSchemaFree", None, [vp]),
                ("xmlSchemaNewValidCtxt", vp, [vp]),
                ("xmlSchemaSetValidStructuredErrors", None, [vp, STRUCTURED_ERROR, vp]),
                ("xmlSchemaValidateDoc", ctypes.c_int, [vp, vp]),
                ("xmlSchemaFreeValidCtxt", None, [vp]),
                ("xmlSetStructuredErrorFunc", None, [vp, vp]),
                ("__xmlStructuredError", ctypes.POINTER(vp), []),
                ("__xmlStructuredErrorContext", ctypes.POINTER(vp), []),
                ("xmlResetLastError", None, [])):
            f = getattr(lib, name, None)
            if f is None:       # a libxml2 built without schemas: xmllint says what it says
                _lib = False
                return _lib
            f.restype, f.argtypes = res, args
        lib.xmlInitParser()
        _lib = lib
    return _lib


def available():
    return bool(_load())


def _schema(lib, xsd):
    """The compiled XSD, parsed on first use; None when it does not compile."""
    key = os.path.abspath(xsd)
    if key not in _schemas:
        del _collected[:]
        pctxt = lib.xmlSchemaNewParserCtxt(os.fsencode(xsd))
        schema = None
        if pctxt:
            lib.xmlSchemaSetParserStructuredErrors(pctxt, _handler, None)
            schema = lib.xmlSchemaParse(pctxt)
            lib.xmlSchemaFreeParserCtxt(pctxt)
        # anything said while compiling (even a warning) is xmllint's to print
        if schema and _collected:
            lib.xmlSchemaFree(schema)
            schema = None
        _schemas[key] = schema
        del _collected[:]
    return _schemas[key]


def _line(domain, level, file, line, name, message):
    """One error as xmlReportError prints it."""
    if file is not None:
        head = "%s:%d: " % (os.fsdecode(file), line)
    elif line and domain in ENTITY_LINE_DOMAINS:
        head = "Entity: line %d: " % line
    else:
        head = ""
    if name is not None:
        head += "element %s: " % name.decode("utf-8", "replace")
    if 0 <= domain < len(DOMAIN_NAMES):
        head += DOMAIN_NAMES[domain][1]
    head += LEVELS.get(level, "")
    if message is None:
        return head + "out of memory error\n"
    text = message.decode("utf-8", "replace")
    return head + text + ("\n" if text and not text.endswith("\n") else "")


def report(path, xsd):
    """(valid, what xmllint prints) for path against xsd, or None (see the module's doc)."""
    lib = _load()
    if not lib:
        return None
    schema = _schema(lib, xsd)
    if not schema:
        return None
    del _collected[:]
    # parser errors only reach the process-wide handler: install ours for the parse,
    # then put back whatever was there
    old_func = lib.__xmlStructuredError().contents.value
    old_data = lib.__xmlStructuredErrorContext().contents.value
    lib.xmlSetStructuredErrorFunc(None, ctypes.cast(_handler, ctypes.c_void_p))
    try:
        doc = lib.xmlReadFile(os.fsencode(path), None, OPTIONS)
    finally:
        lib.xmlSetStructuredErrorFunc(old_data, old_func)
    rc = 1
    if doc:
        vctxt = lib.xmlSchemaNewValidCtxt(schema)
        if vctxt:
            lib.xmlSchemaSetValidStructuredErrors(vctxt, _handler, None)
            rc = lib.xmlSchemaValidateDoc(vctxt, doc)
            lib.xmlSchemaFreeValidCtxt(vctxt)
        else:
            rc = -1
        lib.xmlFreeDoc(doc)
    lib.xmlResetLastError()
    errors, _collected[:] = list(_collected), []
    if rc < 0:
        return None
    return rc == 0 and bool(doc), "".join(_line(*e) for e in errors)
