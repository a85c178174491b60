"""The DAC security driver seen from clients (issue 13, least privilege):
armz.conf's user/group are checked at start and shown as the capabilities'
secmodel; define accepts <seclabel model='dac'> as libvirt does and refuses
what armz cannot honour. Starting guests as that user, in their jail, is
checked in the emulated arm64 host (tests/host/daemon/test_jail.py)."""
import os
import pwd
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from test_limits import with_conf


def refused_at_start(daemons, conf, message):
    d = with_conf(daemons, conf)
    try:
        d.start()
    except armzd.DaemonError:
        pass
    else:
        raise AssertionError(f'the daemon started with {conf!r}')
    assert message in d.log(), d.log()
    d.kill()
    daemons.daemons.remove(d)


def baselabels(caps_xml):
    sm = ET.fromstring(caps_xml).find('host/secmodel')
    return sm.findtext('model'), {b.get('type'): b.text for b in sm.findall('baselabel')}


def test_unknown_user_or_group_stops_the_daemon(daemons):
    refused_at_start(daemons, 'user = "no-such-user-armz"\n',
                     "Failed to parse user 'no-such-user-armz'")
    refused_at_start(daemons, 'user = "root"\ngroup = "no-such-group-armz"\n',
                     "Failed to parse group 'no-such-group-armz'")
    # a number with no passwd entry has no primary group to take
    refused_at_start(daemons, 'user = "+4321"\n', "user '+4321' has no passwd entry")


def test_secmodel_names_the_vmm_identity(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    model, labels = baselabels(c.getCapabilities())
    c.close()
    # --root daemons keep their own identity for the VMMs
    own = f'+{os.geteuid()}:+{os.getegid()}'
    assert model == 'dac' and labels == {'kvm': own, 'qemu': own}

    nobody = pwd.getpwnam('nobody')
    d2 = with_conf(daemons, 'user = "nobody"\ngroup = "+4322"\n').start()
    c = libvirt.open(d2.uri)
    model, labels = baselabels(c.getCapabilities())
    c.close()
    assert labels['kvm'] == f'+{nobody.pw_uid}:+4322', labels


@pytest.mark.parametrize('seclabel', [
    "<seclabel type='dynamic' model='dac' relabel='yes'/>",
    "<seclabel type='static' model='dac' relabel='no'><label>+107:+107</label></seclabel>",
    "<seclabel type='none' model='dac'/>",
    "<seclabel type='none'/>",
])
def test_dac_seclabels_are_kept(daemon, conn, seclabel):
    name = 'sec-ok'
    dom = conn.defineXML(armzd.domain_xml(name, extra='  ' + seclabel + '\n'))
    try:
        got = ET.fromstring(dom.XMLDesc(0)).find('seclabel')
        want = ET.fromstring(seclabel)
        assert got is not None and got.attrib == want.attrib
        assert got.findtext('label') == want.findtext('label')
    finally:
        dom.undefine()


@pytest.mark.parametrize('seclabel,code,message', [
    ("<seclabel type='dynamic' model='selinux'/>", libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
     "<seclabel model='selinux'> is not supported"),
    ("<seclabel type='dynamic' model='dac' relabel='no'/>", libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
     'dynamic label type must use resource relabeling'),
    ("<seclabel type='static' model='dac'/>", libvirt.VIR_ERR_XML_ERROR,
     "needs <label>user:group</label>"),
])
def test_unusable_seclabels_are_refused(daemon, conn, seclabel, code, message):
    with pytest.raises(libvirt.libvirtError) as e:
        conn.defineXML(armzd.domain_xml('sec-bad', extra='  ' + seclabel + '\n'))
    assert e.value.get_error_code() == code, e.value.get_error_message()
    assert message in e.value.get_error_message()
