"""E-mail: the transactional outbox, message kinds and their rendering, the transports."""

from __future__ import annotations

from flask import Blueprint, Flask

# No routes: the blueprint makes templates/mail/… available to render_template.
bp = Blueprint("mail", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the mail templates and the platform's own message kinds."""
    from iok_saas.mail import messages  # noqa: F401 - registers the platform's message kinds

    app.register_blueprint(bp)
