"""/proc/iomem: the firmware memory map (e820 entries at any depth under non-e820
parents) and named ranges (ACPI devices, ECAM). Pure parsing."""
import re

LINE = re.compile(r"^(\s*)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$")
E820 = {"System RAM": "ram", "Reserved": "reserved", "reserved": "reserved",
        "ACPI Tables": "acpi", "ACPI Non-volatile Storage": "nvs",
        "Unknown E820 type": "reserved", "Persistent Memory (legacy)": "reserved",
        "Persistent Memory": "reserved", "Soft Reserved": "reserved"}


def parse(text):
    """[(depth, start, end, name)] in file order."""
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            out.append((len(m.group(1)) // 2, int(m.group(2), 16), int(m.group(3), 16), m.group(4).strip()))
    return out


def all_zero(entries):
    """Without CAP_SYS_ADMIN the kernel shows every address as 0."""
    return bool(entries) and all(s == 0 and e == 0 for _d, s, e, _n in entries)


def memory_map(entries):
    """[(base, size, type)] of e820 entries, sorted; an e820 entry inside another is skipped."""
    out, stack = [], []     # stack: e820-ness of the open ancestors
    for depth, start, end, name in entries:
        del stack[depth:]
        kind = E820.get(name)
        if kind and not any(stack):
            out.append((start, end - start + 1, kind))
        stack.append(bool(kind))
    return sorted(out)


def named(entries, name):
    """[(base, size)] of ranges with exactly this name."""
    return [(s, e - s + 1) for _d, s, e, n in entries if n == name]


def ecam(entries):
    """(base, start bus, end bus) from a 'PCI MMCONFIG ssss [bus xx-yy]' line, or None."""
    for _d, s, _e, n in entries:
        m = re.match(r"PCI MMCONFIG ([0-9a-f]{4}) \[bus ([0-9a-f]{2})-([0-9a-f]{2})\]", n)
        if m and int(m.group(1), 16) == 0:
            return s, int(m.group(2), 16), int(m.group(3), 16)
    return None
