#!/usr/bin/env bash
# GitHub Action step: install aks-backup-lint from the action's own checkout into an isolated
# virtual environment, so neither the user's Python packages nor ours leak into each other.
#
# Environment: PYTHON (interpreter, >= 3.11), ACTION_PATH (the action checkout),
# AKSB_VENV (where to create the venv), GITHUB_PATH is not touched.
set -euo pipefail

PYTHON="${PYTHON:-python3}"
ACTION_PATH="${ACTION_PATH:?ACTION_PATH is required}"
AKSB_VENV="${AKSB_VENV:?AKSB_VENV is required}"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "::error title=aks-backup-lint::Python 3.11 or newer is required, found $("$PYTHON" --version 2>&1)"
  exit 2
fi
"$PYTHON" -m venv "$AKSB_VENV"
"$AKSB_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$ACTION_PATH"
"$AKSB_VENV/bin/aks-backup-lint" --version
