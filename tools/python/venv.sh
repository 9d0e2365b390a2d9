#!/usr/bin/env bash
# A cached Python virtual environment from a pinned requirements file.
#
#   tools/python/venv.sh                    the MLflow client, scikit-learn and pytest (tools/python/requirements.txt)
#   tools/python/venv.sh REQUIREMENTS_TXT   another suite's tools (tools/schemathesis/requirements.txt)
#
# Creates it once (keyed by the file's content) and prints its path. The venv lives in ~/.cache/mreg/venv-<hash>
# (venv-<folder>-<hash> for another file, e.g. venv-schemathesis-<hash>); a changed requirements file makes a new one,
# so a pin is upgraded on purpose by editing that file. Progress goes to stderr, the path to stdout.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${MREG_CACHE_DIR:-${HOME:-/root}/.cache/mreg}"
REQ="$(cd "$(dirname "${1:-$HERE/requirements.txt}")" && pwd)/$(basename "${1:-requirements.txt}")"
KEY="$(sha256sum "$REQ" | cut -c1-12)"
if [[ "$REQ" == "$HERE/requirements.txt" ]]; then
  VENV="$CACHE/venv-$KEY"
else
  VENV="$CACHE/venv-$(basename "$(dirname "$REQ")")-$KEY"
fi
PY="${MREG_PYTHON:-$(command -v python3)}"

if [[ ! -x "$VENV/bin/python" || ! -f "$VENV/.complete" ]]; then
  echo "[python] creating $VENV from $REQ; a few minutes the first time" >&2
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  touch "$VENV/.complete"
fi
printf '%s\n' "$VENV"
