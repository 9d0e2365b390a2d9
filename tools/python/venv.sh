#!/usr/bin/env bash
# A cached Python virtual environment with the official MLflow client, scikit-learn and pytest.
#
#   tools/python/venv.sh          creates it once (keyed by requirements.txt) and prints its path
#
# The venv lives in ~/.cache/mreg/venv-<hash>; a new requirements.txt makes a new one, so a pin is
# upgraded on purpose by editing that file. Progress goes to stderr, the path to stdout.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${MREG_CACHE_DIR:-${HOME:-/root}/.cache/mreg}"
REQ="$HERE/requirements.txt"
KEY="$(sha256sum "$REQ" | cut -c1-12)"
VENV="$CACHE/venv-$KEY"
PY="${MREG_PYTHON:-$(command -v python3)}"

if [[ ! -x "$VENV/bin/python" || ! -f "$VENV/.complete" ]]; then
  echo "[python] creating $VENV (mlflow client, scikit-learn, pytest); a few minutes the first time" >&2
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$PY" -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQ" >&2
  touch "$VENV/.complete"
fi
printf '%s\n' "$VENV"
