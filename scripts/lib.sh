# Shared set-up steps for scripts/demo and scripts/test (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# A virtual environment with the project installed; reinstalled when pyproject.toml changes.
ensure_venv() {
  local extras="$1" stamp want
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in .venv"
    python3 -m venv "$VENV"
  fi
  stamp="$VENV/.iok-installed"
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)$extras"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "Installing the project and its pinned dependencies"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$extras"
    echo "$want" > "$stamp"
  fi
}

# Install Debian packages when a library is missing: apt_install WHY PACKAGE...
apt_install() {
  local why="$1"; shift
  if [ "$(id -u)" -ne 0 ]; then
    say "$why is missing: run 'sudo apt-get install $*' and try again"
    exit 1
  fi
  say "Installing Debian's $* ($why)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

# Pango for WeasyPrint's PDFs (credentials documents); chromium pulls it in too.
ensure_pango() {
  { ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' &&
    ldconfig -p 2>/dev/null | grep -q 'libcairo.so.2'; } ||
    apt_install "Pango for PDF documents, Cairo for home-screen icons" libpango-1.0-0 \
      libpangoft2-1.0-0 libcairo2 fonts-dejavu-core
}

# Debian's PgBouncer: the tests put it between the app and PostgreSQL (transaction pooling), as
# a large deployment runs; the package's own service is stopped (the tests start their own).
ensure_pgbouncer() {
  command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || {
    apt_install "PgBouncer between the app and PostgreSQL in the tests" pgbouncer
    service pgbouncer stop >/dev/null 2>&1 || true
  }
}

# Debian's nginx for the front-server tests (they start their own, on loopback ports); the
# package's own site on port 80 is stopped: nothing here needs it.
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || {
    apt_install "nginx for the front-server tests" nginx
    service nginx stop >/dev/null 2>&1 || true
  }
}

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 ||
    apt_install "Chromium for the browser tests" chromium fonts-dejavu-core
}
