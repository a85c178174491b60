# QMP protocol behaviour of a real armz-vmm: commands before negotiation get
# CommandNotFound; malformed JSON gets a GenericError and the connection
# stays usable; clients are served one at a time, in turn (a second client
# waits for the first to leave); each new client negotiates again.
need_vmm
start_vmm "proto" --vcpus 1 --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline wait)"
expect_out "ARMZ-GUEST WAITING" 90 "guest /init"

qmp-client -t 30 -n "$PWD/qmp.sock" query-status > pre.log 2>&1
rc=$?
cat pre.log
[ $rc = 1 ] && grep -q '"class":"CommandNotFound"' pre.log ||
  fail "a command before qmp_capabilities was not refused with CommandNotFound"

qmp '{"execute": }' query-status > bad.log 2>&1
rc=$?
cat bad.log
[ $rc = 1 ] && grep -q '"class":"GenericError"' bad.log && grep -q '"status":"running"' bad.log ||
  fail "malformed JSON: no GenericError, or the connection did not stay usable"

# client A holds the connection for 3 s; client B, started meanwhile, gets
# its turn afterwards
qmp sleep:3000 query-status > a.log 2>&1 &
a=$!
usleep 500000
t0=$(now_ms)
qmp query-status > b.log 2>&1 || { cat b.log; fail "the second client failed"; }
t1=$(now_ms)
wait $a || { cat a.log; fail "the first client failed"; }
cat a.log b.log
[ $((t1 - t0)) -ge 2000 ] || fail "the second client was served while the first was connected ($((t1 - t0)) ms)"
echo "the second client waited $((t1 - t0)) ms for its turn"

qmp quit > quit.log 2>&1 || { cat quit.log; fail "QMP quit failed"; }
expect_exit 0 30
