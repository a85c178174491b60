/* The tuning elements' parse and format steps, for domain_parse.c and
 * domain_format.c; internal to conf/. */
#pragma once
#include <libxml/tree.h>
#include "conf/domain_tune.h"

gboolean armz_domain_cputune_parse(ArmzDomainTuneDef *tune, xmlNodePtr node, GError **error);
gboolean armz_domain_memtune_parse(ArmzDomainTuneDef *tune, xmlNodePtr node, GError **error);
gboolean armz_domain_blkiotune_parse(ArmzDomainTuneDef *tune, xmlNodePtr node, GError **error);
/* <blkiotune> and <memtune> (after <currentMemory>), <cputune> (after <vcpu>) */
void armz_domain_memtune_format(GString *buf, const ArmzDomainTuneDef *tune);
void armz_domain_cputune_format(GString *buf, const ArmzDomainTuneDef *tune);
