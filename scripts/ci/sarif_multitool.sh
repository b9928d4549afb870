#!/usr/bin/env bash
# Validate SARIF files with the Microsoft SARIF Multitool (SARIF and GitHub "Ghas" rule sets).
#
# Usage: scripts/ci/sarif_multitool.sh FILE.sarif [FILE.sarif ...]
#
# Installs @microsoft/sarif-multitool@5.7.0 with npm into a cache directory (reused across runs;
# override with SARIF_MULTITOOL_HOME) and calls the Sarif.Multitool binary directly: the npm
# bin.js wrapper runs through a shell and breaks on the ';' in "Sarif;Ghas". The multitool's
# exit code is always 0, so this script fails on any ": error " line in its output.
# Exits 0 when every file is clean, 1 when any error is reported, 2 on a setup problem.
set -euo pipefail

VERSION="5.7.0"
HOME_DIR="${SARIF_MULTITOOL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/aks-backup-lint/sarif-multitool-$VERSION}"
BIN="$HOME_DIR/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE.sarif [FILE.sarif ...]" >&2
  exit 2
fi

if [ ! -x "$BIN" ]; then
  command -v npm >/dev/null || { echo "sarif_multitool: npm is required" >&2; exit 2; }
  mkdir -p "$HOME_DIR"
  (cd "$HOME_DIR" && [ -f package.json ] || npm init -y >/dev/null)
  (cd "$HOME_DIR" && npm install --no-audit --no-fund --loglevel=error "@microsoft/sarif-multitool@$VERSION" >&2)
  # npm may skip the package's postinstall chmod; the binary needs to be executable
  chmod u+x "$BIN" 2>/dev/null || true
fi
[ -x "$BIN" ] || { echo "sarif_multitool: $BIN not found after install" >&2; exit 2; }

status=0
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for file in "$@"; do
  out="$work/$(basename "$file").log"
  "$BIN" validate "$file" --rule-kind "Sarif;Ghas" --level "Error;Warning;Note" \
    --output "$work/$(basename "$file").validation.sarif" --log ForceOverwrite >"$out" 2>&1 || true
  cat "$out"
  if grep -E ': error ' "$out" >/dev/null; then
    echo "sarif_multitool: $file has errors" >&2
    status=1
  fi
done
exit "$status"
