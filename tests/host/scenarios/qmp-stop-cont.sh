# QMP stop pauses a guest that prints a counter (STOP event, status
# "paused", the counter stands still); cont resumes it (RESUME, it counts
# again); quit ends the VMM with exit status 0.
need_vmm
start_vmm "counter" --vcpus 2 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline counter)"
expect_out "ARMZ-COUNT 2" 90 "guest counter"
qmp stop wait:STOP query-status > stop.log 2>&1 || { cat stop.log; show_vmm; fail "QMP stop: $(tail -1 stop.log)"; }
cat stop.log
grep -q '"status": *"paused"' stop.log || fail "query-status after stop is not paused"
sleep 1
c1=$(grep -c "ARMZ-COUNT" "$VMM_OUT")
sleep 4
c2=$(grep -c "ARMZ-COUNT" "$VMM_OUT")
[ "$c1" = "$c2" ] || fail "the counter ran on while paused ($c1 -> $c2)"
echo "paused: the counter stands at $c2 lines"
qmp cont wait:RESUME query-status > cont.log 2>&1 || { cat cont.log; fail "QMP cont: $(tail -1 cont.log)"; }
cat cont.log
grep -q '"status": *"running"' cont.log || fail "query-status after cont is not running"
n=100
while [ "$(grep -c "ARMZ-COUNT" "$VMM_OUT")" -le "$c2" ] && [ $n -gt 0 ]; do usleep 200000; n=$((n - 1)); done
[ "$(grep -c "ARMZ-COUNT" "$VMM_OUT")" -gt "$c2" ] || { show_vmm; fail "the counter did not resume"; }
echo "resumed: the counter runs again"
qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
expect_exit 0 30
