#!/usr/bin/python3
"""The quickstart's guest: defines examples/minimal-kernel.xml (its kernel
and initrd paths pointed at GUEST_DIR), starts it through libvirt, shows
its console until the guest's shell answers, then shuts it down.

  quickstart-guest.py URI GUEST_DIR
"""
import sys
import threading
import time
import xml.etree.ElementTree as ET

import libvirt

uri, guest_dir = sys.argv[1], sys.argv[2]
here = __file__.rsplit('/', 1)[0]


def say(msg):
    print(f'\n\033[1m== {msg}\033[0m', flush=True)


libvirt.registerErrorHandler(lambda ctx, err: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                 daemon=True).start()
conn = libvirt.open(uri)
conn.domainEventRegisterAny(
    None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
    lambda c, d, ev, det, o: print(f'[event] {d.name()}: lifecycle event {ev} detail {det}',
                                   flush=True), None)

tree = ET.parse(f'{here}/minimal-kernel.xml')
os_el = tree.find('os')
os_el.find('kernel').text = f'{guest_dir}/Image'
os_el.find('initrd').text = f'{guest_dir}/initrd'
# the test payload's /init gives a shell on the console in this mode
os_el.find('cmdline').text = 'console=ttyAMA0 quiet panic=-1 armz.mode=shell'
xml = ET.tostring(tree.getroot(), encoding='unicode')

say(f'virsh define examples/minimal-kernel.xml ({uri})')
try:
    old = conn.lookupByName('minimal-kernel')
    if old.isActive():
        old.destroy()
    old.undefine()
except libvirt.libvirtError:
    pass
dom = conn.defineXML(xml)
say('virsh start minimal-kernel')
t0 = time.monotonic()
dom.create()
print(f'started in {time.monotonic() - t0:.2f} s: id {dom.ID()}, state {dom.state()}')

say('virsh console minimal-kernel')
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, st, 0)
buf = ''
typed = False
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        data = st.recv(4096)
    except libvirt.libvirtError:
        break
    if data == -2:          # nothing yet
        time.sleep(0.2)
        continue
    if not data:
        break
    text = data.decode(errors='replace')
    sys.stdout.write(text)
    sys.stdout.flush()
    buf += text
    if not typed and 'guest#' in buf:
        st.send(b'uname -a; cat /proc/cpuinfo | head -3\r')
        typed = True
        buf = ''
    elif typed and 'guest#' in buf:
        break
else:
    print('\n(no shell prompt within 180 s)')
try:
    st.finish()
except libvirt.libvirtError:
    st.abort()

say('virsh shutdown minimal-kernel (the guest sees its power button)')
dom.shutdown()
for _ in range(120):
    if not dom.isActive():
        break
    time.sleep(0.5)
print(f'state: {dom.state()}, guest {"shut off" if not dom.isActive() else "still running"}')
dom.undefine()
conn.close()
sys.exit(0 if typed else 1)
