#!/usr/bin/env bash
# Warm pod cost: start to healthy and resident memory of the runner distribution, per variant, interleaved.
#
#   bench/runner-start.sh [--runs N] [--dist DIR] [--dist25 DIR] [--before DIR] [--only NAME,...] [--list]
#
# Each run installs the distribution as a pod's init container does (`cp -Rp` into a fresh directory), mounts it
# at /opt/hearth in a private mount namespace (the prefix compiled into the launcher; the host's /opt is not
# touched), starts /opt/hearth/runner with the variant's HEARTH_RUNNER_JAVA_OPTS and measures:
#   start   from exec of the launcher to the first 200 of GET /v1/health (polled every 5 ms from bash itself,
#           no curl process per poll, so the poller costs the runner little CPU)
#   rss     VmRSS at that moment, and its split RssAnon / RssFile (file pages: the JRE's libraries and the clean
#           pages of the class archives, which the kernel may reclaim; anon: heap, metaspace, stacks, code, and
#           the archive pages the JVM wrote to)
#   rss1    VmRSS after one specialization with an `exec` function and one execution (build-dist.sh's training)
#   exec    mean ms per execution over 20 executions on one keep-alive connection (does a variant cost speed?)
# Variants run round-robin (run 1 of every variant, then run 2, ...), so load from other work spreads evenly.
# Prints median (min–max) per variant and the ratio of medians against `shipped`, measured in the same run.
#
# --dist    a distribution build-dist.sh made (default: built here from runner-protocol/target with JDK 17)
# --dist25  the same built with JDK 25 (JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 build-dist.sh); adds the
#           variants named jdk25-*
# --before  a distribution of an earlier commit (its launcher's flags, its runner): adds the variant `before`
# HEARTH_BENCH_LOGS=DIR keeps the output of each variant's last runner there (e.g. with -Xlog:class+load in OPTS).
# Needs root or unprivileged user namespaces (unshare), curl, cp, tar, base64.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

runs=11 dist= dist25= before= only= list=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --dist) dist=$2; shift 2 ;;
    --dist25) dist25=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --list) list=1; shift ;;
    *) echo "usage: $0 [--runs N] [--dist DIR] [--dist25 DIR] [--before DIR] [--only NAME,...] [--list]" >&2; exit 2 ;;
  esac
done

# name|distribution (17, 25 or before)|HEARTH_RUNNER_JAVA_OPTS appended to the launcher's flags. The first is the reference.
VARIANTS=(
  "shipped|17|"
  "before|before|"
  "reloc1|17|-XX:ArchiveRelocationMode=1"
  "netty-jfr|17|-Dio.netty.jfr.enabled=true"
  "unpooled|17|-Dio.netty.allocator.type=unpooled"
  "one-loop|17|-Dreactor.netty.ioWorkerCount=1 -Dreactor.netty.ioSelectCount=1"
  "small-native|17|-XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:CICompilerCount=1 -Xss256k"
  "xms4m|17|-Xms4m"
  "young1m|17|-Xms4m -Xmn1m"
  "unpooled-young1m|17|-Dio.netty.allocator.type=unpooled -Xms4m -Xmn1m"
  "xint|17|-Xint"
  "no-app-cds|17|-XX:SharedArchiveFile=/opt/hearth/jre/lib/server/classes.jsa"
  "jdk25-aot|25|"
  "jdk25-aot-reloc1|25|-XX:ArchiveRelocationMode=1"
)
if [ -n "$list" ]; then printf '%s\n' "${VARIANTS[@]}"; exit 0; fi

# The mounts below are private to this process: re-run inside a mount namespace of its own.
if [ -z "${HEARTH_BENCH_NS:-}" ]; then
  userns=()
  [ "$(id -u)" = 0 ] || userns=(--user --map-root-user)
  exec unshare "${userns[@]}" --mount env HEARTH_BENCH_NS=1 bash "$0" --runs "$runs" \
    ${dist:+--dist "$dist"} ${dist25:+--dist25 "$dist25"} ${before:+--before "$before"} ${only:+--only "$only"}
fi

work=$(mktemp -d /tmp/hearth-runner-start.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  umount /opt/hearth 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$dist" ]; then
  jar=$(ls "$ROOT"/runner-protocol/target/hearth-runner-protocol-*-SNAPSHOT.jar | grep -v tests | head -1)
  [ -f "$jar" ] || { echo "no runner jar: ./mvnw -o -q package -pl runner-protocol -am -DskipTests" >&2; exit 1; }
  dist=$work/dist17
  "$ROOT/docker/runner/build-dist.sh" --out "$dist" "$jar" $(ls "$ROOT"/runner-protocol/target/runner-lib/*.jar | sort) \
    >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
fi

if [ -d /opt/hearth ]; then :; else
  mount -t tmpfs -o mode=0755 tmpfs /opt   # in this namespace only: a mount point for /opt/hearth
  mkdir /opt/hearth
fi

selected=()
for v in "${VARIANTS[@]}"; do
  IFS='|' read -r name jdk _ <<<"$v"
  if [ -n "$only" ] && ! [[ ",$only," == *",$name,"* ]]; then continue; fi
  if [ "$jdk" = 25 ] && [ -z "$dist25" ]; then continue; fi
  if [ "$jdk" = before ] && [ -z "$before" ]; then continue; fi
  selected+=("$v")
done

SECRET=bench-runner-start
source "$ROOT/docker/runner/runner-calls.sh"

# health PORT: 0 when GET /v1/health answered 200, through bash's /dev/tcp (no process started).
health() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /v1/health HTTP/1.1\r\nHost: runner\r\nConnection: close\r\n\r\n' >&3
  IFS= read -r -t 2 line <&3 || true
  exec 3<&-
  [[ "$line" == *" 200 "* ]]
}

kb() { sed -nE "s/^$1:[[:space:]]*([0-9]+) kB/\1/p" "/proc/$pid/status"; }

# run NAME DIST OPTS: one measured start; appends "name start_ms rss anon file rss1 exec_ms" to results.
run() {
  local name=$1 from=$2 opts=$3 inst=$work/inst port start rss anon file rss1 exec_ms t0 t1
  rm -rf "$inst" && mkdir "$inst" && cp -Rp "$from/." "$inst/"
  mount --bind "$inst" /opt/hearth
  # A port nobody listens on: an answer from another process would end the measurement early.
  port=$((20000 + RANDOM % 20000))
  while { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; do exec 3<&-; port=$((20000 + RANDOM % 20000)); done
  rm -rf "$work/wd"
  t0=$EPOCHREALTIME
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HEARTH_RUNNER_SECRET="$SECRET" HEARTH_RUNNER_HOST=127.0.0.1 \
      HEARTH_RUNNER_PORT="$port" HEARTH_RUNNER_WORK_DIR="$work/wd" HEARTH_RUNNER_JAVA_OPTS="$opts" \
      /opt/hearth/runner >"$work/runner.log" 2>&1 &
  pid=$!
  until health "$port"; do
    kill -0 "$pid" 2>/dev/null || { echo "$name: the runner exited:" >&2; cat "$work/runner.log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$EPOCHREALTIME
  rss=$(kb VmRSS) anon=$(kb RssAnon) file=$(kb RssFile)
  if [ -n "${HEARTH_BENCH_LOGS:-}" ]; then cp "$work/runner.log" "$HEARTH_BENCH_LOGS/$name.log"; fi
  start=$(( (${t1/./} - ${t0/./}) / 1000 ))
  specialize_exec "http://127.0.0.1:$port" "$work"
  execute_once "http://127.0.0.1:$port" "first" >/dev/null
  rss1=$(kb VmRSS)
  exec_ms=$(execute_loop "http://127.0.0.1:$port" 20)
  kill -TERM "$pid"; wait "$pid" || true; pid=
  umount /opt/hearth
  echo "$name $start $rss $anon $file $rss1 $exec_ms" >>"$work/results"
}

echo "runner-start: $runs runs of ${#selected[@]} variants, $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for i in $(seq "$runs"); do
  for v in "${selected[@]}"; do
    IFS='|' read -r name jdk opts <<<"$v"
    case "$jdk" in 25) from=$dist25 ;; before) from=$before ;; *) from=$dist ;; esac
    run "$name" "$from" "$opts"
  done
  echo "  round $i done" >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# median (min–max) of column $2 for variant $1
stat() {
  awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$work/results" | sort -n | awk '
    { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", m, v[1], v[NR] }'
}
printf '| variant | start→healthy ms | RSS idle MB | anon / file MB | RSS after exec MB | ms/exec | start ÷ shipped | RSS ÷ shipped |\n'
printf '|---|---|---|---|---|---|---|---|\n'
read -r ref_start _ _ < <(stat shipped 2)
read -r ref_rss _ _ < <(stat shipped 3)
for v in "${selected[@]}"; do
  IFS='|' read -r name _ _ <<<"$v"
  read -r s smin smax < <(stat "$name" 2)
  read -r r rmin rmax < <(stat "$name" 3)
  read -r a _ _ < <(stat "$name" 4)
  read -r f _ _ < <(stat "$name" 5)
  read -r r1 r1min r1max < <(stat "$name" 6)
  read -r e _ _ < <(stat "$name" 7)
  awk -v n="$name" -v s="$s" -v smin="$smin" -v smax="$smax" -v r="$r" -v rmin="$rmin" -v rmax="$rmax" -v a="$a" \
      -v f="$f" -v r1="$r1" -v r1min="$r1min" -v r1max="$r1max" -v e="$e" -v rs="$ref_start" -v rr="$ref_rss" 'BEGIN {
    printf "| %s | %d (%d–%d) | %.1f (%.1f–%.1f) | %.1f / %.1f | %.1f (%.1f–%.1f) | %.2f | %.2f | %.2f |\n",
      n, s, smin, smax, r / 1024, rmin / 1024, rmax / 1024, a / 1024, f / 1024, r1 / 1024, r1min / 1024, r1max / 1024,
      e, (rs ? s / rs : 0), (rr ? r / rr : 0) }'
done
cp "$work/results" "/tmp/runner-start-results.$$" && echo "raw results: /tmp/runner-start-results.$$" >&2
