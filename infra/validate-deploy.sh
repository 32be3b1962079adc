#!/usr/bin/env bash
# Validates the deployment files without a Docker engine: `docker compose config` where the compose plugin
# exists, else Debian's docker-compose (installed on demand when root).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
compose_file=$GENQ_ROOT/infra/deploy/docker-compose.yml
env_file=$GENQ_ROOT/infra/deploy/env.example
if docker compose version >/dev/null 2>&1; then compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    [[ $(id -u) == 0 ]] || die "neither 'docker compose' nor 'docker-compose' is installed; install one to validate $compose_file"
    say "installing docker-compose (Debian) to validate the deployment files"
    run_logged "apt-get install docker-compose" "$GENQ_HOME/logs/apt-docker-compose.log" \
      bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose'
  fi
  compose=(docker-compose)
fi
say "validating $compose_file with ${compose[*]}"
"${compose[@]}" --env-file "$env_file" -f "$compose_file" config -q
note "deployment files: valid"
