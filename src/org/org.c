#include "org.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

static const char *const role_names[ROLE__COUNT] = {
    "", "admin", "consultant", "center_manager", "supervisor", "operator",
};

const char *org_role_name(enum org_role r)
{
    return (r > ROLE_NONE && r < ROLE__COUNT) ? role_names[r] : "none";
}

int org_role_parse(const char *s, enum org_role *out)
{
    for (int r = ROLE_ADMIN; r < ROLE__COUNT; r++) {
        if (s && strcmp(s, role_names[r]) == 0) {
            *out = (enum org_role)r;
            return 0;
        }
    }
    return -1;
}

static const char *const position_names[POS__COUNT] = {"OP", "SV", "MGR", "OTHER"};

/* Labels a Japanese center writes in its own sheets, matched after the ASCII names. */
static const struct {
    const char *label;
    enum org_position pos;
} position_labels[] = {
    {"オペレーター", POS_OP},     {"オペレータ", POS_OP},     {"コミュニケーター", POS_OP},
    {"スーパーバイザー", POS_SV}, {"スーパーバイザ", POS_SV}, {"リーダー", POS_SV},
    {"マネージャー", POS_MGR},    {"管理者", POS_MGR},        {"センター長", POS_MGR},
    {"その他", POS_OTHER},        {"スタッフ", POS_OTHER},    {"事務", POS_OTHER},
};

const char *org_position_name(enum org_position p)
{
    return (p >= 0 && p < POS__COUNT) ? position_names[p] : "?";
}

const char *org_position_label(enum org_position p)
{
    /* The first label of each position in the table is the one shown. */
    for (size_t i = 0; i < ARRAY_LEN(position_labels); i++)
        if (position_labels[i].pos == p)
            return position_labels[i].label;
    return "?";
}

int org_position_parse(const char *s, enum org_position *out)
{
    if (!s)
        return -1;
    for (int p = 0; p < POS__COUNT; p++) {
        if (strcasecmp(s, position_names[p]) == 0) {
            *out = (enum org_position)p;
            return 0;
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(position_labels); i++) {
        if (strcmp(s, position_labels[i].label) == 0) {
            *out = position_labels[i].pos;
            return 0;
        }
    }
    return -1;
}

static const char *const scope_names[SCOPE__COUNT] = {"calls", "media", "survey", "read",
                                                      "metrics"};

const char *org_scope_name(enum org_scope s)
{
    return (s >= 0 && s < SCOPE__COUNT) ? scope_names[s] : "?";
}

int org_scope_parse(const char *s, enum org_scope *out)
{
    for (int i = 0; i < SCOPE__COUNT; i++) {
        if (s && strcmp(s, scope_names[i]) == 0) {
            *out = (enum org_scope)i;
            return 0;
        }
    }
    return -1;
}

int org_scopes_parse(const char *s, unsigned *out)
{
    unsigned set = 0;
    char word[32];
    const char *p = s;
    if (!s || !*s)
        return -1;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof word)
            return -1;
        memcpy(word, p, n);
        word[n] = '\0';
        enum org_scope sc;
        if (org_scope_parse(word, &sc))
            return -1;
        set |= SCOPE_BIT(sc);
        p += n;
        if (*p == ',')
            p++;
    }
    *out = set;
    return 0;
}

static int check_charset(const char *s, const char *extra, size_t maxlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > maxlen)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(extra, c)))
            return -1;
    }
    return 0;
}

int org_check_code(const char *field, const char *s, char *err, size_t errlen)
{
    if (s && check_charset(s, "_-", 32) == 0)
        return 0;
    snprintf(err, errlen, "%s: value \"%.40s\" is not a code of 1–32 letters, digits, _ or -",
             field, s ? s : "");
    return -1;
}

int org_check_login(const char *field, const char *s, char *err, size_t errlen)
{
    if (s && check_charset(s, "._@-", 64) == 0)
        return 0;
    snprintf(err, errlen, "%s: value \"%.40s\" is not a login of 1–64 letters, digits, . _ @ or -",
             field, s ? s : "");
    return -1;
}

int org_check_name(const char *field, const char *s, char *err, size_t errlen)
{
    if (!s || !*s) {
        snprintf(err, errlen, "%s: must not be empty", field);
        return -1;
    }
    size_t n = strlen(s);
    if (!utf8_is_clean(s, n)) {
        snprintf(err, errlen, "%s: not valid UTF-8 text (control characters are not allowed)",
                 field);
        return -1;
    }
    if (n >= ORG_NAME_MAX || utf8_count(s) > 160) {
        snprintf(err, errlen, "%s: longer than 160 characters", field);
        return -1;
    }
    return 0;
}

int org_check_password(const char *field, const char *s, char *err, size_t errlen)
{
    size_t n = s ? strlen(s) : 0;
    if (n < ORG_PASSWORD_MIN || n > ORG_PASSWORD_MAX) {
        snprintf(err, errlen, "%s: must be %d to %d characters long", field, ORG_PASSWORD_MIN,
                 ORG_PASSWORD_MAX);
        return -1;
    }
    if (!utf8_is_clean(s, n)) {
        snprintf(err, errlen, "%s: not valid UTF-8 text", field);
        return -1;
    }
    return 0;
}

int org_check_headcount(const char *field, int64_t n, char *err, size_t errlen)
{
    if (n >= 0 && n <= 1000000)
        return 0;
    snprintf(err, errlen, "%s: value %lld is not a headcount from 0 to 1000000", field,
             (long long)n);
    return -1;
}

int org_check_user_center(enum org_role r, int has_center, char *err, size_t errlen)
{
    int needs = !(r == ROLE_ADMIN || r == ROLE_CONSULTANT);
    if (needs && !has_center) {
        snprintf(err, errlen, "center: role \"%s\" needs a center", org_role_name(r));
        return -1;
    }
    if (!needs && has_center) {
        snprintf(err, errlen, "center: role \"%s\" is not tied to one center", org_role_name(r));
        return -1;
    }
    return 0;
}

int org_crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

int org_password_hash(const char *password, char *out)
{
    char tmp[crypto_pwhash_STRBYTES];
    _Static_assert(crypto_pwhash_STRBYTES <= ORG_HASH_MAX, "hash buffer too small");
    if (crypto_pwhash_str_alg(tmp, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13))
        return -1;
    memcpy(out, tmp, sizeof tmp);
    return 0;
}

int org_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

void org_password_dummy_verify(const char *password)
{
    static char dummy[crypto_pwhash_STRBYTES];
    static int ready;
    /* Racing threads both compute a valid hash; the bytes written are equivalent. */
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        char tmp[crypto_pwhash_STRBYTES];
        if (org_password_hash("ikiiki-dummy-password", tmp) == 0) {
            memcpy(dummy, tmp, sizeof tmp);
            __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
        }
    }
    /* The result is meaningless; only the time spent matters. */
    volatile int sink = crypto_pwhash_str_verify(dummy, password, strlen(password));
    (void)sink;
}

void org_password_generate(char *out)
{
    /* No 0/O/1/l/I so that a printed password can be typed without doubt. */
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[16] = '\0';
}

void org_token_hash(const char *token, char *hash_hex)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hash_hex, ORG_TOKEN_HASH, h, sizeof h);
}

void org_token_new(char *token, char *hash_hex)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, ORG_TOKEN_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    org_token_hash(token, hash_hex);
}

void org_apikey_new(char *key, size_t keylen, char *prefix, size_t prefixlen, char *hash_hex)
{
    char token[ORG_TOKEN_LEN + 1];
    char unused[ORG_TOKEN_HASH];
    org_token_new(token, unused);
    snprintf(key, keylen, "ik_%s", token);
    snprintf(prefix, prefixlen, "%.10s", key);
    org_token_hash(key, hash_hex);
}

int org_secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return 0;
    return sodium_memcmp(a, b, n) == 0;
}

int64_t org_center_operators(const struct org_center *c)
{
    return c->headcount[POS_OP];
}

int64_t org_center_staff(const struct org_center *c)
{
    return c->headcount[POS_SV] + c->headcount[POS_MGR] + c->headcount[POS_OTHER];
}
