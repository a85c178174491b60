/* Definition setters (virsh setmaxmem, setvcpus, desc, metadata) and
 * device hotplug; the driver (driver/domain_config_set.c, domain_memory.c)
 * owns each API, this file marshals. */
#include <libvirt/libvirt.h>

#include "util/armz-i18n.h"
#include "util/error.h"
#include "driver/domain_config_set.h"
#include "driver/domain_memory.h"
#include "driver/domain_hotplug.h"
#include "daemon/daemon.h"

#define DRV armz_daemon->driver

static gboolean
h_set_max_memory(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_max_memory_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    /* as libvirt's QEMU driver: the maximum, on what the state names */
    return armz_driver_set_memory_flags(DRV, &dom, args->memory, VIR_DOMAIN_MEM_MAXIMUM, error);
}

static gboolean
h_set_vcpus(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_vcpus_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_vcpus_flags(DRV, &dom, args->nvcpus, VIR_DOMAIN_AFFECT_LIVE, error);
}

static gboolean
h_set_vcpus_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_vcpus_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_vcpus_flags(DRV, &dom, args->nvcpus, args->flags, error);
}

static gboolean
h_set_metadata(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_set_metadata_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_set_metadata(DRV, &dom, args->type,
                                    args->metadata ? *args->metadata : NULL,
                                    args->key ? *args->key : NULL,
                                    args->uri ? *args->uri : NULL, args->flags, error);
}

static gboolean
h_get_metadata(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_get_metadata_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);
    char *s = armz_driver_get_metadata(DRV, &dom, args->type, args->uri ? *args->uri : NULL,
                                       args->flags, error);

    ((armz_domain_get_metadata_ret *)r)->metadata = s;
    return s != NULL;
}

/* virDomainAttachDevice and DetachDevice are their Flags variants on the
 * live domain, as in libvirt's QEMU driver */
static gboolean
h_attach_device(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_attach_device_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_attach_device(DRV, &dom, args->xml, VIR_DOMAIN_AFFECT_LIVE, error);
}

static gboolean
h_attach_device_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_attach_device_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_attach_device(DRV, &dom, args->xml, args->flags, error);
}

static gboolean
h_detach_device(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_attach_device_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_detach_device(DRV, &dom, args->xml, VIR_DOMAIN_AFFECT_LIVE, error);
}

static gboolean
h_detach_device_flags(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_attach_device_flags_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_detach_device(DRV, &dom, args->xml, args->flags, error);
}

static gboolean
h_detach_device_alias(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_detach_device_alias_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom);

    return armz_driver_detach_device_alias(DRV, &dom, args->alias, args->flags, error);
}

static gboolean
h_rename(ArmzClient *client, void *a, void *r, GError **error)
{
    armz_domain_rename_args *args = a;
    ArmzDomainId dom = armz_remote_domain_id(&args->dom), out = { 0 };
    gboolean ok = armz_driver_rename(DRV, &dom, args->new_name ? *args->new_name : NULL,
                                     args->flags, &out, error);

    armz_domain_id_clear(&out);
    ((armz_domain_rename_ret *)r)->retcode = ok ? 0 : -1;
    return ok;
}

static const ArmzProc procs[] = {
    { REMOTE_PROC_DOMAIN_RENAME, ARMZ_ARGS(armz_domain_rename_args),
      ARMZ_RET(armz_domain_rename_ret), h_rename, 0 },
    { REMOTE_PROC_DOMAIN_ATTACH_DEVICE, ARMZ_ARGS(armz_domain_attach_device_args), ARMZ_NORET,
      h_attach_device, 0 },
    { REMOTE_PROC_DOMAIN_ATTACH_DEVICE_FLAGS, ARMZ_ARGS(armz_domain_attach_device_flags_args),
      ARMZ_NORET, h_attach_device_flags, 0 },
    { REMOTE_PROC_DOMAIN_DETACH_DEVICE, ARMZ_ARGS(armz_domain_attach_device_args), ARMZ_NORET,
      h_detach_device, 0 },
    { REMOTE_PROC_DOMAIN_DETACH_DEVICE_FLAGS, ARMZ_ARGS(armz_domain_attach_device_flags_args),
      ARMZ_NORET, h_detach_device_flags, 0 },
    { REMOTE_PROC_DOMAIN_DETACH_DEVICE_ALIAS, ARMZ_ARGS(armz_domain_detach_device_alias_args),
      ARMZ_NORET, h_detach_device_alias, 0 },
    { REMOTE_PROC_DOMAIN_SET_MAX_MEMORY, ARMZ_ARGS(armz_domain_set_max_memory_args), ARMZ_NORET,
      h_set_max_memory, 0 },
    { REMOTE_PROC_DOMAIN_SET_VCPUS, ARMZ_ARGS(armz_domain_set_vcpus_args), ARMZ_NORET,
      h_set_vcpus, 0 },
    { REMOTE_PROC_DOMAIN_SET_VCPUS_FLAGS, ARMZ_ARGS(armz_domain_set_vcpus_flags_args),
      ARMZ_NORET, h_set_vcpus_flags, 0 },
    { REMOTE_PROC_DOMAIN_SET_METADATA, ARMZ_ARGS(armz_domain_set_metadata_args), ARMZ_NORET,
      h_set_metadata, 0 },
    { REMOTE_PROC_DOMAIN_GET_METADATA, ARMZ_ARGS(armz_domain_get_metadata_args),
      ARMZ_RET(armz_domain_get_metadata_ret), h_get_metadata, 0 },
};

void
armz_remote_config_register(ArmzDispatcher *d)
{
    armz_dispatcher_add(d, procs, G_N_ELEMENTS(procs));
}
