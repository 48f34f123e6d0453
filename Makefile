# EZSCALE — build, run and test. PocketBase v0.40 needs Go 1.27: the go
# command fetches that toolchain from the module proxy when the local Go is older.
export GOTOOLCHAIN := go1.27.3
export CGO_ENABLED := 0

BIN     := bin/ezscale
HTTP    ?= 127.0.0.1:8090
DATA    ?= pb_data
GOFLAGS ?=

.PHONY: run build release portal chromium test vet fmt seed bench-api bench-api-compare bench-flood bench-portal bench-billing bench-analytics bench-whmcs bench-chaos clean

PORTAL_SRC := $(shell find portal/src portal/index.html portal/vite.config.js portal/package.json -type f 2>/dev/null)

## run: build and serve the whole platform in dev mode on http://$(HTTP)
run: build
	EZ_DEV=1 EZ_PUBLIC_URL=http://$(HTTP) ./$(BIN) serve --http $(HTTP) --dir $(DATA)

## build: compile the development build (portal included) into bin/: the server plus dev mode's simulators and
## the seed and bench commands (-tags dev)
build: portal
	go build $(GOFLAGS) -tags dev -trimpath -o $(BIN) .

## release: compile the production server (portal included) into bin/ezscale-release: no simulator, no
## generator, no benchmark; EZ_DEV=1 is refused by it. `ezscale version` names VERSION, COMMIT and DATE
## (the commit's time, so the same commit builds the same binary and image)
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo unknown)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
VERSION_PKG := github.com/ezscale/ezscale/internal/version
LDFLAGS := -s -w -X $(VERSION_PKG).Version=$(VERSION) -X $(VERSION_PKG).Commit=$(COMMIT) -X $(VERSION_PKG).Date=$(DATE)
release: portal
	GOOS=linux GOARCH=amd64 go build $(GOFLAGS) -trimpath -ldflags '$(LDFLAGS)' -o bin/ezscale-release .

## image: the OCI image of bin/ezscale-release as a docker-loadable tarball bin/ezscale-image.tar, built
## without a Docker daemon (cmd/ezscale-image, go-containerregistry); `make release image`
.PHONY: image lint-workflows
image:
	go run ./cmd/ezscale-image --binary bin/ezscale-release --version '$(VERSION)' --commit '$(COMMIT)' \
		--created '$(DATE)' --tag ezscale:$(VERSION) --out bin/ezscale-image.tar

## lint-workflows: actionlint (a Go tool pinned in go.mod) on .github/workflows; make vet (so make test) runs it
lint-workflows:
	go tool actionlint

## portal: build the customer portal (Vue + Vite) into pb_public/portal
portal: pb_public/portal/index.html

portal/node_modules/.package-lock.json: portal/package-lock.json
	cd portal && npm ci --no-audit --no-fund

pb_public/portal/index.html: portal/node_modules/.package-lock.json $(PORTAL_SRC)
	cd portal && npm run build

## chromium: install Debian's chromium for the browser tests (if missing)
chromium:
	@scripts/chromium.sh >/dev/null

## mariadb: install Debian's MariaDB server for the WHMCS importer's tests (if missing)
mariadb:
	@scripts/mariadb.sh install >/dev/null

## seaweedfs: build SeaweedFS (the S3 server the replication tests use) into bin/weed (if missing)
seaweedfs:
	@scripts/seaweedfs.sh install

## dr-drill: the replication tests against SeaweedFS and the disaster-recovery drill on bin/ezscale, with
## RPO/RTO and replication lag (make test skips them: SeaweedFS's first build takes too long for every run)
.PHONY: seaweedfs dr-drill
dr-drill: build seaweedfs
	EZ_S3_TESTS=1 EZ_DRILL_BIN=$(abspath $(BIN)) go test $(GOFLAGS) -count=1 -v -timeout 20m ./internal/replication/...

## test: every test, the browser tests included (-tags e2e; starts and stops the services the tests need)
test: portal chromium mariadb vet
	go test $(GOFLAGS) -tags e2e -count=1 -timeout 15m ./...
	scripts/fuzz.sh $(FUZZTIME_TEST)

## fuzz: every fuzz target (func FuzzX in a test file) for $(FUZZTIME) each; make test runs them for $(FUZZTIME_TEST)
FUZZTIME      ?= 60s
FUZZTIME_TEST ?= 2s
.PHONY: fuzz
fuzz:
	scripts/fuzz.sh $(FUZZTIME)

vet: lint-workflows
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet -tags e2e,dev ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## seed: synthetic data at scale into $(DATA) (N customers)
N ?= 10000
seed: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) seed --customers $(N) --dir $(DATA)

## bench-api: customer list latency and throughput on the seeded $(DATA)
bench-api: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) bench api --dir $(DATA)

## bench-api-compare: the platform against bare PocketBase (same version, built into a temp dir) on copies of
## the seeded $(DATA), as child processes, in one sitting: req/s, p50/p99, peak RSS, ratios ($(ROUNDS) rounds)
ROUNDS ?= 2
bench-api-compare: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) bench api --compare --rounds $(ROUNDS) --dir $(DATA)

## bench-flood: $(CLIENTS) clients of one address flood the service list for $(FLOOD_FOR) (temporary DB):
## answers, log rows, log database size, the server's peak memory
CLIENTS   ?= 50
FLOOD_FOR ?= 60s
bench-flood: build
	EZ_DEV=1 ./$(BIN) bench flood --clients $(CLIENTS) --duration $(FLOOD_FOR)

## bench-analytics: the staff analytics report over $(MONTHS) months on the seeded $(DATA)
MONTHS ?= 12
bench-analytics: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) bench analytics --dir $(DATA) --months $(MONTHS)

## bench-portal: login to dashboard rendered, in Chromium, on the seeded $(DATA)
bench-portal: portal chromium
	EZ_BENCH_DATA=$(abspath $(DATA)) go test -run '^$$' -bench LoginToDashboard -benchtime 20x -tags e2e ./e2e

## bench-billing: the renewal run over 100,000 due subscriptions (temporary DB)
bench-billing: build
	EZ_DEV=1 ./$(BIN) bench billing --subscriptions 100000

## bench-chaos: the adversarial simulation over $(SEEDS) seeds of $(STEPS) steps (temporary DBs)
SEEDS ?= 200
STEPS ?= 60
bench-chaos: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) bench chaos --seeds $(SEEDS) --steps $(STEPS)

## bench-whmcs: the WHMCS import of a generated $(WHMCS_SIZE) WHMCS database, twice, on a throwaway MariaDB (stopped even on failure)
WHMCS_SIZE ?= large
bench-whmcs: build mariadb
	@dir=$$(mktemp -d /tmp/ezmdb.XXXXXX) && \
	trap 'scripts/mariadb.sh stop "$$dir" >/dev/null; rm -rf "$$dir"' EXIT && \
	port=$$(scripts/mariadb.sh start "$$dir") && \
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) bench whmcs --size $(WHMCS_SIZE) --dsn "root@tcp(127.0.0.1:$$port)/"

clean:
	rm -rf bin portal/node_modules
	find pb_public/portal -mindepth 1 ! -name .gitkeep -delete
