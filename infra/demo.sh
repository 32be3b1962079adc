#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack and runs GenQ's main job on the embedded
# default. For now that is the smoke workflow (every service, through Temporal); the pipeline grows here.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$GENQ_ROOT"
bash infra/setup.sh
say "building TypeScript"
npx tsc -p tsconfig.json
bash infra/stack.sh start
say "running the smoke workflow"
node dist/cli/smoke.js
say "the stack keeps running (Temporal UI: http://$GENQ_BIND_HOST:$GENQ_TEMPORAL_UI_PORT); stop it with: npm run stack -- stop"
