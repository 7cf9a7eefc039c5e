#!/usr/bin/env bash
# Tag a file of reports from the shell with `misconduct-tagger tag`, into a temporary folder.
# The output holds one JSON record per report, in input order: id, labels, scores, evidence
# (`-o tagged.csv` writes CSV instead; the per-label summary goes to stderr).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

misconduct-tagger tag "$here/reports.jsonl" -o "$out/tagged.jsonl" --quiet
cat "$out/tagged.jsonl"
