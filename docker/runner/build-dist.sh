#!/usr/bin/env bash
# Builds the runner distribution: the directory the init container copies to /opt/hearth of every runtime
# pod, where the pool's image (any libc, or none) runs /opt/hearth/runner.
#
#   build-dist.sh --out DIR [--prefix /opt/hearth] JAR...
#
# JAR...    the runner jar and its runtime dependencies, including an SLF4J binding
# --out     the distribution directory to create (it must not exist)
# --prefix  where the distribution will be mounted; the ELF interpreter path is absolute, so the
#           distribution works only there. When --out equals --prefix the result is also smoke-run.
#
# Needs a JDK 17 with jmods (JAVA_HOME, or the one javac belongs to), gcc with a static libc, patchelf, ldd.
#
# Layout:
#   runner          static launcher (runner.c)
#   jre/            jlink'd JRE; every ELF in it has its interpreter set to glibc/ld-linux-x86-64.so.2 and a
#                   DT_RPATH reaching glibc/. DT_RPATH rather than DT_RUNPATH: it is searched before
#                   LD_LIBRARY_PATH, and also for the libraries glibc itself dlopens (NSS modules, libgcc_s).
#   glibc/          the glibc the JRE links against and every other library ldd reports for the JRE's ELFs
#                   and for the native libraries inside the jars, NSS modules, libgcc_s (glibc dlopens it to
#                   unwind threads), the C.UTF-8 locale, licences
#   app/            the jars
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
  [ -x "$tool" ] || die "$tool not found: JAVA_HOME must be a JDK 17"
done
[ -d "$java_home/jmods" ] || die "$java_home/jmods not found (Debian: apt-get install openjdk-17-jmods)"
command -v patchelf >/dev/null || die "patchelf not found (apt-get install patchelf)"
command -v gcc >/dev/null || die "gcc not found (apt-get install gcc)"
command -v ldd >/dev/null || die "ldd not found (apt-get install libc-bin)"

mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- app/ -------------------------------------------------------------------------------------------
mkdir "$out/app"
for jar in "${jars[@]}"; do
  [ -f "$jar" ] || die "not a file: $jar"
  cp "$jar" "$out/app/"
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
"$java_home/bin/jlink" --module-path "$java_home/jmods" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=0 \
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
trap 'rm -rf "$natives"' EXIT
for jar in "${jars[@]}"; do
  mapfile -t entries < <("$java_home/bin/jar" tf "$jar" | grep -E '\.so$' || true)
  if [ ${#entries[@]} -gt 0 ]; then
    (cd "$natives" && "$java_home/bin/jar" xf "$(realpath "$jar")" "${entries[@]}")
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
gcc -static -Os -s -Wall -Wextra -Werror -DHEARTH_HOME="\"$prefix\"" -o "$out/runner" "$here/runner.c" \
  || die "static link of runner.c failed (Debian: apt-get install gcc libc6-dev)"
if patchelf --print-interpreter "$out/runner" >/dev/null 2>&1; then
  die "runner is not statically linked"
fi

chmod -R a+rX,go-w "$out"
{
  echo "prefix: $prefix"
  echo "java: $("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
  echo "glibc: $(ldd --version | head -1)"
  echo "modules: $modules"
  echo "libraries: $(cd "$out/glibc" && find . -maxdepth 1 -type f -printf '%f\n' | sort | paste -sd' ' -)"
  echo "jars: $(cd "$out/app" && ls | paste -sd' ' -)"
} >"$out/build-info.txt"

if [ "$out" = "$prefix" ]; then
  env -i "$out/jre/bin/java" -Xshare:auto -version
fi
echo "runner distribution: $out ($(du -sh "$out" | cut -f1))"
