#!/usr/bin/env bash
# `npm run bench [-- NAME [ARGS...]]`: builds, then runs one benchmark by name, or every one in bench/.
# Names are the files' names in kebab case: bench/extractChunk.ts is `extract-chunk`. Each benchmark prints
# its own `bench <name>: ... baseline=... ratio=...` lines; nothing is asserted.
set -euo pipefail
source "$(dirname "$0")/../infra/lib.sh"
cd "$GENQ_ROOT"

npx tsc -p tsconfig.json >/dev/null || die "TypeScript build failed"

kebab() { sed -E 's/([a-z0-9])([A-Z])/\1-\L\2/g' <<<"$1"; }
run_one() {
  local file=$1; shift
  say "bench $(kebab "$(basename "$file" .ts)")"
  node "dist/bench/$(basename "$file" .ts).js" "$@"
}

if [[ $# -gt 0 ]]; then
  name=$1; shift
  for file in bench/*.ts; do
    if [[ $(kebab "$(basename "$file" .ts)") == "$name" ]]; then run_one "$file" "$@"; exit; fi
  done
  die "no benchmark named $name (have: $(for f in bench/*.ts; do printf '%s ' "$(kebab "$(basename "$f" .ts)")"; done))"
fi
for file in bench/*.ts; do run_one "$file"; done
