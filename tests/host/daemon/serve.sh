# In the test host: serves virtarmzd to the x86 side (run-host --drive).
# Brings up the host's NIC (qemu user networking forwards the daemon's TCP
# port and a shell port), starts a small command shell for the tests
# (killing a VMM, restarting the daemon) and keeps virtarmzd running until
# the tests say they are done (/tmp/armz-done): a daemon the tests killed
# is started again, as systemd would.
root=/tmp/armz
port=16509
shell_port=2323

command -v virtarmzd >/dev/null || skip "virtarmzd is not in the test host"
[ -c /dev/kvm ] || skip "no /dev/kvm in the test host"
ip link set eth0 up || fail "no eth0 in the test host (virtio_net)"
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2 2>/dev/null

# virtual networks: dnsmasq drops to user nobody; ip, nft, dnsmasq are
# in /usr/sbin (run-host packs them when they are there)
[ -e /etc/passwd ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > /etc/passwd
[ -e /etc/group ] || printf 'root:x:0:\nnogroup:x:65534:\n' > /etc/group
export PATH=/usr/sbin:$PATH

mkdir -p "$root/guest" "$root/etc/libvirt"
# every guest's armz-vmm runs unprivileged and jailed (test_jail.py)
printf 'user = "armz"\ngroup = "armz"\n' > "$root/etc/libvirt/armz.conf"
# firmware guests (test_firmware.py): a descriptor for AAVMF where the
# daemon looks by default, as Debian's qemu-efi-aarch64 installs one
if [ -f /firmware/AAVMF_CODE.fd ]; then
  mkdir -p /usr/share/qemu/firmware
  printf '%s\n' '{"interface-types": ["uefi"],' \
    ' "mapping": {"device": "flash",' \
    '   "executable": {"filename": "/firmware/AAVMF_CODE.fd", "format": "raw"},' \
    '   "nvram-template": {"filename": "/firmware/AAVMF_VARS.fd", "format": "raw"}},' \
    ' "targets": [{"architecture": "aarch64", "machines": ["virt-*"]}],' \
    ' "features": ["verbose-static"]}' > /usr/share/qemu/firmware/60-edk2-aarch64.json
  # Nova reads the descriptors of the compute node itself (Debian's, on
  # the x86 side: test_nova.py) and writes Debian's AAVMF paths
  mkdir -p /usr/share/AAVMF
  ln -sf /firmware/AAVMF_CODE.fd /firmware/AAVMF_VARS.fd /usr/share/AAVMF/
fi
cp "$ARMZ_GUEST_IMAGE" "$root/guest/Image"
cp "$ARMZ_GUEST_INITRD" "$root/guest/initrd"
# the config drives of test_scsi.py (run-host builds them with xorriso)
cp "$(dirname "$ARMZ_GUEST_IMAGE")"/config-*.iso "$root/guest/" 2>/dev/null
# one command per connection; its output, then the line "ARMZ-RC n"
( while [ ! -e /tmp/armz-done ]; do
    nc -l -p "$shell_port" -e sh -c 'read -r cmd; sh -c "$cmd" 2>&1; echo "ARMZ-RC $?"'
  done ) &

export ARMZ_SCHEMA_DIR=/usr/share/libvirt-armz/schemas ARMZ_VMM_PATH=/usr/bin/armz-vmm
# the s390 run: IBM Z's kvm-arm64 has no read-only memory slots, which only
# the firmware flash uses; the daemon's guests get them (test-only profile)
# so that test_firmware.py runs there too, on the s390 paths otherwise
[ "${ARMZ_KVM_PROFILE:-native}" = s390 ] && export ARMZ_KVM_PROFILE=s390+readonly-mem
# straight to the console: the scenario output pipe is buffered
echo "ARMZ-HOST daemon-ready" > /dev/console
while [ ! -e /tmp/armz-done ]; do
  virtarmzd --root "$root" --listen-tcp "0.0.0.0:$port" --verbose >>/tmp/virtarmzd.log 2>&1
  echo "virtarmzd exited with status $?"
  sleep 0.2
done
# guests the tests left behind
for p in "$root"/run/libvirt/armz/*.pid; do
  [ -e "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
done
tail -20 /tmp/virtarmzd.log
exit 0
