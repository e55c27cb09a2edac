# Shared helpers of the benchmark scripts. Everything runs on loopback and stops by itself.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
JAR="${JAR:-$ROOT/gateway/target/hearth-gateway.jar}"
SECRET=bench-secret
OUT=$(mktemp -d /tmp/hearth-bench.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "missing $1: apt-get install -y $2" >&2; exit 1; }; }

build_jar() {
  [ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -q -B -ntp -pl gateway -am package -DskipTests)
}

# start_hearth PORT POOL_IMAGE [extra java options...]: starts the gateway with one http pool of size 1.
start_hearth() {
  local port=$1 image=$2; shift 2
  mkdir -p "$OUT/storage"
  java "$@" -jar "$JAR" --server.port="$port" --hearth.executor.secret="$SECRET" \
    --hearth.storage-root="$OUT/storage" --hearth.work-dir="$OUT/work" \
    --hearth.pools[0].image="$image" --hearth.pools[0].adapter=http --hearth.pools[0].command=node \
    --hearth.pools[0].size=1 --logging.level.dev.hearth=INFO > "$OUT/hearth.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && return 0; sleep 0.5; done
  echo "Hearth did not start; see $OUT/hearth.log" >&2; exit 1
}

# create_runtime PORT ID IMAGE FUNCTION_DIR [variables-json]
create_runtime() {
  local port=$1 id=$2 image=$3 dir=$4 vars=${5:-"{}"}
  tar -czf "$OUT/storage/$id.tar.gz" -C "$dir" .
  curl -sf -X POST "http://127.0.0.1:$port/v1/runtimes" -H "Authorization: Bearer $SECRET" \
    -H 'content-type: application/json' \
    -d "{\"runtimeId\":\"$id\",\"image\":\"$image\",\"source\":\"$id.tar.gz\",\"entrypoint\":\"index.js\",\"variables\":$vars}" >/dev/null
}

# runner_address PORT ID: host:port of the runner serving the runtime (from the pod id in Hearth's log).
runner_address() {
  local pod
  pod=$(curl -sf "http://127.0.0.1:$1/v1/runtimes/$2" -H "Authorization: Bearer $SECRET" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hostname"])')
  grep "work dir .*/$pod" "$OUT/hearth.log" | sed -E 's#.*runner listening on /([0-9.]+:[0-9]+).*#\1#' | head -1
}

runtime_key() {
  curl -sf "http://127.0.0.1:$1/v1/runtimes/$2" -H "Authorization: Bearer $SECRET" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

# warm_up SCRIPT URL [connections]: drives URL with wrk in 10 s rounds until the JIT has settled: a round within
# 5 % of the previous best, after at least 60 s (C2 needs about that long on two cores for this path), at most 180 s.
warm_up() {
  local script=$1 url=$2 connections=${3:-32} best=0 rps elapsed=0
  while [ "$elapsed" -lt 180 ]; do
    rps=$(wrk -t1 -c"$connections" -d10s -s "$script" "$url" | sed -nE 's/Requests\/sec:\s+([0-9]+).*/\1/p')
    elapsed=$((elapsed + 10))
    echo "  warm-up ${elapsed}s: $rps req/s" >&2
    if [ "$elapsed" -ge 60 ] && [ $((rps * 100)) -le $((best * 105)) ]; then return 0; fi
    [ "$rps" -gt "$best" ] && best=$rps
  done
}
