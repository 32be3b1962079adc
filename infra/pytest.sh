#!/usr/bin/env bash
# Runs the trainer's pytest suite in the pinned venv, offline (models come from PyPI packages, never a hub).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ -x "$GENQ_VENV/bin/python" ]] || die "the trainer venv is missing; run infra/setup.sh venv"
cd "$GENQ_ROOT"
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONPATH="$GENQ_ROOT/trainer" exec "$GENQ_VENV/bin/python" -m pytest trainer/tests "$@"
