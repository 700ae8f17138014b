/* What loading one shared library costs: dlopen(lib, RTLD_NOW) of each argument in turn, with
 * everything it needs, in a fresh process; prints the milliseconds. bench/cli/libs.sh runs it. */
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 1; i < argc; i++)
        if (!dlopen(argv[i], RTLD_NOW | RTLD_GLOBAL)) {
            fprintf(stderr, "dlcost: %s\n", dlerror());
            return 1;
        }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.2f\n", (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
    return 0;
}
