#!/usr/bin/env bash
# Replaces one script's section of docs/benchmarks.md, leaving the other scripts' sections as they are.
#
#   bench/update_section.sh PAGE.md SECTION CONTENT.md
#
# A section lies between `<!-- BEGIN SECTION -->` and `<!-- END SECTION -->`; a page without it gets it appended.
set -euo pipefail
page="$1" section="$2" content="$3"
[[ -f "$content" ]] || { echo "update_section: no content file '$content'" >&2; exit 2; }
mkdir -p "$(dirname "$page")"
[[ -f "$page" ]] || printf '# Benchmarks\n\nEach section below is written by the bench/ script it names; rerun that script to refresh it.\n' > "$page"
begin="<!-- BEGIN $section -->" end="<!-- END $section -->"
tmp=$(mktemp)
if grep -qF "$begin" "$page"; then
  awk -v begin="$begin" -v end="$end" -v content="$content" '
    $0 == begin { print; while ((getline line < content) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }' "$page" > "$tmp"
else
  { cat "$page"; printf '\n%s\n' "$begin"; cat "$content"; printf '%s\n' "$end"; } > "$tmp"
fi
mv "$tmp" "$page"
