/* Built-in anonymous collection of the Well-being診断: a manager opens a link for a wave and
 * center; anyone with the link reads the questionnaire and sends answers. No account, and
 * nothing that could point back at a person is kept: the address is not logged for these
 * routes (server.c), and a respondent row holds the day only, like an import. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "decode.h"
#include "http_int.h"
#include "org/org.h"
#include "survey/survey.h"
#include "store/store_org.h"
#include "store/store_survey.h"
#include "survey/wave.h"

/* Answers one link takes per minute: a whole center answering in a meeting stays well under
 * it; a script replaying the form is slowed without keeping anything about the sender. */
#define COLLECT_PER_MINUTE 120

/* The wave {0} and the center {1} of a link route, with the caller's right to manage the center. */
static int link_target(struct req *r, int64_t *wave_id, struct org_center *c)
{
    store *db = http__db(r);
    char *doc = NULL;
    int rc = store_survey_wave_get(db, r->params[0], wave_id, &doc);
    free(doc);
    if (rc)
        return http__store_error(r, rc, "wave");
    if ((rc = store_center_get(db, r->params[1], c)))
        return http__store_error(r, rc, "center");
    if (!org_can_write_center(&r->who, c)) {
        http__reply_error(r, 403, "forbidden", "your role may not manage center \"%.40s\"",
                          c->code);
        return 403;
    }
    return 0;
}

/* url is the answer form's address (survey_link_url): full when serve knows its public URL. */
static json_t *link_json(const struct store_survey_link *l, const char *url)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/collect/%s", l->token);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:I}", "wave", l->wave, "center", l->center, "token",
                     l->token, "path", path, "url", url, "open", l->closed_at == 0, "created_at",
                     (json_int_t)l->created_at);
}

int api_survey_link_open(struct req *r)
{
    int64_t wave_id;
    struct org_center c;
    int rc = link_target(r, &wave_id, &c);
    if (rc)
        return rc;
    char token[ORG_TOKEN_LEN + 1], unused[ORG_TOKEN_HASH];
    org_token_new(token, unused);
    struct store_survey_link l;
    if ((rc = store_survey_link_open(http__db(r), wave_id, c.id, token, now_unix(), &l)))
        return http__store_error(r, rc, "link");
    char url[SURVEY_URL_MAX];
    if ((rc = survey_link_url(http__db(r), l.token, url, sizeof url)))
        return http__store_error(r, rc, "setting");
    http__audit(r, "survey.link.open", c.code, r->params[0]);
    http__reply_json(r, 201, link_json(&l, url));
    return 201;
}

int api_survey_link_close(struct req *r)
{
    int64_t wave_id;
    struct org_center c;
    int rc = link_target(r, &wave_id, &c);
    if (rc)
        return rc;
    struct survey_publication pub;
    if ((rc = survey_link_close(http__db(r), wave_id, &c, r->params[0], r->who.login, r->addr,
                                &pub)))
        return http__store_error(r, rc, "link");
    http__reply_json(r, 200,
                     json_pack("{s:s,s:s,s:b,s:o*}", "wave", r->params[0], "center", c.code, "open",
                               0, "publication", survey_publication_json(&pub)));
    return 200;
}

/* The open link {0} with its wave's questionnaire; replies 404/410 itself. */
static int open_link(struct req *r, struct store_survey_link *l, survey_questionnaire **q)
{
    store *db = http__db(r);
    int rc = store_survey_link_get(db, r->params[0], l);
    if (rc == STORE_NOTFOUND) {
        http__reply_error(r, 404, "not_found", "this survey link does not exist");
        return 404;
    }
    if (rc)
        return http__store_error(r, rc, "link");
    if (l->closed_at) {
        http__reply_error(r, 410, "closed", "this survey is closed (回答の受付は終了しました)");
        return 410;
    }
    int64_t id;
    char *doc = NULL, err[300];
    if ((rc = store_survey_wave_get(db, l->wave, &id, &doc)))
        return http__store_error(r, rc, "wave");
    json_t *root = json_loads(doc, 0, NULL);
    free(doc);
    rc = root ? survey_questionnaire_from_json(root, q, err, sizeof err) : -1;
    json_decref(root);
    if (rc) {
        log_msg(LOG_ERROR, "wave %s: the stored questionnaire is damaged", l->wave);
        http__reply_error(r, 500, "internal", "the survey could not be read");
        return 500;
    }
    return 0;
}

int api_collect_get(struct req *r)
{
    struct store_survey_link l;
    survey_questionnaire *q = NULL;
    int rc = open_link(r, &l, &q);
    if (rc)
        return rc;
    json_t *positions = json_array();
    for (int p = 0; p < POS__COUNT; p++)
        json_array_append_new(positions, json_pack("{s:s,s:s}", "code", org_position_name(p),
                                                   "label", org_position_label(p)));
    /* The center's teams are the choices of the form's team question. */
    struct org_team *teams = NULL;
    size_t nteams = 0;
    if ((rc = store_team_list(http__db(r), l.center_id, &teams, &nteams))) {
        json_decref(positions);
        survey_questionnaire_free(q);
        return http__store_error(r, rc, "teams");
    }
    json_t *team_names = json_array();
    for (size_t i = 0; i < nteams; i++)
        json_array_append_new(team_names, json_string(teams[i].name));
    free(teams);
    json_t *j =
        json_pack("{s:s,s:{s:s,s:s},s:O,s:o,s:[s,s,s],s:o,s:i}", "wave", l.wave, "center", "code",
                  l.center, "name", l.center_name, "questionnaire",
                  survey_questionnaire_document(q), "positions", positions, "attributes", "segment",
                  "team", "tenure", "teams", team_names, "comment_max_chars", SURVEY_COMMENT_MAX);
    survey_questionnaire_free(q);
    if (!j)
        return http__store_error(r, STORE_ERROR, "memory");
    http__reply_json(r, 200, j);
    return 200;
}

int api_collect_post(struct req *r)
{
    struct store_survey_link l;
    survey_questionnaire *q = NULL;
    int rc = open_link(r, &l, &q);
    if (rc)
        return rc;
    struct survey_answer_input *in = malloc(sizeof *in);
    char err[300];
    if (!in) {
        survey_questionnaire_free(q);
        return http__store_error(r, STORE_ERROR, "memory");
    }
    int nitems = survey_nitems(q);
    rc = http_decode_survey_answer(r->json, q, in, err, sizeof err);
    survey_questionnaire_free(q);
    if (rc) {
        free(in);
        http__reply_error(r, 400, "bad_request", "%s", err);
        return 400;
    }
    int64_t now = now_unix();
    /* Per address too, so one machine cannot fill a center's results; the table keeps a keyed
     * hash of the address for the hour, nothing else (ratelimit.c). */
    char kaddr[80];
    snprintf(kaddr, sizeof kaddr, "collect:%s", r->anon_addr);
    int addr_wait =
        http__ratelimit_check(r->srv->limits, kaddr, r->srv->cfg.collect_addr_limit, 3600, now);
    if (addr_wait || http__ratelimit_check(r->srv->limits, l.token, COLLECT_PER_MINUTE, 60, now)) {
        free(in);
        char secs[16];
        snprintf(secs, sizeof secs, "%d", addr_wait ? addr_wait : 60);
        http__add_header(r, "Retry-After", secs);
        http__reply_error(r, 429, "too_many", "too many answers %s; try again later",
                          addr_wait ? "from this address" : "on this link");
        return 429;
    }
    http__ratelimit_hit(r->srv->limits, l.token, 60, now);
    http__ratelimit_hit(r->srv->limits, kaddr, 3600, now);
    char day[16];
    date_jst(now, day, sizeof day);
    char *comments[1] = {in->comment[0] ? in->comment : NULL};
    rc = store_survey_respondents_add(http__db(r), l.wave_id, l.center_id, day, &in->r, comments, 1,
                                      nitems);
    free(in);
    if (rc)
        return http__store_error(r, rc, "answer");
    http__reply_json(r, 201,
                     json_pack("{s:b,s:s}", "stored", 1, "message",
                               "ご回答ありがとうございました。回答は匿名で集計されます。"));
    return 201;
}
