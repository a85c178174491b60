/* Block APIs of running domains, through armz-vmm's QMP: statistics
 * (virDomainBlockStats[Flags], domstats --block), virDomainBlockResize,
 * virDomainGetDiskErrors, and the IO_ERROR events from BLOCK_IO_ERROR. */
#pragma once
#include <yajl/yajl_tree.h>
#include "driver/driver.h"
#include "driver/domain_obj.h"

typedef struct {
    gint64 rd_req, rd_bytes, wr_req, wr_bytes, errs;    /* errs: -1, not counted */
} ArmzBlockStats;

typedef struct {
    char *disk;                     /* target, "vda" */
    int error;                      /* virDomainDiskErrorCode */
} ArmzDiskError;

/* PATH: a disk's target or source; "" sums every disk. */
gboolean armz_driver_block_stats(ArmzDriver *drv, const ArmzDomainId *dom, const char *path,
                                 ArmzBlockStats *out, GError **error);
/* The typed parameters of virDomainBlockStatsFlags, in libvirt's order. */
GArray *armz_driver_block_stats_flags(ArmzDriver *drv, const ArmzDomainId *dom,
                                      const char *path, unsigned int flags, GError **error);
/* How many parameters armz_driver_block_stats_flags gives. */
int armz_block_stats_nparams(void);
gboolean armz_driver_block_resize(ArmzDriver *drv, const ArmzDomainId *dom, const char *disk,
                                  guint64 size, unsigned int flags, GError **error);
/* The disks an error stopped (the guest is paused on them): up to MAX into
 * ERRORS (caller frees the names), or with MAX 0 how many. -1 on error. */
int armz_driver_get_disk_errors(ArmzDriver *drv, const ArmzDomainId *dom, ArmzDiskError *errors,
                                guint max, unsigned int flags, GError **error);

/* Monitor event BLOCK_IO_ERROR (DATA) of running OBJ (locked): the IO_ERROR
 * and IO_ERROR_REASON events; with action stop the domain is paused
 * (reason I/O error). */
void armz_domain_block_io_error(ArmzDriver *drv, ArmzDomainObj *obj, yajl_val data);

/* domstats --block of OBJ (unlocked, not under a job): block.count and
 * block.<n>.* into PARAMS. */
void armz_domain_block_stats_collect(ArmzDriver *drv, ArmzDomainObj *obj, GArray *params);
