/* module_sym for the installed program: dlopen of ikiiki-<name>.so, found beside the executable
 * (the build tree, `make run`) or in IKIIKI_MODULEDIR (the install path); $IKIIKI_MODULE_DIR, when
 * set, is the only place looked. MeCab is the system library itself, opened by its soname. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/module.h"
#include "core/util.h"

#ifndef IKIIKI_MODULEDIR
#define IKIIKI_MODULEDIR "/usr/local/lib/ikiiki"
#endif

/* Debian bookworm's libmecab2; the soname is the library's ABI promise. */
#define MECAB_SONAME "libmecab.so.2"

#define MAX_MODULES 8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[16];
    void *handle;
} loaded[MAX_MODULES];
static int nloaded;

/* The directory of the running executable, without the trailing slash. */
static int exe_dir(char *out, size_t outlen)
{
    ssize_t n = readlink("/proc/self/exe", out, outlen - 1);
    if (n <= 0 || (size_t)n >= outlen - 1)
        return -1;
    out[n] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

/* $IKIIKI_MODULE_DIR alone when set; else the executable's directory when it holds the module's
 * file, else IKIIKI_MODULEDIR (so the error names where the module belongs). */
static void find_file(const char *module, char *path, size_t pathlen)
{
    char dir[PATH_MAX];
    const char *env = getenv("IKIIKI_MODULE_DIR");
    if (env && *env) {
        snprintf(path, pathlen, "%s/ikiiki-%s.so", env, module);
        return;
    }
    if (exe_dir(dir, sizeof dir) == 0) {
        snprintf(path, pathlen, "%s/ikiiki-%s.so", dir, module);
        if (access(path, F_OK) == 0)
            return;
    }
    snprintf(path, pathlen, "%s/ikiiki-%s.so", IKIIKI_MODULEDIR, module);
}

static void *open_module(const char *module, char *err, size_t errlen)
{
    for (int i = 0; i < nloaded; i++)
        if (strcmp(loaded[i].name, module) == 0)
            return loaded[i].handle;
    if (nloaded == MAX_MODULES || strlen(module) >= sizeof loaded[0].name) {
        snprintf(err, errlen, "module \"%s\": too many modules", module);
        return NULL;
    }
    char path[PATH_MAX + 32];
    if (strcmp(module, "mecab") == 0)
        str_copy(path, sizeof path, MECAB_SONAME);
    else
        find_file(module, path, sizeof path);
    /* RTLD_NOW: a module that does not fit this executable fails here, with the symbol named,
     * and not in the middle of a command. */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, errlen, "module \"%s\" cannot be loaded: %s", module, why ? why : path);
        return NULL;
    }
    str_copy(loaded[nloaded].name, sizeof loaded[0].name, module);
    loaded[nloaded++].handle = h;
    return h;
}

void *module_sym(const char *module, const char *symbol, char *err, size_t errlen)
{
    pthread_mutex_lock(&mu);
    void *h = open_module(module, err, errlen), *p = NULL;
    if (h) {
        dlerror();
        p = dlsym(h, symbol);
        if (!p)
            snprintf(err, errlen, "module \"%s\" has no \"%s\" (a module of another build?)",
                     module, symbol);
    }
    pthread_mutex_unlock(&mu);
    return p;
}
