/* Survey benchmark data: deterministic template CSVs for ikiiki's `survey import`.
 *
 *   gen OUTDIR CENTERS RESPONDENTS [SEED]
 *
 * writes OUTDIR/C0001.csv … (one file per center, the template header: items G01…H01, then
 * position, segment, team, tenure, comment) and OUTDIR/all.csv (the same rows with a leading
 * "center" column, for the pandas peer). The same arguments give the same bytes. Each center has
 * its own level, so TOP3BOX, averages, HPB and ranks differ between centers; about 2 % of cells
 * are blank, 3 % of rows carry a comment (some quoted, with a comma or a doubled quote).
 * Prints "centers rows bytes_per_center_files bytes_all" on stdout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const items[] = {
    "G01", "G02", "G03", "G04", "G05", "G06", "R01", "R02", "R03", "R04", "R05", "R06", "T01",
    "T02", "T03", "T04", "T05", "T06", "A01", "A02", "A03", "A04", "A05", "A06", "C01", "C02",
    "C03", "C04", "C05", "C06", "W01", "W02", "W03", "W04", "W05", "W06", "L01", "L02", "L03",
    "L04", "L05", "L06", "O01", "O02", "O03", "O04", "O05", "O06", "O07", "H01"};
#define NITEMS ((int)(sizeof items / sizeof items[0]))

static const char *const segments[] = {"inbound", "outbound", "chat", "back-office"};
static const char *const tenures[] = {"<1y", "1-3y", "3-5y", "5y+"};
static const char *const comments[] = {
    "研修がもっと欲しい",
    "\"Breaks are short, but the team is kind\"",
    "\"シフトの融通が利く, 助かっています\"",
    "\"The \"\"quiet room\"\" helps a lot\"",
};

static uint64_t rng_state;
static uint64_t rnd(void) /* splitmix64: fast, deterministic, good enough */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void header(FILE *f, int with_center)
{
    if (with_center)
        fputs("center,", f);
    for (int i = 0; i < NITEMS; i++)
        fprintf(f, "%s,", items[i]);
    fputs("position,segment,team,tenure,comment\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen OUTDIR CENTERS RESPONDENTS [SEED]\n");
        return 2;
    }
    const char *dir = argv[1];
    long ncent = atol(argv[2]), nresp = atol(argv[3]);
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;
    if (ncent < 1 || ncent > 99999 || nresp < 1) {
        fprintf(stderr, "gen: bad sizes\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/all.csv", dir);
    FILE *all = fopen(path, "wb");
    if (!all) {
        perror(path);
        return 1;
    }
    static char allbuf[1 << 20];
    setvbuf(all, allbuf, _IOFBF, sizeof allbuf);
    header(all, 1);
    long long bytes_centers = 0;
    char row[1024];
    for (long c = 0; c < ncent; c++) {
        char code[16];
        snprintf(code, sizeof code, "C%04ld", c + 1);
        snprintf(path, sizeof path, "%s/%s.csv", dir, code);
        FILE *f = fopen(path, "wb");
        if (!f) {
            perror(path);
            return 1;
        }
        static char fbuf[1 << 20];
        setvbuf(f, fbuf, _IOFBF, sizeof fbuf);
        header(f, 0);
        rng_state = seed * 1000003u + (uint64_t)c;
        /* A center's level shifts its answers: 0 (low) … 3 (high), in quarter steps. */
        int level = (int)(rnd() % 13);
        for (long r = 0; r < nresp; r++) {
            char *p = row;
            for (int i = 0; i < NITEMS; i++) {
                uint64_t x = rnd();
                if (x % 50 == 0) { /* 2 % blank */
                    *p++ = ',';
                    continue;
                }
                /* 1–6, a triangular-ish spread whose centre moves with level */
                int a = 1 + (int)((x >> 8) % 4) + (int)(((x >> 16) % 13) < (uint64_t)level) +
                        (int)(((x >> 24) % 4) == 0);
                if (a > 6)
                    a = 6;
                *p++ = (char)('0' + a);
                *p++ = ',';
            }
            uint64_t x = rnd();
            int pr = (int)(x % 100);
            const char *pos = pr < 80 ? "OP" : pr < 90 ? "SV" : pr < 95 ? "MGR" : "OTHER";
            const char *cm = (x >> 8) % 100 < 3 ? comments[(x >> 16) % 4] : "";
            p += snprintf(p, sizeof row - (size_t)(p - row), "%s,%s,T%02d,%s,%s\n", pos,
                          segments[(x >> 20) % 4], (int)((x >> 24) % 20) + 1,
                          tenures[(x >> 32) % 4], cm);
            size_t len = (size_t)(p - row);
            fwrite(row, 1, len, f);
            fputs(code, all);
            fputc(',', all);
            fwrite(row, 1, len, all);
        }
        bytes_centers += ftell(f);
        if (fclose(f)) {
            perror(path);
            return 1;
        }
    }
    long long bytes_all = ftell(all);
    if (fclose(all)) {
        perror("all.csv");
        return 1;
    }
    printf("%ld %ld %lld %lld\n", ncent, ncent * nresp, bytes_centers, bytes_all);
    return 0;
}
