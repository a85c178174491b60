# virtio-vsock through the host kernel's vhost-vsock: the guest listens on
# vsock port 1234, the host connects to it and gets its line echoed back
# (no copy in armz-vmm); with each interrupt controller, the first with a
# fixed CID (42), the second with cid=auto (the CID read back over QMP).
set -u
need_vmm_opts --vsock
[ -c /dev/vhost-vsock ] || fail "no /dev/vhost-vsock in the test host (vhost_vsock module)"
command -v vsockecho >/dev/null || fail "no vsockecho helper"

cat > guest.sh <<'EOF2'
#!/bin/sh
[ -d /sys/bus/virtio/drivers/vmw_vsock_virtio_transport ] ||
  { echo "ARMZ-VSOCK FAIL no virtio vsock transport driver"; exit 1; }
/data/vsockecho server 1234 || echo "ARMZ-VSOCK FAIL server"
echo "ARMZ-VSOCK DONE"
EOF2
guest_payload guest.sh "$(command -v vsockecho)"

for irq in $(irqchips); do
  rm -f qmp.sock
  if [ $irq = kernel ]; then spec=cid=42; else spec=cid=auto; fi
  start_vmm "vsock-$irq" --irqchip "$irq" --cmdline "$(guest_cmdline run)" --vsock "$spec" \
    --qmp "$PWD/qmp.sock"
  out=$(qmp '{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/vsock0", "property": "guest-cid"}}') ||
    fail "qom-get guest-cid ($irq): $out"
  cid=$(printf '%s\n' "$out" | sed -n 's/.*"return": *\([0-9]*\).*/\1/p' | tail -1)
  [ "${cid:-0}" -ge 3 ] || fail "guest CID '$cid' ($spec, $irq)"
  [ $irq = userspace ] || [ "$cid" = 42 ] || fail "guest CID $cid, not 42 ($irq)"
  expect_out "VSOCKECHO LISTENING" 180 "the guest listening ($irq)"
  out=$(vsockecho client "$cid" 1234 "hello-$irq") || { show_vmm; fail "vsock echo ($irq): $out"; }
  [ "$out" = "ECHO hello-$irq" ] || { show_vmm; fail "the guest answered '$out' ($irq)"; }
  expect_out "ARMZ-VSOCK DONE" 60 "guest end ($irq)"
  expect_exit 0 60
  echo "virtio-vsock works with irqchip $irq"
done
