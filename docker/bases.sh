#!/usr/bin/env bash
# Makes the local base images the tests build Hearth's images from; nothing is pulled (there is no registry to pull
# from). Idempotent: an image whose recipe and inputs have not changed is left as it is.
#
#   docker/bases.sh            # against $DOCKER_HOST (eval "$(.ci/docker-engine start)" sets it)
#
#   hearth-local/busybox:1         Debian's busybox-static, every applet linked, /tmp; CMD /bin/sh (0.3 s)
#   hearth-local/debian:bookworm   debootstrap --variant=minbase from the mirror apt is configured with, its apt
#                                  sources the host's (bookworm, -updates, -security); CMD bash
#
# The Debian root filesystem is cached as a tarball in $HEARTH_CI_CACHE (/var/cache/hearth-ci), keyed by the
# suite, mirrors, debootstrap's version and this recipe, and rebuilt when older than $HEARTH_BASES_MAX_AGE_DAYS
# (7: security updates). Each image carries its key in the label dev.hearth.base.key; a different key re-imports.
set -euo pipefail

cache=${HEARTH_CI_CACHE:-/var/cache/hearth-ci}
max_age_days=${HEARTH_BASES_MAX_AGE_DAYS:-7}
suite=bookworm
recipe=1   # bump when the way a base is made changes

say() { echo "bases: $*" >&2; }

missing=()
command -v docker >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
[ -x /bin/busybox ] && dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  say "missing: ${missing[*]} (apt-get install -y ${missing[*]}; .ci/run installs them)"
  exit 1
fi
docker version --format '{{.Server.Version}}' >/dev/null || {
  say "no Docker Engine at ${DOCKER_HOST:-the default socket}: eval \"\$(.ci/docker-engine start)\" first"
  exit 1
}

image_key() {
  docker image inspect --format '{{index .Config.Labels "dev.hearth.base.key"}}' "$1" 2>/dev/null || true
}

# The URIs of the apt sources (deb822 .sources files, then one-line .list files) that serve one suite.
mirror_for() {
  local want=$1 uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v want="$want" '
    function flush() { if (deb && uris != "" && (" " suites " ") ~ (" " want " ")) { print uris; found = 1; exit } }
    /^[[:space:]]*$/ { flush(); deb = 0; uris = ""; suites = ""; next }
    /^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
    /^URIs:/ { sub(/^URIs:[[:space:]]*/, ""); split($0, u, /[[:space:]]+/); uris = u[1] }
    /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
    END { if (!found) flush() }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk -v want="$want" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                                           if ($(i + 1) == want) { print $i; exit } }')
  fi
  echo "$uri"
}

busybox_base() {
  local tag=hearth-local/busybox:1 key version dir
  version=$(dpkg-query -W -f '${Version}' busybox-static)
  key="recipe=$recipe busybox-static=$version"
  if [ "$(image_key "$tag")" = "$key" ]; then
    say "$tag is up to date ($key)"
    return
  fi
  dir=$(mktemp -d)
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/opt"
  chmod 1777 "$dir/tmp"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  tar -C "$dir" --numeric-owner -c . \
    | docker import -c 'CMD ["/bin/sh"]' -c "LABEL dev.hearth.base.key=\"$key\"" - "$tag" >/dev/null
  rm -rf "$dir"
  say "imported $tag ($key)"
}

debian_rootfs() {
  local tarball=$1 mirror=$2 security=$3 dir
  dir=$(mktemp -d "$cache/rootfs.XXXXXX")
  say "debootstrap --variant=minbase $suite from $mirror (about 90 s)"
  debootstrap --variant=minbase "$suite" "$dir" "$mirror" >"$cache/debootstrap.log" 2>&1 || {
    say "debootstrap failed; its log ($cache/debootstrap.log):"
    tail -50 "$cache/debootstrap.log" >&2
    rm -rf "$dir"
    exit 1
  }
  {
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    [ -z "$security" ] || echo "deb $security $suite-security main"
  } >"$dir/etc/apt/sources.list"
  # As Debian's images: no apt caches or lists in the image, no docs, no recommends.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log
  echo 'APT::Install-Recommends "false";' >"$dir/etc/apt/apt.conf.d/90hearth-no-recommends"
  tar -C "$dir" --numeric-owner -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  rm -rf "$dir"
}

debian_base() {
  local tag=hearth-local/debian:$suite mirror security key hash tarball
  mirror=$(mirror_for "$suite")
  mirror=${mirror:-http://deb.debian.org/debian}
  security=$(mirror_for "$suite-security")
  key="recipe=$recipe suite=$suite variant=minbase mirror=$mirror security=$security arch=$(dpkg --print-architecture)"
  key="$key debootstrap=$(dpkg-query -W -f '${Version}' debootstrap)"
  hash=$(echo "$key" | sha256sum | cut -c1-16)
  mkdir -p "$cache"
  tarball=$cache/debian-$suite-minbase-$hash.tar
  if [ -f "$tarball" ] && [ -n "$(find "$tarball" -mtime +"$max_age_days")" ]; then
    say "$tarball is older than $max_age_days days: rebuilding it"
    rm -f "$tarball"
  fi
  if [ ! -f "$tarball" ]; then
    find "$cache" -maxdepth 1 -name "debian-$suite-minbase-*.tar*" -delete
    debian_rootfs "$tarball" "$mirror" "$security"
  fi
  # The tarball's age belongs to the key: a rebuilt tarball re-imports.
  key="$key built=$(date -u -r "$tarball" +%FT%TZ)"
  if [ "$(image_key "$tag")" = "$key" ]; then
    say "$tag is up to date ($tarball)"
    return
  fi
  docker import -c 'CMD ["bash"]' -c "LABEL dev.hearth.base.key=\"$key\"" "$tarball" "$tag" >/dev/null
  say "imported $tag from $tarball"
}

busybox_base
debian_base
