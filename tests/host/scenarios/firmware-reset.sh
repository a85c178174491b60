# armz-timeout: 900
# Under UEFI firmware a guest reboot (PSCI SYSTEM_RESET) starts the firmware
# again in the same process: RESET event, the flash banks back in
# read-array mode, the variable store kept, and AAVMF boots the fw_cfg
# kernel (--kernel with --flash-code) a second time, with both vCPUs
# (PSCI CPU_ON from the OS the firmware started).
set -u
need_vmm_opts --flash-code --flash-vars
[ -f /firmware/AAVMF_CODE.fd ] || skip "no /firmware in the test host (qemu-efi-aarch64 not installed on the build machine)"
s390_firmware_opts
cp /firmware/AAVMF_VARS.fd vars.fd || fail "cannot copy AAVMF_VARS.fd"
start_vmm "fwreset" $FW_OPTS --flash-code /firmware/AAVMF_CODE.fd --flash-vars "$PWD/vars.fd" \
  --memory 512 --vcpus 2 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline reboot)"
# the firmware and the guest take minutes to reach the reboot on a loaded
# machine: the wait covers the whole first boot (qmp() waits 60 s)
qmp-client -t 600 "$PWD/qmp.sock" wait:RESET > reset.log 2>&1 &
client=$!
expect_out "ARMZ-GUEST REBOOTING" 600 "guest reboot under firmware"
grep -q "ARMZ-GUEST INIT ncpu=2 " "$VMM_OUT" ||
  { show_vmm; fail "the guest sees $(grep -o 'ncpu=[0-9]*' "$VMM_OUT" | head -1) CPUs, expected 2"; }
wait $client || { cat reset.log; show_vmm; fail "no RESET event: $(tail -1 reset.log)"; }
grep -q '"guest":true' reset.log || fail "the RESET event does not say guest: true"
# wait_for_count N PATTERN SECONDS: the output has N lines matching PATTERN
# (the second boot's /init after the first one's)
wait_for_count() {
  local n=$(( $3 * 10 ))
  until [ "$(grep -c "$2" "$VMM_OUT")" -ge "$1" ]; do
    alive "$VMM_PID" && [ $n -gt 0 ] || return 1
    usleep 100000; n=$((n - 1))
  done
}
wait_for_count 2 "ARMZ-GUEST INIT ncpu=2 " 600 ||
  { show_vmm; fail "the firmware did not boot the guest again after the reset"; }
echo "rebooted through the firmware: $(grep -a "ARMZ-GUEST INIT" "$VMM_OUT" | tail -1)"
qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
expect_exit 0 30
