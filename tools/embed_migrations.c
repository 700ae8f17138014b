/* Build tool: turns src/store/migrations/NNNN_name.sql files (given in order) into a C table,
 * so the binary carries its schema and needs no files at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int emit_file(FILE *out, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "embed_migrations: cannot read %s\n", path);
        return -1;
    }
    fputs("\"", out);
    int c;
    while ((c = fgetc(in)) != EOF) {
        if (c == '\n')
            fputs("\\n\"\n\"", out);
        else if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\%03o", c);
        else
            fputc(c, out);
    }
    fputs("\"", out);
    fclose(in);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: embed_migrations OUT.c FILE.sql...\n");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out)
        return 1;
    fputs("#include \"store_int.h\"\nconst struct store_migration store__migrations[] = {\n", out);
    for (int i = 2; i < argc; i++) {
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        int version = (int)strtol(base, NULL, 10);
        const char *name = strchr(base, '_');
        size_t len = name ? strcspn(name + 1, ".") : 0;
        if (version <= 0 || !name) {
            fprintf(stderr, "embed_migrations: %s is not named NNNN_name.sql\n", argv[i]);
            return 1;
        }
        fprintf(out, "{%d, \"%.*s\",\n", version, (int)len, name + 1);
        if (emit_file(out, argv[i]))
            return 1;
        fputs("},\n", out);
    }
    fprintf(out, "};\nconst int store__nmigrations = %d;\n", argc - 2);
    return fclose(out) == 0 ? 0 : 1;
}
