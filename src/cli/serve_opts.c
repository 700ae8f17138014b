/* The options of `ikiiki serve`, in a file of their own: `init --config` and `config check` read
 * them without loading the serve module (src/core/module.h). */
#include <string.h>

#include "cli.h"
#include "core/util.h"

/* A key of the configuration file is any option here (except config), with no code per option. */
static const struct cli_opt serve_opts[] = {
    {"config", 1,
     "configuration file of key = value lines, one per option (default " IKIIKI_SYSCONFDIR
     "/ikiiki/ikiiki.conf when it exists); the command line wins",
     NULL, 0},
    {"db", 1, "database URL", NULL, 0},
    {"listen", 1, "address and port to listen on (default 127.0.0.1:8080; port 0 = any free)", NULL,
     0},
    {"threads", 1, "worker threads (default: one per CPU)", NULL, 0},
    {"behind-tls", 0, "a TLS proxy is in front: mark session cookies Secure", NULL, 0},
    {"tls-cert", 1,
     "serve HTTPS with this PEM certificate (chain); reread on SIGHUP; turns on HSTS and "
     "Secure cookies",
     NULL, 0},
    {"tls-key", 1, "the PEM private key of --tls-cert", NULL, 0},
    {"public-listen", 1,
     "a second ADDR:PORT that serves only the anonymous answer links (/collect/…, "
     "/api/v1/collect/…), for phones; everything else stays on --listen",
     NULL, 0},
    {"no-access-log", 0, "do not write one line per request", NULL, 0},
    {"audiosocket", 1, "Asterisk AudioSocket listener ADDR:PORT (default 127.0.0.1:9092; off)",
     NULL, 0},
    {"media-ws", 1, "Twilio-compatible media WebSocket ADDR:PORT (default 127.0.0.1:8090; off)",
     NULL, 0},
    {"prompts", 1, "folder of WAV announcements (default data/prompts/ja)", NULL, 0},
    {"voicebot-menu", 1, "voicebot purpose menu (default data/voicebot/ja.json)", NULL, 0},
    {"voicebot-all", 0, "send every call through the voicebot first", NULL, 0},
    {"media-threads", 1, "event loops (threads) for live call media (default: one per CPU)", NULL,
     0},
    {"record-mode", 1,
     "wav-then-opus (default: WAV live, Ogg Opus after hangup on a low-priority thread) "
     "or opus (encoded live)",
     NULL, 0},
    {"recordings", 1, "record every call as Ogg Opus under this folder (default: off)", NULL, 0},
    {"ari", 1,
     "Asterisk ARI base URL for transfers, e.g. http://127.0.0.1:8088 (user and "
     "password from $IKIIKI_ARI_USER, $IKIIKI_ARI_PASSWORD)",
     NULL, 0},
    {"guard-mode", 1, "call guard mode: advisory, assisted or automatic (default: the policy's)",
     NULL, 0},
    {"guard-lexicon", 1, "call guard lexicon (default data/lexicon/ja.tsv)", NULL, 0},
    {"guard-webhook", 1, "POST call guard alerts to this URL (default: the policy's)", NULL, 0},
};

int cli_serve_options(struct cli_opt *out, int max)
{
    int n = (int)ARRAY_LEN(serve_opts);
    if (n > max)
        n = max;
    memcpy(out, serve_opts, (size_t)n * sizeof *out);
    return n;
}
