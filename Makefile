# Keyward: `make run` starts the desktop app, `make test` runs every test layer.
# Both install what is missing first (Debian/Ubuntu packages, npm packages, tauri-driver).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO_FEATURES := --features keyward-desktop/custom-protocol

.PHONY: run test bench bench-desktop bundle test-deb deps test-deps ui cli test-ui test-rust check-bindings clean

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
	scripts/desktop-session cargo test --workspace --exclude bare-tauri --no-fail-fast $(CARGO_FEATURES)

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
	ui/node_modules/.bin/tauri build --bundles deb
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

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules test-artifacts
