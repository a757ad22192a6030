#!/usr/bin/env bash
# Usage: scripts/python-venv.sh REQUIREMENTS_FILE
# Prints the path of a Python interpreter whose venv has exactly REQUIREMENTS_FILE installed (pinned versions),
# building the venv first when it does not exist yet. Progress and errors go to stderr; exit status 0 only when the
# interpreter is ready. Venvs are kept outside the repository, keyed by the requirements file's content and the
# Python version, so CI on the same machine and every checkout reuse them:
#   $MCP_BRIDGE_VENV_ROOT (default ${XDG_CACHE_HOME:-$HOME/.cache}/mcp-bridge-dev/venvs)/<key>/
# Environment: PYTHON (default python3), MCP_BRIDGE_VENV_ROOT. Packages come from PyPI through pip as configured.
set -euo pipefail

requirements=${1:?usage: $0 REQUIREMENTS_FILE}
[[ -r $requirements ]] || { echo "python-venv: cannot read $requirements" >&2; exit 2; }
python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "python-venv: $python not found (set PYTHON)" >&2; exit 2; }

root=${MCP_BRIDGE_VENV_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-bridge-dev/venvs}
version=$("$python" -c 'import sys, platform; print(platform.python_implementation(), *sys.version_info[:3], platform.machine())')
key=$( { cat "$requirements"; echo "$version"; } | sha256sum | cut -c1-16)
venv=$root/$key

if [[ ! -f $venv/.ready ]]; then
  mkdir -p "$root"
  # One builder at a time per key: parallel test workers wait here instead of installing twice.
  exec 9>"$venv.lock"
  flock 9
  if [[ ! -f $venv/.ready ]]; then
    echo "python-venv: building $venv ($version) from $requirements" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --no-input --disable-pip-version-check -r "$requirements" >&2
    touch "$venv/.ready"
  fi
  flock -u 9
fi
echo "$venv/bin/python"
