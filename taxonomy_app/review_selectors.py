"""Reads for the review workspace: the queue with its filters and counts, and a submission's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from labweb.models import AuditEvent
from labweb.roles import has_perm
from taxonomy_app.models import Comment, ContributionKind, Revision, Submission, TriageState
from taxonomy_app.reviews import NotAllowed

Status = Submission.Status
# Sort keys a list may ask for; each gets the primary key as tie-breaker so pages are stable.
QUEUE_SORTS = ("created_at", "-created_at", "updated_at", "-updated_at", "title", "-title")
QUEUE_COLUMNS = ("id", "title", "kind", "taxonomy_path", "status", "triage_state", "labels", "created_at",
                 "updated_at", "author__id", "author__username", "author__first_name", "author__last_name",
                 "assignee__id", "assignee__username", "assignee__first_name", "assignee__last_name")
# Audit verbs the timeline shows through richer items of their own (the comment, the revision).
_SHOWN_ELSEWHERE = ("submission.commented", "submission.revised")


def _choices(value: str | Iterable[str] | None, allowed: Iterable[str], what: str) -> list[str] | None:
    if value is None or value == "":
        return None
    values = [value] if isinstance(value, str) else list(value)
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"Unknown {what} {', '.join(unknown)}; choose from {', '.join(allowed)}.")
    return values


def review_queue(*, actor, status: str | Iterable[str] | None = None,
                 triage_state: str | Iterable[str] | None = None, kind: str | Iterable[str] | None = None,
                 path_prefix: str | None = None, assignee: User | int | str | None = None,
                 older_than_days: int | None = None, sort: str = "-created_at") -> QuerySet[Submission]:
    """Submissions for reviewers, filtered and sorted, with only the columns a list shows.

    status=None lists every submitted one (not those still being written); assignee is a user, a user id,
    "me" or "none"; path_prefix matches whole path segments ("knowledge/science" is not "knowledge/sci").
    """
    if actor is None or not has_perm(actor, "triage"):
        raise NotAllowed("Only triagers, maintainers and administrators can see the review queue.")
    if sort not in QUEUE_SORTS:
        raise ValueError(f"Unknown sort {sort!r}; choose one of {', '.join(QUEUE_SORTS)}.")
    queryset = Submission.objects.exclude(status=Status.WRITING)
    statuses = _choices(status, [s for s in Status.values if s != Status.WRITING], "status")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    states = _choices(triage_state, TriageState.values, "triage state")
    if states:
        queryset = queryset.filter(triage_state__in=states)
    kinds = _choices(kind, ContributionKind.values, "kind")
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    prefix = (path_prefix or "").strip().strip("/")
    if prefix:
        queryset = queryset.filter(Q(taxonomy_path=prefix) | Q(taxonomy_path__startswith=f"{prefix}/"))
    if assignee == "me":
        queryset = queryset.filter(assignee=actor)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif isinstance(assignee, User):
        queryset = queryset.filter(assignee=assignee)
    elif assignee is not None:
        try:
            queryset = queryset.filter(assignee_id=int(assignee))
        except (TypeError, ValueError):
            raise ValueError(f"Unknown assignee {assignee!r}: use a user id, 'me' or 'none'.") from None
    if older_than_days is not None:
        if older_than_days < 0:
            raise ValueError("older_than_days cannot be negative.")
        queryset = queryset.filter(created_at__lt=timezone.now() - timedelta(days=older_than_days))
    tie = "-id" if sort.startswith("-") else "id"
    return queryset.select_related("author", "assignee").only(*QUEUE_COLUMNS).order_by(sort, tie)


def review_counts() -> dict[str, dict[str, int]]:
    """Submitted submissions per status and per triage state, in one aggregate query."""
    statuses = [s for s in Status.values if s != Status.WRITING]
    aggregates = {f"status:{s}": Count("id", filter=Q(status=s)) for s in statuses}
    aggregates |= {f"triage:{t}": Count("id", filter=Q(triage_state=t)) for t in TriageState.values}
    aggregates["total"] = Count("id")
    row = Submission.objects.exclude(status=Status.WRITING).aggregate(**aggregates)
    return {"status": {s: row[f"status:{s}"] for s in statuses},
            "triage_state": {t: row[f"triage:{t}"] for t in TriageState.values},
            "total": {"all": row["total"]}}


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "event", "comment" or "revision"
    at: datetime
    actor: User | None
    item: AuditEvent | Comment | Revision


def submission_timeline(submission: Submission) -> list[TimelineItem]:
    """Audit events, comments and revisions of one submission, oldest first (three queries)."""
    events = (AuditEvent.objects.filter(target_type=Submission._meta.label_lower, target_id=str(submission.pk))
              .exclude(verb__in=_SHOWN_ELSEWHERE).select_related("actor"))
    comments = Comment.objects.filter(submission=submission).select_related("author", "revision", "resolved_by")
    revisions = Revision.objects.filter(submission=submission).select_related("created_by").defer(
        "qna_yaml", "attribution")
    items = [TimelineItem("event", e.created_at, e.actor, e) for e in events]
    items += [TimelineItem("comment", c.created_at, c.author, c) for c in comments]
    items += [TimelineItem("revision", r.created_at, r.created_by, r) for r in revisions]
    order = {"revision": 0, "event": 1, "comment": 2}
    return sorted(items, key=lambda i: (i.at, order[i.kind], i.item.pk))
