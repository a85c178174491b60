# Sourced by tests/tiers/40-host and 45-daemon-host: runs of tests/host/run-host
# side by side. One emulated host keeps about one core busy (its second vCPU
# mostly idles while a nested guest runs), so on this 2-core machine the runs
# of two profiles overlap instead of adding up. Each run gets its own
# ARMZ_HOST_OUT; the aarch64 cross build happens once, before them.
#   ARMZ_HOST_PARALLEL=0  one run after the other (the output then streams)
#
#   runs_begin; run_add LABEL CMD...; ...; runs_wait  (status: 1 if any failed)
_runs=()
_runs_dir=
runs_begin() {
  _runs=()
  _runs_dir=$(mktemp -d /tmp/armz-runs.XXXXXX)
  if [ "${ARMZ_HOST_PARALLEL:-1}" != 0 ] && [ -z "${ARMZ_VMM:-}" ]; then
    local x=${ARMZ_BUILD:-$ARMZ_TOP/build}-cross-aarch64 o=${ARMZ_HOST_OUT:-$ARMZ_TOP/tests/host/out}
    mkdir -p "$o"
    # run-host does this itself when not given ARMZ_VMM (and says why it failed)
    if "$ARMZ_TOP/tests/cross/build" aarch64 >"$o/cross-aarch64.log" 2>&1 &&
       [ -x "$x/src/vmm/armz-vmm" ]; then
      export ARMZ_VMM=$x/src/vmm/armz-vmm
    fi
  fi
}
# run_add LABEL CMD...: CMD with ARMZ_HOST_OUT=<out>-LABEL; the first run of a
# tier streams its output, the others print theirs when they end
run_add() {
  local label=$1; shift
  if [ "${ARMZ_HOST_PARALLEL:-1}" = 0 ]; then
    "$@" || echo 1 > "$_runs_dir/failed"
    return
  fi
  local o=${ARMZ_HOST_OUT:-$ARMZ_TOP/tests/host/out}
  [ ${#_runs[@]} -gt 0 ] && o=$o-$label
  if [ ${#_runs[@]} -eq 0 ]; then
    ( ARMZ_HOST_OUT=$o "$@" || echo 1 > "$_runs_dir/failed" ) &
  else
    ( ARMZ_HOST_OUT=$o "$@" > "$_runs_dir/$label.out" 2>&1 || echo 1 > "$_runs_dir/failed" ) &
  fi
  _runs+=("$label:$!")
}
runs_wait() {
  local r rc=0
  for r in "${_runs[@]}"; do wait "${r#*:}"; done
  for r in "${_runs[@]:1}"; do cat "$_runs_dir/${r%%:*}.out"; done
  [ -e "$_runs_dir/failed" ] && rc=1
  rm -rf "$_runs_dir"
  return $rc
}
