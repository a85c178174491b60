#pragma once
/* libvirt's name of a REMOTE procedure number ("REMOTE_PROC_..."), or NULL. */
const char *armz_proc_name(int proc);
