# Sourced by scripts/up and scripts/test: make .venv match requirements/dev.lock and compile
# the translation catalogues, so a fresh machine needs nothing but Python 3.11.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

# Debian-family systems ship venv/ensurepip separately; install it when we are allowed to.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $* (apt) ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    return 1
  fi
}

# Whether fontconfig knows a font family. Not `fc-list | grep -q`: under pipefail, grep
# leaving at the first match can end fc-list with SIGPIPE while it still writes, and the
# pipeline then fails although the font is there. Without fontconfig itself (fc-list) the
# answer is no, and installing a font package brings fontconfig along.
has_font() {
  [ -n "$(fc-list "$1" family 2>/dev/null)" ]
}

# One package's entry in a lock written by `uv pip compile --generate-hashes`: its `name==`
# line and the hash lines that continue it, as a requirements file of its own.
lock_entry() {
  awk -v name="$1" 'index($0, name "==") == 1 {p = 1} p {print} p && !/\\$/ {exit}' "$2"
}

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && is_py311 "$candidate"; then
      PYTHON="$candidate"
      break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)." >&2; exit 1; }

if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  apt_install python3.11-venv || {
    echo "Python's venv module is missing: install the python3.11-venv package." >&2; exit 1; }
fi

# A venv is usable only if its Python is 3.11 and has pip; otherwise build a new one beside it
# and swap it in, so an interrupted build never leaves a half venv that looks complete.
if ! { [ -x .venv/bin/python ] && is_py311 .venv/bin/python &&
       .venv/bin/python -m pip --version >/dev/null 2>&1; }; then
  rm -rf .venv.new
  "$PYTHON" -m venv .venv.new
  rm -rf .venv
  mv .venv.new .venv
  # Scripts in a moved venv keep the old path in their first line; call pip through python.
fi

# Reinstall only when the lock changed: a stamp holds the hash of what was installed.
stamp=.venv/.dev.lock.sha256
want="$(sha256sum requirements/dev.lock | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing Python packages from requirements/dev.lock (a few minutes the first time) ..."
  # pip itself first, at the lock's version and hashes (pip-audit needs pip, so the lock has it).
  # The venv starts with the pip of this Python's ensurepip (23.2 on 3.11.7), which in hash mode
  # cannot match a dependency's extra (pip-audit's CacheControl[filecache]) to the lock's pin
  # once PyPI has a newer release of that package: it stops with "must have their versions
  # pinned". The lock's pip does.
  lock_entry pip requirements/dev.lock >.venv/pip.lock
  [ -s .venv/pip.lock ] || {
    echo "requirements/dev.lock pins no pip, which this script installs first" >&2; exit 1; }
  .venv/bin/python -m pip install --disable-pip-version-check --no-input --require-hashes \
    --no-deps -r .venv/pip.lock | { grep --line-buffered '^Successfully' || true; }
  # pip's own lines, one per package collected and then the install, show that it works;
  # its errors go to stderr, unfiltered, and a failure still stops here (pipefail).
  .venv/bin/python -m pip install --disable-pip-version-check --no-input --require-hashes \
    -r requirements/dev.lock |
    { grep --line-buffered -E '^(Collecting|Installing|Successfully)' || true; }
  .venv/bin/python scripts/prune_venv.py requirements/dev.lock
  echo "$want" >"$stamp"
fi

export PATH="$ROOT/.venv/bin:$PATH"
python scripts/translations.py compile
