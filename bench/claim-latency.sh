#!/usr/bin/env bash
# Claim latency: the Redis lease store vs the in-memory one, in one run (starts its own redis-server on
# loopback). Usage: bench/claim-latency.sh [iterations]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
command -v redis-server >/dev/null || { echo "missing redis-server: apt-get install -y redis-server" >&2; exit 1; }
./mvnw -q -B -ntp -pl pool -am test-compile
./mvnw -q -B -ntp -pl pool dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
java -cp "pool/target/test-classes:pool/target/classes:$(cat pool/target/bench.classpath)" \
  dev.hearth.pool.redis.ClaimLatencyBench "" "${1:-20000}"
