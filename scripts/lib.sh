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

# The W3C Nu HTML checker (npm's vnu-jar, pinned) in .vnu/, for the browser tests' check that
# every page they load is valid HTML; it runs on Java (Debian's default-jre-headless). No lock
# file is written and the package's own install script (a Java download) is not run.
VNU_VERSION="26.9.27"
ensure_vnu() {
  command -v java >/dev/null 2>&1 ||
    apt_install "Java for the Nu HTML checker" default-jre-headless
  command -v npm >/dev/null 2>&1 || apt_install "npm for the Nu HTML checker" npm
  if [ "$(cat "$ROOT/.vnu/version" 2>/dev/null)" != "$VNU_VERSION" ]; then
    say "Installing the Nu HTML checker (vnu-jar $VNU_VERSION) in .vnu"
    rm -rf "$ROOT/.vnu"
    npm install --silent --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
      --prefix "$ROOT/.vnu" "vnu-jar@$VNU_VERSION"
    echo "$VNU_VERSION" > "$ROOT/.vnu/version"
  fi
}
