"""Every domain API checks its flags before it looks the domain up, as
libvirt's drivers do: unknown flags on a domain that does not exist (any
more) are VIR_ERR_INVALID_ARG, not VIR_ERR_NO_DOMAIN; valid flags on it
are VIR_ERR_NO_DOMAIN."""
import libvirt

from armzd import domain_xml, expect_error, new_uuid

L = libvirt
BOGUS = 1 << 27     # no API here knows this bit


def calls(conn, dom, flags):
    """(name, callable) for the domain APIs that take flags."""
    return [
        ('createWithFlags', lambda: dom.createWithFlags(flags)),
        ('destroyFlags', lambda: dom.destroyFlags(flags)),
        ('shutdownFlags', lambda: dom.shutdownFlags(flags)),
        ('reboot', lambda: dom.reboot(flags)),
        ('reset', lambda: dom.reset(flags)),
        ('undefineFlags', lambda: dom.undefineFlags(flags)),
        ('XMLDesc', lambda: dom.XMLDesc(flags)),
        ('state', lambda: dom.state(flags)),
        ('vcpusFlags', lambda: dom.vcpusFlags(flags)),
        ('hasManagedSaveImage', lambda: dom.hasManagedSaveImage(flags)),
        ('interfaceAddresses', lambda: dom.interfaceAddresses(
            L.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, flags)),
        ('blockInfo', lambda: dom.blockInfo('vda', flags)),
        ('blockStatsFlags', lambda: dom.blockStatsFlags('vda', flags)),
        ('blockResize', lambda: dom.blockResize('vda', 1 << 20, flags)),
        ('domainListGetStats', lambda: conn.domainListGetStats([dom], 0, flags)),
        ('openConsole', lambda: dom.openConsole(None, conn.newStream(0), flags)),
        ('setMemoryFlags', lambda: dom.setMemoryFlags(262144, flags)),
        ('setMemoryStatsPeriod', lambda: dom.setMemoryStatsPeriod(5, flags)),
        ('getTime', lambda: dom.getTime(flags)),
        ('setTime', lambda: dom.setTime({'seconds': 1, 'nseconds': 0}, flags)),
    ]


def test_flags_checked_before_lookup(conn):
    dom = conn.defineXML(domain_xml('gone', new_uuid()))
    conn.lookupByName('gone').undefine()
    for name, call in calls(conn, dom, BOGUS):
        e = expect_error(L.VIR_ERR_INVALID_ARG, call)
        assert 'unsupported flags' in e.get_error_message(), name
    for name, call in calls(conn, dom, 0):
        expect_error(L.VIR_ERR_NO_DOMAIN, call)
