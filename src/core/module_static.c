/* module_sym for the test, fuzz and bench programs, which link every part statically: the same
 * names, found in a table, so the code that loads a module on demand runs unchanged under them. */
#include <mecab.h>
#include <stdio.h>
#include <string.h>

#include "core/module.h"
#include "store/store_int.h"
#include "survey/xlsx_read.h"

static const struct {
    const char *module, *symbol;
    void *addr;
} table[] = {
#ifdef IKIIKI_HAVE_PG
    {"pg", "store__pg_ops", (void *)&store__pg_ops},
#endif
    {"xlsx", "xlsx_read", (void *)xlsx_read},
    {"mecab", "mecab_model_new2", (void *)mecab_model_new2},
    {"mecab", "mecab_strerror", (void *)mecab_strerror},
    {"mecab", "mecab_model_destroy", (void *)mecab_model_destroy},
    {"mecab", "mecab_model_new_tagger", (void *)mecab_model_new_tagger},
    {"mecab", "mecab_model_new_lattice", (void *)mecab_model_new_lattice},
    {"mecab", "mecab_lattice_destroy", (void *)mecab_lattice_destroy},
    {"mecab", "mecab_destroy", (void *)mecab_destroy},
    {"mecab", "mecab_lattice_set_sentence2", (void *)mecab_lattice_set_sentence2},
    {"mecab", "mecab_parse_lattice", (void *)mecab_parse_lattice},
    {"mecab", "mecab_lattice_get_bos_node", (void *)mecab_lattice_get_bos_node},
};

void *module_sym(const char *module, const char *symbol, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].module, module) == 0 && strcmp(table[i].symbol, symbol) == 0)
            return table[i].addr;
    snprintf(err, errlen, "module \"%s\" has no \"%s\" in this program", module, symbol);
    return NULL;
}
