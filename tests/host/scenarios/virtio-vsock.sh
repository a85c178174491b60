# virtio-vsock through the host kernel's vhost-vsock: the guest (CID 42)
# listens on vsock port 1234, the host connects to it and gets its line
# echoed back (no copy in armz-vmm); with each interrupt controller.
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

for irq in kernel userspace; do
  start_vmm "vsock-$irq" --irqchip "$irq" --cmdline "$(guest_cmdline run)" --vsock cid=42
  expect_out "VSOCKECHO LISTENING" 180 "the guest listening ($irq)"
  out=$(vsockecho client 42 1234 "hello-$irq") || { show_vmm; fail "vsock echo ($irq): $out"; }
  [ "$out" = "ECHO hello-$irq" ] || { show_vmm; fail "the guest answered '$out' ($irq)"; }
  expect_out "ARMZ-VSOCK DONE" 60 "guest end ($irq)"
  expect_exit 0 60
  echo "virtio-vsock works with irqchip $irq"
done
