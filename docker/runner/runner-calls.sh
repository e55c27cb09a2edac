# The calls a pod's first minute makes to a runner, for the scripts that drive one before any gateway exists:
# build-dist.sh (the class archive's training run) and bench/runner-start.sh. Sourced; needs curl, tar, base64.
# The headers are PROTOCOL.md's: the secret, and the specialization and request as base64url JSON.

SECRET=${SECRET:-build-dist}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# specialize_exec URL SCRATCH: specializes the runner with an exec function (a sh script that echoes its
# body after $GREETING and logs the request to stderr), packed as tar.gz under SCRATCH.
specialize_exec() {
  local url=$1 scratch=$2 spec
  mkdir -p "$scratch/code"
  echo 'body=$(cat); echo "handled $REQUEST_METHOD $PATH_INFO" >&2; printf "%s, %s" "$GREETING" "$body"' \
    >"$scratch/code/main.sh"
  tar -czf "$scratch/code.tar.gz" -C "$scratch/code" main.sh
  spec=$(echo '{"adapter":"exec","command":"sh main.sh","entrypoint":"main.sh","env":{"GREETING":"hello"},"startTimeoutMs":10000}' | b64url)
  curl -fsS --max-time 20 -H "x-hearth-secret: $SECRET" -H "x-hearth-specialization: $spec" \
      -H 'content-type: application/gzip' --data-binary "@$scratch/code.tar.gz" "$url/v1/specialize" >/dev/null
}

execution_request() { echo '{"method":"POST","path":"/warm","headers":{},"timeoutMs":10000}' | b64url; }

# execute_once URL BODY: one execution; prints the response frames.
execute_once() {
  curl -fsS --max-time 20 -H "x-hearth-secret: $SECRET" -H "x-hearth-request: $(execution_request)" \
      --data-binary "$2" "$1/v1/execute"
}

# execute_loop URL N: N executions on one keep-alive connection (one curl); prints the mean ms per execution.
execute_loop() {
  local url=$1 n=$2 urls=() t0 t1
  for _ in $(seq "$n"); do urls+=("$url/v1/execute"); done
  t0=$EPOCHREALTIME
  curl -fsS --max-time 120 -H "x-hearth-secret: $SECRET" -H "x-hearth-request: $(execution_request)" \
      --data-binary "loop" "${urls[@]}" >/dev/null
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }'
}
