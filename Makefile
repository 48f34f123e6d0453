# EZSCALE — build, run and test. PocketBase v0.40 needs Go 1.27: the go
# command fetches that toolchain from the module proxy when the local Go is older.
export GOTOOLCHAIN := go1.27.3
export CGO_ENABLED := 0

BIN     := bin/ezscale
HTTP    ?= 127.0.0.1:8090
DATA    ?= pb_data
GOFLAGS ?=

.PHONY: run build test vet fmt seed bench-api bench-billing clean

## run: build and serve the whole platform in dev mode on http://$(HTTP)
run: build
	EZ_DEV=1 EZ_PUBLIC_URL=http://$(HTTP) ./$(BIN) serve --http $(HTTP) --dir $(DATA)

## build: compile the single static binary into bin/
build:
	go build $(GOFLAGS) -trimpath -o $(BIN) .

## test: every test (starts and stops the services the tests need)
test: vet
	go test $(GOFLAGS) -count=1 -timeout 15m ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## seed: synthetic data at scale into $(DATA) (N customers)
N ?= 10000
seed: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) seed --customers $(N) --dir $(DATA)

## bench-api: customer list latency and throughput on the seeded $(DATA)
bench-api: build
	EZ_DEV=1 EZ_LOG_LEVEL=warn ./$(BIN) bench api --dir $(DATA)

## bench-billing: the renewal run over 100,000 due subscriptions (temporary DB)
bench-billing: build
	EZ_DEV=1 ./$(BIN) bench billing --subscriptions 100000

clean:
	rm -rf bin
