"""Notifications of new high-confidence alerts and of health alerts: a JSON POST to a webhook and an
e-mail over SMTP, each sent once (the store records what went out, so a restarted monitor does not
send it again; a failed send is tried again next time).

    notifier = Notifier.from_settings(settings)
    notifier.send_pending(store)        # -> {"webhook": n, "email": n}

Message (webhook body, and the e-mail's text):
``{"kind": "alert", "id": 14, "alert_kind": "narrative", "score": 0.99, "level": "confirm",
"target": "nato-aggression", "title": "NATO is preparing an attack on Russia", "text": "...",
"document": {"id": 1, "title": "...", "url": "..."}, "link": "<public_url>/documents/1"}`` or
``{"kind": "health", "id": 3, "health_kind": "failing", "subject_kind": "source", "subject": "tass",
"detail": "...", "opened_at": "..."}``.
"""

from __future__ import annotations

import json
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import httpx

from .settings import Settings

log = logging.getLogger(__name__)
TIMEOUT = 10.0


@dataclass
class Notifier:
    webhook: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    starttls: bool = False
    sender: str = "disinfowatch@localhost"
    recipients: tuple[str, ...] = ()
    min_score: float = 0.9
    public_url: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> Notifier:
        return cls(settings.notify_webhook, settings.notify_smtp_host, settings.notify_smtp_port,
                   settings.notify_smtp_user, settings.notify_smtp_password, settings.notify_smtp_starttls,
                   settings.notify_email_from, tuple(settings.notify_email_to), settings.notify_min_score,
                   settings.public_url.rstrip("/"))

    @property
    def channels(self) -> list[str]:
        out = []
        if self.webhook:
            out.append("webhook")
        if self.smtp_host and self.recipients:
            out.append("email")
        return out

    def send_pending(self, store) -> dict[str, int]:
        """Send every alert and health event not yet sent on each channel; counts sent."""
        sent = {channel: 0 for channel in self.channels}
        if not sent:
            return sent
        alerts = [self._alert_message(a) for a in store.alerts_to_notify(self.min_score)]
        health = [self._health_message(h) for h in store.open_health()]
        for channel in self.channels:
            done = {"alert": store.notified(channel, "alert"), "health": store.notified(channel, "health")}
            for message in alerts + health:
                if message["id"] in done[message["kind"]]:
                    continue
                try:
                    (self._post if channel == "webhook" else self._mail)(message)
                except (httpx.HTTPError, OSError, smtplib.SMTPException) as exc:
                    log.warning("notification by %s failed: %s", channel, exc)
                    store.record_notification(channel, message["kind"], message["id"], False, str(exc)[:500])
                    continue
                store.record_notification(channel, message["kind"], message["id"], True)
                sent[channel] += 1
        return sent

    def _alert_message(self, alert: dict) -> dict:
        ev = alert["evidence"]
        return {"kind": "alert", "id": alert["id"], "alert_kind": alert["kind"], "score": alert["score"],
                "level": alert["level"], "target": alert["target"], "title": ev.get("target_title") or alert["target"],
                "text": ev.get("text", ""), "who": ev.get("who"),
                "document": {"id": alert["document_id"], "title": alert.get("document_title"), "url": alert.get("url")},
                "link": f"{self.public_url}/documents/{alert['document_id']}"}

    def _health_message(self, event: dict) -> dict:
        return {"kind": "health", "id": event["id"], "health_kind": event["kind"], "subject_kind": event["subject_kind"],
                "subject": event["subject"], "detail": event["detail"], "opened_at": str(event["opened_at"]),
                "link": f"{self.public_url}/"}

    def _post(self, message: dict) -> None:
        response = httpx.post(self.webhook, json=message, timeout=TIMEOUT)
        response.raise_for_status()

    def _mail(self, message: dict) -> None:
        mail = EmailMessage()
        if message["kind"] == "alert":
            mail["Subject"] = f"[disinfowatch] {message['alert_kind']} {message['score']:.2f}: {message['title']}"[:200]
            body = (f"{message['title']}\n\n«{message['text']}»" + (f" ({message['who']})" if message.get("who") else "") +
                    f"\n\nDocument: {message['document']['title'] or ''} {message['document']['url'] or ''}\n"
                    f"Review it: {message['link']}\n")
        else:
            mail["Subject"] = f"[disinfowatch] health: {message['subject_kind']} {message['subject']} is {message['health_kind']}"[:200]
            body = f"{message['detail']}\n\nSince {message['opened_at']}. Dashboard: {message['link']}\n"
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail.set_content(body + "\n-- \n" + json.dumps(message, ensure_ascii=False, default=str))
        with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=TIMEOUT) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.smtp_user:
                smtp.login(self.smtp_user, self.smtp_password or "")
            smtp.send_message(mail)
