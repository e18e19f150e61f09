"""The nginx site for the IOK, from ``config/nginx.conf.template``:
``python -m config.nginx > /etc/nginx/sites-available/iok`` (values from ``IOK_*`` variables;
the body limits follow the app's own, so nginx refuses with 413 what the app would refuse)."""

from __future__ import annotations

import os
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
STATIC = Path(__file__).resolve().parent.parent / "iok_saas" / "static"


def render(**values: str) -> str:
    """The site configuration; ``values`` override the defaults taken from the environment."""
    env = os.environ.get
    import_mb = int(env("IOK_IMPORT_MAX_MB", "512"))
    defaults = {
        "upstream": env("IOK_BIND", "127.0.0.1:8000"),
        # Every host: the app answers 404 for a host no cooperative has.
        "server_names": env("IOK_NGINX_SERVER_NAMES", "_"),
        "http_listen": "80", "https_listen": "443",
        "certificate": env("IOK_TLS_CERTIFICATE", "/etc/ssl/certs/iok.pem"),
        "certificate_key": env("IOK_TLS_CERTIFICATE_KEY", "/etc/ssl/private/iok.key"),
        "static_root": str(STATIC),
        "form_body": "2m", "photo_body": "25m", "import_body": f"{import_mb + 1}m",
        # A fault report's photos: 5 of at most 12 MB each by default ([faults] in a tenant file).
        "fault_body": env("IOK_FAULT_UPLOAD_MB", "61") + "m",
        # Announcement attachments (5 × 10 MB) and members' documents ([documents] max_mb).
        "attachment_body": env("IOK_ATTACHMENT_UPLOAD_MB", "51") + "m",
        "read_timeout": "60s",
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute({**defaults, **values})


if __name__ == "__main__":
    print(render(), end="")
