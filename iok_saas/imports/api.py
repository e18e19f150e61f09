"""The import API for the accounting system's nightly sync, on the cooperative's own host.

``Authorization: Bearer <token>`` with the cooperative's token (``iok tenants api-token``);
only its SHA-256 is stored. A token of another cooperative is simply a wrong token here.

* ``POST /api/v1/import/<kind>[?dry_run=1]`` — the file as the request body
  (``Content-Type: text/csv`` or ``application/json``; documents for units:
  ``application/zip``) → 202 and the run's address;
* ``GET /api/v1/imports/<id>`` — the run: status, counts, every problem.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from iok_saas.auth.limits import limiter, per_tenant_ip
from iok_saas.db import db, utcnow
from iok_saas.imports import models, queue
from iok_saas.imports.kinds import DOCUMENTS, KINDS
from iok_saas.imports.reading import FileTooLarge, ImportFileError
from iok_saas.imports.runner import max_bytes, too_large_message
from iok_saas.tenancy.keys import tenant_key
from iok_saas.tenancy.models import Tenant

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")  # the second: Windows' name
TOKEN_PREFIX = "iok_"
FAILED_AUTH_LIMIT = "20 per minute"  # wrong tokens from one address


def new_token(tenant: Tenant) -> str:
    """Create or rotate the cooperative's token; returns it (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tenant.api_token_hash = _digest(token)
    tenant.api_token_created_at = utcnow()
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _error(status: int, message: Any, **headers: str) -> Response:
    response = jsonify(error=str(message))
    response.status_code = status
    response.headers.update(headers)
    return response


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The cooperative's own API token, or 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        stored = db.session.scalar(select(Tenant.api_token_hash).where(Tenant.id == g.tenant.id))
        if (scheme.lower() != "bearer" or not stored
                or not hmac.compare_digest(stored, _digest(token.strip()))):
            return _error(401, _l("No valid API token of this cooperative."),
                          **{"WWW-Authenticate": 'Bearer realm="iok"'})
        return view(*args, **kwargs)

    return wrapper


def _api_limit() -> str:
    return current_app.config["API_LIMIT"]


def _per_tenant() -> str:
    return tenant_key(g.tenant.id, "api")


def _authorised(response: Response) -> bool:
    """Only requests with the right token count against the cooperative's limit: anybody
    could otherwise use it up with wrong tokens and stop the nightly sync."""
    return response.status_code != 401


def _refused(response: Response) -> bool:
    return response.status_code == 401


@bp.post("/import/<kind>")
@limiter.limit(_api_limit, key_func=_per_tenant, deduct_when=_authorised)
@limiter.limit(FAILED_AUTH_LIMIT, key_func=per_tenant_ip, deduct_when=_refused)
@token_required
def import_file(kind: str) -> Response:
    """Queue an import of the request body."""
    if kind not in KINDS:
        return _error(404, _l("Unknown kind of data; allowed: %(kinds)s.",
                              kinds=", ".join(KINDS)))
    length = request.content_length  # None for a chunked upload: the copy is capped then
    if length is not None and length > max_bytes():
        return _error(413, too_large_message(length))
    is_zip = request.mimetype in ZIP_TYPES
    if is_zip != (kind == DOCUMENTS):
        return _error(415, _l("Documents for units are sent as a ZIP file (Content-Type: "
                              "application/zip) to /api/v1/import/documents; the other kinds "
                              "as CSV (text/csv) or JSON (application/json)."))
    is_json = request.mimetype == "application/json"
    extension = "zip" if is_zip else "json" if is_json else "csv"
    filename = request.args.get("plik") or f"api-{kind}.{extension}"
    try:
        run = queue.queue_upload(kind, request.stream, filename, json=is_json,
                                 dry_run=request.args.get("dry_run") in ("1", "true"),
                                 actor="API", origin=models.API)
    except ImportFileError as exc:
        db.session.rollback()
        return _error(413 if isinstance(exc, FileTooLarge) else 400, str(exc))
    db.session.commit()
    response = jsonify(_describe(run))
    response.status_code = 202
    response.headers["Location"] = url_for("api.import_run", run_id=run.id)
    return response


@bp.get("/imports/<int:run_id>")
@limiter.limit(_api_limit, key_func=_per_tenant, deduct_when=_authorised)
@limiter.limit(FAILED_AUTH_LIMIT, key_func=per_tenant_ip, deduct_when=_refused)
@token_required
def import_run(run_id: int) -> Response:
    """What became of a queued import."""
    run = queue.find_run(run_id)
    if run is None:
        return _error(404, _l("There is no such import in this cooperative."))
    return jsonify(_describe(run))


def _describe(run: models.ImportRun) -> dict[str, Any]:
    return {
        "id": run.id, "kind": run.kind, "file": run.filename, "status": run.status,
        "dry_run": run.dry_run, "ok": run.ok if run.status == models.DONE else None,
        "rows": run.rows, "added": run.added, "changed": run.changed,
        "unchanged": run.unchanged, "problem_count": run.problem_count,
        "problems": run.problems or [], "notes": run.notes or [],
        "url": url_for("api.import_run", run_id=run.id, _external=True),
    } | (_delivered(run) if run.kind == DOCUMENTS else {})


def _delivered(run: models.ImportRun) -> dict[str, Any]:
    """Documents for units: ``added`` are the documents delivered now; those delivered
    before (the same PDF to the same unit, kind and person) are kept in ``changed``."""
    done = run.status == models.DONE and run.ok
    return {"delivered": run.added, "already_delivered": run.changed,
            "left_out": max(run.rows - run.added - run.changed, 0) if done else None}


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return _error(error.code or 500, error.description or error.name)


@bp.post("/export/readings")
@limiter.limit(_api_limit, key_func=_per_tenant, deduct_when=_authorised)
@limiter.limit(FAILED_AUTH_LIMIT, key_func=per_tenant_ip, deduct_when=_refused)
@token_required
def export_readings() -> Response:
    """Accepted meter readings not exported yet (``?all=1``: all of them), as JSON; a POST,
    since it marks them exported."""
    from iok_saas.meters import export

    rows = export.take(again=request.args.get("all") in ("1", "true"))
    db.session.commit()
    return jsonify(readings=rows, count=len(rows))
