#!/usr/bin/env bash
# Runtime creation on JDK 25 with and without an ahead-of-time cache (JEPs 483/514/515: classes loaded and linked,
# and method profiles, recorded by a training run), against the same JVM without one, in the same run.
#
#   bench/creation-aot.sh [rounds] [count]     (default 3 rounds of bench/creation.sh [count], count 60)
#
# 1. Extracts the gateway's jar (`-Djarmode=tools extract`): the AOT cache covers classes loaded from the class path,
#    not from the jars nested in Spring Boot's fat jar.
# 2. Trains: one bench/creation.sh with `-XX:AOTCacheOutput` and 300 creations of warm-up; the JVM writes the cache
#    when it exits.
# 3. Alternates bench/creation.sh runs with `-XX:AOTCache` and without, `rounds` of each, at the default warm-up (20),
#    and prints each run's "added by Hearth" p50 and the medians, and the gateway's start to healthy with and without.
# JDK 25: HEARTH_JAVA25 (default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java). The jar: HEARTH_JAR (as creation.sh).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
ROUNDS=${1:-3}
COUNT=${2:-60}
J25=${HEARTH_JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAR=${HEARTH_JAR:-$ROOT/gateway/target/hearth-gateway.jar}
[ -x "$J25" ] || { echo "no JDK 25 at $J25 (HEARTH_JAVA25)" >&2; exit 1; }
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -o -q -B package -pl gateway -am -DskipTests)
WORK=$(mktemp -d /tmp/hearth-aot.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$J25" -Djarmode=tools -jar "$JAR" extract --destination "$WORK/app" > /dev/null
APP="$WORK/app/$(basename "$JAR")"
CACHE="$WORK/hearth.aot"

creation() { # creation OPTS WARMUP → the "added by Hearth" p50s, exec then http
  HEARTH_JAVA="$J25" HEARTH_JAVA_OPTS="$1" HEARTH_CREATION_WARMUP="$2" HEARTH_JAR="$APP" \
    "$BENCH_DIR/creation.sh" "$COUNT" 2>/dev/null | awk -F'|' '/[*][*]added by Hearth[*][*]/ {gsub(/ /,""); print $3, $5}'
}

echo "training: 300 creations of warm-up, then $COUNT per function, writing the cache ..." >&2
creation "-XX:AOTCacheOutput=$CACHE" 300 > /dev/null
[ -s "$CACHE" ] || { echo "the training run wrote no cache" >&2; exit 1; }
echo "cache: $(du -m "$CACHE" | cut -f1) MB" >&2

: > "$WORK/runs"
for round in $(seq 1 "$ROUNDS"); do
  echo "cache $(creation "-XX:AOTCache=$CACHE" 20)" >> "$WORK/runs"
  echo "none $(creation "" 20)" >> "$WORK/runs"
done

start_to_healthy() { # start_to_healthy OPTS → ms from launch to a healthy /v1/health
  local dir="$WORK/start" t0 t1 pid
  rm -rf "$dir"; mkdir -p "$dir"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$J25" $1 -jar "$APP" --server.port=18298 --hearth.executor.secret=aot-bench-secret-0123456789 \
    --hearth.storage-root="$dir/storage" --hearth.work-dir="$dir/work" > "$dir/log" 2>&1 &
  pid=$!
  until curl -sf http://127.0.0.1:18298/v1/health > /dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "the gateway did not start; $dir/log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (t1 - t0) / 1000000 ))
}
START_CACHE=$(start_to_healthy "-XX:AOTCache=$CACHE")
START_NONE=$(start_to_healthy "")

python3 - "$WORK/runs" "$START_CACHE" "$START_NONE" <<'PY'
import statistics, sys
runs = {"cache": [], "none": []}
for line in open(sys.argv[1]):
    mode, exec_p50, http_p50 = line.split()
    runs[mode].append((float(exec_p50), float(http_p50)))
print("| JDK 25 | runs: exec p50 ms | runs: http p50 ms | median exec | median http |")
print("|---|---|---|---|---|")
medians = {}
for mode, label in (("cache", "AOT cache"), ("none", "no cache")):
    e = [r[0] for r in runs[mode]]; h = [r[1] for r in runs[mode]]
    medians[mode] = (statistics.median(e), statistics.median(h))
    print(f"| {label} | {' / '.join(f'{x:.2f}' for x in e)} | {' / '.join(f'{x:.2f}' for x in h)} "
          f"| {medians[mode][0]:.2f} | {medians[mode][1]:.2f} |")
print()
print(f"added by Hearth, cache ÷ none: exec {medians['cache'][0] / medians['none'][0]:.2f}, "
      f"http {medians['cache'][1] / medians['none'][1]:.2f}")
print(f"gateway start to healthy: {sys.argv[2]} ms with the cache, {sys.argv[3]} ms without")
PY
