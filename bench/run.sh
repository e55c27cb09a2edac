#!/usr/bin/env bash
# Throughput of the execution path: one runner with an http function answering 1 KB, reached
#   direct  — wrk → runner (POST /v1/execute, runner protocol)
#   nginx   — wrk → nginx proxy_pass (keepalive) → runner
#   hearth  — wrk → Hearth's Open Runtimes execution API (multipart and JSON responses) → runner
# All on loopback, each driven by wrk after a warm-up; prints a Markdown table with Hearth/nginx ratios.
# Usage: bench/run.sh [seconds-per-run] [connections]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-15}
CONNECTIONS=${2:-32}
HEARTH_PORT=18080
NGINX_PORT=18090
need wrk wrk; need nginx nginx; need node nodejs
build_jar

start_hearth "$HEARTH_PORT" bench/node
create_runtime "$HEARTH_PORT" one-kb bench/node "$BENCH_DIR/functions/one-kb"
RUNNER=$(runner_address "$HEARTH_PORT" one-kb)
KEY=$(runtime_key "$HEARTH_PORT" one-kb)
REQUEST=$(printf '%s' '{"method":"GET","path":"/","headers":{},"timeoutMs":15000}' | base64 -w0 | tr '+/' '-_' | tr -d '=')

mkdir -p "$OUT/nginx/tmp"
cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx/tmp/body; proxy_temp_path $OUT/nginx/tmp/proxy;
  fastcgi_temp_path $OUT/nginx/tmp/fcgi; uwsgi_temp_path $OUT/nginx/tmp/uwsgi; scgi_temp_path $OUT/nginx/tmp/scgi;
  upstream runner { server $RUNNER; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://runner; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon off;' &
PIDS+=($!)
sleep 1

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

HEARTH_URL="http://127.0.0.1:$HEARTH_PORT/v1/runtimes/one-kb/executions"
# Sanity: every path answers 200 with the function's 1 KB.
curl -sf -X POST "http://$RUNNER/v1/execute" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
curl -sf -X POST "http://127.0.0.1:$NGINX_PORT/v1/execute" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
curl -sf -X POST "$HEARTH_URL" -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -d '{}' -o /dev/null

run() { # name script url
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$2" "$3" > "$OUT/$1.txt"
  python3 - "$1" "$OUT/$1.txt" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def pct(p):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"{name}\t{rps:.0f}\t{pct(50):.2f}\t{pct(99):.2f}\t{errors.group(1) if errors else 0}")
PY
}

echo "warming up (JIT) ..." >&2
wrk -t1 -c"$CONNECTIONS" -d30s -s "$OUT/hearth-multipart.lua" "$HEARTH_URL" > /dev/null
wrk -t1 -c"$CONNECTIONS" -d10s -s "$OUT/hearth-json.lua" "$HEARTH_URL" > /dev/null
wrk -t1 -c"$CONNECTIONS" -d5s -s "$OUT/direct.lua" "http://127.0.0.1:$NGINX_PORT/v1/execute" > /dev/null

{
  run direct "$OUT/direct.lua" "http://$RUNNER/v1/execute"
  run nginx "$OUT/direct.lua" "http://127.0.0.1:$NGINX_PORT/v1/execute"
  run hearth-multipart "$OUT/hearth-multipart.lua" "$HEARTH_URL"
  run hearth-json "$OUT/hearth-json.lua" "$HEARTH_URL"
} > "$OUT/results.tsv"

python3 - "$OUT/results.tsv" "$DURATION" "$CONNECTIONS" <<'PY'
import sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
nginx = next(float(r[1]) for r in rows if r[0] == "nginx")
print(f"wrk -t1 -c{sys.argv[3]} -d{sys.argv[2]}s, 1 KB response, loopback\n")
print("| path | req/s | p50 ms | p99 ms | non-2xx | req/s ÷ nginx |")
print("|---|---|---|---|---|---|")
for name, rps, p50, p99, errors in rows:
    print(f"| {name} | {rps} | {p50} | {p99} | {errors} | {float(rps) / nginx:.2f} |")
PY
