"""A small element tree that remembers each element's line (xml.parsers.expat),
plus the number formats shared by the board and scenario files."""
import re
import xml.parsers.expat


class ConfigError(Exception):
    """One problem in an input file: FILE:LINE: error: MESSAGE."""

    def __init__(self, path, line, message):
        super().__init__("%s:%s: error: %s" % (path, line if line else "?", message))
        self.path, self.line, self.message = path, line, message


class Node:
    __slots__ = ("tag", "attrs", "text", "line", "children", "parent", "path")

    def __init__(self, tag, attrs, line, parent, path):
        self.tag, self.attrs, self.line, self.parent, self.path = tag, attrs, line, parent, path
        self.text, self.children = "", []

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    def find(self, tag):
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def findall(self, tag):
        return [c for c in self.children if c.tag == tag]

    def error(self, message):
        return ConfigError(self.path, self.line, message)

    def __repr__(self):
        return "<%s line %d>" % (self.tag, self.line)


def parse_file(path, shown=None):
    """Parse an XML file into Nodes; raises ConfigError on malformed XML.
    shown: the file name used in messages (default: path)."""
    shown = shown or path
    with open(path, "rb") as f:
        data = f.read()
    return parse_bytes(data, shown)


def parse_bytes(data, shown):
    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True   # one call per run of text, not per line: the same text, fewer calls
    root, stack = [None], []

    def start(tag, attrs):
        parent = stack[-1] if stack else None
        node = Node(tag, attrs, parser.CurrentLineNumber, parent, shown)
        if parent is None:
            root[0] = node
        else:
            parent.children.append(node)
        stack.append(node)

    def end(_tag):
        node = stack.pop()
        node.text = node.text.strip()

    def chars(text):
        if stack:
            stack[-1].text += text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        raise ConfigError(shown, e.lineno, "malformed XML: %s" % xml.parsers.expat.ErrorString(e.code))
    except (LookupError, ValueError) as e:
        # an encoding the schema check (libxml2, iconv) reads but expat cannot: an unknown
        # name to Python, or one of more than a byte a character; the declaration is line 1
        m = _DECL_ENCODING.match(data)
        raise ConfigError(shown, 1, "encoding %s is not one genconfig reads (%s): write the file as UTF-8"
                          % ("'%s'" % m.group(1).decode("ascii", "replace") if m else "of the file", e))
    return root[0]


_DECL_ENCODING = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([^\"']*)")


# ---- numbers ----------------------------------------------------------------

_NUM = re.compile(r"^\s*(0[xX][0-9a-fA-F]+|[0-9]+)\s*$")
_SIZE = re.compile(r"^\s*(0[xX][0-9a-fA-F]+|[0-9]+)\s*([KMG]?)\s*$")
_BDF = re.compile(r"^\s*(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])\s*$")
_SHIFT = {"": 0, "K": 10, "M": 20, "G": 30}


def parse_num(text):
    m = _NUM.match(text or "")
    if not m:
        raise ValueError("not a number: %r" % text)
    return int(m.group(1), 0)


def parse_size(text):
    """Decimal or 0x-hex, optionally with a K/M/G (binary) suffix."""
    m = _SIZE.match(text or "")
    if not m:
        raise ValueError("not a size: %r" % text)
    return int(m.group(1), 0) << _SHIFT[m.group(2)]


def parse_bdf(text):
    """'bb:dd.f' (or 'ssss:bb:dd.f', segment 0 only) -> 16-bit bus<<8|dev<<3|fn."""
    m = _BDF.match(text or "")
    if not m:
        raise ValueError("not a PCI address bb:dd.f: %r" % text)
    seg, bus, dev, fn = (int(g, 16) if g else 0 for g in m.groups())
    if dev > 31:
        raise ValueError("device number above 0x1f in %r" % text)
    return (seg << 16) | (bus << 8) | (dev << 3) | fn


def fmt_bdf(bdf):
    return "%02x:%02x.%d" % ((bdf >> 8) & 0xFF, (bdf >> 3) & 0x1F, bdf & 7)


def fmt_range(base, size):
    return "0x%x-0x%x" % (base, base + size - 1)


def attr(node, name, conv, default=None, required=False):
    """node's attribute converted by conv; ConfigError naming the attribute when bad."""
    raw = node.get(name)
    if raw is None:
        if required:
            raise node.error("<%s>: attribute '%s' is missing" % (node.tag, name))
        return default
    try:
        return conv(raw)
    except ValueError as e:
        raise node.error("<%s %s=\"%s\">: %s" % (node.tag, name, raw, e))


def parse_bool(text):
    t = text.strip().lower()
    if t in ("true", "1", "yes"):
        return True
    if t in ("false", "0", "no"):
        return False
    raise ValueError("not a boolean: %r" % text)


def overlaps(a_base, a_size, b_base, b_size):
    return a_base < b_base + b_size and b_base < a_base + a_size
