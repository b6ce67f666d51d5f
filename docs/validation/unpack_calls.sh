#!/bin/bash
# Each H100 call's folder holds its README.md and profiles.tar.xz (the call's bench JSON and logs, compressed:
# uncompressed, seven calls were 37 MB of the repository, more than half of what a device call may carry).
# Unpacks each named folder's archive into WORKDIR/calls/NAME (once) and prints those folders, one per line, in
# the order given; the scripts here read the profiles from them.
#   docs/validation/unpack_calls.sh WORKDIR FOLDER...
set -euo pipefail
work="$1"
shift
for folder in "$@"; do
  archive="$folder/profiles.tar.xz"
  [[ -f $archive ]] || { echo "unpack_calls: $archive: no such file" >&2; exit 2; }
  calls="$(realpath -m "$work/calls/$(basename "$(realpath "$folder")")")"
  if [[ ! -d $calls ]]; then
    mkdir -p "$calls.partial"
    tar xJf "$archive" -C "$calls.partial"
    mv "$calls.partial" "$calls"
  fi
  echo "$calls"
done
