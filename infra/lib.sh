# Shared by infra/*.sh: paths, settings (infra/stack.env, overridable from the environment) and output helpers.
# shellcheck shell=bash
GENQ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GENQ_ROOT

# Load defaults without overriding anything the caller already exported.
genq_load_defaults() {
  local file=$1 key value
  while IFS='=' read -r key value; do
    [[ -z "$key" || "$key" == \#* ]] && continue
    if [[ -z "${!key+x}" ]]; then export "$key=$value"; fi
  done <"$file"
}
genq_load_defaults "$GENQ_ROOT/infra/stack.env"
genq_load_defaults "$GENQ_ROOT/infra/versions.env"

# GENQ_HOME holds installed parts (binaries, venv, models); GENQ_STATE_DIR holds what a running stack writes.
export GENQ_HOME=${GENQ_HOME:-$GENQ_ROOT/.genq}
export GENQ_STATE_DIR=${GENQ_STATE_DIR:-$GENQ_HOME/state}
export GENQ_BIN=$GENQ_HOME/bin
export GENQ_VENV=$GENQ_HOME/venv
export GENQ_MODELS=$GENQ_HOME/models
export GENQ_LOGS=$GENQ_STATE_DIR/logs
export GENQ_RUN=$GENQ_STATE_DIR/run
export GENQ_DATA=$GENQ_STATE_DIR/data
export PATH="$GENQ_BIN:$PATH"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a long command with its output in a log file, printing the elapsed time and the log's
# newest line every 15 s so that a cold install never looks hung.
run_logged() {
  local label=$1 log=$2; shift 2
  mkdir -p "$(dirname "$log")"
  local started=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if (( (SECONDS - started) % 15 == 0 )); then
      local last
      last=$(tail -c 2000 "$log" 2>/dev/null | tr '\r' '\n' | grep -v '^\s*$' | tail -n 1 | cut -c1-100 || true)
      note "$label: $((SECONDS - started))s ${last:+· $last}"
    fi
  done
  if ! wait "$pid"; then
    printf '\033[31merror:\033[0m %s failed; last lines of %s:\n' "$label" "$log" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  note "$label: done in $((SECONDS - started))s"
}
