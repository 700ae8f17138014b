/* libFuzzer target for the XLSX path of the survey import (xlsx_read and the rows it feeds to
 * the importer). Random bytes seldom survive a zip's checksums, so the first byte chooses what
 * the rest is:
 *   0  a whole file, as given;
 *   1  the sheet's XML, put into a workbook built here (fixed shared strings);
 *   2  shared strings and sheet XML, split at the first NUL, in a workbook built here.
 * Nothing may crash, leak or trip a sanitizer; every cell handed out must be NUL-terminated
 * text, a refusal must say why, and accepted answers must be in range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/util.h"
#include "survey/import.h"
#include "survey/xlsx_read.h"

static survey_questionnaire *q;

static const char workbook_xml[] =
    "<workbook xmlns:r=\"urn:r\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
    "</sheets></workbook>";
static const char rels_xml[] = "<Relationships><Relationship Id=\"rId1\" "
                               "Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char sst_xml[] = "<sst><si><t>職種</t></si><si><t>G01</t></si><si><t>OP</t></si>"
                              "<si><r><t>とても</t></r><r><t>そう思う</t></r></si></sst>";

static int add(zip_t *z, const char *name, const void *p, size_t n)
{
    zip_source_t *s = zip_source_buffer(z, p, n, 0);
    if (!s)
        return -1;
    zip_int64_t i = zip_file_add(z, name, s, 0);
    if (i < 0) {
        zip_source_free(s);
        return -1;
    }
    return zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

/* A workbook with the given shared strings (may be NULL) and sheet, as malloc'd bytes. */
static char *build(const char *sst, size_t sstlen, const char *sheet, size_t sheetlen, size_t *len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    char *out = NULL;
    if (!src)
        return NULL;
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!z) {
        zip_source_free(src);
        zip_source_free(src);
        return NULL;
    }
    if (add(z, "xl/workbook.xml", workbook_xml, strlen(workbook_xml)) ||
        add(z, "xl/_rels/workbook.xml.rels", rels_xml, strlen(rels_xml)) ||
        (sst && add(z, "xl/sharedStrings.xml", sst, sstlen)) ||
        add(z, "xl/worksheets/sheet1.xml", sheet, sheetlen) || zip_close(z)) {
        zip_discard(z);
        zip_source_free(src);
        return NULL;
    }
    if (zip_source_open(src) == 0) {
        zip_source_seek(src, 0, SEEK_END);
        zip_int64_t n = zip_source_tell(src);
        zip_source_seek(src, 0, SEEK_SET);
        out = n > 0 ? malloc((size_t)n) : NULL;
        if (out && zip_source_read(src, out, (zip_uint64_t)n) == n) {
            *len = (size_t)n;
        } else {
            free(out);
            out = NULL;
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

static int check_row(void *ctx, size_t row, char **cells, int n)
{
    size_t *last = ctx;
    if (row <= *last || n < 0 || n > 16384)
        abort();
    *last = row;
    for (int i = 0; i < n; i++)
        if (!cells[i] || strlen(cells[i]) > 32767 * 3)
            abort();
    return 0;
}

static void run(const char *data, size_t size)
{
    size_t last = 0;
    char err[600] = "";
    int rc = xlsx_read(data, size, NULL, check_row, &last, err, sizeof err);
    if (rc && err[0] == '\0')
        abort();
    for (int skip = 0; skip < 2; skip++) {
        struct survey_import im = {0};
        err[0] = '\0';
        rc = survey_import_buffer(q, "f.xlsx", data, size, skip, &im, err, sizeof err);
        if (rc && err[0] == '\0')
            abort();
        for (size_t i = 0; rc == 0 && i < im.n; i++)
            for (int k = 0; k < SURVEY_MAX_ITEMS; k++)
                if (im.r[i].answers[k] > SURVEY_SCALE || im.r[i].position >= POS__COUNT)
                    abort();
        survey_import_release(&im);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!q) {
        char path[512], err[600];
        if (data_path("survey/questionnaire.json", path, sizeof path) ||
            survey_questionnaire_load(path, &q, err, sizeof err))
            abort();
    }
    if (size == 0)
        return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    if (data[0] % 3 == 0) {
        run(p, n);
        return 0;
    }
    const char *sst = sst_xml, *sheet = p;
    size_t sstlen = strlen(sst_xml), sheetlen = n;
    if (data[0] % 3 == 2) {
        const char *nul = memchr(p, '\0', n);
        sst = p;
        sstlen = nul ? (size_t)(nul - p) : n;
        sheet = nul ? nul + 1 : p + n;
        sheetlen = nul ? n - sstlen - 1 : 0;
    }
    size_t len = 0;
    char *zip = build(sst, sstlen, sheet, sheetlen, &len);
    if (zip)
        run(zip, len);
    free(zip);
    return 0;
}
