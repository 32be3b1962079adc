#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, starts the local stack, runs every test suite (mocha against
# the real services, pytest for the trainer) and prints each runner's summary and one closing line.
# The stack is stopped at the end unless it was already running before (or GENQ_KEEP_STACK=1).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$GENQ_ROOT"

bash infra/setup.sh || exit 1
say "building TypeScript"
npx tsc -p tsconfig.json || die "TypeScript build failed"

already_running=$(bash infra/stack.sh status | grep -c ': running' || true)
bash infra/stack.sh start || exit 1
stop_stack() {
  if [[ ${GENQ_KEEP_STACK:-0} == 1 || $already_running -gt 0 ]]; then note "leaving the stack running (infra/stack.sh stop ends it)"
  else bash infra/stack.sh stop; fi
}
trap stop_stack EXIT

mkdir -p "$GENQ_HOME/logs"
say "mocha: TypeScript tests against the real stack"
npx mocha "$@" 2>&1 | tee "$GENQ_HOME/logs/mocha.out"
mocha_rc=${PIPESTATUS[0]}
mocha_passed=$(grep -Eo '^\s+[0-9]+ passing' "$GENQ_HOME/logs/mocha.out" | grep -Eo '[0-9]+' | tail -n1)
mocha_failed=$(grep -Eo '^\s+[0-9]+ failing' "$GENQ_HOME/logs/mocha.out" | grep -Eo '[0-9]+' | tail -n1)

say "pytest: the Python trainer"
bash infra/pytest.sh -ra 2>&1 | tee "$GENQ_HOME/logs/pytest.out"
pytest_rc=${PIPESTATUS[0]}
summary=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$GENQ_HOME/logs/pytest.out" | tail -n1)
pytest_passed=$(grep -Eo '[0-9]+ passed' <<<"$summary" | grep -Eo '[0-9]+' || true)
pytest_failed=$(( $(grep -Eo '[0-9]+ failed' <<<"$summary" | grep -Eo '[0-9]+' || echo 0) + $(grep -Eo '[0-9]+ errors?' <<<"$summary" | grep -Eo '[0-9]+' || echo 0) ))

passed=$(( ${mocha_passed:-0} + ${pytest_passed:-0} ))
failed=$(( ${mocha_failed:-0} + pytest_failed ))
# A runner that crashed before its summary counts as a failure even with no failing test reported.
if [[ $mocha_rc != 0 && ${mocha_failed:-0} == 0 ]]; then failed=$((failed + 1)); fi
if [[ $pytest_rc != 0 && $pytest_failed == 0 ]]; then failed=$((failed + 1)); fi
echo
echo "mocha: ${mocha_passed:-0} passed, ${mocha_failed:-0} failed"
echo "pytest: ${pytest_passed:-0} passed, ${pytest_failed} failed"
echo "total: $passed passed, $failed failed"
[[ $mocha_rc == 0 && $pytest_rc == 0 ]]
