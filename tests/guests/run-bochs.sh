#!/bin/sh
# Boot one test guest directly under Bochs (no hypervisor), from a GRUB ISO.
# Usage: run-bochs.sh GUEST.elf [CPUS [CMDLINE]]   (COM1 output to stdout)
# Bochs's skylake model has x2APIC, TSC-deadline and #GP on unknown MSRs, so
# only the CPUID hypervisor tests fail here. Needs bochs, bochsbios,
# vgabios, bochs-sdl, grub-pc-bin, grub-common, xorriso, mtools.
set -eu
elf=$1
cpus=${2:-2}
cmdline="${3:-vcpus=$cpus} bochs=1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/iso/boot/grub"
cp "$elf" "$work/iso/boot/guest.elf"
cat >"$work/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
menuentry guest {
	multiboot /boot/guest.elf $cmdline
	boot
}
CFG
grub-mkrescue -o "$work/guest.iso" "$work/iso" >/dev/null 2>&1
cat >"$work/bochsrc" <<RC
megs: 64
cpu: model=corei7_skylake_x, count=$cpus, ips=50000000, ignore_bad_msrs=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$work/guest.iso, status=inserted
boot: cdrom
display_library: sdl2
com1: enabled=1, mode=file, dev=$work/com1.log
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
clock: sync=none, time0=local
log: $work/bochs.log
RC
echo c >"$work/rc"
# Bochs reports the "Shutdown" port write as a panic: its exit code means nothing.
SDL_VIDEODRIVER=dummy timeout 300 bochs -q -f "$work/bochsrc" -rc "$work/rc" </dev/null >/dev/null 2>&1 || true
cat "$work/com1.log"
