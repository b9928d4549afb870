#!/usr/bin/env bash
# GitHub Action step: turn the text report into inline annotations through the problem matcher
# shipped with the linter (`aks-backup-lint matcher-path`), then remove the matcher again.
#
# action.yml runs this only when annotations are wanted: `annotations: true`, or `auto` when the
# SARIF report did not reach code scanning (which would show the same findings as alerts).
# Environment: TEXT_REPORT (the report run.sh wrote), AKSB_LINTER (the linter command).
set -uo pipefail

read -r -a LINTER <<<"${AKSB_LINTER:-aks-backup-lint}"
report="${TEXT_REPORT:?TEXT_REPORT is required}"

if ! matcher="$("${LINTER[@]}" matcher-path)"; then
  echo "::warning title=aks-backup-lint::the problem matcher is missing; no inline annotations"
  exit 0
fi
echo "::add-matcher::$matcher"
cat "$report"
for owner in aks-backup-lint-error aks-backup-lint-warning aks-backup-lint-note; do
  echo "::remove-matcher owner=$owner::"
done
