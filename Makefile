# Keyward: `make run` starts the desktop app, `make test` runs every test layer.
# Both install what is missing first (Debian/Ubuntu packages, npm packages, tauri-driver).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO_FEATURES := --features keyward-desktop/custom-protocol

.PHONY: run test lint fmt bench bench-cluster bench-desktop bundle test-deb deps test-deps ui cli test-ui test-rust check-bindings clean torture fuzz abuse schemathesis

run: deps ui
	cargo run $(CARGO_FEATURES) --bin keyward-desktop

TEST_LOG := test-artifacts/test.log

# Every layer, the installed .deb last; the log feeds the closing "N passed, N failed" line.
test: test-deps ui
	@mkdir -p test-artifacts
	set -o pipefail; $(MAKE) --no-print-directory test-ui test-rust check-bindings test-deb 2>&1 | tee $(TEST_LOG)
	@scripts/test-summary $(TEST_LOG)

deps:
	scripts/install-deps run

test-deps:
	scripts/install-deps test

# The UI is built only when its sources changed: the app embeds ui/dist, so a rebuilt dist
# would relink the release app (minutes of LTO) for nothing.
UI_SOURCES := $(shell find ui/src ui/index.html ui/package-lock.json ui/vite.config.ts ui/svelte.config.js \
                ui/tsconfig.json -type f 2>/dev/null)
ui: ui/dist/index.html
ui/dist/index.html: $(UI_SOURCES)
	cd ui && npm run build
	@touch $@

# Formatting and lints, as CI runs them first: rustfmt, clippy (warnings are errors), and the
# UI's type check and prettier. Needs ui/dist: the app embeds it when clippy compiles it.
lint: deps ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --features keyward-desktop/e2e -- -D warnings
	cd ui && npm run check && npm run format:check

# Rewrites what `make lint` checks the format of.
fmt:
	cargo fmt --all
	cd ui && npm run format

cli:
	cargo build -p keyward-cli

# Component tests (vitest + mockIPC).
test-ui:
	cd ui && npm test

# Rust: core (on SQLite and PostgreSQL), gateway, CLI (real keyring), IPC, and the desktop app
# through WebDriver (the `e2e` feature) — all inside a throwaway desktop session (Xvfb + private
# D-Bus + unlocked keyring) beside a throwaway PostgreSQL.
# The generated TS types are written afresh, so a type removed in Rust leaves no stale file.
test-rust:
	rm -f ui/src/lib/bindings/*.ts
	scripts/desktop-session scripts/with-postgres cargo test --no-fail-fast --features keyward-desktop/e2e

# The TypeScript types are generated from Rust by the tests above; committed copies must match.
check-bindings:
	@git diff --exit-code --stat -- ui/src/lib/bindings \
	  && test -z "$$(git status --porcelain -- ui/src/lib/bindings)" \
	  || { echo "ui/src/lib/bindings is stale: commit the regenerated files"; exit 1; }

# The release app with the UI embedded, as a .deb (Tauri CLI from npm), the `keyward` CLI
# inside as /usr/bin/keyward (built with the `server` profile: `keyward serve` is a server).
DEB = target/release/bundle/deb/Keyward_0.1.0_amd64.deb
bundle: deps ui
	cargo build --profile server -p keyward-cli
	# `make ui` above built the UI if it changed; Tauri's own beforeBuildCommand would rebuild it always.
	ui/node_modules/.bin/tauri build --bundles deb --config '{"build":{"beforeBuildCommand":""}}'
	@ls -l $(DEB)

# Installs the .deb with apt, launches the installed app in a throwaway desktop session, checks
# its window, its gateway and the installed CLI, then removes the package.
test-deb: bundle
	scripts/desktop-session scripts/test-deb $(DEB)

# Start time, idle memory and package size against a bare Tauri app (prints; asserts nothing).
bench-desktop: bundle
	scripts/install-deps test
	cargo build --release -p bare-tauri
	scripts/desktop-session scripts/bench-desktop $(DEB)

# Gateway figures against a bare axum server under wrk (prints; asserts nothing).
bench:
	scripts/install-deps bench
	cargo bench --profile server -p keyward-gateway --bench gateway

# Team mode on a throwaway PostgreSQL: propagation of rotations to three gateways, throughput
# against SQLite, a shared usage limit, the call log at 7 M rows on both backends (prints).
bench-cluster:
	scripts/install-deps bench
	scripts/install-deps test
	scripts/with-postgres cargo bench --profile server -p keyward-gateway --bench cluster

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules test-artifacts

# Crash loops: 200 rounds of `keyward serve` under load with a random process kill -9'ed in
# each, every promise checked after each (`make test` runs 10 of them). Prints the figures.
TORTURE_LOOPS ?= 200
torture: test-deps cli
	KEYWARD_TORTURE_LOOPS=$(TORTURE_LOOPS) scripts/desktop-session \
	  cargo test -p keyward-cli --test cli torture -- --nocapture

# Every cargo-fuzz target for 10 M executions (nightly toolchain; see scripts/fuzz). Prints
# executions and crashes per target; the corpus in fuzz/corpus grows and is committed.
fuzz:
	scripts/fuzz

# Slow and abusive clients (idle connections, trickled heads and bodies, oversized headers and
# bodies, an HTTP/2 rapid-reset flood) against `keyward serve`, a good client measured through
# each; prints its latencies and the server's memory (asserts only that it was always answered).
abuse: test-deps
	scripts/desktop-session cargo bench --profile server -p keyward-cli --bench abuse

# The HTTP API attacked from its own OpenAPI spec (schemathesis from PyPI, in a virtualenv):
# a local gateway and a team server on a throwaway PostgreSQL. Fails on any finding.
schemathesis: test-deps
	scripts/desktop-session scripts/with-postgres scripts/schemathesis
