"""The nginx site for the IOK, from ``config/nginx.conf.template``:
``python -m config.nginx > /etc/nginx/sites-available/iok`` (values from ``IOK_*`` variables).

The body limits follow the app's own: every route that takes files (``takes_upload``) gets a
location with the largest body the app lets through there for any cooperative in the database
(and for the default settings), so nginx refuses with 413 exactly what the app would refuse.
Render the site again (and reload nginx) after a cooperative raises one of its upload limits.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from string import Template
from typing import Any

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
        "form_body": "2m", "import_body": f"{import_mb + 1}m",
        "read_timeout": "60s", "upload_locations": "",
    }
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute({**defaults, **values})


# Imports have their own location (their limit and longer timeouts).
OWN_LOCATION = ("/panel/import", "/api/v1/import")


def upload_locations(app: Any, settings: list[Any] | None = None) -> str:
    """A location for every route that takes files, with the app's own limit for it (in MB,
    rounded up) over ``settings`` (default: every cooperative's in the database, and the
    defaults for one added later)."""
    from iok_saas.files.uploads import body_limit, rule_regex, upload_routes

    if settings is None:
        settings = cooperatives_settings(app)
    blocks = []
    for rule, endpoint, limit in upload_routes(app):
        if rule.startswith(OWN_LOCATION):
            continue
        megabytes = math.ceil(body_limit(app, limit, settings) / (1 << 20))
        blocks.append(f"    location ~ {rule_regex(rule)} {{  # {endpoint}\n"
                      f"        client_max_body_size {megabytes}m;\n"
                      f"        proxy_pass http://iok_app;\n    }}")
    return "\n".join(blocks)


def cooperatives_settings(app: Any) -> list[Any]:
    """The defaults and every cooperative's settings (the defaults alone, said on stderr, when
    the database cannot be read)."""
    from sqlalchemy import select

    from iok_saas.db import db, platform_work
    from iok_saas.tenancy.models import Tenant
    from iok_saas.tenancy.settings import TenantSettings

    found = [TenantSettings(slug="default", name="default", short_name="default")]
    try:
        with app.app_context(), platform_work():
            found += [TenantSettings.model_validate(t.settings)
                      for t in db.session.scalars(select(Tenant))]
    except Exception as exc:
        print(f"# the cooperatives' settings could not be read ({exc.__class__.__name__}): "
              "the limits follow the default settings", file=sys.stderr)
    return found


if __name__ == "__main__":
    from iok_saas import create_app

    print(render(upload_locations=upload_locations(create_app())), end="")
