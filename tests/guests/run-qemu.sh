#!/bin/sh
# Boot test guests directly under QEMU TCG (no hypervisor) as a smoke test of
# the guest library. Usage: run-qemu.sh GUEST.elf... (selftest gets -smp 2).
# Bare QEMU is not the hypervisor: CPUID signature/TSC leaf, port 0x510
# (fw_cfg), unknown-MSR #GP (TCG ignores them) and sub-dword LAPIC reads
# (QEMU returns 0) fail there by design. So this checks only that each guest
# ran to completion: plan printed, every planned test reported, no
# unexpected exception. Output goes to stdout.
set -u
status=0
for elf in "$@"; do
	name=$(basename "$elf" .elf)
	smp=1
	args="qemu=1 name=$name"
	case "$name" in
	selftest) smp=2; args="$args vcpus=2 pci=1" ;;
	esac
	log=$(mktemp)
	timeout 120 qemu-system-x86_64 -kernel "$elf" -append "$args" -smp "$smp" -m 64 \
		-display none -serial "file:$log" -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=4 </dev/null
	rc=$?
	echo "== $name ($args, -smp $smp): qemu exit $rc"
	cat "$log"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n1)
	ran=$(grep -cE '^(not )?ok [0-9]+ ' "$log")
	if [ "$rc" != 1 ] && [ "$rc" != 3 ]; then
		echo "== $name: did not power off through isa-debug-exit"; status=1
	elif [ -z "$plan" ] || [ "$plan" != "$ran" ]; then
		echo "== $name: plan '${plan}' but $ran results"; status=1
	elif grep -q 'unexpected exception' "$log"; then
		echo "== $name: unexpected exception"; status=1
	fi
	rm -f "$log"
done
exit $status
