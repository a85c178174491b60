# vhost-user-fs with virtiofsd, once per GIC: a host directory shared by
# virtiofsd (chroot sandbox: the test host's root is an initramfs, where
# pivot_root is refused) is mounted by the guest (mount -t virtiofs TAG):
# it reads a host file (sha256), writes a file and makes a directory; the
# host then sees them with the guest's content.
# armz-timeout: 600
set -u
need_vmm_opts --vhost-user-fs
[ -x /usr/bin/virtiofsd ] || skip "no arm64 virtiofsd in the test host (tests/deps/vhost-user.post.sh)"
dd if=/dev/urandom of=hostfile bs=1K count=300 2>/dev/null || fail "cannot create hostfile"
sha256sum < hostfile | cut -d' ' -f1 > hostfile.sum
dd if=/dev/urandom of=guestfile bs=1K count=200 2>/dev/null || fail "cannot create guestfile"
sha256sum < guestfile | cut -d' ' -f1 > guestfile.sum

cat > guest.sh <<'GEOF'
#!/bin/sh
bad() { echo "ARMZ-VUF FAIL $*"; exit 1; }
mkdir -p /mnt/share
mount -t virtiofs armzshare /mnt/share 2>/tmp/err || bad "mount: $(tail -1 /tmp/err)"
s=$(sha256sum < /mnt/share/hostfile | cut -d' ' -f1)
[ "$s" = "$(cat /data/hostfile.sum)" ] || bad "hostfile read as sha256 $s"
echo "ARMZ-VUF OK read the host's file"
cp /data/guestfile /mnt/share/from-guest || bad "cannot write from-guest"
mkdir /mnt/share/guestdir || bad "cannot mkdir"
sync
umount /mnt/share || bad "umount"
echo "ARMZ-VUF DONE"
GEOF
guest_payload guest.sh hostfile.sum guestfile

for ic in $(irqchips); do
  share=$PWD/share-$ic sock=$PWD/fs-$ic.sock
  mkdir -p "$share" && cp hostfile "$share/" || fail "cannot fill $share"
  /usr/bin/virtiofsd --socket-path="$sock" -o source="$share" -o sandbox=chroot -o cache=none \
    >virtiofsd-$ic.log 2>&1 &
  vfs=$!
  wait_socket "$sock" virtiofsd-$ic.log "virtiofsd ($ic GIC)"
  start_vmm vuf-$ic --vcpus 1 --irqchip $ic --cmdline "$(guest_cmdline run)" \
    --vhost-user-fs "socket=$sock,tag=armzshare,id=fs0"
  expect_out "ARMZ-GUEST RUN-END" 300 "guest virtiofs checks ($ic GIC)"
  guest_done ARMZ-VUF "guest ($ic GIC)" virtiofsd-$ic.log
  expect_exit 0 60
  kill $vfs 2>/dev/null; wait $vfs
  [ "$(sha256sum < "$share/from-guest" | cut -d' ' -f1)" = "$(cat guestfile.sum)" ] ||
    fail "the guest's file is not on the host as written ($ic GIC)"
  [ -d "$share/guestdir" ] || fail "the guest's directory is not on the host ($ic GIC)"
  echo "$ic GIC: the guest read the share and wrote to it"
done
