#!/usr/bin/env bash
# Puts the packages that sentence-transformers' `fit` needs (datasets, accelerate) into a folder OUTSIDE the
# pinned venv, for the baseline of bench/trainingThroughput.ts only:
#   bash trainer/bench/install_fit_deps.sh /tmp/genq-bench-pydeps
#   npm run bench -- training-throughput --baseline-pythonpath /tmp/genq-bench-pydeps
# --no-deps with versions that fit the venv's pins (huggingface-hub 0.36, numpy 2.4, torch 2.9): pip's own
# resolution would pick datasets 5 (needs huggingface-hub >= 1) or an old one whose pyarrow hashing fails.
set -euo pipefail
target=${1:?usage: install_fit_deps.sh TARGET_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/.genq/venv/bin/python" -m pip install --quiet --no-deps --target "$target" \
  datasets==4.4.1 accelerate==1.15.0 pyarrow==21.0.0 dill==0.3.8 multiprocess==0.70.16 fsspec==2025.10.0 \
  pandas==3.1.1 python-dateutil==4.0.0 tzdata==2026.6 xxhash==4.1.0 psutil==7.2.2 \
  aiohttp==3.14.5 aiohappyeyeballs==2.7.1 aiosignal==1.4.0 attrs==26.1.0 frozenlist==1.8.0 multidict==7.2.1 \
  propcache==0.5.4 yarl==1.25.1 anyio==4.16.0 h11==0.16.0 httpcore==1.0.9 httpx==0.28.1
PYTHONPATH="$target" "$root/.genq/venv/bin/python" -c \
  'import datasets, accelerate; datasets.Dataset.from_dict({"a": ["x"]}); print(f"datasets {datasets.__version__}, accelerate {accelerate.__version__}: ok")'
