"""board-inspector --save DIR: copy what the inspector reads into a tree that
--root DIR --tables DIR/tables reads back (test fixtures, bug reports)."""
import os
import shutil
import subprocess


def copy(src, dst):
    try:
        with open(src, "rb") as f:
            data = f.read()
    except OSError:
        return False
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data)
    return True


def save(root, out):
    n = 0
    pci = os.path.join(root, "sys/bus/pci/devices")
    for dev in sorted(os.listdir(pci)):
        for f in ("config", "resource"):
            n += copy(os.path.join(pci, dev, f), os.path.join(out, "sys/bus/pci/devices", dev, f))
        drv = os.path.join(pci, dev, "driver")
        if os.path.islink(drv):
            os.symlink("../../../../bus/pci/drivers/" + os.path.basename(os.readlink(drv)),
                       os.path.join(out, "sys/bus/pci/devices", dev, "driver"))
    for f in ("proc/iomem", "proc/cmdline", "proc/cpuinfo", "sys/class/dmi/id/board_name", "sys/class/dmi/id/product_name",
              "etc/hostname"):
        n += copy(os.path.join(root, f), os.path.join(out, f))
    acpi = os.path.join(root, "sys/bus/acpi/devices")
    for dev in sorted(os.listdir(acpi)) if os.path.isdir(acpi) else []:
        d = os.path.join(acpi, dev)
        for f in ("hid", "uid", "path", "status"):
            n += copy(os.path.join(d, f), os.path.join(out, "sys/bus/acpi/devices", dev, f))
        for node in sorted(os.listdir(d)):
            if node.startswith("physical_node"):
                n += copy(os.path.join(d, node, "resources"),
                          os.path.join(out, "sys/bus/acpi/devices", dev, node, "resources"))
    tty = os.path.join(root, "sys/class/tty")
    for dev in sorted(os.listdir(tty)) if os.path.isdir(tty) else []:
        if dev.startswith("ttyS"):
            for f in ("type", "io_type", "port", "iomem_base", "irq"):
                n += copy(os.path.join(tty, dev, f), os.path.join(out, "sys/class/tty", dev, f))
    tables = os.path.join(out, "tables")
    os.makedirs(tables, exist_ok=True)
    if root == "/" and shutil.which("acpidump"):
        subprocess.run(["acpidump", "-b"], cwd=tables, capture_output=True, stdin=subprocess.DEVNULL)
    else:
        for sig in ("APIC", "MCFG", "DMAR"):
            copy(os.path.join(root, "sys/firmware/acpi/tables", sig), os.path.join(tables, sig.lower() + ".dat"))
    return n + len(os.listdir(tables))
