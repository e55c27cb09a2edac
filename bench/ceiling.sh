#!/usr/bin/env bash
# What the stack costs before Hearth's own work: the runner's execute path reached directly, through nginx
# proxy_pass, through a minimal Reactor Netty proxy (bench/ceiling/MinimalProxy.java: forward and stream back, nothing
# else) and through Hearth's Open Runtimes execution API (JSON answer), all in one run, wrk -t1 -cN after warm-up.
# Usage: bench/ceiling.sh [seconds] [connections]
source "$(dirname "$0")/lib.sh"
DURATION=${1:-15}
CONNECTIONS=${2:-32}
HEARTH_PORT=${CEILING_HEARTH_PORT:-18580}
NGINX_PORT=${CEILING_NGINX_PORT:-18590}
PROXY_PORT=${CEILING_PROXY_PORT:-18591}
need wrk wrk; need nginx nginx; need node nodejs
build_jar

start_hearth "$HEARTH_PORT" bench/node
create_runtime "$HEARTH_PORT" one-kb bench/node "$BENCH_DIR/functions/one-kb"
RUNNER=$(runner_address "$HEARTH_PORT" one-kb)
KEY=$(runtime_key "$HEARTH_PORT" one-kb)
REQUEST=$(printf '%s' '{"method":"GET","path":"/","headers":{},"timeoutMs":15000}' | base64 -w0 | tr '+/' '-_' | tr -d '=')

# The proxy runs from source against the gateway jar's own Reactor Netty and Netty.
mkdir -p "$OUT/lib"
(cd "$OUT/lib" && unzip -qj "$JAR" 'BOOT-INF/lib/reactor-*' 'BOOT-INF/lib/netty-*' 'BOOT-INF/lib/reactive-streams-*' 'BOOT-INF/lib/slf4j-api-*')
java -cp "$OUT/lib/*" "$BENCH_DIR/ceiling/MinimalProxy.java" "$PROXY_PORT" "${RUNNER%:*}" "${RUNNER#*:}" > "$OUT/proxy.log" 2>&1 &
PIDS+=($!)

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
for _ in $(seq 1 100); do grep -q listening "$OUT/proxy.log" 2>/dev/null && break; sleep 0.2; done

cat > "$OUT/direct.lua" <<LUA
wrk.method = "POST"
wrk.headers["x-hearth-secret"] = "$KEY"
wrk.headers["x-hearth-request"] = "$REQUEST"
LUA
cat > "$OUT/hearth.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"path":"/","method":"GET"}'
wrk.headers["content-type"] = "application/json"
wrk.headers["accept"] = "application/json"
wrk.headers["authorization"] = "Bearer $SECRET"
LUA
HEARTH_URL="http://127.0.0.1:$HEARTH_PORT/v1/runtimes/one-kb/executions"
PROXY_URL="http://127.0.0.1:$PROXY_PORT/v1/execute"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/v1/execute"
for url in "http://$RUNNER/v1/execute" "$NGINX_URL" "$PROXY_URL"; do
  curl -sf -X POST "$url" -H "x-hearth-secret: $KEY" -H "x-hearth-request: $REQUEST" -o /dev/null
done
curl -sf -X POST "$HEARTH_URL" -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -d '{}' -o /dev/null

echo "warming up (JIT) ..." >&2
warm_up "$OUT/direct.lua" "$PROXY_URL" "$CONNECTIONS"
warm_up "$OUT/hearth.lua" "$HEARTH_URL" "$CONNECTIONS"

run() { # name script url
  local out rps p50 p99
  out=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$2" "$3")
  rps=$(sed -nE 's/Requests\/sec:\s+([0-9.]+).*/\1/p' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out"); p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  printf '%s\t%s\t%s\t%s\n' "$1" "$rps" "$p50" "$p99"
}
{
  run direct "$OUT/direct.lua" "http://$RUNNER/v1/execute"
  run nginx "$OUT/direct.lua" "$NGINX_URL"
  run reactor-netty-proxy "$OUT/direct.lua" "$PROXY_URL"
  run hearth-json "$OUT/hearth.lua" "$HEARTH_URL"
} > "$OUT/results.tsv"

echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s, 1 KB response, loopback, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| path | req/s | p50 | p99 | req/s ÷ nginx |"
echo "|---|---|---|---|---|"
nginx_rps=$(awk -F'\t' '$1 == "nginx" {print $2}' "$OUT/results.tsv")
awk -F'\t' -v n="$nginx_rps" '{printf "| %s | %.0f | %s | %s | %.2f |\n", $1, $2, $3, $4, $2 / n}' "$OUT/results.tsv"
