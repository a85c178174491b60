# armz-timeout: 480
# virtio-pci.sh with the guest on INTx (pci=nomsi): the legacy interrupt
# lines, swizzled by slot through the device tree's interrupt-map, shared
# and counted by the host bridge, ISR read-to-clear.
PCI_GUEST_EXTRA=pci=nomsi
. /scenarios/virtio-pci.sh
