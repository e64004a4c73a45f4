#!/bin/sh
# The deployment drill: docs/deployment.md (and docs/upgrade.md) followed literally on a fresh
# Debian 12 and exercised over real SSH on 127.0.0.1. Root only.
#
#   deploy/drill.sh [--keep]    in a fresh Debian root of its own (debootstrap), in namespaces of
#                               its own (mounts, processes, host name): this machine gets none of
#                               the guide's accounts, packages or files
#   deploy/drill.sh --here      on this machine itself, which must be one you can throw away
#
# The fresh root is made from a base kept in $BCC_DRILL_CACHE (default /var/cache/bcc-drill; made
# once, a few minutes) and removed afterwards (--keep leaves it and says where). It shares this
# machine's network, for apt and pip, and uses only 127.0.0.1:2222 and :2525 there.
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
for arg in "$@"; do
    if [ "$arg" = "--here" ]; then exec python3 "$src/deploy/drill.py" "$@"; fi
done
[ "$(id -u)" -eq 0 ] || { echo "drill: run as root" >&2; exit 2; }
keep=no
for arg in "$@"; do [ "$arg" = "--keep" ] && keep=yes; done

cache=${BCC_DRILL_CACHE:-/var/cache/bcc-drill}
base=$cache/bookworm-minbase.tar
if [ ! -s "$base" ]; then
    if ! command -v debootstrap >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    mkdir -p "$cache"
    work=$(mktemp -d "$cache/base.XXXXXX")
    echo "drill: making a Debian 12 base in $cache (once)" >&2
    debootstrap --variant=minbase --include=python3,ca-certificates bookworm "$work" \
        http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
        || { echo "drill: debootstrap failed, see $cache/debootstrap.log" >&2; rm -rf "$work"; exit 1; }
    tar -C "$work" -cf "$base.part" . && mv "$base.part" "$base"
    rm -rf --one-file-system "$work"
fi

root=$(mktemp -d /var/tmp/bcc-drill-root.XXXXXX)
tidy() {
    if [ "$keep" = yes ]; then
        echo "drill: the fresh root is kept in $root" >&2
    else
        rm -rf --one-file-system "$root"
    fi
}
trap tidy EXIT
tar -C "$root" -xf "$base"
chmod 0755 "$root" # a root folder everyone may enter, as / is (mktemp made it 0700)
# What a container image has and a server has from its installer: services are not started by
# package installs (the drill starts what it needs), a name server, the clock's zone.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# This machine's trust for the network it reaches (its CA bundle, pip's settings), as a server on
# the same network would be given it.
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
if [ -f /etc/pip.conf ]; then cp -L /etc/pip.conf "$root/etc/pip.conf"; fi
# The checkout, as the guide's BCC_SRC, without what the machine built in it.
mkdir "$root/src"
tar -C "$src" --exclude=./.venv --exclude=./.git --exclude='*/__pycache__' --exclude=./.ruff_cache \
    --exclude=./.mypy_cache -cf - . | tar -C "$root/src" -xf -

set +e
unshare --mount --pid --uts --ipc --fork --propagation private /bin/sh -c '
    root=$1; shift
    hostname bcc-drill
    mount -t proc proc "$root/proc" &&
    mount --rbind /dev "$root/dev" &&
    mount -t sysfs sysfs "$root/sys" &&
    mount -t tmpfs -o mode=0755 tmpfs "$root/run" &&
    mount -t tmpfs -o mode=1777 tmpfs "$root/tmp" || exit 1
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        TERM=xterm-256color python3 /src/deploy/drill.py --here "$@"
' drill "$root" "$@"
status=$?
set -e
exit "$status"
