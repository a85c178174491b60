# Benchmark scenario of tests/bench/compare-qemu (runs inside the test
# host, not pass/fail). Settings from /extra/bench.conf (RUNS, MIB, OPS).
# For each run and each GIC path, armz-vmm then QEMU (/extra/qemu/qemu),
# the same guest (1 vCPU, 256 MiB, direct kernel boot), each start after
# the same settling of the host's memory (settle, below):
#  - /extra/first.img: start -> first output byte, start -> exit after
#    its PSCI SYSTEM_OFF;
#  - payload.img, the same first instructions in a file of the Linux
#    kernel's size (the rest of it is the kernel's bytes), with the Linux
#    run's initrd, command line and disk: start -> first output byte, the
#    VMM's start with the Linux guest's payload;
#  - Debian's kernel and the guest payload with a MIB MiB virtio-blk disk:
#    start -> /init, the guest's own clock at /init, RSS once booted
#    (runmark -s: smaps and VmHWM), sequential (1 MiB) and random (4 KiB)
#    O_DIRECT reads of /dev/vda in the guest, the guest's poweroff -> the
#    VMM's exit, start -> exit.
# Prints "BENCH vmm gic metric value" lines; "BENCH-NA vmm gic why" when a
# VMM cannot run a GIC path.
# armz-timeout: 3600
set -u
need_vmm_opts --disk
RUNS=3 MIB=64 OPS=2048 PCI_TOO=1
[ -f /extra/bench.conf ] && . /extra/bench.conf
command -v benchio >/dev/null || fail "no benchio helper in the test host"
command -v runmark >/dev/null || fail "no runmark helper in the test host"
[ -x /extra/qemu/qemu ] || fail "no QEMU in /extra/qemu (tests/bench/compare-qemu-deps)"

dd if=/dev/zero of=disk.img bs=1M count="$MIB" 2>/dev/null || fail "cannot create disk.img"
cat > guest.sh <<'GEOF'
#!/bin/sh
. /data/bench.conf
bv() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }
cp /data/benchio /bin/ && chmod 755 /bin/benchio
echo "ARMZ-BENCH-SAMPLE"
sleep 1
benchio io seqread /dev/vda "$MIB" 1048576 -d > r.log && echo "BENCH seq-read-MiBps $(bv r.log MBps)"
benchio io randread /dev/vda "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH rand-read-4k-iops $(bv r.log iops)"
grep -q 'direct=1' r.log || echo "BENCH-NOTE no O_DIRECT on /dev/vda"
echo "ARMZ-BENCH-OFF"
GEOF
cp /extra/bench.conf bench.conf 2>/dev/null || echo "RUNS=$RUNS MIB=$MIB OPS=$OPS" > bench.conf
guest_payload guest.sh bench.conf "$(command -v benchio)"
cmdline=$(guest_cmdline run)
# first.img's branch (code0) and code over the kernel's first bytes; the
# kernel's header keeps its image_size, which covers the whole file
cp "$ARMZ_GUEST_IMAGE" payload.img &&
  dd if=/extra/first.img of=payload.img bs=4 count=1 conv=notrunc 2>/dev/null &&
  dd if=/extra/first.img of=payload.img bs=64 skip=1 seek=1 conv=notrunc 2>/dev/null ||
  fail "cannot make payload.img"

# settle: before each timed start, the memory the last guest left is
# written once and freed. Under TCG, the first write into a page that held
# code the emulator translated (the last guest's kernel, run from its RAM)
# invalidates those translations: a cost of this emulation, absent on
# hardware, that otherwise lands on the next VMM's copy of the kernel into
# guest RAM (measured: 180-500 ms after a Linux guest, 20-40 ms after a
# settle or after the tiny image), in turn on armz-vmm and QEMU.
settle() {
  dd if=/dev/zero of=settle.tmp bs=1M count=1024 2>/dev/null
  rm -f settle.tmp
}

# run_vmm LOG VMM GIC KERNEL INITRD RUNMARK-ARG...: runmark with the
# RUNMARK-ARGs over VMM (armz|qemu) on the GIC path, output in LOG; with
# TRANSPORT pci the disk is virtio-blk-pci (PCIe host bridge), else
# virtio-mmio
run_vmm() {
  local log=$1 vmm=$2 gic=$3 kernel=$4 initrd=$5 m tr=${TRANSPORT:-mmio}
  shift 5
  if [ "$vmm" = armz ]; then
    set -- "$@" -- armz-vmm --kernel "$kernel" --memory 256 --vcpus 1 --serial stdio --irqchip "$gic"
    [ -n "$initrd" ] && set -- "$@" --initrd "$initrd" --cmdline "$cmdline" --disk "path=$PWD/disk.img"
    [ -n "$initrd" ] && [ "$tr" = pci ] && set -- "$@" --pci
  else
    m=virt,accel=kvm,gic-version=3
    [ "$gic" = userspace ] && m=virt,accel=kvm,gic-version=2,kernel_irqchip=off
    set -- "$@" -- /extra/qemu/qemu -machine "$m" -cpu host -smp 1 -m 256 -nodefaults \
      -display none -monitor none -serial stdio -no-reboot -kernel "$kernel"
    [ -n "$initrd" ] && set -- "$@" -initrd "$initrd" -append "$cmdline" \
      -drive "file=$PWD/disk.img,format=raw,if=none,id=d0" \
      -device "$([ "$tr" = pci ] && echo virtio-blk-pci || echo virtio-blk-device),drive=d0"
  fi
  settle
  runmark "$@" > "$log" 2>&1
}
val() { awk -v k="$1" -v m="${2:-}" '$1 == k && (m == "" || $2 == m) {print $NF; exit}' "$3"; }

na=" "
i=0
while [ "$i" -lt "$RUNS" ]; do
  for gic in kernel userspace; do
    for vmm in armz qemu; do
      case $na in *" $vmm/$gic "*) continue ;; esac
      run_vmm first.log "$vmm" "$gic" /extra/first.img "" -t 120 first.out '!'
      if ! grep -q '^first-byte' first.log; then
        echo "BENCH-NA $vmm $gic $(grep -v '^exit' first.log | tail -1)"
        sed "s/^/note: $vmm $gic: /" first.log
        na="$na$vmm/$gic "
        continue
      fi
      echo "BENCH $vmm $gic first-insn-ms $(val first-byte '' first.log)"
      echo "BENCH $vmm $gic first-insn-exit-ms $(val exit '' first.log)"
      run_vmm first.log "$vmm" "$gic" "$PWD/payload.img" "$VMM_INITRD" -t 120 first.out '!'
      echo "BENCH $vmm $gic payload-insn-ms $(val first-byte '' first.log)"

      # the Linux guest with its disk on virtio-mmio, then on virtio-pci
      # (the column "GIC+pci")
      for TRANSPORT in mmio ${PCI_TOO:+pci}; do
        g=$gic
        [ "$TRANSPORT" = pci ] && g=$gic+pci
        run_vmm linux.log "$vmm" "$gic" "$ARMZ_GUEST_IMAGE" "$VMM_INITRD" -t 900 -g 256 \
          -s ARMZ-BENCH-SAMPLE linux.out "ARMZ-GUEST INIT" ARMZ-BENCH-SAMPLE ARMZ-BENCH-OFF
        grep -q '^mark ARMZ-BENCH-OFF' linux.log || { echo "note: $vmm $g run $i:"; tail -5 linux.log linux.out; }
        echo "BENCH $vmm $g init-ms $(val mark ARMZ-GUEST linux.log)"
        # the guest's /proc/uptime at /init: its clock starts in the
        # kernel's time_init, so start -> /init minus it is the VMM's
        # start and the kernel's early boot
        echo "BENCH $vmm $g guest-clock-ms $(sed -n 's/.*ARMZ-GUEST INIT.* uptime=\([0-9]*\)\.\([0-9]*\).*/\1\20/p' linux.out | sed 's/^0*//' | head -1)"
        for m in rss-peak rss-total rss-guest rss-overhead rss-anon-overhead; do
          echo "BENCH $vmm $g $m-kb $(val $m '' linux.log)"
        done
        sed -n "s/^BENCH \([A-Za-z0-9-]*\) \([0-9.]*\).*/BENCH $vmm $g \1 \2/p" linux.out
        grep '^BENCH-NOTE' linux.out
        off=$(val mark ARMZ-BENCH-OFF linux.log) end=$(val exit '' linux.log)
        echo "BENCH $vmm $g linux-exit-ms $end"
        [ -n "$off" ] && [ -n "$end" ] && echo "BENCH $vmm $g poweroff-exit-ms $((end - off))"
      done
    done
  done
  i=$((i + 1))
done
true
