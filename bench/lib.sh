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
# The java binary is $HEARTH_JAVA (default: java on the PATH), with $HEARTH_JAVA_OPTS before the extra options;
# the gateway's PID is left in HEARTH_PID.
start_hearth() {
  local port=$1 image=$2; shift 2
  mkdir -p "$OUT/storage"
  "${HEARTH_JAVA:-java}" ${HEARTH_JAVA_OPTS:-} "$@" -jar "$JAR" --server.port="$port" --hearth.executor.secret="$SECRET" \
    --hearth.storage-root="$OUT/storage" --hearth.work-dir="$OUT/work" \
    --hearth.pools[0].image="$image" --hearth.pools[0].adapter=http --hearth.pools[0].command=node \
    --hearth.pools[0].size=1 --logging.level.dev.hearth=INFO > "$OUT/hearth.log" 2>&1 &
  PIDS+=($!)
  HEARTH_PID=$!
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

# stop_hearth: stops the gateway started last (SIGTERM, then waits for it; its local pods stop with it).
stop_hearth() {
  kill "$HEARTH_PID" 2>/dev/null || true
  wait "$HEARTH_PID" 2>/dev/null || true
}

# rss_mib PID: the resident set of a process in MiB (VmRSS of /proc/PID/status).
rss_mib() {
  awk '/^VmRSS:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$1/status"
}

# start_nginx PORT RUNNER: nginx (one worker, proxy_pass with keepalive 64) in front of the runner at host:port;
# its PID is left in NGINX_PID.
start_nginx() {
  local port=$1 runner=$2 dir="$OUT/nginx-$1"
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body; proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fcgi; uwsgi_temp_path $dir/tmp/uwsgi; scgi_temp_path $dir/tmp/scgi;
  upstream runner { server $runner; keepalive 64; }
  server {
    listen 127.0.0.1:$port;
    location / { proxy_pass http://runner; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' &
  PIDS+=($!)
  NGINX_PID=$!
  for _ in $(seq 1 20); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.25; done
  echo "nginx did not start; see $dir/error.log" >&2; exit 1
}

stop_nginx() {
  kill "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
}

# setup_one_kb HEARTH_PORT: creates the one-kb runtime on the gateway at HEARTH_PORT and writes the wrk scripts
# $OUT/direct.lua (runner protocol: POST /v1/execute with x-hearth-secret and x-hearth-request),
# $OUT/hearth-multipart.lua and $OUT/hearth-json.lua (Open Runtimes executions); sets RUNNER (host:port of the
# runner), KEY, REQUEST and HEARTH_URL, and checks that the runner and the gateway answer.
setup_one_kb() {
  local port=$1
  create_runtime "$port" one-kb bench/node "$BENCH_DIR/functions/one-kb"
  RUNNER=$(runner_address "$port" one-kb)
  KEY=$(runtime_key "$port" one-kb)
  REQUEST=$(printf '%s' '{"method":"GET","path":"/","headers":{},"timeoutMs":15000}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
  HEARTH_URL="http://127.0.0.1:$port/v1/runtimes/one-kb/executions"
  cat > "$OUT/direct.lua" <<LUA
wrk.method = "POST"
wrk.headers["x-hearth-secret"] = "$KEY"
wrk.headers["x-hearth-request"] = "$REQUEST"
LUA
  cat > "$OUT/hearth-multipart.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"path":"/","method":"GET"}'
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "multipart/form-data"
wrk.headers["authorization"] = "Bearer $SECRET"
LUA
  sed 's#multipart/form-data#application/json#' "$OUT/hearth-multipart.lua" > "$OUT/hearth-json.lua"
  curl -sf -X POST "http://$RUNNER/v1/execute" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
  curl -sf -X POST "$HEARTH_URL" -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -d '{}' -o /dev/null
}

# need_plotting: a python with matplotlib for bench/plot.py, in PLOT_PYTHON (default /usr/bin/python3).
need_plotting() {
  PLOT_PYTHON=${PLOT_PYTHON:-/usr/bin/python3}
  "$PLOT_PYTHON" -c 'import matplotlib' 2>/dev/null || { echo "missing matplotlib: apt-get install -y python3-matplotlib" >&2; exit 1; }
}

# start_one_kb_paths HEARTH_PORT NGINX_PORT: the paths every execution benchmark compares, each checked with one
# request: the gateway with the one-kb runtime (setup_one_kb: RUNNER, HEARTH_URL, the wrk scripts) and nginx in
# front of its runner (NGINX_URL).
start_one_kb_paths() {
  need wrk wrk; need nginx nginx; need node nodejs
  build_jar
  start_hearth "$1" bench/node
  setup_one_kb "$1"
  start_nginx "$2" "$RUNNER"
  NGINX_URL="http://127.0.0.1:$2/v1/execute"
  curl -sf -X POST "$NGINX_URL" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
}

# measure NAME SCRIPT URL CONNECTIONS SECONDS: one wrk run (-t1) with SCRIPT plus a done() callback that reads
# the percentiles from wrk's own histogram; prints one TSV row:
#   name connections req/s p50 p75 p90 p99 p99.9 (ms) non-2xx socket-errors
measure() {
  local name=$1 script=$2 url=$3 connections=$4 seconds=$5
  { cat "$script"; cat <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT\t%.0f", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 75, 90, 99, 99.9}) do io.write(string.format("\t%.3f", latency:percentile(p) / 1000)) end
  io.write(string.format("\t%d\t%d\n", e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
  } > "$OUT/measure-$name.lua"
  wrk -t1 -c"$connections" -d"${seconds}s" -s "$OUT/measure-$name.lua" "$url" > "$OUT/measure-$name-$connections.txt"
  sed -nE "s/^RESULT\t/$name\t$connections\t/p" "$OUT/measure-$name-$connections.txt"
}

# cpu_ticks PID...: the user + system CPU the processes have used so far, in clock ticks (/proc/PID/stat).
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(sed -E 's/^.*\) //' "/proc/$pid/stat" | cut -d' ' -f12,13 | tr ' ' '+')))
  done
  echo "$total"
}

# measure_cpu NAME SCRIPT URL CONNECTIONS SECONDS: measure's row on stdout, and a row of the CPU each process spent
# per request in that run appended to $OUT/cpu.tsv (µs): the gateway's JVM (with its in-process runner), nginx
# (master and worker), the function (every node process) and each process in PROXY_PIDS (bench/ceiling's proxies).
# Each process's own clock: it moves less with what else shares the cores than req/s does, though a slower run
# batches less per wake-up and so costs somewhat more per request.
measure_cpu() {
  local name=$1 hz before after row
  hz=$(getconf CLK_TCK)
  before=$(cpu_columns)
  row=$(measure "$@")
  echo "$row"
  after=$(cpu_columns)
  python3 -c 'import sys
name, rps, seconds, hz, before, after = sys.argv[1:]
requests = float(rps) * float(seconds)
print(name, *(f"{(int(a) - int(b)) / int(hz) * 1e6 / requests:.0f}" for b, a in zip(before.split(), after.split())),
      sep="\t")' "$name" "$(cut -f3 <<< "$row")" "$5" "$hz" "$before" "$after" >> "$OUT/cpu.tsv"
}

# cpu_columns: the CPU ticks so far of the processes measure_cpu reports, space-separated in its column order.
cpu_columns() {
  local pid columns
  columns="$(cpu_ticks "$HEARTH_PID") $(cpu_ticks "$NGINX_PID" $(pgrep -P "$NGINX_PID")) $(cpu_ticks $(pgrep -x node))"
  for pid in ${PROXY_PIDS:-}; do columns="$columns $(cpu_ticks "$pid")"; done
  echo "$columns"
}

# load: the 1-minute load average and the machine's cores, for the record printed with each result.
load() {
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
}
