# Sourced by scripts/up and scripts/test: make .venv match requirements/dev.lock and compile
# the translation catalogues, so a fresh machine needs nothing but Python 3.11.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON="$candidate"
      break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)." >&2; exit 1; }

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  rm -rf .venv
  "$PYTHON" -m venv .venv
fi

# Reinstall only when the lock changed: a stamp holds the hash of what was installed.
stamp=.venv/.dev.lock.sha256
want="$(sha256sum requirements/dev.lock | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing Python packages from requirements/dev.lock ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r requirements/dev.lock
  echo "$want" >"$stamp"
fi

# compilemessages needs GNU gettext's msgfmt; install it when this machine lacks it.
if ! command -v msgfmt >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing gettext ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
  else
    echo "GNU gettext (msgfmt) is required: install the 'gettext' package." >&2
    exit 1
  fi
fi

export PATH="$ROOT/.venv/bin:$PATH"
python manage.py compilemessages --ignore=.venv --ignore=var -v 0
