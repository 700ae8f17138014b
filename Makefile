# ikiiki — the two commands a newcomer needs are `make run` and `make test`.
# meson + ninja do the building; this file installs what is missing and strings steps together.

SHELL := /bin/bash

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DB         ?= ikiiki.db
LISTEN     ?= 127.0.0.1:8080
FUZZ_TIME  ?= 15

export ASAN_OPTIONS  ?= detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1

.PHONY: all deps deps-test build build-asan run test fuzz fuzz-short bench format clean prompts \
	install deb

all: build

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false >/dev/null

build-asan: deps-test $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD)

# Installs the binary, data files, configuration file, systemd unit and manual pages under the
# build's prefix (meson's default /usr/local; DESTDIR=… stages them).
install: build prompts
	meson install -C $(BUILD) --no-rebuild

# A Debian package (prefix /usr, configuration in /etc/ikiiki) in dist/: apt install ./dist/ikiiki_*.deb
DEB_BUILD ?= build-deb
$(DEB_BUILD)/build.ninja:
	meson setup $(DEB_BUILD) --prefix=/usr --buildtype=release >/dev/null

deb: deps prompts $(DEB_BUILD)/build.ninja
	@ninja -C $(DEB_BUILD)
	@scripts/make-deb.sh $(DEB_BUILD) dist

# Creates the database with demo data on first run, then serves until Ctrl-C.
run: build prompts
	@if [ ! -e "$(DB)" ]; then ./$(BUILD)/ikiiki init --db "$(DB)" --demo; \
	 else ./$(BUILD)/ikiiki init --db "$(DB)"; fi
	@echo "open http://$(LISTEN)/api/v1/health — stop with Ctrl-C"
	./$(BUILD)/ikiiki serve --db "$(DB)" --listen "$(LISTEN)"

test: deps-test build build-asan fuzz prompts
	@scripts/test-all.sh

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debug -Dfuzz=true \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link >/dev/null

fuzz: deps-test $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD) tests/fuzz/fuzz_json_request tests/fuzz/fuzz_survey_import \
	  tests/fuzz/fuzz_survey_xlsx tests/fuzz/fuzz_audiosocket tests/fuzz/fuzz_media_ws \
	  tests/fuzz/fuzz_guard_lexicon tests/fuzz/fuzz_guard_model tests/fuzz/fuzz_conf

# A short run of each target from its committed seeds; new inputs go to a scratch corpus, not the
# repository.
fuzz-short: fuzz
	@for t in json_request survey_import survey_xlsx audiosocket media_ws guard_lexicon guard_model \
	  conf; do \
	   scratch=$$(mktemp -d); echo "fuzz_$$t:"; \
	   ./$(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	     -artifact_prefix=$$scratch/ $$scratch tests/fuzz/corpus/$$t 2>&1 | grep -E '^(Done|stat::|==|SUMMARY)'; \
	   status=$${PIPESTATUS[0]}; rm -rf $$scratch; [ $$status -eq 0 ] || exit $$status; \
	 done

bench: build
	@scripts/deps.sh bench
	@bench/http/run.sh

# Announcement prompts (data/prompts/ja/*.wav) spoken by espeak-ng from prompts.tsv; skipped when
# newer than the tsv.
prompts: deps
	@scripts/make-prompts.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'tools/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)
