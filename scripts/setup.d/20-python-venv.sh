#!/usr/bin/env bash
# The project-local virtualenv .venv with scripts/python-requirements.txt.
# No system-wide pip installs. Re-installs only when the requirements change
# (their hash is kept in .venv/.requirements.sha256).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv"
req="$root/scripts/python-requirements.txt"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/python" ]]; then
  echo "setup: python virtualenv up to date"
  exit 0
fi
python=${LOADPILOT_PYTHON:-python3}
if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup: creating $venv with $($python --version 2>&1)"
  "$python" -m venv "$venv"
fi
echo "setup: installing $(grep -cvE '^\s*(#|$)' "$req") pinned Python packages into .venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" >"$stamp"
