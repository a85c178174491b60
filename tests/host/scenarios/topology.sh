# armz-timeout: 1500
# --topology sockets=2,cores=1,threads=1 with 2 vCPUs: the guest sees two
# packages, from the device tree's cpu-map (kernel boot) and from the ACPI
# PPTT (AAVMF with --acpi, when /firmware is there).
set -u
need_vmm_opts --topology
cat > guest.sh <<'GUEST'
#!/bin/sh
for c in 0 1; do
  echo "ARMZ-TOPO cpu$c package=$(cat /sys/devices/system/cpu/cpu$c/topology/physical_package_id 2>/dev/null)"
done
[ -e /sys/firmware/acpi/tables/PPTT ] && echo "ARMZ-TOPO pptt=yes" || echo "ARMZ-TOPO pptt=no"
GUEST
guest_payload guest.sh

# topo NAME WANT_PPTT OPTION...
topo() {
  local name=$1 pptt=$2 p0 p1
  shift 2
  start_vmm "$name" --vcpus 2 --topology sockets=2,cores=1,threads=1 \
    --cmdline "$(guest_cmdline run)" "$@"
  expect_out "ARMZ-GUEST RUN-END" 1200 "guest script ($name)"
  grep -a "ARMZ-TOPO" "$VMM_OUT"
  p0=$(sed -n 's/.*ARMZ-TOPO cpu0 package=\([0-9]*\).*/\1/p' "$VMM_OUT" | head -1)
  p1=$(sed -n 's/.*ARMZ-TOPO cpu1 package=\([0-9]*\).*/\1/p' "$VMM_OUT" | head -1)
  [ -n "$p0" ] && [ -n "$p1" ] && [ "$p0" != "$p1" ] ||
    { show_vmm; fail "$name: cpu0 and cpu1 are not in two packages ('$p0', '$p1')"; }
  grep -q "ARMZ-TOPO pptt=$pptt" "$VMM_OUT" || { show_vmm; fail "$name: PPTT: expected $pptt"; }
  expect_exit 0 300
}
topo topo-dt no
if [ -f /firmware/AAVMF_CODE.fd ]; then
  cp /firmware/AAVMF_VARS.fd vars.fd || fail "cannot copy AAVMF_VARS.fd"
  s390_firmware_opts
  # shellcheck disable=SC2086
  topo topo-acpi yes --flash-code /firmware/AAVMF_CODE.fd --flash-vars "$PWD/vars.fd" \
    --memory 512 --acpi $FW_OPTS
else
  echo "no /firmware: the ACPI half is not run"
fi
