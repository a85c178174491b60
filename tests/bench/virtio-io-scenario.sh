# Benchmark scenario of tests/bench/virtio-io (runs inside the test host,
# not pass/fail). Settings from /extra/bench.conf (MIB, OPS, NET_MIB, RUNS).
#  - disk: benchio (and busybox dd for sequential) on a MIB MiB image in the
#    test host's /tmp, first on the test host itself, then from the guest on
#    /dev/vda (--disk path=..., O_DIRECT in the guest);
#  - network: benchio TCP streams of NET_MIB MiB guest -> host and
#    host -> guest over --net tap=..., and over the test host's loopback;
#  - raw O_DIRECT: the disk tests again on a loop device over the image (a
#    block device, which takes O_DIRECT where the tmpfs file does not), on
#    the test host and from a guest whose disk is that loop device with
#    cache=none (armz-vmm's fd O_DIRECT).
# Prints "BENCH host|guest|hostdirect|guestdirect metric value" lines, RUNS
# of each.
set -u
need_vmm_opts --disk --net
MIB=64 OPS=4096 NET_MIB=32 RUNS=3
[ -f /extra/bench.conf ] && . /extra/bench.conf
command -v benchio >/dev/null || fail "no benchio helper in the test host"

# timed_dd MIB DD-ARGS...: runs busybox dd (Debian's prints no rate) and
# prints MIB / elapsed seconds (from /proc/uptime: 10 ms resolution)
timed_dd() {
  local mib=$1 t0 t1 x
  shift
  read -r t0 x < /proc/uptime
  dd "$@" 2>dd.log || { echo "note: dd $*: $(tail -1 dd.log)" >&2; return 1; }
  read -r t1 x < /proc/uptime
  awk -v m="$mib" -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; if (d < 0.01) d = 0.01; printf "%.2f\n", m / d }'
}
# bench_rate LINE KEY: the value of KEY=... in a benchio line
bench_val() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }

dd if=/dev/zero of=disk.img bs=1M count="$MIB" 2>/dev/null || fail "cannot create a $MIB MiB disk.img"
i=0
while [ $i -lt "$RUNS" ]; do
  benchio io seqread disk.img "$MIB" 1048576 -d > r.log && echo "BENCH host seq-read-MiBps $(bench_val r.log MBps)"
  benchio io seqwrite disk.img "$MIB" 1048576 -d > r.log && echo "BENCH host seq-write-MiBps $(bench_val r.log MBps)"
  benchio io randread disk.img "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH host rand-read-4k-iops $(bench_val r.log iops)"
  benchio io randwrite disk.img "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH host rand-write-4k-iops $(bench_val r.log iops)"
  grep -q 'direct=1' r.log || [ $i -gt 0 ] || echo "note: the test host's /tmp refuses O_DIRECT: host figures are buffered"
  v=$(timed_dd "$MIB" if=disk.img of=/dev/null bs=1M) && echo "BENCH host dd-read-MiBps $v"
  v=$(timed_dd "$MIB" if=/dev/zero of=disk.img bs=1M count="$MIB" conv=notrunc,fsync) &&
    echo "BENCH host dd-write-MiBps $v"
  benchio tcp-recv 5003 60 > lo-recv.log &
  rp=$!
  benchio tcp-send 127.0.0.1 5003 "$NET_MIB" > /dev/null
  wait $rp
  echo "BENCH host tcp-tx-MiBps $(bench_val lo-recv.log MBps)"
  echo "BENCH host tcp-rx-MiBps $(bench_val lo-recv.log MBps)"
  i=$((i + 1))
done

cat > guest.sh <<'EOF'
#!/bin/sh
. /data/bench.conf
bv() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }
td() {
  local mib=$1 t0 t1 x
  shift
  read -r t0 x < /proc/uptime
  dd "$@" 2>dd.log || { echo "BENCH-NOTE dd $*: $(tail -1 dd.log)" >&2; return 1; }
  read -r t1 x < /proc/uptime
  awk -v m="$mib" -v a="$t0" -v b="$t1" 'BEGIN { d = b - a; if (d < 0.01) d = 0.01; printf "%.2f\n", m / d }'
}
cp /data/benchio /bin/ && chmod 755 /bin/benchio
ip link set eth0 up && ip addr add 10.0.0.2/24 dev eth0 || echo "BENCH-NOTE eth0 setup failed"
i=0
while [ $i -lt "$RUNS" ]; do
  benchio io seqread /dev/vda "$MIB" 1048576 -d > r.log && echo "BENCH guest seq-read-MiBps $(bv r.log MBps)"
  benchio io seqwrite /dev/vda "$MIB" 1048576 -d > r.log && echo "BENCH guest seq-write-MiBps $(bv r.log MBps)"
  benchio io randread /dev/vda "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH guest rand-read-4k-iops $(bv r.log iops)"
  benchio io randwrite /dev/vda "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH guest rand-write-4k-iops $(bv r.log iops)"
  v=$(td "$MIB" if=/dev/vda of=/dev/null bs=1M iflag=direct) && echo "BENCH guest dd-read-MiBps $v"
  v=$(td "$MIB" if=/dev/zero of=/dev/vda bs=1M count="$MIB" oflag=direct conv=fsync) &&
    echo "BENCH guest dd-write-MiBps $v"
  # guest -> host: the host's receiver listens already (one per run)
  benchio tcp-send 10.0.0.1 5001 "$NET_MIB" 60 > s.log 2>&1 || echo "BENCH-NOTE tcp-send: $(tail -1 s.log)"
  # host -> guest
  benchio tcp-recv 5002 120 > g.log 2>&1 &
  p=$!
  usleep 300000
  echo "BENCH-SYNC recv-ready $i"
  wait $p
  echo "BENCH guest tcp-rx-MiBps $(bv g.log MBps)"
  i=$((i + 1))
done
EOF
cp /extra/bench.conf bench.conf 2>/dev/null || echo "MIB=$MIB OPS=$OPS NET_MIB=$NET_MIB RUNS=$RUNS" > bench.conf
guest_payload guest.sh bench.conf "$(command -v benchio)"

tap=armzb0
tunctl -d "$tap" >/dev/null 2>&1
tunctl -t "$tap" >/dev/null 2>&1 || fail "tunctl -t $tap failed"
trap 'tunctl -d "$tap" >/dev/null 2>&1' EXIT
ip addr add 10.0.0.1/24 dev "$tap" && ip link set "$tap" up || fail "cannot configure $tap"

start_vmm bench --vcpus 1 --cmdline "$(guest_cmdline run)" \
  --disk "path=$PWD/disk.img" --net "tap=$tap,mac=52:54:00:12:34:56"
i=0
while [ $i -lt "$RUNS" ]; do
  benchio tcp-recv 5001 300 > h-recv.log 2>&1
  echo "BENCH guest tcp-tx-MiBps $(bench_val h-recv.log MBps)"
  expect_out "BENCH-SYNC recv-ready $i" 300 "guest receiver $i"
  benchio tcp-send 10.0.0.2 5002 "$NET_MIB" 60 > /dev/null || echo "note: tcp-send to the guest failed"
  i=$((i + 1))
done
expect_out "ARMZ-GUEST RUN-END" 600 "end of the guest benchmark"
grep -E "^BENCH" "$VMM_OUT"
expect_exit 0 60

# ---- raw O_DIRECT: a loop device, cache=none --------------------------------
loopdev=$(losetup -f) && losetup "$loopdev" disk.img ||
  { echo "note: no loop device: no raw O_DIRECT figures"; exit 0; }
trap 'tunctl -d "$tap" >/dev/null 2>&1; losetup -d "$loopdev" 2>/dev/null' EXIT
i=0
while [ $i -lt "$RUNS" ]; do
  benchio io seqread "$loopdev" "$MIB" 1048576 -d > r.log && echo "BENCH hostdirect seq-read-MiBps $(bench_val r.log MBps)"
  benchio io seqwrite "$loopdev" "$MIB" 1048576 -d > r.log && echo "BENCH hostdirect seq-write-MiBps $(bench_val r.log MBps)"
  benchio io randread "$loopdev" "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH hostdirect rand-read-4k-iops $(bench_val r.log iops)"
  benchio io randwrite "$loopdev" "$MIB" 4096 "$OPS" -d > r.log && echo "BENCH hostdirect rand-write-4k-iops $(bench_val r.log iops)"
  grep -q 'direct=1' r.log || [ $i -gt 0 ] || echo "note: the loop device refused O_DIRECT"
  v=$(timed_dd "$MIB" if="$loopdev" of=/dev/null bs=1M iflag=direct) && echo "BENCH hostdirect dd-read-MiBps $v"
  v=$(timed_dd "$MIB" if=/dev/zero of="$loopdev" bs=1M count="$MIB" oflag=direct conv=fsync) &&
    echo "BENCH hostdirect dd-write-MiBps $v"
  i=$((i + 1))
done
# the guest's disk part of guest.sh, tagged guestdirect
{ sed -n '1,/^i=0$/p' guest.sh | grep -v 'eth0'
  echo 'while [ $i -lt "$RUNS" ]; do'
  sed -n '/benchio io seqread/,/BENCH guest dd-write-MiBps/p' guest.sh |
    sed 's/BENCH guest /BENCH guestdirect /'
  printf '%s\n' '  i=$((i + 1))' 'done'; } > guest2.sh
guest_payload guest2.sh bench.conf "$(command -v benchio)"
start_vmm benchdirect --vcpus 1 --cmdline "$(guest_cmdline run)" --disk "path=$loopdev,cache=none"
expect_out "ARMZ-GUEST RUN-END" 600 "end of the guest's raw O_DIRECT benchmark"
grep -E "^BENCH" "$VMM_OUT"
expect_exit 0 60
