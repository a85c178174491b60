# armz-timeout: 900
# virtio-blk cache modes, discard, resize and the error policy, two boots:
#  1. in-kernel GIC (userspace in the s390 profile): vda: a loop device (a block device, 16 MiB) with
#     cache=none: armz-vmm's fd has O_DIRECT (/proc/PID/fdinfo) and the
#     guest sees a write-back cache; vdb: an 8 MiB file with discard=unmap
#     and detect-zeroes=unmap: the guest's blkdiscard (4 MiB) and an
#     all-zero write (1 MiB) punch holes into it (fewer blocks, zeroes);
#     vdc: cache=writethrough: O_DSYNC, and the guest sees write through.
#     query-blockstats counts the guest's 2 MiB of reads on vda; the host
#     grows vdb's file to 12 MiB and block_resize tells the guest, which
#     sees the new size (a block_resize with another size is refused).
#     vda does its I/O with io=native (Linux AIO: an [aio] ring in the
#     VMM's maps), vdc with io=io_uring (an io_uring fd); the host reads
#     back what the guest wrote on both.
#  2. userspace GIC: vda on a full tmpfs with werror=stop and io=io_uring:
#     the guest's 2 MiB write fails with ENOSPC, armz-vmm sends
#     BLOCK_IO_ERROR (action stop, nospace) and pauses (status io-error,
#     io-status nospace); once space is freed, cont retries the write and
#     the guest reads back what it wrote; vdb, the loop device again, with
#     cache=none and io=native: the host reads back the guest's 2 MiB.
set -u
need_vmm_opts --disk --qmp
armz-vmm --help 2>&1 | grep -q 'cache=' || skip "armz-vmm --disk has no cache= yet"
O_DIRECT=0200000    # arm64 (octal, as fdinfo shows flags)
O_DSYNC=010000

# fdflags FILE: octal open flags of the VMM's fd on FILE
fdflags() {
  local l fd
  for l in /proc/$VMM_PID/fd/*; do
    [ "$(readlink "$l")" = "$1" ] || continue
    fd=${l##*/}
    awk '/^flags:/ {print $2}' "/proc/$VMM_PID/fdinfo/$fd"
    return 0
  done
  return 1
}
blocks() { stat -c %b "$1"; }
# io_modes: fails unless the VMM has a Linux AIO ring and an io_uring fd
io_modes() {
  grep -q '/\[aio\]' "/proc/$VMM_PID/maps" || fail "io=native: armz-vmm has no Linux AIO ring"
  ls -l "/proc/$VMM_PID/fd" | grep -q 'anon_inode:\[io_uring\]' ||
    fail "io=io_uring: armz-vmm has no io_uring fd"
  echo "io=native: an [aio] ring; io=io_uring: an io_uring fd"
}

# ---- 1: cache modes, discard, stats, resize ---------------------------------
dd if=/dev/urandom of=loop.img bs=1M count=16 2>/dev/null || fail "cannot create loop.img"
loopdev=$(losetup -f) && losetup "$loopdev" loop.img ||
  skip "no loop device in the test host ($(ls /dev/loop* 2>&1 | head -1))"
trap 'losetup -d "$loopdev" 2>/dev/null' EXIT
dd if=/dev/urandom of=d.img bs=1M count=8 2>/dev/null || fail "cannot create d.img"
dd if=/dev/urandom of=c.img bs=1M count=1 2>/dev/null || fail "cannot create c.img"
dd if=/dev/urandom of=p1 bs=65536 count=1 2>/dev/null || fail "cannot create p1"
b0=$(blocks d.img)

cat > guest.sh <<'EOF'
#!/bin/sh
ok() { echo "ARMZ-BLK OK $*"; }
bad() { echo "ARMZ-BLK FAIL $*"; exit 1; }
for d in vda vdb vdc; do [ -b /dev/$d ] || bad "no /dev/$d"; done
[ "$(blockdev --getsize64 /dev/vda)" = 16777216 ] || bad "vda size $(blockdev --getsize64 /dev/vda)"
[ "$(blockdev --getsize64 /dev/vdb)" = 8388608 ] || bad "vdb size $(blockdev --getsize64 /dev/vdb)"
wc=$(cat /sys/block/vda/queue/write_cache)
[ "$wc" = "write back" ] || bad "vda (cache=none) shows '$wc', expected write back"
wc=$(cat /sys/block/vdc/queue/write_cache)
[ "$wc" = "write through" ] || bad "vdc (cache=writethrough) shows '$wc', expected write through"
ok "write caches: vda write back, vdc write through"
dd if=/data/p1 of=/dev/vda bs=65536 seek=16 oflag=direct conv=notrunc 2>/tmp/err || bad "write vda: $(tail -1 /tmp/err)"
dd if=/dev/vda of=/tmp/back bs=65536 skip=16 count=1 iflag=direct 2>/tmp/err || bad "read vda: $(tail -1 /tmp/err)"
cmp -s /tmp/back /data/p1 || bad "vda read back differs"
dd if=/dev/vda of=/dev/null bs=65536 count=32 iflag=direct 2>/tmp/err || bad "read vda: $(tail -1 /tmp/err)"
ok "O_DIRECT write and reads on vda"
[ "$(cat /sys/block/vdb/queue/discard_max_bytes)" -gt 0 ] || bad "vdb offers no discard"
blkdiscard -o 1048576 -l 4194304 /dev/vdb 2>/tmp/err || bad "blkdiscard vdb: $(tail -1 /tmp/err)"
dd if=/dev/zero of=/dev/vdb bs=65536 seek=96 count=16 oflag=direct conv=notrunc 2>/tmp/err ||
  bad "zero write vdb: $(tail -1 /tmp/err)"
dd if=/data/p1 of=/dev/vdc bs=65536 count=1 conv=notrunc,fsync 2>/tmp/err || bad "write vdc: $(tail -1 /tmp/err)"
ok "discarded 4 MiB and wrote 1 MiB of zeroes on vdb"
echo "ARMZ-BLK WAIT"
read line
n=100
while [ "$(blockdev --getsize64 /dev/vdb)" != 12582912 ] && [ $n -gt 0 ]; do usleep 100000; n=$((n - 1)); done
echo "ARMZ-BLK RESIZED $(blockdev --getsize64 /dev/vdb)"
echo "ARMZ-BLK DONE"
EOF
guest_payload guest.sh p1
# the in-kernel GIC, which the s390 profile has not (its runs use the userspace one)
irq=kernel
[ "${ARMZ_KVM_PROFILE:-native}" = s390 ] && irq=userspace
start_vmm modes --irqchip "$irq" --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline run)" \
  --disk "path=$loopdev,cache=none,io=native" \
  --disk "path=$PWD/d.img,discard=unmap,detect-zeroes=unmap" \
  --disk "path=$PWD/c.img,cache=writethrough,io=io_uring"
expect_out "ARMZ-BLK WAIT|ARMZ-BLK FAIL" 300 "guest block checks"
grep -E "^ARMZ-BLK" "$VMM_OUT"
grep -q "ARMZ-BLK FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-BLK FAIL' "$VMM_OUT" | head -1)"; }
fl=$(fdflags "$loopdev") || fail "armz-vmm has no fd on $loopdev"
[ $(( fl & O_DIRECT )) != 0 ] || fail "vda (cache=none) fd flags $fl lack O_DIRECT"
fl2=$(fdflags "$PWD/d.img") || fail "armz-vmm has no fd on d.img"
[ $(( fl2 & O_DIRECT )) = 0 ] || fail "vdb (cache=writeback) fd flags $fl2 have O_DIRECT"
fl3=$(fdflags "$PWD/c.img") || fail "armz-vmm has no fd on c.img"
[ $(( fl3 & O_DSYNC )) != 0 ] && [ $(( fl3 & O_DIRECT )) = 0 ] ||
  fail "vdc (cache=writethrough) fd flags $fl3: expected O_DSYNC without O_DIRECT"
echo "fd flags: vda $fl (O_DIRECT), vdb $fl2, vdc $fl3 (O_DSYNC)"
io_modes
dd if="$loopdev" of=back1 bs=65536 skip=16 count=1 iflag=direct 2>/dev/null && cmp -s back1 p1 ||
  fail "the guest's 64 KiB on vda (io=native) are not in the loop device"
dd if=c.img of=back1 bs=65536 count=1 2>/dev/null && cmp -s back1 p1 ||
  fail "the guest's 64 KiB on vdc (io=io_uring) are not in c.img"
echo "the host reads the guest's writes on vda (io=native) and vdc (io=io_uring)"
b1=$(blocks d.img)
[ "$b1" -le $(( b0 - 8192 )) ] || fail "d.img has $b1 blocks of 512 bytes after 5 MiB of discards/zeroes (before: $b0)"
dd if=d.img of=z bs=1M skip=1 count=4 2>/dev/null && dd if=/dev/zero of=z0 bs=1M count=4 2>/dev/null &&
  cmp -s z z0 || fail "the discarded 4 MiB of d.img do not read as zeroes"
echo "holes punched: d.img $b0 -> $b1 blocks"
qmp query-blockstats > stats.log 2>&1 || { cat stats.log; fail "query-blockstats failed"; }
rd=$(sed -n 's/.*"device": *"vda"[^}]*"rd_bytes": *\([0-9]*\).*/\1/p' stats.log)
rq=$(sed -n 's/.*"device": *"vda"[^}]*"rd_operations": *\([0-9]*\).*/\1/p' stats.log)
[ -n "$rd" ] && [ "$rd" -ge 2162688 ] && [ "$rq" -ge 2 ] ||
  { cat stats.log; fail "query-blockstats: vda rd_bytes '$rd' rd_operations '$rq' (the guest read 2 MiB + 64 KiB)"; }
echo "query-blockstats: vda read $rd bytes in $rq requests"
truncate -s 12M d.img || fail "cannot grow d.img"
qmp '{"execute": "block_resize", "arguments": {"device": "vdb", "size": 16777216}}' > rs.log 2>&1 &&
  fail "block_resize with a size the image does not have succeeded"
grep -q "must be resized first" rs.log || { cat rs.log; fail "block_resize with a wrong size: unexpected reply"; }
qmp '{"execute": "block_resize", "arguments": {"device": "vdb", "size": 12582912}}' > rs.log 2>&1 ||
  { cat rs.log; fail "block_resize failed"; }
send_serial go
expect_out "ARMZ-BLK DONE" 120 "guest after the resize"
grep -q "ARMZ-BLK RESIZED 12582912" "$VMM_OUT" || { show_vmm; fail "the guest did not see vdb grow: $(grep RESIZED "$VMM_OUT")"; }
echo "the guest sees vdb at 12 MiB"
expect_exit 0 60

# ---- 2: error policy stop on a full file system ----------------------------
mkdir -p full && mount -t tmpfs -o size=3m armzfull full || fail "cannot mount a small tmpfs"
trap 'umount full 2>/dev/null; losetup -d "$loopdev" 2>/dev/null' EXIT
truncate -s 8M full/e.img && dd if=/dev/zero of=full/filler bs=1M count=2 2>/dev/null ||
  fail "cannot fill the small tmpfs"
dd if=/dev/urandom of=p2 bs=1M count=2 2>/dev/null || fail "cannot create p2"
cat > guest2.sh <<'EOF'
#!/bin/sh
dd if=/data/p2 of=/dev/vdb bs=1M oflag=direct conv=notrunc 2>/tmp/err || { echo "ARMZ-BLK FAIL write vdb: $(tail -1 /tmp/err)"; exit 1; }
echo "ARMZ-BLK WRITING"
dd if=/data/p2 of=/dev/vda bs=1M oflag=direct conv=notrunc 2>/tmp/err || { echo "ARMZ-BLK FAIL write: $(tail -1 /tmp/err)"; exit 1; }
echo "ARMZ-BLK WROTE"
dd if=/dev/vda of=/tmp/back bs=1M count=2 iflag=direct 2>/dev/null
cmp -s /tmp/back /data/p2 || { echo "ARMZ-BLK FAIL read back differs"; exit 1; }
echo "ARMZ-BLK DONE"
EOF
guest_payload guest2.sh p2
rm -f qmp.sock
start_vmm enospc --irqchip userspace --qmp "$PWD/qmp.sock" --cmdline "$(guest_cmdline run)" \
  --disk "path=$PWD/full/e.img,werror=stop,rerror=stop,io=io_uring" \
  --disk "path=$loopdev,cache=none,io=native"
qmp-client -t 400 "$PWD/qmp.sock" wait:BLOCK_IO_ERROR wait:STOP query-status query-block \
  > stop.log 2>&1 &
qpid=$!
echo "$qpid" > qmpc.pid
expect_out "ARMZ-BLK WRITING" 300 "guest start"
wait_for stop.log '"io-status"' 240 || { cat stop.log; show_vmm; fail "no BLOCK_IO_ERROR and pause within 240 s"; }
cat stop.log
grep -q '"event": *"BLOCK_IO_ERROR"' stop.log && grep -q '"action": *"stop"' stop.log &&
  grep -q '"nospace": *true' stop.log || fail "BLOCK_IO_ERROR without action stop / nospace"
grep -q '"status": *"io-error"' stop.log || fail "query-status is not io-error"
grep -q '"io-status": *"nospace"' stop.log || fail "query-block io-status is not nospace"
grep -q "ARMZ-BLK WROTE" "$VMM_OUT" && fail "the guest's write completed on a full file system"
io_modes
echo "paused on ENOSPC (io-error); freeing space"
rm -f full/filler
qmp cont query-status query-block > cont.log 2>&1 || { cat cont.log; fail "QMP cont failed"; }
grep -q '"io-status": *"ok"' cont.log || { cat cont.log; fail "io-status after cont is not ok"; }
expect_out "ARMZ-BLK DONE|ARMZ-BLK FAIL" 120 "guest write after cont"
grep -E "^ARMZ-BLK" "$VMM_OUT"
grep -q "ARMZ-BLK FAIL" "$VMM_OUT" && { show_vmm; fail "guest: $(grep 'ARMZ-BLK FAIL' "$VMM_OUT")"; }
expect_exit 0 60
dd if=full/e.img of=back bs=1M count=2 2>/dev/null && cmp -s back p2 ||
  fail "e.img does not hold the guest's 2 MiB after the retry"
echo "cont retried the write: e.img holds the guest's data"
dd if="$loopdev" of=back bs=1M count=2 iflag=direct 2>/dev/null && cmp -s back p2 ||
  fail "the guest's 2 MiB on vdb (io=native) are not in the loop device"
echo "the host reads the guest's 2 MiB on vdb (io=native)"
losetup -d "$loopdev"
umount full
