#!/usr/bin/env bash
# install-pjrt.sh installs XLA's PJRT CPU plugin where GoMLX (go-xla) finds it,
# so that pkg/backend picks the fast XLA backend instead of the pure-Go SimpleGo.
#
# What it does (idempotent; safe to run again):
#   1. If $DEST/pjrt_c_api_cpu_plugin.so already has the pinned SHA-256, it only verifies it.
#   2. Otherwise it downloads the pinned wheel xla-cpu-pjrt==0.0.1 (OpenXLA's PJRT CPU plugin,
#      PJRT C API v0.81) with pip, checking the wheel's SHA-256, and extracts the plugin
#      xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so as $DEST/pjrt_c_api_cpu_plugin.so.
#   3. It verifies that GoMLX loads the plugin and computes the same results as SimpleGo
#      (go test -run TestXLAMatchesSimpleGo ./pkg/backend with FEEDFORWARD_REQUIRE_XLA=1).
#
# DEST is $HOME/.local/lib/go-xla (searched by go-xla v0.1.4 by default); override it with
# FEEDFORWARD_PJRT_DIR (then also point PJRT_PLUGIN_LIBRARY_PATH at it when you run Go code).
#
# No XLA is not fatal: every failure prints the reason and exits 0, and Feedforward keeps
# using SimpleGo. Set FEEDFORWARD_PJRT_STRICT=1 to exit 1 on failure instead (for CI checks).
set -euo pipefail

readonly WHEEL_NAME="xla-cpu-pjrt"
readonly WHEEL_VERSION="0.0.1"
readonly WHEEL_FILE="xla_cpu_pjrt-0.0.1-py3-none-manylinux_2_27_x86_64.whl"
readonly WHEEL_SHA256="55837b6b7b47daa717f2d9a5a03563ea0ceaa338d06a81a1e2d3f060d960decc"
readonly MEMBER="xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so"
readonly SO_SHA256="88c3f28c5900f48ad4a82cab9e79bba9537809743395e341485f8794268820dc"
readonly SO_NAME="pjrt_c_api_cpu_plugin.so"

DEST="${FEEDFORWARD_PJRT_DIR:-${HOME}/.local/lib/go-xla}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "install-pjrt: $*"; }

giveup() {
	say "$*"
	if [[ "${FEEDFORWARD_PJRT_STRICT:-}" == "1" ]]; then
		exit 1
	fi
	say "XLA is optional: Feedforward keeps using the pure-Go SimpleGo backend."
	exit 0
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

verify() {
	if ! command -v go >/dev/null 2>&1; then
		say "installed $DEST/$SO_NAME, but cannot verify it: 'go' is not on PATH"
		return 0
	fi
	say "verifying: GoMLX loads the plugin and matches SimpleGo (go test ./pkg/backend) ..."
	local log
	log="$(mktemp)"
	if (cd "$REPO" && env -u GOMLX_BACKEND FEEDFORWARD_REQUIRE_XLA=1 PJRT_PLUGIN_LIBRARY_PATH="$DEST" \
		go test -count=1 -v -run '^TestXLAMatchesSimpleGo$' ./pkg/backend/) >"$log" 2>&1 &&
		grep -q -- '--- PASS: TestXLAMatchesSimpleGo' "$log"; then
		rm -f "$log"
		say "OK: XLA PJRT CPU plugin works ($DEST/$SO_NAME) and matches SimpleGo."
		if [[ -n "${FEEDFORWARD_PJRT_DIR:-}" ]]; then
			say "FEEDFORWARD_PJRT_DIR is set: export PJRT_PLUGIN_LIBRARY_PATH=$DEST so that GoMLX finds it."
		else
			say "pkg/backend now picks XLA (set GOMLX_BACKEND=go to use SimpleGo)."
		fi
		return 0
	fi
	say "verification failed; go test output:"
	sed 's/^/    /' "$log"
	rm -f "$log"
	rm -f "$DEST/$SO_NAME"
	giveup "removed $DEST/$SO_NAME because it does not work here."
}

case "$(uname -s)/$(uname -m)" in
Linux/x86_64) ;;
*) giveup "the pinned wheel ($WHEEL_FILE) is for Linux x86_64 only; this is $(uname -s)/$(uname -m)." ;;
esac

if [[ -f "$DEST/$SO_NAME" ]] && [[ "$(sha256_of "$DEST/$SO_NAME")" == "$SO_SHA256" ]]; then
	say "already installed: $DEST/$SO_NAME ($WHEEL_NAME==$WHEEL_VERSION)"
	verify
	exit 0
fi

PYTHON=""
# The project's own .venv (made by setup.sh) comes first: fresh Debian/Ubuntu systems often
# have python3 without pip.
for p in "$REPO/.venv/bin/python" python3 python; do
	if { [[ -x "$p" ]] || command -v "$p" >/dev/null 2>&1; } && "$p" -m pip --version >/dev/null 2>&1; then
		PYTHON="$p"
		break
	fi
done
[[ -n "$PYTHON" ]] || giveup "needs python3 with pip to download $WHEEL_NAME==$WHEEL_VERSION; install pip (e.g. apt-get install python3-pip) and run again."

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

say "downloading $WHEEL_NAME==$WHEEL_VERSION with pip (~64 MB) ..."
echo "$WHEEL_NAME==$WHEEL_VERSION --hash=sha256:$WHEEL_SHA256" >"$TMP/requirements.txt"
if ! "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
	-r "$TMP/requirements.txt" -d "$TMP/wheel"; then
	giveup "pip could not download $WHEEL_NAME==$WHEEL_VERSION (no access to PyPI?)."
fi
WHEEL="$TMP/wheel/$WHEEL_FILE"
[[ -f "$WHEEL" ]] || giveup "pip did not produce $WHEEL_FILE."

mkdir -p "$DEST"
say "extracting $MEMBER -> $DEST/$SO_NAME"
# Extract next to the destination, check it, then rename: never leaves a half-written plugin.
"$PYTHON" - "$WHEEL" "$MEMBER" "$DEST/.$SO_NAME.tmp" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
if [[ "$(sha256_of "$DEST/.$SO_NAME.tmp")" != "$SO_SHA256" ]]; then
	rm -f "$DEST/.$SO_NAME.tmp"
	giveup "the extracted plugin does not have the pinned SHA-256 $SO_SHA256."
fi
chmod 0755 "$DEST/.$SO_NAME.tmp"
mv -f "$DEST/.$SO_NAME.tmp" "$DEST/$SO_NAME"
say "installed $DEST/$SO_NAME ($(du -h "$DEST/$SO_NAME" | cut -f1))"
verify
