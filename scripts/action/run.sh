#!/usr/bin/env bash
# GitHub Action step: run aks-backup-lint, write SARIF, annotations, a job summary and outputs.
#
# Kept in a script (not inline in action.yml) so tests can run it with a simulated environment.
# Inputs arrive as INPUT_* variables (set by action.yml); the runner provides GITHUB_WORKSPACE,
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. AKSB_LINTER is the linter command (default: the
# isolated venv's aks-backup-lint), AKSB_PYTHON a Python for the summary (default: python3).
# The exit status is the linter's: 0 clean, 1 findings at or above fail-on, 2 error.
set -uo pipefail

ACTION_PATH="${ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
WORKSPACE="${GITHUB_WORKSPACE:-$PWD}"
OUTPUT_FILE="${GITHUB_OUTPUT:-/dev/null}"
SUMMARY_FILE="${GITHUB_STEP_SUMMARY:-/dev/null}"
read -r -a LINTER <<<"${AKSB_LINTER:-aks-backup-lint}"
PY="${AKSB_PYTHON:-python3}"

paths_input="${INPUT_PATHS:-.}"
fail_on="${INPUT_FAIL_ON:-error}"
sarif_file="${INPUT_SARIF_FILE:-aks-backup-lint.sarif}"
category="${INPUT_CATEGORY:-aks-backup-lint}"
annotations="${INPUT_ANNOTATIONS:-true}"

cd "$WORKSPACE" || { echo "::error title=aks-backup-lint::cannot enter $WORKSPACE"; exit 2; }
case "$sarif_file" in /*) sarif_path="$sarif_file" ;; *) sarif_path="$WORKSPACE/$sarif_file" ;; esac
mkdir -p "$(dirname "$sarif_path")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# paths: whitespace- or newline-separated
read -r -d '' -a paths <<<"$paths_input" || true
[ "${#paths[@]}" -gt 0 ] || paths=(.)

args=(check "${paths[@]}" --no-color --fail-on "$fail_on" --category "$category"
      -o "text:$work/report.txt" -o "sarif:$sarif_path" -o "json:$work/report.json")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_MATRIX:-}" ] && args+=(--matrix "$INPUT_MATRIX")

if [ "$annotations" = "true" ]; then
  echo "::add-matcher::$ACTION_PATH/matchers/aks-backup-lint.json"
fi
"${LINTER[@]}" "${args[@]}" 2>"$work/stderr.txt"
status=$?
[ -f "$work/report.txt" ] && cat "$work/report.txt"
cat "$work/stderr.txt" >&2
if [ "$annotations" = "true" ]; then
  for owner in aks-backup-lint-error aks-backup-lint-warning aks-backup-lint-note; do
    echo "::remove-matcher owner=$owner::"
  done
fi

"$PY" "$ACTION_PATH/scripts/action/summary.py" \
  --report "$work/report.json" --stderr "$work/stderr.txt" --status "$status" \
  --sarif "$sarif_path" --fail-on "$fail_on" --output "$OUTPUT_FILE" --summary "$SUMMARY_FILE"

# When something was found, the summary also shows each cluster's backup chain (Mermaid, which
# GitHub renders), with the missing or wrong links labelled by rule ID.
if [ "$SUMMARY_FILE" != "/dev/null" ] && "$PY" -c \
    'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])).get("findings") else 1)' \
    "$work/report.json" 2>/dev/null; then
  graph_args=(graph "${paths[@]}" --output "$work/chain.md")
  [ -n "${INPUT_MATRIX:-}" ] && graph_args+=(--matrix "$INPUT_MATRIX")
  if "${LINTER[@]}" "${graph_args[@]}" 2>/dev/null && grep -q '^flowchart' "$work/chain.md"; then
    { printf '\n### Backup chain\n\n'; cat "$work/chain.md"; } >>"$SUMMARY_FILE"
  fi
fi
exit "$status"
