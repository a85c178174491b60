# Helpers for scenarios (sourced by the test host's /init before the
# scenario, in the scenario's own work directory $ARMZ_WORK).
# A scenario passes by returning/exiting 0; it fails with `fail REASON`
# and skips with `skip WHY`. Its output goes to the console prefixed with
# its name.

fail() { echo "$*" > "$ARMZ_REASON"; echo "FAILED: $*"; exit 1; }
skip() { echo "$*" > "$ARMZ_REASON"; echo "SKIPPED: $*"; exit 77; }

need_kvm() { [ -c /dev/kvm ] || fail "no /dev/kvm in the test host"; }
need_vmm() {
  need_kvm
  [ -e /etc/armz-vmm-build-failed ] && fail "the aarch64 cross build of armz-vmm failed"
  command -v armz-vmm >/dev/null || skip "armz-vmm is not built yet"
}

# vmm_has_opt OPTION: armz-vmm's --help lists OPTION (e.g. --disk).
vmm_has_opt() {
  [ -n "${VMM_HELP+set}" ] || VMM_HELP=$(armz-vmm --help 2>&1)
  printf '%s\n' "$VMM_HELP" | grep -qE -- "(^|[ ,])$1([= ]|\$)"
}
# need_vmm_opts OPTION...: need_vmm, and skip unless armz-vmm offers every
# OPTION (devices that arrive later skip cleanly until then).
need_vmm_opts() {
  local o missing=
  need_vmm
  for o in "$@"; do vmm_has_opt "$o" || missing="$missing $o"; done
  [ -z "$missing" ] || skip "armz-vmm --help does not list$missing yet"
}

# now_ms: monotonic milliseconds (from /proc/uptime, 10 ms resolution).
now_ms() { awk '{printf "%d\n", $1 * 1000}' /proc/uptime; }

# wait_for FILE PATTERN SECONDS: waits until FILE has a line matching the
# extended regex PATTERN; returns 1 on timeout.
wait_for() {
  local f=$1 pat=$2 n=$(( $3 * 10 ))
  while [ "$n" -gt 0 ]; do
    grep -qE "$pat" "$f" 2>/dev/null && return 0
    usleep 100000
    n=$((n - 1))
  done
  return 1
}

# count_in FILE PATTERN: number of lines matching PATTERN.
count_in() { grep -cE "$2" "$1" 2>/dev/null || true; }

# alive PID
alive() { kill -0 "$1" 2>/dev/null; }

# Guest kernel command line: quiet (every console byte is a VM exit).
GUEST_CMDLINE_BASE="console=ttyAMA0 quiet panic=-1"

# start_vmm NAME OPTION...: starts armz-vmm in the background with the guest
# payload ($VMM_INITRD when set, see guest_payload), 256 MiB and the serial
# line on stdio: its input is the fifo NAME.in
# (kept open on fd 5: `send_serial TEXT` writes there), its output
# NAME.out, its stderr NAME.err. Sets VMM_PID and VMM_OUT; OPTIONs are
# armz-vmm's (they may override the defaults: later options win).
start_vmm() {
  local name=$1
  shift
  rm -f "$name.in" "$name.out" "$name.err"
  mkfifo "$name.in"
  exec 5<>"$name.in"
  VMM_START_MS=$(now_ms)
  armz-vmm --name "$name" --kernel "${VMM_KERNEL:-$ARMZ_GUEST_IMAGE}" --initrd "${VMM_INITRD:-$ARMZ_GUEST_INITRD}" \
    --memory 256 --serial stdio "$@" <"$name.in" >"$name.out" 2>"$name.err" &
  VMM_PID=$!
  VMM_OUT=$name.out
  VMM_ERR=$name.err
  echo "$VMM_PID" > "$name.pid"
  echo "started armz-vmm (pid $VMM_PID): $*"
}

# guest_payload SCRIPT [FILE...]: the guest initrd with one more archive
# appended (the kernel unpacks both): SCRIPT as /armz-run.sh, which the
# guest /init runs in mode `run` (guest_cmdline run), and the FILEs in
# /data. Writes ./guest-initrd and sets VMM_INITRD for start_vmm.
guest_payload() {
  local f
  rm -rf overlay && mkdir -p overlay/data || fail "guest_payload: cannot make ./overlay"
  cp "$1" overlay/armz-run.sh && chmod 755 overlay/armz-run.sh ||
    fail "guest_payload: cannot copy the guest script $1"
  shift
  for f in "$@"; do cp "$f" overlay/data/ || fail "guest_payload: cannot copy $f"; done
  (cd overlay && find armz-run.sh data | cpio -o -H newc 2>/dev/null) > overlay.cpio &&
    [ -s overlay.cpio ] || fail "guest_payload: cpio of the overlay failed"
  cat "$ARMZ_GUEST_INITRD" overlay.cpio > guest-initrd || fail "guest_payload: cannot write ./guest-initrd"
  VMM_INITRD=$PWD/guest-initrd
}

send_serial() { printf '%s\n' "$*" >&5; }

# guest_cmdline MODE [EXTRA]: the guest kernel command line for armz.mode=MODE.
guest_cmdline() { echo "$GUEST_CMDLINE_BASE armz.mode=$1${2:+ $2}"; }

# show_vmm: the VMM's output so far (for a failure's context).
show_vmm() {
  echo "--- guest serial (last lines)"; tail -15 "$VMM_OUT" 2>/dev/null
  echo "--- armz-vmm stderr (last lines)"; tail -10 "$VMM_ERR" 2>/dev/null
}

# expect_out PATTERN SECONDS WHAT: fails unless the serial output shows
# PATTERN in time (or the VMM ends before).
expect_out() {
  local n=$(( $2 * 10 ))
  while [ "$n" -gt 0 ]; do
    grep -qE "$1" "$VMM_OUT" 2>/dev/null && return 0
    if ! alive "$VMM_PID"; then
      grep -qE "$1" "$VMM_OUT" 2>/dev/null && return 0
      show_vmm
      fail "$3: armz-vmm ended ($(cat "$VMM_ERR" 2>/dev/null | tail -1))"
    fi
    usleep 100000
    n=$((n - 1))
  done
  show_vmm
  fail "$3: not seen within $2 s"
}

# expect_exit STATUS SECONDS: fails unless armz-vmm ends with STATUS in time.
# (`wait` must run in this shell, the VMM's parent: no $(...) around it.)
expect_exit() {
  local n=$(( $2 * 10 )) st
  while alive "$VMM_PID" && [ "$n" -gt 0 ]; do usleep 100000; n=$((n - 1)); done
  if alive "$VMM_PID"; then
    show_vmm; kill -9 "$VMM_PID"; fail "armz-vmm still runs after $2 s"
  fi
  wait "$VMM_PID"
  st=$?
  if [ "$st" != "$1" ]; then
    show_vmm
    fail "armz-vmm exit status $st, expected $1"
  fi
}

# stop_vmm: kills a VMM that may still run (end of a failed scenario).
stop_vmm() { [ -n "${VMM_PID:-}" ] && kill -9 "$VMM_PID" 2>/dev/null; true; }

# s390_refuses_irqchip IRQCHIP OPTION...: in the s390 profile, armz-vmm
# OPTION... --irqchip kernel is refused clearly (the s390 host has no
# in-kernel GIC) and the scenario has nothing more to boot: status 0.
# Status 1 everywhere else (the caller boots as usual).
s390_refuses_irqchip() {
  local irq=$1 st
  shift
  [ "$irq" = kernel ] && [ "${ARMZ_KVM_PROFILE:-native}" = s390 ] || return 1
  armz-vmm "$@" --irqchip kernel >refused.out 2>&1
  st=$?
  cat refused.out
  [ "$st" = 2 ] && grep -q 'no in-kernel interrupt controller' refused.out ||
    fail "--irqchip=kernel in the s390 profile: exit status $st, expected a refusal (2)"
  return 0
}

# irqchips: the interrupt controllers a scenario boots with, both here, the
# userspace one only in the s390 profile (the s390 host has no in-kernel
# vGIC; s390_refuses_irqchip checks the refusal where a scenario wants it)
irqchips() {
  if [ "${ARMZ_KVM_PROFILE:-native}" = s390 ]; then echo userspace; else echo kernel userspace; fi
}

# s390_firmware_opts: sets FW_OPTS, the options a firmware boot adds in
# this run. IBM Z's kvm-arm64 offers no read-only memory slots
# (KVM_CAP_READONLY_MEM, DESIGN.md section 2), which the firmware's flash
# needs: in the s390 profile armz-vmm refuses firmware boot, naming it
# (checked here), and the boot then runs with --kvm-profile=s390+readonly-mem,
# the s390 paths (userspace GIC and PSCI) plus that one capability.
s390_firmware_opts() {
  local st
  FW_OPTS=
  [ "${ARMZ_KVM_PROFILE:-native}" = s390 ] || return 0
  timeout -s KILL 30 armz-vmm --flash-code /firmware/AAVMF_CODE.fd --serial none \
    </dev/null >ro.out 2>&1
  st=$?
  grep -v 'KVM profile s390: not using' ro.out
  [ "$st" = 1 ] && grep -q 'no read-only memory slots (KVM_CAP_READONLY_MEM)' ro.out ||
    fail "firmware boot in the s390 profile: exit status $st, expected a refusal naming KVM_CAP_READONLY_MEM"
  FW_OPTS=--kvm-profile=s390+readonly-mem
}

# boot_check VCPUS IRQCHIP: the guest boots to /init with VCPUS CPUs online
# and powers off: exit status 0.
boot_check() {
  need_vmm
  s390_refuses_irqchip "$2" --kernel "$ARMZ_GUEST_IMAGE" --vcpus "$1" && return 0
  start_vmm "boot" --vcpus "$1" --irqchip "$2" --cmdline "$(guest_cmdline poweroff)"
  expect_out "ARMZ-GUEST INIT" 90 "guest /init"
  grep -q "ARMZ-GUEST INIT ncpu=$1 " "$VMM_OUT" ||
    { show_vmm; fail "guest sees $(grep -o 'ncpu=[0-9]*' "$VMM_OUT") CPUs, expected $1"; }
  expect_exit 0 60
  echo "booted to /init in $(( $(now_ms) - VMM_START_MS )) ms or less ($1 vCPU, irqchip $2)"
}

# qmp STEP...: runs qmp-client on the VMM's QMP socket ./qmp.sock.
qmp() { qmp-client -t 60 "$PWD/qmp.sock" "$@"; }

# firmware_boot IRQCHIP: Debian's AAVMF (AAVMF_CODE.fd and a copy of
# AAVMF_VARS.fd as the guest's variable store) boots the disk run-host
# builds (/firmware/esp.img: GPT, EFI system partition, a unified kernel
# image at \EFI\BOOT\BOOTAA64.EFI) to the payload's /init, which powers
# off: exit status 0; the firmware wrote to its variable store.
# Before that, a flash file of the wrong size is refused, naming it.
# The same image is a virtio-blk disk and SCSI disks, and only the boot
# order (bootindex, fw_cfg "bootorder") decides which one the firmware
# starts: the first "BdsDxe: starting" line must name the SCSI LUN that is
# first in order but not in position. AAVMF follows "bootorder" only when
# the guest has a PCI host bridge (QemuBootOrderLib gives up without a PCI
# root bridge), so both boots have --pci. In-kernel GIC: the controller on
# virtio-mmio (--scsi-pci off) before the disk below a root port; userspace
# GIC: the controller below the second root port, LUN 1 before the disk
# below the first before LUN 0.
firmware_boot() {
  local before after topo want first
  need_vmm_opts --flash-code --flash-vars
  [ -f /firmware/AAVMF_CODE.fd ] && [ -f /firmware/esp.img ] ||
    skip "no /firmware in the test host (qemu-efi-aarch64 not installed on the build machine)"
  s390_refuses_irqchip "$1" --flash-code /firmware/AAVMF_CODE.fd --flash-vars /firmware/AAVMF_VARS.fd &&
    return 0
  s390_firmware_opts
  timeout -s KILL 30 armz-vmm --flash-code /firmware/esp.img --serial none \
    </dev/null >neg.out 2>neg.err
  st=$?
  [ "$st" = 1 ] && grep -q esp.img neg.err ||
    fail "a code flash of the wrong size: exit status $st, stderr '$(tail -1 neg.err)'"
  echo "wrong-size flash refused: $(tail -1 neg.err)"
  cp /firmware/AAVMF_VARS.fd vars.fd || fail "cannot copy AAVMF_VARS.fd"
  before=$(sha256sum < vars.fd | cut -d' ' -f1)
  esp=path=/firmware/esp.img,readonly=on
  topo="--pci --pcie-root-port index=1,addr=1.0,chassis=1,port=16
        --pcie-root-port index=2,addr=1.1,chassis=2,port=17"
  if [ "$1" = kernel ]; then
    # the controller alone on virtio-mmio: slot 0 (0x0a000000; VenHw's
    # data is the base address, little-endian)
    topo="$topo --disk $esp,bootindex=2,pci=1:0 --scsi-disk $esp,lun=0,bootindex=1 --scsi-pci off"
    want='VenHw(837DCA9E-E874-4D82-B29A-23FE0E23D1E2,0000000A00000000)/Scsi(0x0,0x0)'
  else
    topo="$topo --disk $esp,bootindex=2,pci=1:0 --scsi-disk $esp,lun=0,bootindex=3
          --scsi-disk $esp,lun=1,bootindex=1 --scsi-pci 2:0"
    want='PciRoot(0x0)/Pci(0x1,0x1)/Pci(0x0,0x0)/Scsi(0x0,0x1)'
  fi
  rm -f fw.in fw.out fw.err
  mkfifo fw.in
  exec 5<>fw.in
  VMM_START_MS=$(now_ms)
  # shellcheck disable=SC2086
  armz-vmm --name fw $FW_OPTS --flash-code /firmware/AAVMF_CODE.fd --flash-vars "$PWD/vars.fd" \
    $topo --memory 512 --irqchip "$1" --serial stdio \
    --smbios type=1,product=armz-firmware-test <fw.in >fw.out 2>fw.err &
  VMM_PID=$!
  VMM_OUT=fw.out
  VMM_ERR=fw.err
  echo "$VMM_PID" > fw.pid
  expect_out "ARMZ-GUEST INIT" 1500 "guest /init through AAVMF"
  echo "firmware boot reached /init in $(( $(now_ms) - VMM_START_MS )) ms (irqchip $1)"
  grep -a "BdsDxe: " fw.out | tr -d '\r'
  first=$(grep -a -m1 "BdsDxe: starting" fw.out | tr -d '\r')
  case $first in
    *" from $want") echo "the firmware followed the boot order: $want" ;;
    *) stop_vmm; fail "boot order not followed: '${first:-no BdsDxe: starting line}', expected one from $want" ;;
  esac
  expect_exit 0 300
  after=$(sha256sum < vars.fd | cut -d' ' -f1)
  [ "$before" != "$after" ] || fail "the variable store was not written (sha256 unchanged)"
  echo "variable store written by the firmware"
}

# wait_socket PATH LOG WHAT: waits up to 10 s for a back-end (started in
# the background, its output in LOG) to create its UNIX socket PATH; fails
# naming WHAT, with LOG shown, when it does not.
wait_socket() {
  local n=100
  while [ ! -S "$1" ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
  [ -S "$1" ] || { tail -20 "$2"; fail "$3 made no socket $1"; }
}

# guest_done TAG WHAT LOG: shows the guest's "TAG ..." lines; fails unless
# its run printed "TAG DONE", with its first "TAG FAIL" line as the reason
# (and the armz-vmm and LOG, a back-end's output, shown).
guest_done() {
  local f
  grep -E "^$1 |ARMZ-GUEST INSMOD" "$VMM_OUT"
  grep -q "^$1 DONE" "$VMM_OUT" && return 0
  show_vmm
  tail -20 "$3"
  f=$(grep -E "^$1 FAIL|INSMOD-FAILED" "$VMM_OUT" | head -1 | sed "s/^$1 FAIL //")
  fail "$2: ${f:-no $1 DONE}"
}
