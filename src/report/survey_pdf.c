#include "report/survey_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

/* A4 in points, and the printable box. */
#define PAGE_W   595.28
#define PAGE_H   841.89
#define MARGIN   42.0
#define BOTTOM   (PAGE_H - MARGIN)
#define FONT     "Noto Sans CJK JP"
#define DRIVERS  8
#define TERMS    12
#define SUPPRESS "—"

struct rgb {
    double r, g, b;
};
static const struct rgb C_TEXT = {0.13, 0.13, 0.13}, C_MUTED = {0.45, 0.45, 0.45};
static const struct rgb C_BAR = {0.16, 0.42, 0.70}, C_AVG = {0.35, 0.35, 0.35};
static const struct rgb C_HPB = {0.89, 0.45, 0.10}, C_BELOW = {0.97, 0.80, 0.68};
static const struct rgb C_RULE = {0.80, 0.80, 0.80}, C_HEAD = {0.85, 0.88, 0.95};

struct pdf {
    cairo_t *cr;
    PangoLayout *layout;
    double y;
    int page;
};

static void color(struct pdf *p, struct rgb c)
{
    cairo_set_source_rgb(p->cr, c.r, c.g, c.b);
}

/* Draws text at (x, y) in a box width wide (0: no wrap); returns the height used. */
static double text_at(struct pdf *p, double x, double y, double width, double size, int bold,
                      struct rgb c, const char *s)
{
    char font[64];
    snprintf(font, sizeof font, FONT " %s %.1f", bold ? "Bold" : "", size);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(p->layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(p->layout, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(p->layout, s, -1);
    color(p, c);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, p->layout);
    int w, h;
    pango_layout_get_size(p->layout, &w, &h);
    return (double)h / PANGO_SCALE;
}

/* Height text would take in a box width wide. */
static double text_height(struct pdf *p, double width, double size, const char *s)
{
    char font[64];
    snprintf(font, sizeof font, FONT " %.1f", size);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(p->layout, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(p->layout, (int)(width * PANGO_SCALE));
    pango_layout_set_text(p->layout, s, -1);
    int w, h;
    pango_layout_get_size(p->layout, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void new_page(struct pdf *p)
{
    if (p->page++)
        cairo_show_page(p->cr);
    p->y = MARGIN;
    char foot[32];
    snprintf(foot, sizeof foot, "%d", p->page);
    text_at(p, PAGE_W / 2, PAGE_H - MARGIN / 2 - 6, 0, 8, 0, C_MUTED, foot);
}

static void need(struct pdf *p, double height)
{
    if (p->y + height > BOTTOM)
        new_page(p);
}

static void heading(struct pdf *p, const char *s)
{
    need(p, 40);
    p->y += 10;
    p->y += text_at(p, MARGIN, p->y, 0, 13, 1, C_TEXT, s) + 6;
}

static void rect(struct pdf *p, double x, double y, double w, double h, struct rgb c)
{
    color(p, c);
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_fill(p->cr);
}

static void vline(struct pdf *p, double x, double y, double h, double width, struct rgb c)
{
    color(p, c);
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, x, y);
    cairo_line_to(p->cr, x, y + h);
    cairo_stroke(p->cr);
}

static void percent(json_t *v, char *out, size_t outlen)
{
    if (json_is_number(v))
        snprintf(out, outlen, "%.1f%%", json_number_value(v) * 100);
    else
        snprintf(out, outlen, "%s", SUPPRESS);
}

static void title(struct pdf *p, const struct report_survey *in)
{
    p->y += text_at(p, MARGIN, p->y, 0, 20, 1, C_TEXT, "Well-being診断 結果レポート") + 4;
    char line[400], score[32];
    snprintf(line, sizeof line, "%s　%s%s%s　（作成日 %s）", in->wave, in->center,
             in->center_name ? " " : "", in->center_name ? in->center_name : "", in->date);
    p->y += text_at(p, MARGIN, p->y, 0, 11, 0, C_MUTED, line) + 8;
    percent(json_object_get(in->score, "ranking_score"), score, sizeof score);
    snprintf(line, sizeof line,
             "回答者 %lld 人　総合スコア（グッドワークライフ＋幸福度の TOP3BOX）%s",
             (long long)json_integer_value(json_object_get(in->score, "respondents")), score);
    p->y += text_at(p, MARGIN, p->y, 0, 11, 0, C_TEXT, line) + 2;
    p->y += text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, 8.5, 0, C_MUTED,
                    "TOP3BOX：6段階のうち「ややそう思う」以上（4〜6）と答えた人の割合。"
                    "回答者が少ないグループの数値は匿名性のため表示しません（—）。") +
            4;
}

/* The seven elements: the center's bar, the other-center average and HPB as marks. */
static void element_chart(struct pdf *p, const struct report_survey *in)
{
    heading(p, "7つの要素（TOP3BOX）");
    const double label_w = 140, bar_x = MARGIN + label_w, bar_w = 290, row_h = 22;
    json_t *elements = json_object_get(in->score, "elements");
    int ne = survey_nelements(in->q);
    need(p, ne * row_h + 40);
    for (int t = 0; t <= 4; t++) { /* grid at 0, 25, 50, 75, 100 % */
        double x = bar_x + bar_w * t / 4.0;
        vline(p, x, p->y, ne * row_h, 0.5, C_RULE);
        char tick[8];
        snprintf(tick, sizeof tick, "%d%%", t * 25);
        text_at(p, x - 8, p->y + ne * row_h + 2, 0, 7, 0, C_MUTED, tick);
    }
    for (int e = 0; e < ne; e++) {
        json_t *el = json_object_get(elements, survey_element_code(in->q, e));
        double y = p->y + e * row_h;
        text_at(p, MARGIN, y + 4, 0, 9.5, 0, C_TEXT, survey_element_name(in->q, e));
        json_t *v = json_object_get(el, "top3");
        if (json_is_number(v))
            rect(p, bar_x, y + 5, bar_w * json_number_value(v), row_h - 10, C_BAR);
        json_t *avg = json_object_get(el, "others_avg"), *hpb = json_object_get(el, "hpb");
        if (json_is_number(avg))
            vline(p, bar_x + bar_w * json_number_value(avg), y + 2, row_h - 4, 2, C_AVG);
        if (json_is_number(hpb))
            vline(p, bar_x + bar_w * json_number_value(hpb), y + 2, row_h - 4, 2, C_HPB);
        char val[32];
        percent(v, val, sizeof val);
        text_at(p, bar_x + bar_w + 8, y + 4, 0, 9.5, 1, C_TEXT, val);
    }
    p->y += ne * row_h + 20;
    rect(p, MARGIN, p->y + 3, 14, 7, C_BAR);
    text_at(p, MARGIN + 18, p->y, 0, 8, 0, C_TEXT, "当センター");
    vline(p, MARGIN + 90, p->y, 12, 2, C_AVG);
    text_at(p, MARGIN + 96, p->y, 0, 8, 0, C_TEXT, "他センター平均");
    vline(p, MARGIN + 190, p->y, 12, 2, C_HPB);
    text_at(p, MARGIN + 196, p->y, 0, 8, 0, C_TEXT, "HPB（上位25%の平均）");
    p->y += 18;
}

/* Strengths and issues: the elements furthest above and below the other-center average. */
static void strengths(struct pdf *p, const struct report_survey *in)
{
    heading(p, "強みと課題（他センター平均との差）");
    json_t *elements = json_object_get(in->score, "elements");
    int ne = survey_nelements(in->q), order[SURVEY_MAX_ITEMS], n = 0;
    double diff[SURVEY_MAX_ITEMS];
    for (int e = 0; e < ne && e < SURVEY_MAX_ITEMS; e++) {
        json_t *el = json_object_get(elements, survey_element_code(in->q, e));
        json_t *v = json_object_get(el, "top3"), *avg = json_object_get(el, "others_avg");
        if (!json_is_number(v) || !json_is_number(avg))
            continue;
        diff[e] = (json_number_value(v) - json_number_value(avg)) * 100;
        order[n++] = e;
    }
    for (int i = 1; i < n; i++) /* a handful of elements: insertion sort, largest first */
        for (int j = i; j > 0 && diff[order[j]] > diff[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    if (!n) {
        p->y +=
            text_at(p, MARGIN, p->y, 0, 9.5, 0, C_MUTED,
                    "比較できる数値がありません（回答者数が少ないか、他センターがありません）") +
            6;
        return;
    }
    char line[300];
    for (int i = 0; i < n && i < 2 && diff[order[i]] > 0; i++) {
        snprintf(line, sizeof line, "強み：%s（%+.1f ポイント）",
                 survey_element_name(in->q, order[i]), diff[order[i]]);
        p->y += text_at(p, MARGIN, p->y, 0, 10, 0, C_TEXT, line) + 3;
    }
    for (int i = n - 1; i >= 0 && i >= n - 2 && diff[order[i]] < 0; i--) {
        snprintf(line, sizeof line, "課題：%s（%+.1f ポイント）",
                 survey_element_name(in->q, order[i]), diff[order[i]]);
        p->y += text_at(p, MARGIN, p->y, 0, 10, 0, C_TEXT, line) + 3;
    }
}

/* Every item: ID, question, center, other-center average, HPB; below average marked. */
static void item_table(struct pdf *p, const struct report_survey *in)
{
    new_page(p);
    heading(p, "設問別の結果（TOP3BOX）");
    const double x_id = MARGIN, x_q = MARGIN + 34, q_w = 265, x_v = x_q + q_w + 8, v_w = 68;
    static const char *const head[] = {"当センター", "他センター平均", "HPB"};
    json_t *items = json_object_get(in->score, "items");
    int first = 1;
    for (int i = 0; i < survey_nitems(in->q); i++) {
        double h = text_height(p, q_w, 8.5, survey_item_text(in->q, i)) + 6;
        if (first || p->y + h > BOTTOM) {
            if (!first)
                new_page(p);
            rect(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, 16, C_HEAD);
            text_at(p, x_id + 2, p->y + 2, 0, 8.5, 1, C_TEXT, "ID");
            text_at(p, x_q, p->y + 2, 0, 8.5, 1, C_TEXT, "設問");
            for (int c = 0; c < 3; c++)
                text_at(p, x_v + c * v_w, p->y + 2, 0, 8.5, 1, C_TEXT, head[c]);
            p->y += 18;
            first = 0;
        }
        json_t *it = json_object_get(items, survey_item_id(in->q, i));
        json_t *v[3] = {json_object_get(it, "top3"), json_object_get(it, "others_avg"),
                        json_object_get(it, "hpb")};
        if (json_is_number(v[0]) && json_is_number(v[1]) &&
            json_number_value(v[0]) < json_number_value(v[1]))
            rect(p, x_v - 2, p->y - 1, v_w - 4, h - 4, C_BELOW);
        text_at(p, x_id + 2, p->y, 0, 8.5, 0, C_TEXT, survey_item_id(in->q, i));
        text_at(p, x_q, p->y, q_w, 8.5, 0, C_TEXT, survey_item_text(in->q, i));
        for (int c = 0; c < 3; c++) {
            char val[32];
            percent(v[c], val, sizeof val);
            text_at(p, x_v + c * v_w, p->y, 0, 8.5, c == 0, C_TEXT, val);
        }
        p->y += h;
        color(p, C_RULE);
        cairo_set_line_width(p->cr, 0.4);
        cairo_move_to(p->cr, MARGIN, p->y - 3);
        cairo_line_to(p->cr, PAGE_W - MARGIN, p->y - 3);
        cairo_stroke(p->cr);
    }
    p->y += 4;
    rect(p, MARGIN, p->y + 2, 14, 8, C_BELOW);
    p->y += text_at(p, MARGIN + 18, p->y, 0, 8, 0, C_MUTED, "他センター平均を下回る設問") + 4;
}

static void drivers(struct pdf *p, const struct report_survey *in)
{
    json_t *items = json_object_get(in->drivers, "items"), *d;
    if (!json_is_array(items))
        return;
    heading(p, "「この仕事を続けたい」（O01）と関係が強い設問");
    size_t i, shown = 0;
    char line[600];
    json_array_foreach(items, i, d)
    {
        json_t *rho = json_object_get(d, "rho");
        if (!json_is_number(rho) || shown == DRIVERS)
            continue;
        const char *id = json_string_value(json_object_get(d, "item"));
        int item = id ? survey_item_find(in->q, id) : -1;
        snprintf(line, sizeof line, "%s%s  ρ=%.2f  %s",
                 json_is_true(json_object_get(d, "priority")) ? "【優先】" : "", id ? id : "?",
                 json_number_value(rho), item >= 0 ? survey_item_text(in->q, item) : "");
        need(p, 16);
        p->y += text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, 9, 0, C_TEXT, line) + 3;
        shown++;
    }
    if (!shown)
        p->y += text_at(p, MARGIN, p->y, 0, 9, 0, C_MUTED, "回答者数が少ないため表示しません") + 3;
    p->y += text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, 8, 0, C_MUTED,
                    "【優先】は他センター平均を下回り、かつ関係の強さが中央値より上の設問です。") +
            4;
}

static void comments(struct pdf *p, const struct report_survey *in)
{
    if (!in->comments)
        return;
    heading(p, "自由記述でよく使われた言葉");
    char line[1200];
    if (json_is_true(json_object_get(in->comments, "suppressed"))) {
        p->y += text_at(p, MARGIN, p->y, 0, 9, 0, C_MUTED,
                        "回答者が10人未満のため、自由記述の集計は表示しません") +
                4;
        return;
    }
    size_t i, len = 0;
    json_t *t;
    line[0] = '\0';
    json_array_foreach(json_object_get(in->comments, "terms"), i, t)
    {
        if (i == TERMS)
            break;
        int n = snprintf(line + len, sizeof line - len, "%s%s（%lld）", i ? "、" : "",
                         json_string_value(json_object_get(t, "term")),
                         (long long)json_integer_value(json_object_get(t, "count")));
        if (n < 0 || (size_t)n >= sizeof line - len)
            break;
        len += (size_t)n;
    }
    need(p, 40);
    p->y += text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, 9.5, 0, C_TEXT, len ? line : "—") + 6;
    snprintf(line, sizeof line,
             "カスハラやお客様への不安に触れたコメント：%lld 件（本文は ikiiki の画面で確認し、"
             "本人が特定されないよう扱ってください）",
             (long long)json_integer_value(json_object_get(in->comments, "alert_count")));
    p->y += text_at(p, MARGIN, p->y, PAGE_W - 2 * MARGIN, 9, 0, C_TEXT, line) + 4;
}

int report_survey_pdf(const struct report_survey *in, const char *path, char *err, size_t errlen)
{
    if (!json_is_object(in->score) || !json_is_object(json_object_get(in->score, "items"))) {
        snprintf(err, errlen, "report: the center's scores are missing");
        return -1;
    }
    char tmp[4096];
    if (file_temp_beside(path, tmp, sizeof tmp, err, errlen))
        return -1;
    cairo_surface_t *surface = cairo_pdf_surface_create(tmp, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                   "Well-being診断 結果レポート");
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "ikiiki " IKIIKI_VERSION);
    struct pdf p = {.cr = cairo_create(surface)};
    p.layout = pango_cairo_create_layout(p.cr);
    new_page(&p);
    title(&p, in);
    element_chart(&p, in);
    strengths(&p, in);
    item_table(&p, in);
    drivers(&p, in);
    comments(&p, in);
    cairo_show_page(p.cr);
    g_object_unref(p.layout);
    cairo_status_t st = cairo_status(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(surface);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    int rc = 0;
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "\"%s\": %s", path, cairo_status_to_string(st));
        rc = -1;
    }
    return file_commit(rc, tmp, path, err, errlen);
}
