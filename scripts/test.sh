#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh Debian machine,
# then runs every check. Used by `make test` and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
export PATH="$PATH:/usr/local/go/bin"

# Debian's aws-cli v2 drives the end-to-end tests; install it when missing.
if [ ! -x /usr/bin/aws ]; then
  echo "== installing awscli"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq awscli >/dev/null
fi
# Debian's boto3 drives internal/s3's boto3 test; install it when missing.
if ! python3 -c 'import boto3' 2>/dev/null; then
  echo "== installing python3-boto3"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq python3-boto3 >/dev/null
fi

# PostgreSQL's server binaries run throw-away clusters for the postgres
# store's tests (internal/store/pgtest); install them when missing.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  echo "== installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi

# The AWS SDK for JavaScript v3 drives internal/e2e's JavaScript test; its
# versions are pinned by internal/e2e/testdata/js/package-lock.json.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "== installing nodejs"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
echo "== installing the JavaScript SDK for the e2e tests"
(cd internal/e2e/testdata/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
# The console's browser test drives Debian's chromium with playwright-core
# (pinned by internal/console/testdata/browser/package-lock.json).
if ! command -v chromium >/dev/null; then
  echo "== installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
echo "== installing playwright-core for the console's browser test"
(cd internal/console/testdata/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
$GO vet ./...

echo "== go test"
$GO test -count=1 -timeout 20m ./...

echo "== go test -race (engine, gate, decision log, front door and services)"
$GO test -count=1 -race ./internal/arn/ ./internal/policy/ ./internal/authz/ ./internal/access/ ./internal/audit/ ./internal/server/ ./internal/s3/ ./internal/sts/ ./internal/app/

echo "== fuzz (brief): every Fuzz target of every package"
# Each target's seed corpus already ran under go test; here each one also
# explores for FUZZTIME, so a decoder added with a fuzz target is covered
# without editing this script. The budget is a count of executions, not a
# duration: Go 1.26's fuzz coordinator can report a spurious "context
# deadline exceeded" when a duration runs out mid-execution
# (golang/go#75804, fixed in Go 1.27).
grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u | while read -r pkg; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$pkg"/*_test.go | sed 's/^func //' | sort -u); do
    echo "-- $pkg $target"
    out=$($GO test -run '^$' -fuzz "^$target\$" -fuzztime "${FUZZTIME:-3000x}" "./$pkg/" 2>&1) || { echo "$out"; exit 1; }
  done
done
