#!/usr/bin/env bash
# GitHub Action step: run aks-backup-lint, write SARIF, a text report, a job summary and outputs.
#
# Kept in a script (not inline in action.yml) so tests can run it with a simulated environment.
# Inputs arrive as INPUT_* variables (set by action.yml); the runner provides GITHUB_WORKSPACE,
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. AKSB_LINTER is the linter command (default: the
# isolated venv's aks-backup-lint), AKSB_PYTHON a Python for the summary (default: python3),
# AKSB_WORK a directory for the reports later steps read (default: a new temporary directory).
# Annotations are not printed here: annotate.sh shows them when SARIF did not reach code
# scanning, so a pull request never gets every finding twice.
# The exit status is the linter's: 0 clean, 1 findings at or above fail-on, 2 error.
set -uo pipefail

ACTION_PATH="${ACTION_PATH:-$(cd "$(dirname "$0")/../.." && pwd)}"
WORKSPACE="${GITHUB_WORKSPACE:-$PWD}"
OUTPUT_FILE="${GITHUB_OUTPUT:-/dev/null}"
SUMMARY_FILE="${GITHUB_STEP_SUMMARY:-/dev/null}"
read -r -a LINTER <<<"${AKSB_LINTER:-aks-backup-lint}"
PY="${AKSB_PYTHON:-python3}"

fail_on="${INPUT_FAIL_ON:-}"
sarif_file="${INPUT_SARIF_FILE:-aks-backup-lint.sarif}"
category="${INPUT_CATEGORY:-aks-backup-lint}"

# split NAME VALUE [EXTRA_SEPARATORS]: VALUE split on whitespace and newlines into the array NAME
split() { local IFS=$' \t\n'"${3:-}"; read -r -d '' -a "$1" <<<"$2" || true; }

cd "$WORKSPACE" || { echo "::error title=aks-backup-lint::cannot enter $WORKSPACE"; exit 2; }
case "$sarif_file" in /*) sarif_path="$sarif_file" ;; *) sarif_path="$WORKSPACE/$sarif_file" ;; esac
mkdir -p "$(dirname "$sarif_path")"
work="${AKSB_WORK:-$(mktemp -d)}"
mkdir -p "$work"
rm -f "$work/report.txt" "$work/report.json" "$work/stderr.txt" "$work/chain.md"

split paths "${INPUT_PATHS:-.}"
[ "${#paths[@]}" -gt 0 ] || paths=(.)
split var_files "${INPUT_VAR_FILES:-}"
split param_files "${INPUT_PARAM_FILES:-}"
split selected "${INPUT_SELECT:-}" ","
split ignored "${INPUT_IGNORE:-}" ","
split excluded "${INPUT_EXCLUDE:-}"

# the settings check and graph share (graph draws what check reports)
common=()
[ -n "${INPUT_CONFIG:-}" ] && common+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_MATRIX:-}" ] && common+=(--matrix "$INPUT_MATRIX")
for item in "${var_files[@]}"; do common+=(--var-file "$item"); done
for item in "${excluded[@]}"; do common+=(--exclude "$item"); done

args=(check "${paths[@]}" "${common[@]}" --no-color --category "$category"
      -o "text:$work/report.txt" -o "sarif:$sarif_path" -o "json:$work/report.json")
[ -n "$fail_on" ] && args+=(--fail-on "$fail_on")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
for item in "${param_files[@]}"; do args+=(--param-file "$item"); done
for item in "${selected[@]}"; do args+=(--select "$item"); done
for item in "${ignored[@]}"; do args+=(--ignore "$item"); done

"${LINTER[@]}" "${args[@]}" 2>"$work/stderr.txt"
status=$?
[ -f "$work/report.txt" ] && cat "$work/report.txt"
cat "$work/stderr.txt" >&2
[ -f "$work/report.txt" ] && echo "text-report=$work/report.txt" >>"$OUTPUT_FILE"

"$PY" "$ACTION_PATH/scripts/action/summary.py" \
  --report "$work/report.json" --stderr "$work/stderr.txt" --status "$status" \
  --sarif "$sarif_path" --fail-on "$fail_on" --output "$OUTPUT_FILE" --summary "$SUMMARY_FILE"

# When something was found, the summary also shows each cluster's backup chain (Mermaid, which
# GitHub renders), with the missing or wrong links labelled by rule ID.
if [ "$SUMMARY_FILE" != "/dev/null" ] && "$PY" -c \
    'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])).get("findings") else 1)' \
    "$work/report.json" 2>/dev/null; then
  "${LINTER[@]}" graph "${paths[@]}" "${common[@]}" --output "$work/chain.md" 2>/dev/null
  if [ -f "$work/chain.md" ] && grep -q '^flowchart' "$work/chain.md"; then
    { printf '\n### Backup chain\n\n'; cat "$work/chain.md"; } >>"$SUMMARY_FILE"
  fi
fi
exit "$status"
