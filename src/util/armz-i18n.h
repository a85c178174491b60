/* Translation: every user-facing message goes through _() (gettext domain
 * "libvirt-armz"); N_() marks strings translated later. */
#pragma once
#include <glib/gi18n-lib.h>
