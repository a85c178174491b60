#!/usr/bin/python3
"""The quickstart's guest: defines examples/minimal-kernel.xml with the
kernel and initrd `armz image build` wrote into GUEST_DIR, starts it
through libvirt, shows its console up to the image's banner ("ARMZ-IMAGE
READY") and the answer to a command typed into its shell, then shuts it
down through its power button.

  quickstart-guest.py URI GUEST_DIR
"""
import sys
import threading
import time
import xml.etree.ElementTree as ET

import libvirt

uri, guest_dir = sys.argv[1], sys.argv[2]
here = __file__.rsplit('/', 1)[0]
BANNER = 'ARMZ-IMAGE READY'
ANSWER = 'quickstart-42'        # what the typed command prints


def say(msg):
    print(f'\n\033[1m== {msg}\033[0m', flush=True)


def type_command():
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

# the files `armz image build` writes (its default --name armz-guest)
tree = ET.parse(f'{here}/minimal-kernel.xml')
os_el = tree.find('os')
os_el.find('kernel').text = f'{guest_dir}/armz-guest-Image'
os_el.find('initrd').text = f'{guest_dir}/armz-guest-initrd'
xml = ET.tostring(tree.getroot(), encoding='unicode')

say(f'virsh define examples/minimal-kernel.xml ({uri}), '
    f'kernel and initrd from {guest_dir} (armz image build)')
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
ready = typed = answered = False
deadline = time.monotonic() + 180
while time.monotonic() < deadline:
    try:
        data = st.recv(4096)
    except libvirt.libvirtError:
        break
    if data == -2:          # nothing yet
        # the command goes to the shell's prompt ('/ # '), or after 10 s
        # typed ahead: the shell reads it once it has started
        if ready and not typed and time.monotonic() > ready_at + 10:
            typed = type_command()
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
        typed = type_command()
        buf = ''
    elif typed and ANSWER in buf:
        answered = True
        break
if not answered:
    print(f'\n(no {"answer from the shell" if ready else repr(BANNER)} on the console '
          f'within 180 s)')
try:
    st.finish()
except libvirt.libvirtError:
    st.abort()

say('virsh shutdown minimal-kernel (the guest sees its power button)')
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
dom.undefine()
conn.close()
sys.exit(0 if answered and off else 1)
