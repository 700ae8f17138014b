/* core: the error namespace, FNV-1a and host:port parsing, as tables of cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "guard/guard.h"
#include "harass/harass.h"
#include "media/media.h"
#include "store/store.h"
#include "survey/import.h"
#include "survey/xlsx_read.h"

static void test_error_namespace(void **state)
{
    (void)state;
    static const int codes[] = {IK_OK,      IK_EFAIL,      IK_ENOENT, IK_EIO,       IK_ENOMEM,
                                IK_EACCES,  IK_EBUSY,      IK_EEXIST, IK_EINVAL,    IK_EFBIG,
                                IK_ENOSPC,  IK_EILSEQ,     IK_EPROTO, IK_ECANCELED, IK_ECONFLICT,
                                IK_EBADURL, IK_ENOBACKEND, IK_ETOONEW};
    /* Every code has its own text; an unknown one says so. */
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        assert_string_not_equal(ik_strerror(codes[i]), "unknown error");
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(ik_strerror(codes[i]), ik_strerror(codes[j]));
        }
    }
    assert_string_equal(ik_strerror(12345), "unknown error");
    /* One meaning per value across the modules: "not found" and "out of memory" never share. */
    assert_int_equal(STORE_NOTFOUND, GUARD_ENOTFOUND);
    assert_int_equal(STORE_NOTFOUND, HARASS_ENOTFOUND);
    assert_int_equal(STORE_NOTFOUND, MEDIA_ENOTFOUND);
    assert_int_equal(XLSX_ENOMEM, IK_ENOMEM);
    assert_int_equal(SURVEY_IMPORT_ENOMEM, GUARD_ENOMEM);
    assert_int_equal(XLSX_EINPUT, HARASS_EINVAL);
    assert_int_not_equal(XLSX_ENOMEM, STORE_NOTFOUND);
    assert_string_equal(ik_strerror(STORE_NOTFOUND), "not found");
}

static void test_fnv1a(void **state)
{
    (void)state;
    /* The published FNV-1a test vectors. */
    assert_int_equal(fnv1a_str(""), 0x811c9dc5u);
    assert_int_equal(fnv1a_str("a"), 0xe40c292cu);
    assert_int_equal(fnv1a_str("foobar"), 0xbf9cf968u);
    assert_int_equal(fnv1a("foobar", 3), fnv1a_str("foo"));
    assert_true(fnv1a64_str("") == 0xcbf29ce484222325ull);
    assert_true(fnv1a64_str("a") == 0xaf63dc4c8601ec8cull);
}

static void test_host_port(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int ok;
        const char *host;
        int port, v6;
    } cases[] = {
        {"127.0.0.1:8080", 1, "127.0.0.1", 8080, 0},
        {"[::1]:9092", 1, "::1", 9092, 1},
        {"localhost:0", 1, "localhost", 0, 0},
        {":80", 1, "", 80, 0},
        {"[]:80", 1, "", 80, 1},
        {"127.0.0.1", 0, NULL, 0, 0},
        {"127.0.0.1:", 0, NULL, 0, 0},
        {"127.0.0.1:65536", 0, NULL, 0, 0},
        {"127.0.0.1:-1", 0, NULL, 0, 0},
        {"127.0.0.1:8o", 0, NULL, 0, 0},
        {"abcdefghijklmnop:1", 0, NULL, 0, 0}, /* longer than the 16-byte host below */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char host[16] = "unchanged";
        int port = -7, v6 = -7;
        int rc = parse_host_port(cases[i].in, host, sizeof host, &port, &v6);
        assert_int_equal(rc == 0, cases[i].ok);
        if (!cases[i].ok) {
            assert_int_equal(port, -7); /* outputs untouched on failure */
            continue;
        }
        assert_string_equal(host, cases[i].host);
        assert_int_equal(port, cases[i].port);
        assert_int_equal(v6, cases[i].v6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_namespace),
        cmocka_unit_test(test_fnv1a),
        cmocka_unit_test(test_host_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
