#!/usr/bin/env bash
# Claim latency of a Kubernetes pool with a small and a large pod cache (issue 12: 5,000 pods within 10 % of 50), in
# one run, against the test harness (fabric8 mock API server, simulated kubelet; no cluster needed): PodCacheScaleBench
# in pool's test sources. Prints Markdown tables: each claim against the same patch sent by a bare client-java call (the
# same-run reference; claim ÷ reference is Hearth's own share), each call split at its HTTP steps, and the ratios.
# Usage: bench/k8s-scale.sh [few] [many] [claims] [warm]   (defaults 50 5000 300 10)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# One reactor build, so that pool's classpath names runner-protocol's classes in this tree (it is never installed).
./mvnw -o -q -B -ntp -pl pool -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath \
  -Dmdep.includeScope=test
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "pool/target/test-classes:pool/target/classes:$(cat pool/target/bench.classpath)" \
  dev.hearth.pool.kubernetes.PodCacheScaleBench "${1:-50}" "${2:-5000}" "${3:-300}" "${4:-10}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
