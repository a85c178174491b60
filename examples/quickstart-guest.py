#!/usr/bin/python3
"""The quickstart's guests, from what `armz image build` wrote into
GUEST_DIR: first examples/firmware-uefi.xml with the --format efi disk
(UEFI firmware boots its unified kernel image, which continues on the
disk's root file system), then examples/minimal-kernel.xml with the
kernel and initrd (direct kernel boot). Each is started through libvirt,
its console shown up to the image's banner ("ARMZ-IMAGE READY") and the
answer to a command typed into its shell, then it is shut down through
its power button. Without the efi disk (or without firmware on the
daemon's host: no descriptor, or an IBM Z host without read-only memory
slots) only the kernel-boot guest runs.

  quickstart-guest.py URI GUEST_DIR [efi]

"efi": GUEST_DIR (a path on the daemon's host) has the efi disk.
"""
import sys
import threading
import time
import xml.etree.ElementTree as ET

import libvirt

uri, guest_dir = sys.argv[1], sys.argv[2]
with_efi = sys.argv[3:] == ['efi']
here = __file__.rsplit('/', 1)[0]
BANNER = 'ARMZ-IMAGE READY'
ANSWER = 'quickstart-42'        # what the typed command prints


def say(msg):
    print(f'\n\033[1m== {msg}\033[0m', flush=True)


def type_command(st):
    st.send(b'uname -a; echo quickstart-$((6 * 7))\n')
    return True


libvirt.registerErrorHandler(lambda ctx, err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                 daemon=True).start()
conn = libvirt.open(uri)
conn.domainEventRegisterAny(
    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    lambda c, d, ev, det, o: print(f'[event] {d.name()}: lifecycle event {ev} detail {det}',
                                   flush=True), None)


def boot(conn, name, xml, wait):
    """Defines and starts NAME, shows its console up to the banner and the
    command's answer (within WAIT seconds), shuts it down: whether it
    answered and powered off."""
    say(f'virsh define examples/{name}.xml ({uri})')
    try:
        old = conn.lookupByName(name)
        if old.isActive():
            old.destroy()
        old.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
    except libvirt.libvirtError:
        pass
    dom = conn.defineXML(xml)
    say(f'virsh start {name}')
    t0 = time.monotonic()
    try:
        dom.create()
    except libvirt.libvirtError as e:
        print(f'cannot start {name}: {e}')
        dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
        return None
    print(f'started in {time.monotonic() - t0:.2f} s: id {dom.ID()}, state {dom.state()}')

    say(f'virsh console {name}')
    st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
    dom.openConsole(None, st, 0)
    buf = ''
    ready = typed = answered = False
    ready_at = 0
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            data = st.recv(4096)
        except libvirt.libvirtError:
            break
        if data == -2:          # nothing yet
            # the command goes to the shell's prompt ('/ # '), or after 10 s
            # typed ahead: the shell reads it once it has started
            if ready and not typed and time.monotonic() > ready_at + 10:
                typed = type_command(st)
            time.sleep(0.1)
            continue
        if not data:
            break
        text = data.decode(errors='replace')
        # the shell's cursor position query would make this terminal answer
        # into the input of the shell the quickstart was started from
        sys.stdout.write(text.replace('\x1b[6n', ''))
        sys.stdout.flush()
        buf += text
        if not ready and BANNER in buf:
            ready = True
            ready_at = time.monotonic()
            buf = buf[buf.index(BANNER) + len(BANNER):]
        if ready and not typed and '# ' in buf:
            typed = type_command(st)
            buf = ''
        elif typed and ANSWER in buf:
            answered = True
            break
    if not answered:
        print(f'\n(no {"answer from the shell" if ready else repr(BANNER)} on the console '
              f'within {wait} s)')
    try:
        st.finish()
    except libvirt.libvirtError:
        st.abort()

    say(f'virsh shutdown {name} (the guest sees its power button)')
    # pressed again every 5 s: a press before the image's /init listens to
    # the power key (it starts right after its banner) goes unheard
    off = False
    for _ in range(12):
        try:
            dom.shutdown()
        except libvirt.libvirtError:
            pass            # it went off meanwhile
        for _ in range(50):
            if not dom.isActive():
                off = True
                break
            time.sleep(0.1)
        if off:
            break
    print(f'state: {dom.state()}, guest {"shut off" if off else "still running"}')
    if not off:
        dom.destroy()
    dom.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
    return answered and off


results = []
# 1. through UEFI firmware: the --format efi disk `armz image build` wrote
efi_disk = f'{guest_dir}/armz-guest-efi.img'
if with_efi:
    tree = ET.parse(f'{here}/firmware-uefi.xml')
    tree.find('name').text = 'firmware-uefi'
    tree.find('memory').text = '512'
    tree.find('memory').set('unit', 'MiB')
    tree.find('devices/disk/source').set('file', efi_disk)
    ok = boot(conn, 'firmware-uefi', ET.tostring(tree.getroot(), encoding='unicode'), 600)
    if ok is None:
        print('(no firmware boot on this host: see docs/firmware.md; the kernel-boot guest follows)')
    else:
        results.append(ok)

# 2. direct kernel boot: the kernel and initrd (its default --name armz-guest)
tree = ET.parse(f'{here}/minimal-kernel.xml')
os_el = tree.find('os')
os_el.find('kernel').text = f'{guest_dir}/armz-guest-Image'
os_el.find('initrd').text = f'{guest_dir}/armz-guest-initrd'
results.append(boot(conn, 'minimal-kernel', ET.tostring(tree.getroot(), encoding='unicode'), 180))
conn.close()
sys.exit(0 if all(results) else 1)
