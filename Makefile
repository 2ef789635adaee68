# Developer entry points. `make test` is the test command the README names and CI runs.
GO ?= go
# Real servers for the contract suites; the suites skip when these are unreachable, unless VALTUUS_REQUIRE_SERVICES=1
# (CI) makes them fail instead.
VALTUUS_TEST_POSTGRES_DSN ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
VALTUUS_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export VALTUUS_TEST_POSTGRES_DSN VALTUUS_TEST_REDIS_URL

.PHONY: run test cardcheck tabcheck bench build manifest lint playground

run:
	$(GO) run ./cmd/valtuusbotti serve

build:
	$(GO) build -o bin/valtuusbotti ./cmd/valtuusbotti

# -p 1 keeps memory and CPU in check on small machines; the Graph SDK alone needs several GB to compile.
test: cardcheck tabcheck
	$(GO) test -race -count=1 -p 1 -timeout 30m ./...

# Installs Microsoft's Adaptive Cards renderer (npm) so the card tests can parse every golden card with it.
cardcheck:
	@if command -v npm >/dev/null; then npm --prefix tools/cardcheck ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the Adaptive Cards renderer check will be skipped"; fi

# Installs playwright-core and axe-core (npm) for the dashboard tab's test in headless Chromium (Debian's chromium).
tabcheck:
	@if command -v npm >/dev/null; then npm --prefix tools/tabcheck ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the dashboard tab's Chromium test will be skipped"; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bot/ ./internal/...

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...

manifest:
	$(GO) run ./cmd/valtuusbotti manifest -app-id $(APP_ID)

playground:
	npm --prefix tools/playground ci --no-audit --no-fund --loglevel=error
	node tools/playground/start.mjs $(if $(USER_AS),--user $(USER_AS))
