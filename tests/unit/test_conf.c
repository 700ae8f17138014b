/* The configuration file parser (core/conf.h), table-driven: text in, entries or the error's line
 * and message out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/conf.h"

struct seen {
    char out[512];
};

static int collect(void *ud, int line, const char *key, const char *value, char *err, size_t errlen)
{
    struct seen *s = ud;
    size_t n = strlen(s->out);
    snprintf(s->out + n, sizeof s->out - n, "%d:%s=[%s];", line, key, value);
    if (strcmp(key, "stop") == 0) {
        snprintf(err, errlen, "stop asked");
        return -1;
    }
    return 0;
}

static const struct {
    const char *text;
    const char *entries; /* what the callback saw */
    int errline;         /* 0: no error */
    const char *err;
} cases[] = {
    {"", "", 0, NULL},
    {"\n\n# only a comment\n   \t\n", "", 0, NULL},
    {"listen = 127.0.0.1:8080\n", "1:listen=[127.0.0.1:8080];", 0, NULL},
    {"a=1\r\nb =  two words \n", "1:a=[1];2:b=[two words];", 0, NULL},
    {"  # indented comment\nkey = \" spaced \"\n", "2:key=[ spaced ];", 0, NULL},
    {"url = http://x/#frag", "1:url=[http://x/#frag];", 0, NULL},
    {"a = b = c\n", "1:a=[b = c];", 0, NULL},
    {"empty =\n", "1:empty=[];", 0, NULL},
    {"\xEF\xBB\xBFlisten = x\n", "1:listen=[x];", 0, NULL},
    {"a = 1\nnot a pair\n", "1:a=[1];", 2, "\"not a pair\" is not key = value"},
    {"Listen = x\n", "", 1, "key \"Listen\" is not lower-case"},
    {"= x\n", "", 1, "key \"\" is not"},
    {"a = \"open\n", "", 1, "double quotes do not pair up"},
    {"a = \"x\" y\n", "", 1, "double quotes do not pair up"},
    {"a = x\"y\n", "", 1, "double quotes do not pair up"},
    {"a = 1\nstop = now\nb = 2\n", "1:a=[1];2:stop=[now];", 2, "stop asked"},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b;
        buf_init(&b, 0);
        assert_int_equal(buf_puts(&b, cases[i].text), 0);
        struct seen s = {""};
        char err[200] = "";
        int line = 0;
        int rc = conf_parse(b.data, b.len, collect, &s, &line, err, sizeof err);
        if (strcmp(s.out, cases[i].entries) != 0 || (rc != 0) != (cases[i].errline != 0) ||
            (rc && (line != cases[i].errline || !strstr(err, cases[i].err))))
            print_error("case %zu: entries \"%s\", rc %d, line %d, err \"%s\"\n", i, s.out, rc,
                        line, err);
        assert_string_equal(s.out, cases[i].entries);
        assert_int_equal(rc != 0, cases[i].errline != 0);
        if (rc) {
            assert_int_equal(line, cases[i].errline);
            assert_non_null(strstr(err, cases[i].err));
        }
        buf_release(&b);
    }
}

static void test_nul_byte(void **state)
{
    (void)state;
    char text[] = "a = 1\nb = x\0y\n";
    struct seen s = {""};
    char err[200];
    int line = 0;
    assert_int_equal(conf_parse(text, sizeof text - 1, collect, &s, &line, err, sizeof err), -1);
    assert_int_equal(line, 2);
    assert_non_null(strstr(err, "NUL"));
}

static void test_bool(void **state)
{
    (void)state;
    int v = -1;
    const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(conf_bool(yes[i], &v), 0);
        assert_int_equal(v, 1);
        assert_int_equal(conf_bool(no[i], &v), 0);
        assert_int_equal(v, 0);
    }
    assert_int_equal(conf_bool("Yes please", &v), -1);
    assert_int_equal(conf_bool("", &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_bool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
