#!/usr/bin/env bash
# Benchmarks; record their figures in docs/benchmarks.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem ./internal/authz/ ./internal/policy/ ./internal/creds/
go test -run '^$' -bench . ./internal/store/sqlite/ ./internal/blob/
go test -run '^$' -bench . -benchtime 3s ./internal/server/
