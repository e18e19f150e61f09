"""Sending: SMTP (none / STARTTLS / SSL) or, in the embedded default, files in instance/outbox.

Errors are sorted by what they say about delivery, because that decides what the outbox does:
``TransientError`` — not delivered, try again later (connection refused or lost before the
message itself was sent, 4xx reply); ``PermanentError`` — not delivered, never will be (5xx
reply); anything else once the message itself (SMTP DATA) is on its way — delivery unknown.
``before_data`` is called just before that moment (the outbox records it).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from flask import current_app


class TransientError(Exception):
    """The server did not take the message; it may later."""


class PermanentError(Exception):
    """The server refused the message for good."""


def send(message: EmailMessage, name: str, before_data: Callable[[], None] = lambda: None
         ) -> None:
    """Deliver one message through the configured transport; ``before_data()`` runs just
    before the message itself is handed over (its failure stops the send, nothing sent)."""
    with Mailer() as mailer:
        mailer.send(message, name, before_data)


class Mailer:
    """One connection to the mail server for many messages (a chunk of an announcement's
    e-mails), opened at the first message; after any error it is dropped and the next message
    opens a new one. Without ``SMTP_HOST``: files in instance/outbox."""

    def __init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        if exc[0] is not None:
            smtp.close()  # no polite QUIT to a server that may not answer (job timeout)
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def send(self, message: EmailMessage, name: str,
             before_data: Callable[[], None] = lambda: None) -> None:
        if not current_app.config.get("SMTP_HOST"):
            before_data()
            _write_file(message, name)
            return
        if self._smtp is None:
            self._smtp = _connect()
        smtp = self._smtp
        smtp.before_data, smtp.data_started = before_data, False
        try:
            smtp.send_message(message)
        except BaseException as exc:
            self._smtp = None
            smtp.close()
            meaning = _sorted(exc, smtp.data_started)
            if meaning is exc:
                raise
            raise meaning from exc


def _sorted(exc: BaseException, data_started: bool) -> BaseException:
    """What a failed send says about delivery (see the module's docstring)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        error = f"recipient refused: {exc.recipients}"
        return PermanentError(error) if min(codes) >= 500 else TransientError(error)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc)
    if isinstance(exc, (OSError, smtplib.SMTPException)) and not data_started:
        # The message itself never left: plainly not delivered.
        return TransientError(f"connection to the mail server lost: {exc!r}")
    return exc


class _DataMark:
    """An SMTP client that calls ``before_data`` when the message itself is about to go."""

    before_data: Callable[[], None] = staticmethod(lambda: None)
    data_started = False

    def data(self, msg):
        self.before_data()
        self.data_started = True
        return super().data(msg)


class _SMTP(_DataMark, smtplib.SMTP):
    """Plain or STARTTLS SMTP that marks the start of DATA."""


class _SMTP_SSL(_DataMark, smtplib.SMTP_SSL):
    """SMTP over TLS that marks the start of DATA."""


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, mode = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TLS"]
    timeout = config.get("SMTP_TIMEOUT", 30)
    try:
        if mode == "ssl":
            smtp: smtplib.SMTP = _SMTP_SSL(host, port, timeout=timeout,
                                           context=ssl.create_default_context())
        else:
            smtp = _SMTP(host, port, timeout=timeout)
            if mode == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except smtplib.SMTPResponseException as exc:
        raise _by_code(exc) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise TransientError(f"cannot reach the mail server: {exc}") from exc
    return smtp


def _by_code(exc: smtplib.SMTPResponseException) -> Exception:
    reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(
        exc.smtp_error)
    text = f"{exc.smtp_code} {reply}"
    return PermanentError(text) if exc.smtp_code >= 500 else TransientError(text)


def _write_file(message: EmailMessage, name: str) -> None:
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.eml"
    path.write_bytes(bytes(message))
    body = message.get_body(("plain",))
    text = body.get_content() if body else ""
    print(f"\n--- e-mail to {message['To']}: {message['Subject']}\n{text}--- saved in {path}\n",
          flush=True)
