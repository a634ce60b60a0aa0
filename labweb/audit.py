from __future__ import annotations

from django.db import models

from labweb.models import AuditEvent


def audit_record(*, actor, verb: str, target: models.Model, data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
