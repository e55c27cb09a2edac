#!/usr/bin/env bash
# The execution path (hearth-json, one runner, an http function answering 1 KB) on several JVMs and collectors,
# in one run: for each configuration a fresh gateway process (local pods are runners inside the gateway's JVM,
# so the configuration applies to the runner too), one runtime, nginx in front of its runner, the JIT warm-up
# (warm_up), then direct, nginx and hearth-json measured at the same connection count. Prints req/s, p50, p99,
# the gateway's RSS (VmRSS) idle (after the runtime's creation) and after the run, and hearth-json ÷ nginx of
# the same configuration.
# ONLY="label ..." runs only the configurations named (labels below).
# Usage: [ONLY=labels] [HEARTH_PORT=18186] [NGINX_PORT=18187] [JAVA17=java] [JAVA25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java]
#        bench/jdk-compare.sh [seconds-per-run] [connections]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-15}
CONNECTIONS=${2:-32}
HEARTH_PORT=${HEARTH_PORT:-18186}
NGINX_PORT=${NGINX_PORT:-18187}
JAVA17=${JAVA17:-java}
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
need wrk wrk; need nginx nginx; need node nodejs
[ -x "$(command -v "$JAVA25")" ] || { echo "missing JDK 25 at $JAVA25: set JAVA25" >&2; exit 1; }
build_jar

# label|java|options (on 25, ZGC is generational only: -XX:+ZGenerational is ignored with a warning since 24)
CONFIGS=(
  "jdk17-g1|$JAVA17|"
  "jdk17-serial|$JAVA17|-XX:+UseSerialGC"
  "jdk25-g1|$JAVA25|"
  "jdk25-serial|$JAVA25|-XX:+UseSerialGC"
  "jdk25-zgc|$JAVA25|-XX:+UseZGC"
)
printf 'config\tjava\tpath\tconnections\trps\tp50_ms\tp75_ms\tp90_ms\tp99_ms\tp99.9_ms\tnon2xx\tsocket_errors\tidle_rss_mib\trss_mib\n' \
  > "$OUT/jdk.tsv"
for config in "${CONFIGS[@]}"; do
  IFS='|' read -r label java opts <<< "$config"
  [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $label "* ]] || continue
  version=$("$java" -version 2>&1 | sed -nE '1s/.*version "([^"]+)".*/\1/p')
  echo "== $label (java $version ${opts:-default flags}; $(load))" >&2
  rm -rf "$OUT/work" "$OUT/storage"
  # shellcheck disable=SC2086 # options are words
  HEARTH_JAVA=$java start_hearth "$HEARTH_PORT" bench/node $opts
  setup_one_kb "$HEARTH_PORT"
  idle=$(rss_mib "$HEARTH_PID")
  start_nginx "$NGINX_PORT" "$RUNNER"
  NGINX_URL="http://127.0.0.1:$NGINX_PORT/v1/execute"
  warm_up "$OUT/hearth-json.lua" "$HEARTH_URL" "$CONNECTIONS"
  wrk -t1 -c"$CONNECTIONS" -d5s -s "$OUT/direct.lua" "$NGINX_URL" > /dev/null
  {
    measure direct "$OUT/direct.lua" "http://$RUNNER/v1/execute" "$CONNECTIONS" "$DURATION"
    measure nginx "$OUT/direct.lua" "$NGINX_URL" "$CONNECTIONS" "$DURATION"
    measure hearth-json "$OUT/hearth-json.lua" "$HEARTH_URL" "$CONNECTIONS" "$DURATION"
  } > "$OUT/rows.tsv"
  rss=$(rss_mib "$HEARTH_PID")
  sed -E "s/^/$label\t$version\t/; s/$/\t$idle\t$rss/" "$OUT/rows.tsv" >> "$OUT/jdk.tsv"
  stop_nginx
  stop_hearth
done
[ -n "${BENCH_TSV:-}" ] && cp "$OUT/jdk.tsv" "$BENCH_TSV"

python3 - "$OUT/jdk.tsv" "$DURATION" "$CONNECTIONS" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print(f"wrk -t1 -c{sys.argv[3]} -d{sys.argv[2]}s per path, 1 KB response, loopback; a fresh gateway per configuration\n")
print("| configuration | java | direct req/s | nginx req/s | hearth-json req/s | hearth p50 ms | hearth p99 ms "
      "| non-2xx | idle RSS MiB | RSS after MiB | hearth ÷ nginx |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
configs = dict.fromkeys(r["config"] for r in rows)
for config in configs:
    by = {r["path"]: r for r in rows if r["config"] == config}
    h, n, d = by["hearth-json"], by["nginx"], by["direct"]
    print(f"| {config} | {h['java']} | {d['rps']} | {n['rps']} | {h['rps']} | {float(h['p50_ms']):.2f} "
          f"| {float(h['p99_ms']):.2f} | {h['non2xx']} | {h['idle_rss_mib']} | {h['rss_mib']} "
          f"| {float(h['rps']) / float(n['rps']):.2f} |")
PY
echo "($(load))"
