/* Login rate limits: fixed windows per key, bounded memory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "http/http_int.h"

static void test_limit_and_window(void **state)
{
    (void)state;
    struct ratelimit *rl = http__ratelimit_new();
    assert_non_null(rl);
    int64_t t = 1000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(http__ratelimit_check(rl, "login:sato", 5, 900, t + i), 0);
        http__ratelimit_hit(rl, "login:sato", 900, t + i);
    }
    /* The 6th try inside the window waits until the window that began at t ends. */
    assert_int_equal(http__ratelimit_check(rl, "login:sato", 5, 900, t + 10), 890);
    assert_int_equal(http__ratelimit_check(rl, "login:suzuki", 5, 900, t + 10), 0);
    /* A new window starts clean. */
    assert_int_equal(http__ratelimit_check(rl, "login:sato", 5, 900, t + 900), 0);
    http__ratelimit_hit(rl, "login:sato", 900, t + 900);
    assert_int_equal(http__ratelimit_check(rl, "login:sato", 1, 900, t + 901), 899);
    /* A successful login clears the count. */
    http__ratelimit_clear(rl, "login:sato");
    assert_int_equal(http__ratelimit_check(rl, "login:sato", 1, 900, t + 902), 0);
    http__ratelimit_free(rl);
}

/* The per-login delay: free hits, then 5, 10, 20 … s after the latest hit, capped, gone after the
 * window. */
static void test_backoff(void **state)
{
    (void)state;
    struct ratelimit *rl = http__ratelimit_new();
    int64_t t = 2000000;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(http__ratelimit_backoff(rl, "login:sato", 5, 60, 900, t), 0);
        http__ratelimit_hit(rl, "login:sato", 900, t);
    }
    assert_int_equal(http__ratelimit_backoff(rl, "login:sato", 5, 60, 900, t), 5);
    assert_int_equal(http__ratelimit_backoff(rl, "login:sato", 5, 60, 900, t + 5), 0);
    http__ratelimit_hit(rl, "login:sato", 900, t + 5);
    assert_int_equal(http__ratelimit_backoff(rl, "login:sato", 5, 60, 900, t + 6), 9);
    for (int i = 0; i < 20; i++)
        http__ratelimit_hit(rl, "login:sato", 900, t + 10);
    assert_int_equal(http__ratelimit_backoff(rl, "login:sato", 5, 60, 900, t + 10), 60);
    assert_int_equal(http__ratelimit_backoff(rl, "login:sato", 5, 60, 900, t + 900), 0);
    http__ratelimit_free(rl);
}

static void test_bounded_under_flood(void **state)
{
    (void)state;
    struct ratelimit *rl = http__ratelimit_new();
    char key[64];
    /* Far more keys than slots: old entries are taken over, nothing grows or crashes, and a key
     * hit last is still counted. */
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "addr:10.0.%d.%d", i / 256, i % 256);
        http__ratelimit_hit(rl, key, 60, 5000 + i / 1000);
    }
    http__ratelimit_hit(rl, "login:target", 60, 5100);
    http__ratelimit_hit(rl, "login:target", 60, 5100);
    assert_int_equal(http__ratelimit_check(rl, "login:target", 2, 60, 5100), 60);
    http__ratelimit_free(rl);
    http__ratelimit_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_window),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_bounded_under_flood),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
