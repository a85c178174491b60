# virtio-console: hvc0 carries a shell. The VMM runs with --console pty
# --console-pty-file; the test attaches busybox microcom to that pty, types
# a command and sees the guest's answer, then types `poweroff -f` (exit 0).
# When armz-vmm offers them, --console-log (copy of the hvc0 output) and
# --serial-log (copy of the PL011 output) are checked too.
set -u
need_vmm_opts --console --console-pty-file
logs=
vmm_has_opt --console-log && logs="$logs --console-log file:$PWD/hvc-copy.log"
vmm_has_opt --serial-log && logs="$logs --serial-log file:$PWD/serial-copy.log"

cat > guest.sh <<'EOF'
#!/bin/sh
n=50
while [ ! -c /dev/hvc0 ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
[ -c /dev/hvc0 ] || { echo "ARMZ-HVC FAIL no /dev/hvc0 ($(ls /dev | grep -E 'hvc|vport' | tr '\n' ' '))"; exit 1; }
echo "ARMZ-HVC READY"
echo "ARMZ-HVC-HELLO" > /dev/hvc0
PS1='hvc# ' sh -i < /dev/hvc0 > /dev/hvc0 2>&1
EOF
guest_payload guest.sh

# $logs: unquoted on purpose (words without spaces)
start_vmm hvc --vcpus 1 --cmdline "$(guest_cmdline run)" \
  --console pty --console-pty-file "$PWD/hvc.pty" $logs
expect_out "ARMZ-HVC (READY|FAIL)|ARMZ-GUEST RUN-END" 180 "guest hvc0"
grep -E "^ARMZ-HVC|ARMZ-GUEST INSMOD" "$VMM_OUT"
grep -q "ARMZ-HVC READY" "$VMM_OUT" || { show_vmm; fail "guest: $(grep -E 'ARMZ-HVC FAIL|INSMOD-FAILED' "$VMM_OUT" | head -1)"; }
wait_for hvc.pty /dev/ 10 || { show_vmm; fail "no pty path in hvc.pty (--console-pty-file)"; }
pty=$(cat hvc.pty)
[ -c "$pty" ] || fail "--console-pty-file names '$pty', not a character device"
grep -q "console pty $pty" "$VMM_ERR" || echo "note: armz-vmm stderr does not say 'console pty $pty'"
echo "console pty $pty"

# microcom makes the pty raw and copies: fifo -> pty, pty -> hvc.out
rm -f hvc.in && mkfifo hvc.in
exec 6<>hvc.in
microcom "$pty" < hvc.in > hvc.out 2>microcom.err &
MC_PID=$!
echo "$MC_PID" > microcom.pid
sleep 1
alive "$MC_PID" || fail "microcom on $pty ended: $(cat microcom.err)"
# the guest computes the answer: the echo of what was typed cannot match
printf '%s\n' 'echo ARMZ-HVC-$((6*7))' >&6
n=300
while ! grep -q "ARMZ-HVC-42" hvc.out && [ $n -gt 0 ]; do usleep 200000; n=$((n - 1)); done
if ! grep -q "ARMZ-HVC-42" hvc.out; then
  echo "--- hvc0 output"; od -c hvc.out | tail -8; show_vmm
  kill "$MC_PID"; fail "no answer of the shell on hvc0 within 60 s"
fi
echo "the shell on hvc0 answered"
printf '%s\n' 'poweroff -f' >&6
expect_exit 0 60
kill "$MC_PID" 2>/dev/null
if vmm_has_opt --console-log; then
  grep -q "ARMZ-HVC-42" hvc-copy.log 2>/dev/null || { od -c hvc-copy.log | tail -5; fail "--console-log file has no ARMZ-HVC-42"; }
  echo "--console-log has the hvc0 output"
else
  echo "note: armz-vmm has no --console-log: not checked"
fi
if vmm_has_opt --serial-log; then
  grep -q "ARMZ-HVC READY" serial-copy.log 2>/dev/null || fail "--serial-log file has no ARMZ-HVC READY"
  echo "--serial-log has the serial output"
else
  echo "note: armz-vmm has no --serial-log: not checked"
fi
