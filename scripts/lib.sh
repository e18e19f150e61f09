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

# Pango for WeasyPrint's PDFs (credentials documents); chromium pulls it in too.
ensure_pango() {
  if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "Pango is missing: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0' and try again"
    exit 1
  fi
  say "Installing Debian's Pango for PDF documents"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
}

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "Chromium is missing: run 'sudo apt-get install chromium' and try again"
    exit 1
  fi
  say "Installing Debian's chromium package for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
}
