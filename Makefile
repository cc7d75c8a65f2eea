# Keyward: `make run` starts the desktop app, `make test` runs every test layer.
# Both install what is missing first (Debian/Ubuntu packages, npm packages, tauri-driver).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO_FEATURES := --features keyward-desktop/custom-protocol

.PHONY: run test bench deps test-deps ui cli test-ui test-rust check-bindings clean

run: deps ui
	cargo run $(CARGO_FEATURES) --bin keyward-desktop

TEST_LOG := test-artifacts/test.log

# Every layer; the log feeds the closing "N passed, N failed" line.
test: test-deps ui
	@mkdir -p test-artifacts
	set -o pipefail; $(MAKE) --no-print-directory test-ui test-rust check-bindings 2>&1 | tee $(TEST_LOG)
	@scripts/test-summary $(TEST_LOG)

deps:
	scripts/install-deps run

test-deps:
	scripts/install-deps test

ui:
	cd ui && npm run build

cli:
	cargo build -p keyward-cli

# Component tests (vitest + mockIPC) and the type check of the UI.
test-ui:
	cd ui && npm run check && npm test

# Rust: core, CLI (real keyring), the desktop app through WebDriver — all inside a throwaway
# desktop session (Xvfb + private D-Bus + unlocked gnome-keyring).
test-rust:
	scripts/desktop-session cargo test --workspace --no-fail-fast $(CARGO_FEATURES)

# The TypeScript types are generated from Rust by the tests above; committed copies must match.
check-bindings:
	@git diff --exit-code --stat -- ui/src/lib/bindings \
	  && test -z "$$(git status --porcelain -- ui/src/lib/bindings)" \
	  || { echo "ui/src/lib/bindings is stale: commit the regenerated files"; exit 1; }

# Gateway figures against a bare axum server under wrk (prints; asserts nothing).
bench:
	scripts/install-deps bench
	cargo bench -p keyward-gateway --bench gateway

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules test-artifacts
