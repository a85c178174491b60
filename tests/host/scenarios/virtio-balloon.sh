# armz-timeout: 480
# virtio-balloon: QMP balloon to 128 MiB makes the 256 MiB guest give
# memory back (its MemTotal drops, query-balloon and BALLOON_CHANGE say
# so), the guest's statistics arrive (qom-get guest-stats, polled every
# second), and balloon back to 256 MiB returns the memory; with each
# interrupt controller.
set -u
need_vmm_opts --balloon

cat > guest.sh <<'EOF2'
#!/bin/sh
total() { awk '/^MemTotal/ {print $2}' /proc/meminfo; }
[ -d /sys/bus/virtio/drivers/virtio_balloon ] || { echo "ARMZ-BALLOON FAIL no virtio_balloon driver"; exit 1; }
t0=$(total)
echo "ARMZ-BALLOON START $t0"
state=start
i=0
while [ $i -lt 1800 ]; do
  t=$(total)
  if [ $state = start ] && [ "$t" -lt $((t0 - 100000)) ]; then
    echo "ARMZ-BALLOON SHRUNK $t"; state=shrunk
  elif [ $state = shrunk ] && [ "$t" -gt $((t0 - 20000)) ]; then
    echo "ARMZ-BALLOON GROWN $t"; exit 0
  fi
  usleep 100000
  i=$((i + 1))
done
echo "ARMZ-BALLOON FAIL MemTotal stayed $t (state $state)"
EOF2
guest_payload guest.sh

for irq in $(irqchips); do
  rm -f qmp.sock
  start_vmm "balloon-$irq" --irqchip "$irq" --cmdline "$(guest_cmdline run)" \
    --balloon stats-period=1 --qmp "$PWD/qmp.sock"
  expect_out "ARMZ-BALLOON START" 180 "guest start ($irq)"
  out=$(qmp '{"execute": "balloon", "arguments": {"value": 134217728}}' wait:BALLOON_CHANGE) ||
    { show_vmm; fail "balloon to 128 MiB ($irq): $out"; }
  expect_out "ARMZ-BALLOON SHRUNK" 180 "the guest giving 128 MiB back ($irq)"
  # the guest takes a while to reach the target: poll query-balloon
  n=0
  while :; do
    out=$(qmp query-balloon) || fail "query-balloon ($irq): $out"
    a=$(printf '%s\n' "$out" | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p' | tail -1)
    [ "${a:-0}" -le $((136 * 1048576)) ] && break
    n=$((n + 1))
    [ $n -lt 60 ] || fail "query-balloon actual still $a after 60 s ($irq)"
    sleep 1
  done
  echo "query-balloon actual $a ($irq)"
  sleep 2
  out=$(qmp '{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/balloon0", "property": "guest-stats"}}') ||
    fail "qom-get guest-stats ($irq): $out"
  printf '%s\n' "$out" | grep -q '"stat-total-memory": *[1-9]' ||
    { echo "$out"; fail "guest-stats without stat-total-memory ($irq)"; }
  printf '%s\n' "$out" | grep -q '"last-update": *[1-9]' || fail "guest-stats never updated ($irq)"
  out=$(qmp '{"execute": "balloon", "arguments": {"value": 268435456}}') ||
    fail "balloon to 256 MiB ($irq): $out"
  expect_out "ARMZ-BALLOON GROWN" 180 "the guest getting its memory back ($irq)"
  grep -E "^ARMZ-BALLOON" "$VMM_OUT"
  expect_out "ARMZ-GUEST RUN-END" 60 "guest script end ($irq)"
  expect_exit 0 60
  echo "virtio-balloon works with irqchip $irq"
done
