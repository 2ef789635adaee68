#!/bin/bash
# Runs the whole test suite with the SYSTEM CLOCK a year ahead, then puts the clock back (the elapsed time kept),
# to show that no test depends on today's date. Root only, on a throw-away test machine: it changes the clock of
# the whole machine while it runs. Usage: sudo tools/ci/clock-ahead.sh [DAYS]   (default 365)
set -u
cd "$(dirname "$0")/../.."
days=${1:-365}
read t0 m0 < <(python3 -c 'import time;print(time.time(), time.monotonic())')
restore() { python3 - "$t0" "$m0" <<'PY'
import sys,time,subprocess
t0,m0=float(sys.argv[1]),float(sys.argv[2])
now=t0+(time.monotonic()-m0)
subprocess.run(["date","-s","@%.3f"%now],check=True,stdout=subprocess.DEVNULL)
PY
}
trap restore EXIT
date -s "+$days days" >/dev/null
echo "clock now: $(date -u)"
CI=true VALTUUS_REQUIRE_SERVICES=1 VALTUUS_TEST_REDIS_URL=redis://127.0.0.1:6379/15 \
  VALTUUS_TEST_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
  go test -race -count=1 -p 1 ./...
echo "EXIT $?"
