#!/usr/bin/env bash
# Builds the runner distribution: the directory the init container copies to /opt/hearth of every runtime
# pod, where the pool's image (any libc, or none) runs /opt/hearth/runner.
#
#   build-dist.sh --out DIR [--prefix /opt/hearth] JAR...
#
# JAR...    the runner jar and its runtime dependencies, including an SLF4J binding, in class-path order
# --out     the distribution directory to create (it must not exist)
# --prefix  where the distribution will be mounted; the ELF interpreter path is absolute, so the
#           distribution works only there. The script runs the result there once (see app/runner.jsa): in
#           place when --out equals --prefix (the Docker build), otherwise in a private mount namespace
#           (unshare) where --out is mounted at --prefix.
#
# Needs a JDK 17 with jmods or a JDK 25 (JAVA_HOME, or the one javac belongs to; the JRE is linked from it), gcc
# with a static libc, patchelf, ldd, curl, tar, base64; and unshare and mount when --out differs from --prefix
# (as root, or where unprivileged user namespaces are allowed).
#
# Layout:
#   runner          static launcher (runner.c)
#   jre/            jlink'd JRE; every ELF in it has its interpreter set to glibc/ld-linux-x86-64.so.2 and a
#                   DT_RPATH reaching glibc/. DT_RPATH rather than DT_RUNPATH: it is searched before
#                   LD_LIBRARY_PATH, and also for the libraries glibc itself dlopens (NSS modules, libgcc_s).
#   glibc/          the glibc the JRE links against and every other library ldd reports for the JRE's ELFs
#                   and for the native libraries inside the jars, NSS modules, libgcc_s (glibc dlopens it to
#                   unwind threads), the C.UTF-8 locale, licences
#   app/            the jars, with a fixed mtime; runner.jsa, a dynamic AppCDS archive of the runner's classes
#                   (JDK 17), or runner.aot, an ahead-of-time cache (JDK 25)
#   build-info.txt  versions and contents, for whoever debugs a pod
set -euo pipefail

die() { echo "build-dist.sh: $*" >&2; exit 1; }

prefix=/opt/hearth
out=
jars=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    -*) die "unknown option $1" ;;
    *) jars+=("$1"); shift ;;
  esac
done
[ -n "$out" ] || die "--out DIR is required"
[ ${#jars[@]} -gt 0 ] || die "no jars given"
[ ! -e "$out" ] || die "$out already exists"
case "$prefix" in /*) ;; *) die "--prefix must be absolute, but was $prefix" ;; esac

here=$(cd "$(dirname "$0")" && pwd)
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
for tool in "$java_home/bin/jlink" "$java_home/bin/jdeps"; do
  [ -x "$tool" ] || die "$tool not found: JAVA_HOME must be a JDK 17 or 25"
done
feature=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -nE 's/^ *java.specification.version = //p')
# JDK 25 links from its own run-time image when it has no jmods (JEP 493; Temurin 25 ships none).
jmods=()
if [ -d "$java_home/jmods" ]; then jmods=(--module-path "$java_home/jmods")
elif [ "$feature" -lt 25 ]; then die "$java_home/jmods not found (Debian: apt-get install openjdk-17-jmods)"; fi
command -v patchelf >/dev/null || die "patchelf not found (apt-get install patchelf)"
command -v gcc >/dev/null || die "gcc not found (apt-get install gcc)"
command -v ldd >/dev/null || die "ldd not found (apt-get install libc-bin)"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"

mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- app/ -------------------------------------------------------------------------------------------
# The class path is compiled into the launcher in the order the jars were given: app/runner.jsa is accepted
# only with the class path it was dumped with, and a wildcard would follow the directory's order, which a copy
# may change. Every jar gets one fixed mtime, so that a rebuild from the same jars produces the same app/;
# JDK 17 rejects the archive when a jar's size or mtime differs from dump time, which is why the init
# container installs with `cp -Rp`.
jar_mtime=2000-01-01T00:00:00Z
mkdir "$out/app"
app_classpath=
for jar in "${jars[@]}"; do
  [ -f "$jar" ] || die "not a file: $jar"
  name=$(basename "$jar")
  [[ "$name" =~ ^[A-Za-z0-9._+-]+\.jar$ ]] || die "jar names are compiled into the launcher: $name has other characters"
  [ ! -e "$out/app/$name" ] || die "two jars named $name"
  cp "$jar" "$out/app/$name"
  touch -d "$jar_mtime" "$out/app/$name"
  app_classpath=${app_classpath:+$app_classpath:}$prefix/app/$name
done

# --- jre/ -------------------------------------------------------------------------------------------
# Every module a class or a module descriptor of the jars requires: --list-deps, not the reduced
# --print-module-deps, because a module that only a dropped one brought in (java.xml) must stay.
# Dropped: java.desktop, which the descriptors of commons-compress and commons-lang3 require but only lang3's
# AbstractCircuitBreaker uses (never loaded by the runner), and java.sql, optional for Jackson
# (`requires static`). That leaves AWT's native libraries and their system dependencies out.
# RunnerDistributionIT runs the result: a module missing on a path it covers fails there.
classpath=$(IFS=:; echo "${jars[*]}")
modules=$("$java_home/bin/jdeps" --list-deps --ignore-missing-deps --multi-release 17 \
    --class-path "$classpath" "${jars[@]}" 2>/dev/null \
  | sed -nE 's/^ +((java|jdk)\.[a-z0-9.]+)$/\1/p' \
  | grep -vxE 'java\.desktop|java\.sql|java\.sql\.rowset' | sort -u | paste -sd, -)
[ -n "$modules" ] || die "jdeps found no modules"
"$java_home/bin/jlink" "${jmods[@]}" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files "--compress=$([ "$feature" -ge 21 ] && echo zip-0 || echo 0)" \
  --output "$out/jre"

# The JDK's CDS archive, dumped with the launcher's GC so that it maps at start. It does not depend on the C
# library, so it is made here, while the JRE still runs on the build machine's loader.
"$out/jre/bin/java" -XX:+UseSerialGC -Xshare:dump >/dev/null

is_elf() { [ "$(od -An -N4 -tx1 "$1" | tr -d ' \n')" = 7f454c46 ]; }
mapfile -t elves < <(find "$out/jre" -type f | sort | while read -r f; do if is_elf "$f"; then echo "$f"; fi; done)
[ ${#elves[@]} -gt 0 ] || die "no ELF files in the JRE"

# Native libraries inside the jars (Netty's epoll transport) are extracted and dlopened at run time, so
# what they link against (libdl, librt) is bundled too; java's DT_RPATH covers their lookups.
natives=$(mktemp -d)
stage=
trap 'rm -rf "$natives"; if [ -n "$stage" ]; then rmdir "$stage"; fi' EXIT
for jar in "${jars[@]}"; do
  mapfile -t entries < <("$java_home/bin/jar" tf "$jar" | grep -E '\.so$' || true)
  if [ ${#entries[@]} -gt 0 ]; then
    jar_path=$(realpath "$jar")
    (cd "$natives" && "$java_home/bin/jar" xf "$jar_path" "${entries[@]}")
  fi
done
mapfile -t jar_natives < <(find "$natives" -type f -name '*.so' | while read -r f; do if is_elf "$f"; then echo "$f"; fi; done)

# --- glibc/ -----------------------------------------------------------------------------------------
mkdir "$out/glibc"
interpreter=
declare -A libraries=()
for elf in "${elves[@]}" "${jar_natives[@]}"; do
  while read -r line; do
    case "$line" in
      *"not found"*)
        # libjvm.so is loaded before the JRE's other libraries, which ldd alone cannot know.
        [ -n "$(find "$out/jre" -name "${line%% *}" -print -quit)" ] || die "ldd: $elf: $line"
        continue ;;
      *"=> "/*) name=${line%% *}; path=${line#*=> }; path=${path%% (*} ;;
      /*) path=${line%% (*}; name=$(basename "$path"); interpreter=$name ;;
      *) continue ;;
    esac
    case "$path" in "$out"/*) continue ;; esac
    libraries[$name]=$path
  done < <(ldd "$elf" 2>/dev/null || true)
done
[ -n "$interpreter" ] || die "ldd reported no ELF interpreter for the JRE"
libc_dir=$(dirname "${libraries[libc.so.6]:?ldd reported no libc.so.6}")
for extra in libgcc_s.so.1 libnss_files.so.2 libnss_dns.so.2 libnss_compat.so.2; do
  if [ -e "$libc_dir/$extra" ]; then libraries[$extra]=$libc_dir/$extra; fi
done
mkdir "$out/glibc/legal"
for name in "${!libraries[@]}"; do
  path=${libraries[$name]}
  cp -L "$path" "$out/glibc/$name"
  package=$( (dpkg -S "$path" || dpkg -S "$(readlink -f "$path")") 2>/dev/null | head -1 | cut -d: -f1 || true)
  if [ -n "$package" ] && [ -f "/usr/share/doc/$package/copyright" ]; then
    cp "/usr/share/doc/$package/copyright" "$out/glibc/legal/$package.copyright"
  fi
done
# glibc's C.UTF-8 is a locale on disk, not built in: the launcher points LOCPATH here.
locale_src=/usr/lib/locale/C.utf8
[ -d "$locale_src" ] || die "$locale_src not found (Debian: it comes with libc-bin)"
mkdir "$out/glibc/locale"
cp -r "$locale_src" "$out/glibc/locale/C.utf8"

# --- patch the JRE's ELFs ---------------------------------------------------------------------------
for elf in "${elves[@]}"; do
  to_glibc=$(realpath --relative-to="$(dirname "$elf")" "$out/glibc")
  own=$(patchelf --print-rpath "$elf")
  patchelf --force-rpath --set-rpath "${own:+$own:}\$ORIGIN/$to_glibc" "$elf"
  if patchelf --print-interpreter "$elf" >/dev/null 2>&1; then
    patchelf --set-interpreter "$prefix/glibc/$interpreter" "$elf"
  fi
done

# --- runner -----------------------------------------------------------------------------------------
gcc -static -Os -s -Wall -Wextra -Werror -DHEARTH_HOME="\"$prefix\"" -DHEARTH_CLASSPATH="\"$app_classpath\"" \
    -o "$out/runner" "$here/runner.c" \
  || die "static link of runner.c failed (Debian: apt-get install gcc libc6-dev)"
if patchelf --print-interpreter "$out/runner" >/dev/null 2>&1; then
  die "runner is not statically linked"
fi

# --- app/runner.jsa (JDK 17) or app/runner.aot (JDK 25) -------------------------------------------------
# An archive of the classes the runner loads while it starts, answers health, is specialized with an exec
# function and runs it: the runner answers health in about half the time with it (docker/README.md). JDK 17
# writes a dynamic AppCDS archive (runner.jsa) when the JVM exits; JDK 25 an ahead-of-time cache (runner.aot,
# JEPs 483/514/515: the classes loaded and linked, and their profiles). The launcher itself runs here, so that
# flags and class path are a pod's; that works only at the prefix, where the JRE's interpreter path points. The
# launcher passes the archive when it exists and the JVM starts without it when it does not fit (runner.c); the
# second run, with -Xshare:on / -XX:AOTMode=on, fails instead, and proves that the runner's classes come from it.
if [ "$feature" -ge 25 ]; then
  app_archive=runner.aot dump_flag=-XX:AOTCacheOutput= check_flags=-XX:AOTMode=on loaded_from='shared objects file'
else
  app_archive=runner.jsa dump_flag=-XX:ArchiveClassesAtExit= check_flags=-Xshare:on loaded_from='shared objects file (top)'
fi
read -r -d '' dump_script <<'SCRIPT' || true
set -euo pipefail
prefix=$1 archive=$prefix/app/$2 dump_flag=$3 check_flags=$4 loaded_from=$5
scratch=$(mktemp -d)
pid=
log=/dev/null
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi; rm -rf "$scratch"' EXIT
fail() { echo "build-dist.sh: $archive: $1; the runner's output:" >&2; cat "$log" >&2; exit 1; }

# Starts the launcher with HEARTH_RUNNER_JAVA_OPTS=$1 and waits for health; sets pid, log and url.
start() {
  log=$scratch/$2.log
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HEARTH_RUNNER_SECRET=$SECRET HEARTH_RUNNER_HOST=127.0.0.1 \
      HEARTH_RUNNER_PORT=0 HEARTH_RUNNER_WORK_DIR="$scratch/$2" HEARTH_RUNNER_JAVA_OPTS="$1" \
      "$prefix/runner" >"$log" 2>&1 &
  pid=$!
  local port=
  for _ in $(seq 300); do
    port=$(sed -nE 's/.*runner listening on [^ ]*:([0-9]+) .*/\1/p' "$log")
    if [ -n "$port" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  [ -n "$port" ] || fail "the runner did not start"
  url=http://127.0.0.1:$port
  curl -fsS --max-time 10 "$url/v1/health" | grep -q '"status":"ok"' || fail "health did not answer"
}

# What a pod does first: one specialization with an exec function, a few executions, the log.
exercise() {
  specialize_exec "$url" "$scratch" || fail "specialize failed"
  for i in 1 2 3; do
    execute_once "$url" "request $i" >"$scratch/frames" || fail "execute failed"
    grep -aq "hello, request $i" "$scratch/frames" || fail "execute answered without the function's output"
  done
  curl -fsS --max-time 10 -H "x-hearth-secret: $SECRET" "$url/v1/logs" | grep -q 'handled POST /warm' \
    || fail "the log lacks the function's stderr"
}

# SIGTERM, as the kubelet stops a pod: the JVM runs its shutdown hooks and exits, writing the archive.
stop() {
  local status=0
  kill -TERM "$pid"
  wait "$pid" || status=$?
  pid=
  [ "$status" = 143 ] || fail "the runner exited with $status after SIGTERM"
}

start "$dump_flag$archive" dump
exercise
stop
[ -s "$archive" ] || fail "the JVM wrote no archive"
start "$check_flags -Xlog:class+load=info" check
grep -q "dev.hearth.runner.RunnerMain source: $loaded_from" "$log" \
  || fail "the runner's classes were not loaded from the archive"
stop
SCRIPT
# The calls of the training run are bench/runner-start.sh's too; inlined, since $here may be hidden below.
dump_script="$(cat "$here/runner-calls.sh")"$'\n'"$dump_script"
dump_args=("$app_archive" "$dump_flag" "$check_flags" "$loaded_from")

if [ "$out" = "$prefix" ]; then
  bash -c "$dump_script" dump "$prefix" "${dump_args[@]}" || die "could not make app/$app_archive"
else
  # $out is mounted at $prefix in a mount namespace of its own. Where $prefix does not exist, a tmpfs on its
  # parent provides the mount point, hiding the parent's contents in that namespace only; $out is reached
  # through a bind mount made before.
  stage=$(mktemp -d)
  userns=()
  [ "$(id -u)" = 0 ] || userns=(--user --map-root-user)
  unshare "${userns[@]}" --mount -- bash -c '
      set -euo pipefail
      out=$1 prefix=$2 stage=$3
      if [ -d "$prefix" ]; then
        mount --bind "$out" "$prefix"
      else
        parent=$(dirname "$prefix")
        [ -d "$parent" ] && [ "$parent" != / ] || { echo "neither $prefix nor $parent exists" >&2; exit 1; }
        case "$stage/" in "$parent"/*)
          echo "$prefix does not exist, and a tmpfs on $parent would hide $stage: create $prefix" >&2; exit 1 ;;
        esac
        mount --bind "$out" "$stage"
        mount -t tmpfs -o mode=0755 tmpfs "$parent"
        mkdir "$prefix"
        mount --move "$stage" "$prefix"
      fi
      exec bash -c "$4" dump "$prefix" "${@:5}"' \
    mount "$out" "$prefix" "$stage" "$dump_script" "${dump_args[@]}" \
    || die "could not make app/$app_archive with $out mounted at $prefix (needs unshare and mount: root, or user namespaces)"
fi

chmod -R a+rX,go-w "$out"
{
  echo "prefix: $prefix"
  echo "java: $("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
  echo "glibc: $(ldd --version | head -1)"
  echo "modules: $modules"
  echo "libraries: $(cd "$out/glibc" && find . -maxdepth 1 -type f -printf '%f\n' | sort | paste -sd' ' -)"
  echo "class path: $app_classpath"
  echo "app archive: $app_archive, $(stat -c %s "$out/app/$app_archive") bytes, jars' mtime $jar_mtime"
} >"$out/build-info.txt"
echo "runner distribution: $out ($(du -sh "$out" | cut -f1))"
