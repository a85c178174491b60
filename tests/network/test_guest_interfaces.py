"""Guest interfaces on virtual networks, as far as this x86 machine goes:
the network is resolved to its bridge when the guest starts, a tap is made
on it and handed to armz-vmm, and the tap is gone once the VMM is (here it
fails at once on a KVM device that is not one; real guests on a network
run in the emulated arm64 host, tests/host/daemon/test_network.py)."""
import os
import re

import libvirt
import pytest

import armzd
from test_networks import net_xml


def guest(host, name, iface):
    kernel = os.path.join(host.tmp, 'Image')
    with open(kernel, 'wb') as f:
        f.write(b'not a kernel')
    xml = armzd.domain_xml(name, devices=False).replace('/var/lib/armz/boot/Image', kernel)
    xml = xml.replace('</domain>', f'  <devices>\n{iface}  </devices>\n</domain>')
    conn = libvirt.open(host.uri)
    try:
        return conn.defineXML(xml).name()
    finally:
        conn.close()


NET_IFACE = ("    <interface type='network'>\n      <source network='{net}'/>\n"
             "      <model type='virtio'/>\n    </interface>\n")


def test_missing_network_refused(host):
    guest(host, 'g1', NET_IFACE.format(net='nosuchnet'))
    r = host.virsh('start', 'g1', check=False)
    assert r.rc != 0 and "no network with matching name 'nosuchnet'" in r.err, r


def test_inactive_network_refused(host):
    host.define(net_xml('idle', 'armzg0', '10.62.0'), start=False)
    guest(host, 'g2', NET_IFACE.format(net='idle'))
    r = host.virsh('start', 'g2', check=False)
    assert r.rc != 0 and "network 'idle' is not active" in r.err, r


def test_tap_on_network_bridge_and_gone_after(host):
    host.define(net_xml('gnet', 'armzg1', '10.63.0'))
    guest(host, 'g3', NET_IFACE.format(net='gnet'))
    mac = re.search(r"<mac address='([0-9a-f:]+)'/>", host.virsh('dumpxml', 'g3').out).group(1)
    assert mac.startswith('52:54:00:')
    r = host.virsh('start', 'g3', check=False)
    assert r.rc != 0 and 'armz-vmm' in r.err, r
    log = open(os.path.join(host.daemon.logdir, 'g3.log')).read()
    # the VMM was given the tap (by fd) with the guest's MAC
    assert re.search(r'--net \S*' + re.escape(mac), log), log
    # no tap is left on the bridge or anywhere
    assert 'vnet' not in host.ns.ip('link').stdout
    assert host.ns.ip('link', 'show', 'master', 'armzg1').stdout.strip() == ''
    # domifaddr needs a running guest
    r = host.virsh('domifaddr', 'g3', check=False)
    assert r.rc != 0 and 'not running' in r.err, r


def test_bridge_and_ethernet_interfaces(host):
    host.ns.ip('link', 'add', 'hbr9', 'type', 'bridge')
    guest(host, 'g4', "    <interface type='bridge'>\n      <source bridge='hbr9'/>\n"
                      "    </interface>\n    <interface type='ethernet'>\n"
                      "      <target dev='armztap9'/>\n    </interface>\n")
    r = host.virsh('start', 'g4', check=False)
    assert r.rc != 0 and 'armz-vmm' in r.err, r
    log = open(os.path.join(host.daemon.logdir, 'g4.log')).read()
    assert log.count('--net ') >= 2, log
    assert not host.ns.link_exists('armztap9')
    assert host.ns.link_exists('hbr9')
