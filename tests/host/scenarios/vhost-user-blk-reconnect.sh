# vhost-user-blk: qemu-storage-daemon killed (SIGKILL) while the guest
# writes, restarted 3 s later on the same socket, once per GIC: armz-vmm
# logs the loss, the guest keeps running, armz-vmm reconnects and replays
# the rings, the guest's write completes and reads back right (sha256), and
# the qcow2 overlay has no corruption (`qemu-img check`: clean or leaked
# clusters only) and holds the guest's data. armz-vmm's query-blockstats
# of the disk (read off the rings) counts the guest's 6 MiB of writes
# exactly once, the request the new daemon served again included, and its
# 6 MiB read back.
# The export is writethrough=on: a write completes once qemu-storage-daemon
# has flushed it, qcow2 metadata included. With its default write-back
# cache, a killed daemon loses the qcow2 metadata of writes the guest had
# not flushed, as a disk losing power loses its cache: the guest's data
# would then legitimately be gone, and the test would prove nothing about
# the replay. Here every completed write must survive and the one in flight
# at the kill must be served again by the new daemon.
# armz-timeout: 600
set -u
need_vmm_opts --vhost-user-blk
for t in qemu-storage-daemon qemu-img; do
  command -v $t >/dev/null || skip "no arm64 $t in the test host (tests/deps/vhost-user.post.sh)"
done
dd if=/dev/urandom of=data bs=1M count=6 2>/dev/null || fail "cannot create the data"
sha256sum < data | cut -d' ' -f1 > data.sum

cat > guest.sh <<'GEOF'
#!/bin/sh
bad() { echo "ARMZ-VUR FAIL $*"; exit 1; }
[ -b /dev/vda ] || bad "no /dev/vda"
echo "ARMZ-VUR WRITING"
# 64 KiB O_DIRECT writes, slowly enough that the host kills the back-end
# in the middle
i=0
while [ $i -lt 96 ]; do
  dd if=/data/data of=/dev/vda bs=65536 skip=$i seek=$i count=1 oflag=direct conv=notrunc \
    2>/tmp/err || bad "write $i: $(tail -1 /tmp/err)"
  [ $((i % 16)) = 0 ] && echo "ARMZ-VUR AT $i"
  usleep 100000
  i=$((i + 1))
done
sync
s=$(dd if=/dev/vda bs=65536 count=96 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
[ "$s" = "$(cat /data/data.sum)" ] || bad "read back sha256 $s differs"
# the host reads the statistics now, then types a line
echo "ARMZ-VUR STATS"
read -r -t 120 line || bad "no word from the host within 120 s"
echo "ARMZ-VUR DONE"
GEOF
guest_payload guest.sh data data.sum

start_qsd() {
  qemu-storage-daemon \
    --blockdev "driver=file,node-name=f0,filename=$ov" \
    --blockdev driver=qcow2,node-name=d0,file=f0 \
    --export "type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path=$sock,writable=on,writethrough=on" \
    >>qsd-$ic.log 2>&1 &
  qsd=$!
  wait_socket "$sock" qsd-$ic.log "qemu-storage-daemon ($ic GIC)"
}

for ic in $(irqchips); do
  ov=$PWD/ov-$ic.qcow2 sock=$PWD/vu-$ic.sock
  qemu-img create -q -f qcow2 "$ov" 8M || fail "qemu-img create $ov"
  start_qsd
  rm -f qmp.sock
  start_vmm vur-$ic --vcpus 1 --irqchip $ic --cmdline "$(guest_cmdline run)" \
    --vhost-user-blk "socket=$sock,id=disk0" --qmp "$PWD/qmp.sock"
  expect_out "ARMZ-VUR AT 16" 300 "guest writing ($ic GIC)"
  kill -9 $qsd; wait $qsd 2>/dev/null
  echo "$ic GIC: killed qemu-storage-daemon at $(grep -c 'ARMZ-VUR AT' "$VMM_OUT") x16 writes"
  wait_for "$VMM_ERR" "lost" 20 || { show_vmm; fail "armz-vmm did not log the back-end's loss ($ic)"; }
  sleep 3
  alive "$VMM_PID" || { show_vmm; fail "armz-vmm ended while the back-end was down ($ic)"; }
  rm -f "$sock"
  start_qsd
  wait_for "$VMM_ERR" "reconnected" 30 || { show_vmm; fail "armz-vmm did not reconnect ($ic)"; }
  expect_out "ARMZ-VUR STATS" 300 "guest after the back-end's restart ($ic GIC)"
  qmp query-blockstats > stats-$ic.log 2>&1 || { cat stats-$ic.log; fail "query-blockstats failed"; }
  wr=$(sed -n 's/.*"device": *"disk0"[^}]*"wr_bytes": *\([0-9]*\).*/\1/p' stats-$ic.log)
  rd=$(sed -n 's/.*"device": *"disk0"[^}]*"rd_bytes": *\([0-9]*\).*/\1/p' stats-$ic.log)
  [ "$wr" = 6291456 ] && [ -n "$rd" ] && [ "$rd" -ge 6291456 ] ||
    { cat stats-$ic.log; fail "query-blockstats: disk0 wr_bytes '$wr' rd_bytes '$rd' (the guest wrote 6 MiB once, read 6 MiB) ($ic GIC)"; }
  echo "$ic GIC: query-blockstats counts disk0's 6 MiB of writes once, $rd bytes read"
  send_serial go
  expect_out "ARMZ-GUEST RUN-END" 120 "guest after the statistics ($ic GIC)"
  grep -E "lost|reconnected" "$VMM_ERR"
  guest_done ARMZ-VUR "guest ($ic GIC)" qsd-$ic.log
  expect_exit 0 60
  kill $qsd; wait $qsd
  qemu-img check "$ov" > check-$ic.log 2>&1
  st=$?
  cat check-$ic.log
  # 0: clean; 3: leaked clusters only (a SIGKILL may leave them), no corruption
  [ $st = 0 ] || [ $st = 3 ] || fail "qemu-img check $ov: status $st"
  qemu-img convert -O raw "$ov" out-$ic.img || fail "qemu-img convert $ov"
  [ "$(head -c 6291456 out-$ic.img | sha256sum | cut -d' ' -f1)" = "$(cat data.sum)" ] ||
    fail "the overlay does not hold the guest's data ($ic GIC)"
  echo "$ic GIC: reconnected, the guest's write completed, the image is consistent"
done
