#!/usr/bin/env bash
# Benchmarks; record their figures in docs/benchmarks.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchmem ./internal/policy/ ./internal/authz/
