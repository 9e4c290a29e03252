#!/usr/bin/env bash
# Benchmarks; record their figures in docs/benchmarks.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem ./internal/authz/ ./internal/policy/ ./internal/creds/
go test -run '^$' -bench . ./internal/store/sqlite/ ./internal/blob/
# Loopback benchmarks with the client in the same process (SDK or bare).
go test -run '^$' -bench '^Benchmark[^S]' -benchtime 3s ./internal/server/
# Server CPU per request and per MiB, the client in a separate process
# (BenchmarkServerCPU*); then RSS idle / after 60 s of mixed load, in a
# process of its own so that the earlier benchmarks' heap is not its idle.
go test -run '^$' -bench '^BenchmarkServerCPU' -benchtime 3s ./internal/server/
go test -run '^$' -bench '^BenchmarkServerRSS' -benchtime 1x ./internal/server/
