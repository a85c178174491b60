"""vsock through virtarmzd in the emulated arm64 test host: two guests
with <cid auto='yes'/> get different CIDs (>= 3), shown in the live XML;
a fixed CID another guest has fails that start. Run by tests/host/run-host
--drive."""
import xml.etree.ElementTree as ET

import libvirt
import pytest

from hostlib import ROOT, URI, domain_xml, host_sh, remove_domains, wait_guest_marker

E = libvirt


def vsock(cid):
    return (f"<vsock model='virtio'><cid auto='yes'/></vsock>" if cid is None else
            f"<vsock model='virtio'><cid auto='no' address='{cid}'/></vsock>")


@pytest.fixture
def conn():
    c = libvirt.open(URI)
    names = []
    yield c, names
    remove_domains(c, *names)
    c.close()


def start(conn, name, cid):
    c, names = conn
    names.append(name)
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    d = c.defineXML(domain_xml(name, extra=vsock(cid)))
    d.create()
    return d


def live_cid(d):
    return ET.fromstring(d.XMLDesc(0)).find('devices/vsock/cid')


def test_auto_cids_differ(conn):
    a = start(conn, 'vs-a', None)
    b = start(conn, 'vs-b', None)
    ca, cb = live_cid(a), live_cid(b)
    assert ca.get('auto') == 'yes' and int(ca.get('address')) >= 3, ET.tostring(ca)
    assert int(cb.get('address')) >= 3 and ca.get('address') != cb.get('address')
    # the config keeps asking for any
    cfg = ET.fromstring(a.XMLDesc(E.VIR_DOMAIN_XML_INACTIVE)).find('devices/vsock/cid')
    assert cfg.get('address') is None
    wait_guest_marker('vs-a')


def test_fixed_cid_in_use(conn):
    a = start(conn, 'vs-fixed', 77)
    assert live_cid(a).get('address') == '77'
    with pytest.raises(libvirt.libvirtError) as e:
        start(conn, 'vs-clash', 77)
    assert 'CID 77' in e.value.get_error_message()
