#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every library under src/ from the code, so a build fails no
# more on RS0016 (public API not declared) or RS0017 (declared API gone). Run it after adding,
# changing or removing public API, and after a merge (a conflict in a PublicAPI.Unshipped.txt is
# resolved by taking either side and running this). Review the diff: it is the public API change.
#
#   eng/update-public-api.sh           regenerate the Unshipped files, then build to prove them complete
#   eng/update-public-api.sh src/X ... only those libraries (faster while you work on one)
#   eng/update-public-api.sh --ship    on a release: move every Unshipped line into PublicAPI.Shipped.txt
#
# How: each Unshipped file is emptied, the libraries are built once with warnings left as warnings,
# and every RS0016 the analyzer reports ("Symbol 'X' is not part of the declared public API") puts
# its X, which is the exact line the analyzer expects, into that project's Unshipped file. A second,
# normal build (warnings are errors) proves the files complete. Shipped files are never rewritten
# here except by --ship. A public API removed after it shipped needs a *REMOVED* line in Unshipped:
# the final build reports RS0017 for it, naming the line to add by hand.
# (dotnet format analyzers --diagnostics RS0016 does the same through the code fix, but took minutes
# per project here and sometimes left a file empty.)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [[ $# -gt 0 && $1 != --ship ]]; then
    LIBRARIES=()
    for lib in "$@"; do
        lib=${lib%/}
        [[ -f $lib/PublicAPI.Shipped.txt ]] || { echo "$lib is not a library with PublicAPI files" >&2; exit 2; }
        LIBRARIES+=("$lib")
    done
    set --
else
    mapfile -t LIBRARIES < <(for f in src/*/PublicAPI.Shipped.txt; do dirname "$f"; done)
fi
[[ ${#LIBRARIES[@]} -gt 0 ]] || { echo "no src/*/PublicAPI.Shipped.txt found" >&2; exit 1; }

header='#nullable enable'

# Writes file $1 as the header line, then its other lines sorted (ordinal) without duplicates or blanks.
normalize() {
    local body
    body=$(grep -v -x -e "$header" -e '' "$1" | LC_ALL=C sort -u || true)
    { echo "$header"; [[ -n $body ]] && printf '%s\n' "$body"; } >"$1.tmp"
    mv "$1.tmp" "$1"
}

if [[ ${1:-} == --ship ]]; then
    for lib in "${LIBRARIES[@]}"; do
        grep -v -x -e "$header" -e '' "$lib/PublicAPI.Unshipped.txt" >>"$lib/PublicAPI.Shipped.txt" || true
        # A *REMOVED* line removes its entry from Shipped instead of being added.
        while IFS= read -r removed; do
            grep -v -x -F -e "${removed#\*REMOVED\*}" -e "$removed" "$lib/PublicAPI.Shipped.txt" >"$lib/PublicAPI.Shipped.txt.tmp" || true
            mv "$lib/PublicAPI.Shipped.txt.tmp" "$lib/PublicAPI.Shipped.txt"
        done < <(grep '^\*REMOVED\*' "$lib/PublicAPI.Unshipped.txt" || true)
        echo "$header" >"$lib/PublicAPI.Unshipped.txt"
        normalize "$lib/PublicAPI.Shipped.txt"
    done
    echo "moved every Unshipped entry into PublicAPI.Shipped.txt for ${#LIBRARIES[@]} libraries"
    exit 0
fi
[[ $# -eq 0 ]] || { echo "usage: $0 [--ship]" >&2; exit 2; }

for lib in "${LIBRARIES[@]}"; do
    echo "$header" >"$lib/PublicAPI.Unshipped.txt"
done

# The libraries no other library references: building them builds every library.
tops() {
    local lib name other
    for lib in src/*/PublicAPI.Shipped.txt; do
        lib=$(dirname "$lib")
        name=$(basename "$lib")
        for other in src/*/PublicAPI.Shipped.txt; do
            other=$(dirname "$other")
            grep -q -F "$name/$name.csproj" "$other/$(basename "$other").csproj" && continue 2
        done
        echo "$lib"
    done
}
mapfile -t TOPS < <(tops)

echo "building ${TOPS[*]} with RS0016 as a warning to collect the undeclared public API..."
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for top in "${TOPS[@]}"; do
    dotnet build "$top" -c Release --nologo -p:TreatWarningsAsErrors=false >>"$LOG" 2>&1 || true
done
for lib in "${LIBRARIES[@]}"; do
    name=$(basename "$lib")
    # "...: warning RS0016: Symbol 'X' is not part of the declared public API (...) [/.../src/NAME/NAME.csproj]"
    grep -F "warning RS0016: " "$LOG" | grep -F "/$name/$name.csproj]" \
        | sed -E "s/.*warning RS0016: Symbol '(.*)' is not part of the declared public API.*/\1/" \
        >>"$lib/PublicAPI.Unshipped.txt" || true
done

for lib in "${LIBRARIES[@]}"; do
    normalize "$lib/PublicAPI.Unshipped.txt"
done

# Proof: every library builds with the files as written (warnings are errors, RS0016/RS0017 included).
echo "building the libraries to check the files..."
failed=0
for top in "${TOPS[@]}"; do
    if ! out=$(dotnet build "$top" -c Release --nologo 2>&1); then
        echo "$out" | grep -E ': error ' | sort -u >&2
        failed=1
    fi
done
[[ $failed -eq 0 ]] || { echo "some library still fails (see above)" >&2; exit 1; }
git --no-pager diff --stat -- 'src/*/PublicAPI.Unshipped.txt' || true
echo "public API files are up to date"
