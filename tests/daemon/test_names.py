"""Domain names as libvirt takes them, and as file names take them: a
control character, '.' and '..', and a name too long for the files the
daemon keeps of a domain (NAME.status.tmp-XXXXXX) are refused at define,
with the reason; the longest that fits works, as does a leading '-'."""
import os

import libvirt
import pytest

from armzd import domain_xml, expect_error


@pytest.mark.parametrize('name, code, want', [
    ('vm\nflush ruleset', libvirt.VIR_ERR_XML_DETAIL,
     "invalid char in name: '\\n' (domain names cannot contain control characters)"),
    ('vm\x7f', libvirt.VIR_ERR_XML_DETAIL, 'control characters'),
    ('..', libvirt.VIR_ERR_XML_ERROR, "domain name '..' is not allowed"),
    ('d' * 238, libvirt.VIR_ERR_XML_ERROR, 'domain name is too long: 238 bytes, at most 237'),
], ids=['newline', 'del', 'dotdot', 'too-long'])
def test_bad_domain_names_refused(daemon, conn, name, code, want):
    stored = sorted(os.listdir(daemon.confdir))
    xml = domain_xml('PLACEHOLDER').replace('<name>PLACEHOLDER</name>', f'<name>{name}</name>')
    for call in (conn.defineXML, conn.createXML):
        e = expect_error(code, call, xml)
        assert want in e.get_error_message(), e.get_error_message()
    assert sorted(os.listdir(daemon.confdir)) == stored
    assert conn.listAllDomains() == []


def test_longest_and_dashed_names_work(daemon, conn):
    for name in ('d' * 237, '-dash'):
        dom = conn.defineXML(domain_xml(name))
        assert conn.lookupByName(name).name() == name
        assert os.path.exists(os.path.join(daemon.confdir, name + '.xml'))
        dom.undefine()
