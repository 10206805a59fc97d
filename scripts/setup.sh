#!/usr/bin/env bash
# setup.sh: idempotent setup for Feedforward (called by `make setup`).
#
#  1. builds the Go tools pinned in go.mod (gonb, gopls, goimports) into ./bin;
#  2. finds a Jupyter with JupyterLab and nbclient, or installs them into ./.venv;
#  3. registers the "Go (gonb)" kernel with ./bin on its PATH (for goimports/gopls);
#  4. installs a PJRT CPU plugin for XLA when one is known to work (optional);
#  5. warms the Go build cache so that the first notebook cell compiles quickly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/bin"
mkdir -p "$bin"
say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null || die "no 'go' on PATH; install Go 1.26 (https://go.dev/dl) and run 'make setup' again"

# 1. Go tools, at the versions pinned by the `tool` directives of go.mod.
say "building gonb, gopls and goimports into bin/"
go build -o "$bin/" github.com/janpfeifer/gonb golang.org/x/tools/gopls golang.org/x/tools/cmd/goimports \
  || die "building the Go tools failed (see above); try 'go clean -cache' and run 'make setup' again"

# 2. Jupyter. Prefer one that is already there and complete; otherwise a project-local venv,
#    because system pips are often "externally managed".
has_jupyter() { "$1" -c 'import jupyterlab, nbclient, nbformat, jupyter_client' >/dev/null 2>&1; }
py=""
if [ -x "$root/.venv/bin/python" ] && has_jupyter "$root/.venv/bin/python"; then
  py="$root/.venv/bin/python"
elif command -v jupyter >/dev/null 2>&1; then
  jpy=$(head -1 "$(command -v jupyter)" | sed -n 's/^#!\s*//p' | awk '{print $1}')
  if [ -n "$jpy" ] && [ -x "$jpy" ] && has_jupyter "$jpy"; then py="$jpy"; fi
fi
if [ -z "$py" ]; then
  say "no complete Jupyter found: installing JupyterLab and nbclient into .venv/"
  pybase=$(command -v python3 || true)
  [ -n "$pybase" ] || die "no python3 on PATH; install Python 3.9+ (e.g. apt-get install python3 python3-venv)"
  "$pybase" -m venv "$root/.venv" || die "python3 -m venv failed; on Debian/Ubuntu run 'apt-get install python3-venv'"
  "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      'jupyterlab>=4,<5' 'nbclient>=0.10' 'nbformat>=5.9' 'nbconvert>=7' \
    || die "pip could not install JupyterLab into .venv (no access to PyPI?)"
  py="$root/.venv/bin/python"
fi
# A wrapper, not a symlink: a venv's python must be started by its own path to find pyvenv.cfg.
printf '#!/bin/sh\nexec "%s" "$@"\n' "$py" >"$bin/python-jupyter.tmp" && chmod +x "$bin/python-jupyter.tmp" \
  && mv "$bin/python-jupyter.tmp" "$bin/python-jupyter"
say "Jupyter: $("$py" -c 'import jupyterlab; print("JupyterLab", jupyterlab.__version__)') via $py"

# 3. Kernel: `gonb --install` writes kernel.json; we add ./bin to the kernel's PATH so
#    that gonb finds goimports and gopls even when the user's shell does not have them.
PATH="$bin:$PATH" "$bin/gonb" --install --logtostderr=false >/dev/null 2>&1 \
  || PATH="$bin:$PATH" "$bin/gonb" --install || die "'bin/gonb --install' failed"
"$py" - "$bin" <<'PY'
import json, os, sys
from jupyter_client.kernelspec import KernelSpecManager
binpath = sys.argv[1]
spec = KernelSpecManager().get_kernel_spec("gonb")
path = os.path.join(spec.resource_dir, "kernel.json")
with open(path) as f:
    k = json.load(f)
k.setdefault("env", {})["PATH"] = binpath + ":${PATH}"
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(k, f, indent=1)
os.replace(tmp, path)
print(f"setup: kernel 'Go (gonb)' registered in {path}", file=sys.stderr)
PY

# 4. XLA (optional): a PJRT CPU plugin from PyPI, if the installer script knows a working one.
if [ -x scripts/install-pjrt.sh ] && [ -z "${FEEDFORWARD_NO_XLA:-}" ]; then
  if ! scripts/install-pjrt.sh; then
    # install-pjrt.sh fails only in strict mode (FEEDFORWARD_PJRT_STRICT=1, as in CI).
    [ "${FEEDFORWARD_PJRT_STRICT:-}" = 1 ] && die "the XLA plugin did not install (FEEDFORWARD_PJRT_STRICT=1); see above"
    say "no XLA plugin installed; SimpleGo (pure Go) will be used"
  fi
fi

# 5. Warm the build cache: packages, tests and the libraries a notebook cell imports.
say "warming the Go build cache"
if go build ./... && go test -count=1 -run '^$' ./... >/dev/null; then
  say "done"
else
  say "warning: some packages do not compile (see above); the notebooks that import them will fail"
fi
