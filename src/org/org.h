/* org: the organisation (company → center → team), accounts, roles and who may see what.
 * Pure logic: validation, password and token hashing, access rules. Persistence lives in
 * src/store; nothing here prints, exits or speaks HTTP. */
#ifndef IKIIKI_ORG_H
#define IKIIKI_ORG_H

#include <stddef.h>
#include <stdint.h>

enum org_role {
    ROLE_NONE = 0,
    ROLE_ADMIN,
    ROLE_CONSULTANT,
    ROLE_CENTER_MANAGER,
    ROLE_SUPERVISOR,
    ROLE_OPERATOR,
    ROLE__COUNT
};
#define ROLE_BIT(r) (1u << (r))
#define ROLES_STAFF                                                                                \
    (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_CONSULTANT) | ROLE_BIT(ROLE_CENTER_MANAGER) |            \
     ROLE_BIT(ROLE_SUPERVISOR))
#define ROLES_ANY (ROLES_STAFF | ROLE_BIT(ROLE_OPERATOR))

/* Positions used for headcounts and, later, survey respondents. */
enum org_position { POS_OP, POS_SV, POS_MGR, POS_OTHER, POS__COUNT };

/* Machine-client scopes for API keys. */
enum org_scope { SCOPE_CALLS, SCOPE_MEDIA, SCOPE_SURVEY, SCOPE_READ, SCOPE_METRICS, SCOPE__COUNT };
#define SCOPE_BIT(s) (1u << (s))

#define ORG_CODE_MAX      40  /* codes: 1–32 of [A-Za-z0-9_-] */
#define ORG_LOGIN_MAX     72  /* logins: 1–64 of [A-Za-z0-9._@-] */
#define ORG_NAME_MAX      484 /* names: 1–160 characters of UTF-8 */
#define ORG_HASH_MAX      128 /* an argon2id string from libsodium */
#define ORG_TOKEN_LEN     43  /* 32 random bytes, base64url without padding */
#define ORG_TOKEN_HASH    65  /* hex BLAKE2b-256 of a token, with NUL */
#define ORG_PASSWORD_MIN  10
#define ORG_PASSWORD_MAX  1024
#define ORG_MAX_COMPANIES 64 /* client companies one consultant may hold */

struct org_company {
    int64_t id;
    char code[ORG_CODE_MAX];
    char name[ORG_NAME_MAX];
};

struct org_center {
    int64_t id;
    int64_t company_id;
    char code[ORG_CODE_MAX];
    char name[ORG_NAME_MAX];
    char company[ORG_CODE_MAX];
    int64_t headcount[POS__COUNT]; /* enrolled people by position */
};

struct org_team {
    int64_t id;
    int64_t center_id;
    char center[ORG_CODE_MAX];
    char code[ORG_CODE_MAX];
    char name[ORG_NAME_MAX];
};

struct org_user {
    int64_t id;
    char login[ORG_LOGIN_MAX];
    enum org_role role;
    int64_t center_id; /* 0 when none */
    char center[ORG_CODE_MAX];
    int64_t team_id; /* 0 when none */
    char team[ORG_CODE_MAX];
    char display_name[ORG_NAME_MAX];
    /* The name an operator works under on calls; other roles see it instead of the real name. */
    char business_name[ORG_NAME_MAX];
    char password_hash[ORG_HASH_MAX];
    int disabled;
    int64_t created_at;
};

struct org_apikey {
    int64_t id;
    char name[ORG_CODE_MAX * 2];
    unsigned scopes;
    char prefix[16];
    int64_t created_at;
    int revoked;
    int64_t expires_at; /* unix seconds; 0: never */
};

/* Who is asking: a logged-in user or a machine client holding an API key. */
struct org_principal {
    enum { PRINCIPAL_NONE, PRINCIPAL_USER, PRINCIPAL_APIKEY } kind;
    int64_t user_id;
    char login[ORG_LOGIN_MAX];
    enum org_role role;
    int64_t center_id;
    int64_t team_id;
    int64_t companies[ORG_MAX_COMPANIES]; /* a consultant's client companies */
    int ncompanies;
    unsigned scopes;
    int64_t apikey_id;
};

const char *org_role_name(enum org_role r);
int org_role_parse(const char *s, enum org_role *out);
const char *org_position_name(enum org_position p);
/* Accepts OP/SV/MGR/OTHER in any case and the usual Japanese labels. */
/* The Japanese name shown for a position (オペレーター …); a static string. */
const char *org_position_label(enum org_position p);
int org_position_parse(const char *s, enum org_position *out);
const char *org_scope_name(enum org_scope s);
int org_scope_parse(const char *s, enum org_scope *out);
/* Comma-separated scope names into a bit set. */
int org_scopes_parse(const char *s, unsigned *out);

/* Validators: 0 when valid, else -1 with a one-line message naming `field` in err. */
int org_check_code(const char *field, const char *s, char *err, size_t errlen);
int org_check_login(const char *field, const char *s, char *err, size_t errlen);
int org_check_name(const char *field, const char *s, char *err, size_t errlen);
int org_check_password(const char *field, const char *s, char *err, size_t errlen);
int org_check_headcount(const char *field, int64_t n, char *err, size_t errlen);
/* A role needs a center unless it is admin or consultant. */
int org_check_user_center(enum org_role r, int has_center, char *err, size_t errlen);

/* Must be called once before hashing (initialises libsodium). */
int org_crypto_init(void);
/* argon2id (libsodium interactive limits); out must hold ORG_HASH_MAX bytes. */
int org_password_hash(const char *password, char *out);
/* 0 when password matches hash, -1 otherwise. */
int org_password_verify(const char *hash, const char *password);
/* Spends the same time as a verify, so an unknown login cannot be told from a wrong password. */
void org_password_dummy_verify(const char *password);
/* A random password of 16 readable characters; out must hold 17 bytes. */
void org_password_generate(char *out);
/* A random token (ORG_TOKEN_LEN chars + NUL) and its hash for storage. */
void org_token_new(char *token, char *hash_hex);
void org_token_hash(const char *token, char *hash_hex);
/* An API key: "ik_" + token; prefix (first 10 chars) is kept in clear to name the key. */
void org_apikey_new(char *key, size_t keylen, char *prefix, size_t prefixlen, char *hash_hex);
/* Constant-time equality of two NUL-terminated strings of the same expected length. */
int org_secret_equal(const char *a, const char *b);

/* Access rules (access.c), the one place that decides who may see and do what. Each returns 1
 * when allowed. */
int org_principal_has_company(const struct org_principal *p, int64_t company_id);
int org_can_read_center(const struct org_principal *p, const struct org_center *c);
int org_can_write_center(const struct org_principal *p, const struct org_center *c);
int org_can_create_center(const struct org_principal *p, int64_t company_id);
int org_can_read_user(const struct org_principal *p, const struct org_user *u,
                      int64_t user_company_id);
/* May p create or change a user with role r in center c (c may be NULL for no center)? */
int org_can_manage_user(const struct org_principal *p, enum org_role r, const struct org_center *c);

/* Companies: admins see every company, consultants their clients; a center manager also sees the
 * company of their own center (org_company_via_own_center says when that center must be
 * loaded; own_center_company_id is its company, 0 when not loaded). */
int org_sees_company(const struct org_principal *p, int64_t company_id);
int org_company_via_own_center(const struct org_principal *p);
int org_can_read_company(const struct org_principal *p, int64_t company_id,
                         int64_t own_center_company_id);
/* Only admins add companies, make and list API keys and read the audit log. */
int org_can_add_company(const struct org_principal *p);
int org_can_manage_apikeys(const struct org_principal *p);
int org_can_read_audit(const struct org_principal *p);
/* Only admins import a skill model and purge old harassment cases. */
int org_can_import_skill_model(const struct org_principal *p);
int org_can_purge_cases(const struct org_principal *p);
/* A center's record: readers of the center, and machine clients holding the read scope. */
int org_can_view_center(const struct org_principal *p, const struct org_center *c);
/* Only admins move a center to another company or give a consultant client companies. */
int org_can_move_center(const struct org_principal *p);
int org_can_give_companies(const struct org_principal *p);
/* Only consultants have client companies. */
int org_role_has_companies(enum org_role r);

/* Where a list starts: every row, the client companies' rows, or the principal's own center's
 * (the rows are then filtered by the rules above). */
enum org_reach { ORG_REACH_CENTER, ORG_REACH_COMPANIES, ORG_REACH_ALL };
enum org_reach org_center_list_reach(const struct org_principal *p);
/* A center in the centers list: machine clients see every center, users what they may read. */
int org_lists_center(const struct org_principal *p, const struct org_center *c);
enum org_reach org_user_list_reach(const struct org_principal *p);
/* Live calls: admins and machine clients watch every center. */
enum org_reach org_call_reach(const struct org_principal *p);

/* A disabled user or one without a role cannot sign in (nor use a session). */
int org_user_may_sign_in(const struct org_user *u);
/* Who may approve a caller's voiceprint: a center manager or an admin. */
int org_role_can_approve_voiceprint(enum org_role r);

/* The call guard's block list: admins change any entry (and the ones for every center, center
 * ""), others the entries of a center they may see (center_visible). A center manager's new entry
 * is for their own center unless they name one. */
int org_can_change_block(const struct org_principal *p, const char *center, int center_visible);
int org_block_center_is_own(const struct org_principal *p);

/* Harassment flags: an operator flags only for themself (the flag's source is then "operator",
 * else "supervisor"); others for the centers they may read. */
int org_flags_for_self(const struct org_principal *p);
int org_can_flag(const struct org_principal *p, const struct org_center *c,
                 const char *operator_login);
const char *org_flag_source(const struct org_principal *p);
/* A case: reviewing it needs write access to its center; seeing it, read access, or for an
 * operator, being the case's operator. */
int org_can_see_case(const struct org_principal *p, const struct org_center *c,
                     int64_t case_operator_id, int review);
/* May a person with role `by` in center by_center give the supervisor's assessment of a person
 * with role `of` in center of_center? Admins may for anyone; a center manager for the
 * supervisors and operators of their center; a supervisor for the operators of their center. */
int org_can_assess(enum org_role by, int64_t by_center, enum org_role of, int64_t of_center);
/* The team whose mood trend p sees: a supervisor their own (-1 when they have none), others the
 * whole center (*team 0). */
int org_mood_team(const struct org_principal *p, int64_t *team);

int64_t org_center_operators(const struct org_center *c);
int64_t org_center_staff(const struct org_center *c);

#endif
