/* A minimal QEMU guest agent client: JSON commands over the guest's
 * org.qemu.guest_agent.0 channel socket (armz-vmm's virtio-serial port).
 *
 * Each call connects, resynchronises with guest-sync-delimited (a random
 * id; everything before the agent's 0xFF delimiter and every reply with
 * another id is stale and skipped), runs one command and disconnects.
 * Blocking, with a deadline: call from worker threads, never with the
 * domain object locked. Errors are ARMZ_ERROR: VIR_ERR_AGENT_UNRESPONSIVE
 * when nobody listens, the agent does not answer in time or the stream is
 * not the agent's; VIR_ERR_AGENT_COMMAND_FAILED for an agent's error
 * reply, as libvirt reports them. */
#pragma once
#include <glib.h>

/* libvirt's default agent timeout (VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK
 * aside): seconds to wait for a reply. */
#define ARMZ_AGENT_TIMEOUT_MS 5000
/* ... and for a command that answers: libvirt blocks until it does;
 * commands that run programs in the guest (chpasswd, hwclock) take seconds
 * in a loaded guest */
#define ARMZ_AGENT_REPLY_TIMEOUT_MS 30000

typedef enum {
    ARMZ_AGENT_REPLY,           /* the command answers */
    ARMZ_AGENT_NO_REPLY,        /* guest-shutdown: the agent may go before answering */
} ArmzAgentReplyKind;

/* Runs CMD with ARGS_JSON (an object, or NULL) on the agent at SOCK_PATH;
 * *REPLY_JSON (may be NULL) gets the "return" value as JSON text. */
gboolean armz_agent_command(const char *sock_path, const char *cmd, const char *args_json,
                            ArmzAgentReplyKind kind, int timeout_ms, char **reply_json,
                            GError **error);
