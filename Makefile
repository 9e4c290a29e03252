# Sekisho — the two commands that matter are `make run` and `make test`.
GO      ?= go
ADDR    ?= 127.0.0.1:4566
BIN     := bin/sekisho

.PHONY: run build test bench fuzz fmt vet

## run: serve on $(ADDR) with the demo world of the seeds (accounts A and B)
run: build
	./$(BIN) serve --addr $(ADDR) --demo --in-memory

# -buildvcs=true (over any GOFLAGS=-buildvcs=false) stamps the commit that
# `sekisho version` shows; outside a git checkout Go's default applies.
BUILDVCS := $(if $(wildcard .git),-buildvcs=true,)

build:
	$(GO) build $(BUILDVCS) -o $(BIN) ./cmd/sekisho

## test: install what the tests need, then gofmt, vet, unit, race, fuzz and end-to-end tests
test:
	./scripts/test.sh

## bench: benchmarks for the engine and the servers
bench:
	./scripts/bench.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...
