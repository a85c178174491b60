# armz-timeout: 2000
# UEFI firmware boot on the userspace interrupt controller: AAVMF boots a
# unified kernel image from an EFI system partition on virtio-mmio to the
# payload's /init (see firmware_boot in lib.sh).
firmware_boot userspace
