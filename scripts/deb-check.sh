#!/usr/bin/env bash
# Builds the Debian package from this tree (dpkg-buildpackage -b -us -uc:
# debhelper with meson, no network), runs lintian on it (errors fail, the
# rest is listed), installs it with apt-get the way a user would, checks
# what it installed (binary, man page, units, sysusers user, completion,
# configuration), then purges it and checks nothing is left. Needs root.
# Prints "N passed, N failed" last, like scripts/test.sh.
#
# usage: scripts/deb-check.sh [OUT_DIR]   (the .deb and logs stay in OUT_DIR)
set -uo pipefail
cd "$(dirname "$0")/.."
src=$PWD
out=${1:-$(mktemp -d /tmp/mskprobe-deb.XXXXXX)}
mkdir -p "$out"
export DEBIAN_FRONTEND=noninteractive
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2" >>"$out/checks.log" 2>&1; then ok "$1"; else bad "$1"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
apt() { $SUDO apt-get -o DPkg::Lock::Timeout=600 "$@"; }
# the build dependencies debian/control names (idempotent)
if ! dpkg-checkbuilddeps >/dev/null 2>&1; then
	apt install -y -q --no-install-recommends build-essential devscripts equivs >/dev/null 2>&1 ||
		apt install -y -q --no-install-recommends build-essential dpkg-dev debhelper >/dev/null
	if command -v mk-build-deps >/dev/null; then
		(cd "$out" && $SUDO mk-build-deps -i -r -t 'apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends' \
			"$src/debian/control" >/dev/null 2>&1)
	fi
fi
command -v lintian >/dev/null || apt install -y -q --no-install-recommends lintian >/dev/null

# build a copy of the tree (tracked files and new ones, not build folders):
# dpkg-buildpackage writes beside the source folder and into debian/
tree=$out/mskprobe
rm -rf "$tree"
mkdir -p "$tree"
git ls-files -co --exclude-standard -z | grep -zvE '^(build|obj)-' | tar --null -T - -cf - | tar -xf - -C "$tree"
start=$(date +%s)
if (cd "$tree" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	ok "dpkg-buildpackage -b -us -uc ($(($(date +%s) - start)) s)"
else
	tail -n 40 "$out/build.log"
	bad "dpkg-buildpackage -b -us -uc (log: $out/build.log)"
	finish
fi
deb=$(ls "$out"/mskprobe_*.deb | grep -v dbgsym | head -n 1)
changes=$(ls "$out"/mskprobe_*.changes | head -n 1)
echo "package: $deb ($(du -k "$deb" | cut -f1) KiB)"

lintian --no-tag-display-limit -I "$changes" >"$out/lintian.log" 2>&1
echo "lintian (errors fail; the rest is listed):"
sed 's/^/  /' "$out/lintian.log" | grep -E '^  [EWIP]:' | sort | uniq -c | sort -rn | head -n 40
check "lintian reports no error" "! grep -q '^E:' '$out/lintian.log'"

# install it the way a user would, with its dependencies
if apt install -y -q "$deb" >"$out/install.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb")"
else
	tail -n 20 "$out/install.log"
	bad "apt-get install ./$(basename "$deb")"
	finish
fi
unitdir=$(dpkg -L mskprobe | grep -E '/systemd/system/mskprobe-scan.service$' | xargs -r dirname)
check "mskprobe --version from /usr/bin" "[ \"\$(command -v mskprobe)\" = /usr/bin/mskprobe ] && mskprobe --version | grep -qx 'mskprobe [0-9.]*'"
# a slim image's dpkg may leave /usr/share/man out (path-exclude): then the
# page is checked in the package instead
man_page() {
	if [ -f /usr/share/man/man1/mskprobe.1.gz ]; then
		zcat /usr/share/man/man1/mskprobe.1.gz
	elif grep -rqs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
		echo "note: dpkg excludes /usr/share/man here; the page is read from the package" >&2
		dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man1/mskprobe.1.gz | zcat
	fi
}
check "the man page is installed (man -w mskprobe)" \
	"if command -v man >/dev/null && [ -f /usr/share/man/man1/mskprobe.1.gz ]; then [ \"\$(man -w mskprobe)\" = /usr/share/man/man1/mskprobe.1.gz ]; else man_page | grep -q .; fi"
man_sections() {
	local page sec
	page=$(man_page)
	for sec in NAME SYNOPSIS DESCRIPTION SUBCOMMANDS 'EXIT STATUS' FILES ENVIRONMENT SECURITY EXAMPLES 'SEE ALSO'; do
		grep -qx ".SH $sec" <<<"$page" || { echo "no section $sec"; return 1; }
	done
}
check "the man page has every section" man_sections
check "the units are in /lib/systemd/system or /usr/lib/systemd/system" \
	"case '$unitdir' in /lib/systemd/system | /usr/lib/systemd/system) [ -f '$unitdir/mskprobe-scan.timer' ] ;; *) false ;; esac"
check "the service runs an installed, executable wrapper" \
	"exe=\$(sed -n 's/^ExecStart=//p' '$unitdir/mskprobe-scan.service'); [ -x \"\$exe\" ] && grep -q '/usr/bin/mskprobe' \"\$exe\""
check "the service reads /etc/mskprobe/scan.conf, a conffile" \
	"grep -qx 'EnvironmentFile=/etc/mskprobe/scan.conf' '$unitdir/mskprobe-scan.service' && [ -f /etc/mskprobe/scan.conf ] && grep -qx /etc/mskprobe/scan.conf /var/lib/dpkg/info/mskprobe.conffiles"
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify on the installed units" \
		"systemd-analyze verify --man=no '$unitdir/mskprobe-scan.service' '$unitdir/mskprobe-scan.timer' 2>&1 | tee /dev/stderr | { ! grep -q mskprobe; }"
fi
check "the timer is installed but not enabled" \
	"[ ! -e /etc/systemd/system/timers.target.wants/mskprobe-scan.timer ]"
check "the mskprobe system user exists (sysusers)" \
	"getent passwd mskprobe | grep -qE '^mskprobe:x:[0-9]+:[0-9]+:.*:/var/lib/mskprobe:/usr/sbin/nologin$' && [ \"\$(id -u mskprobe)\" -lt 1000 ]"
# what the installed completion offers for `mskprobe sc`
completes_scan() {
	local f
	f=$(dpkg -L mskprobe | grep '/bash-completion/completions/mskprobe$') && [ -f "$f" ] &&
		bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
			COMP_LINE="mskprobe sc"; COMP_POINT=11; COMP_WORDS=(mskprobe sc); COMP_CWORD=1; _mskprobe mskprobe sc mskprobe
			[ "${COMPREPLY[*]}" = scan ]' _ "$f"
}
check "the bash completion is installed and completes subcommands" completes_scan
check "the inventory script is installed" "dpkg -L mskprobe | grep -q '/mskprobe/msk-inventory$'"

# purge: nothing of the package left (the user stays, as sysusers users do)
if apt purge -y -q mskprobe >"$out/purge.log" 2>&1; then
	ok "apt-get purge mskprobe"
else
	bad "apt-get purge mskprobe"
fi
check "purge leaves no file behind" "[ ! -e /usr/bin/mskprobe ] && [ ! -e /etc/mskprobe/scan.conf ] && [ ! -e '$unitdir/mskprobe-scan.service' ]"
finish
