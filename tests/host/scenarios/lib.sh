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
  command -v armz-vmm >/dev/null || skip "armz-vmm is not built yet"
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

# wait_exit PID SECONDS: waits for PID to end; prints its exit status
# (only for children of this shell); returns 1 on timeout.
wait_exit() {
  local p=$1 n=$(( $2 * 10 ))
  while [ "$n" -gt 0 ]; do
    alive "$p" || { wait "$p"; echo $?; return 0; }
    usleep 100000
    n=$((n - 1))
  done
  return 1
}

# Guest kernel command line: quiet (every console byte is a VM exit).
GUEST_CMDLINE_BASE="console=ttyAMA0 quiet panic=-1"
