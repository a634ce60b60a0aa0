"""Review workspace pages: the queue, one submission's review page and its actions, metrics and the audit log.

Views stay thin: reads go through taxonomy_app.review_selectors, every decision through taxonomy_app.reviews.
An action answers an htmx request with the workspace part of the page drawn again (with the refusal in it and
a 4xx status when the service said no); without JavaScript it redirects back with a message.
"""

from __future__ import annotations

import functools
import statistics

import yaml
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from labweb.models import AuditEvent
from labweb.notifications import users_with_permission
from labweb.plots import horizontal_bar_chart
from labweb.roles import has_perm
from taxonomy_app import reviews
from taxonomy_app.content import seed_cards
from taxonomy_app.contribute_views import KIND_WORDS, _diff_lines
from taxonomy_app.diffs import side_by_side
from taxonomy_app.git import GitError
from taxonomy_app.models import (
    CannedResponse,
    Comment,
    Contribution,
    ContributionKind,
    Revision,
    SearchItem,
    Submission,
    TriageState,
)
from taxonomy_app.repositories import get_taxonomy_repository
from taxonomy_app.review_selectors import QUEUE_SORTS, review_counts, review_queue, submission_timeline
from taxonomy_app.schema import validate_qna

PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50
SORT_LABELS = {"-created_at": "newest first", "created_at": "oldest first", "-updated_at": "recently changed",
               "updated_at": "least recently changed", "title": "title A–Z", "-title": "title Z–A"}
AGE_CHOICES = (("", "any age"), ("1", "older than a day"), ("7", "older than a week"),
               ("30", "older than a month"))
EVENT_WORDS = {
    "submission.submitted": "submitted it", "submission.triaged": "changed the triage state",
    "submission.assigned": "changed the assignee", "submission.labelled": "changed the labels",
    "submission.changes_requested": "requested changes", "submission.approved": "approved it",
    "submission.closed": "closed it", "submission.withdrawn": "withdrew it", "submission.reopened": "reopened it",
    "submission.merged": "merged it", "submission.comment_resolved": "resolved a comment",
    "submission.comment_reopened": "reopened a comment",
}
ACTIONS = ("triage", "assign", "label", "request-changes", "approve", "close", "reopen", "merge", "comment")


def _login_first(view):
    """Anonymous people log in first (an htmx call gets a 401 instead of a login page in the middle)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                return HttpResponse("You have been logged out; log in again.", status=401,
                                    content_type="text/plain; charset=utf-8")
            back = request.get_full_path() if request.method == "GET" else reverse("reviews:queue")
            return redirect_to_login(back)
        return view(request, *args, **kwargs)

    return wrapper


def _need(request, codename: str) -> None:
    if not has_perm(request.user, codename):
        raise PermissionDenied("This page is for reviewers.")


# --- the queue ----------------------------------------------------------------------------------------------


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
@_login_first
def queue(request):
    _need(request, "triage")
    filters = {
        "status": request.GET.get("status", ""), "triage_state": request.GET.get("triage_state", ""),
        "kind": request.GET.get("kind", ""), "path": request.GET.get("path", "").strip()[:1024],
        "assignee": request.GET.get("assignee", ""), "age": request.GET.get("age", ""),
        "sort": request.GET.get("sort", "") or "-created_at",
    }
    error = ""
    if filters["assignee"] not in ("", "me", "none"):
        filters["assignee"] = ""
    try:
        rows = review_queue(actor=request.user, status=filters["status"] or None,
                            triage_state=filters["triage_state"] or None, kind=filters["kind"] or None,
                            path_prefix=filters["path"] or None, assignee=filters["assignee"] or None,
                            older_than_days=_int_or_none(filters["age"]), sort=filters["sort"])
    except ValueError as exc:
        error = str(exc)
        rows = Submission.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = review_counts()
    context = {"page": page, "filters": filters, "error": error, "query": query.urlencode(), "counts": counts,
               "state_counts": [(value, label, counts["triage_state"][value]) for value, label in TriageState.choices], "statuses": [s for s in Submission.Status.choices if s[0] != "writing"],
               "triage_states": TriageState.choices, "kinds": ContributionKind.choices,
               "sorts": [(key, SORT_LABELS[key]) for key in QUEUE_SORTS], "ages": AGE_CHOICES,
               "kind_words": KIND_WORDS}
    status = 400 if error else 200
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "reviews/queue.html#results", context, status=status)
    return render(request, "reviews/queue.html", context, status=status)


# --- one submission -----------------------------------------------------------------------------------------


def _visible(request, number: int) -> Submission:
    """Reviewers see every submitted one; its author sees their own; everyone else is told it does not exist."""
    submission = get_object_or_404(Submission.objects.select_related("author", "assignee"), pk=number)
    if submission.author_id != request.user.pk and not has_perm(request.user, "triage"):
        raise Http404("No such submission.")
    if submission.status == Submission.Status.WRITING:
        raise Http404("This submission is still being written.")
    return submission


def _contents(revision: Revision | None) -> dict:
    if revision is None:
        return {}
    try:
        contents = yaml.safe_load(revision.qna_yaml)
    except yaml.YAMLError:
        return {}
    return contents if isinstance(contents, dict) else {}


def _checks(submission: Submission, latest: Revision | None, cards) -> dict:
    """The validator in ci and strict modes on the latest revision, and questions already in the taxonomy."""
    if latest is None:
        return {"modes": [], "duplicates": [], "documents": None}
    path = f"{submission.taxonomy_path}/qna.yaml"
    modes = []
    for mode in ("ci", "strict"):
        result = validate_qna(latest.qna_yaml, path=path, mode=mode, attribution=latest.attribution)
        modes.append({"mode": mode, "errors": result.errors, "warnings": result.warnings})
    questions = {}
    for card in cards:
        for number, pair in enumerate(card.pairs, start=1):
            text = (pair.question or "").strip()
            if text:
                questions.setdefault(text, []).append(f"example {card.number}" + (
                    f", question {number}" if len(card.pairs) > 1 else ""))
    duplicates = []
    if questions:
        hits = (SearchItem.objects.filter(field=SearchItem.Field.QUESTION, text__in=list(questions))
                .exclude(node__path=submission.taxonomy_path).select_related("node")
                .only("text", "seed_index", "node__path").order_by("node__path", "seed_index")[:50])
        for hit in hits:
            duplicates.append({"question": hit.text, "where": questions.get(hit.text.strip(), []),
                               "path": hit.node.path, "seed": hit.seed_index})
    return {"modes": modes, "duplicates": duplicates, "documents": _document_check(submission)}


def _document_check(submission: Submission) -> dict | None:
    """For knowledge: what the document-retrieval check found (uploads are stored by LabWeb and count as found;
    a named repository is cloned and searched in the background from the contribution form)."""
    if submission.kind != "knowledge":
        return None
    contribution = Contribution.objects.filter(submission=submission).only("document_check").first()
    return (contribution.document_check or None) if contribution else None


def _anchors(cards) -> list[tuple[str, str]]:
    anchors = [("", "the whole submission")]
    for card in cards:
        anchors.append((f"seed-{card.number}", f"example {card.number}"))
        if len(card.pairs) > 1:
            anchors += [(f"seed-{card.number}-pair-{n}", f"example {card.number}, question {n}")
                        for n in range(1, len(card.pairs) + 1)]
    return anchors


def _anchor_words(anchor: str) -> tuple[str, str]:
    """The seed card a comment's anchor points at, and the anchor in words."""
    match = reviews.ANCHOR.match(anchor or "")
    if not match:
        return "", ""
    words = f"example {match[1]}" + (f", question {match[2]}" if match[2] else "")
    return f"seed-{match[1]}", words


def _diff_context(request, submission: Submission, revisions: list[Revision]) -> dict:
    choices = [("base", f"main when it was submitted ({submission.base_commit[:10]})", submission.base_commit)]
    main = settings.TAXONOMY_MAIN_BRANCH
    repo = get_taxonomy_repository()
    main_head = None
    try:
        main_head = repo.resolve(main)
    except GitError:
        main_head = None
    if main_head:
        choices.append(("main", f"{main} now ({main_head[:10]})", main_head))
    choices += [(str(r.number), f"revision {r.number} ({r.commit_sha[:10]})", r.commit_sha) for r in revisions]
    commits = {key: sha for key, _, sha in choices}
    merged = submission.status == Submission.Status.MERGED
    old_key = request.GET.get("old") or ("main" if main_head and not merged else "base")
    new_key = request.GET.get("new") or (str(revisions[-1].number) if revisions else "base")
    layout = "unified" if request.GET.get("layout") == "unified" else "split"
    diff, split, diff_error = [], [], ""
    if old_key not in commits or new_key not in commits:
        diff_error = "Choose two versions from the lists."
    elif revisions:
        try:
            text = repo.diff_text(commits[old_key] or None, commits[new_key], paths=[submission.taxonomy_path])
        except (GitError, ValueError) as exc:
            diff_error = f"The diff could not be computed: {exc}"
        else:
            diff, split = _diff_lines(text), side_by_side(text)
    return {"choices": choices, "old_key": old_key, "new_key": new_key, "diff": diff, "split": split,
            "layout": layout, "diff_error": diff_error, "diff_url": reverse("reviews:detail", args=[submission.pk])}


def _workspace_context(request, submission: Submission, *, revisions: list[Revision] | None = None,
                       cards=None) -> dict:
    """What the parts that change after an action need: state, decisions, comments, timeline."""
    user = request.user
    if revisions is None:
        revisions = list(submission.revisions.select_related("created_by").defer("qna_yaml").order_by("number"))
    latest = revisions[-1] if revisions else None
    if cards is None:
        cards = seed_cards(_contents(Revision.objects.filter(pk=latest.pk).first()) if latest else None)
    comments = list(Comment.objects.filter(submission=submission)
                    .select_related("author", "revision", "resolved_by").order_by("created_at", "id"))
    threads = [c for c in comments if c.parent_id is None]
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    for thread in threads:
        thread.thread_replies = replies.get(thread.pk, [])
        thread.anchor_target, thread.anchor_label = _anchor_words(thread.anchor)
    timeline = submission_timeline(submission)
    for item in timeline:
        if item.kind == "comment":
            item.item.anchor_target, item.item.anchor_label = _anchor_words(item.item.anchor)
    is_triager = has_perm(user, "triage")
    is_author = submission.author_id == user.pk
    approvals = list(submission.approvals.select_related("approver", "revision"))
    latest_approved = bool(latest and any(a.revision_id == latest.pk for a in approvals))
    undecided = submission.status in reviews.UNDECIDED
    return {
        "s": submission, "latest": latest, "revisions": revisions, "threads": threads,
        "open_threads": sum(1 for t in threads if not t.resolved), "anchors": _anchors(cards),
        "timeline": timeline, "event_words": EVENT_WORDS,
        "is_triager": is_triager, "is_author": is_author, "can_merge": has_perm(user, "merge"),
        "can_decide": is_triager and not is_author and undecided,
        "can_withdraw": is_author and undecided,
        "can_reopen": submission.status == Submission.Status.CLOSED and (
            is_triager or (is_author and submission.triage_state != TriageState.REJECTED)),
        "can_comment": (is_triager or is_author) and submission.status != Submission.Status.WRITING,
        "approvals": approvals, "latest_approved": latest_approved,
        "triage_states": TriageState.choices, "labels": sorted(reviews.LABELS.items()),
        "assignable": users_with_permission("triage").order_by("username") if is_triager else [],
        "canned": CannedResponse.objects.filter(active=True) if (is_triager or is_author) else [],
        "kind_words": KIND_WORDS.get(submission.kind, submission.kind),
        "main_branch": settings.TAXONOMY_MAIN_BRANCH,
    }


@require_GET
@_login_first
def detail(request, number: int):
    submission = _visible(request, number)
    revisions = list(submission.revisions.select_related("created_by").order_by("number"))
    diff = _diff_context(request, submission, revisions)
    if request.htmx and request.GET.get("part") == "diff":
        return render(request, "reviews/detail.html#diff", diff)
    latest = revisions[-1] if revisions else None
    contents = _contents(latest)
    cards = seed_cards(contents or None)
    context = _workspace_context(request, submission, revisions=revisions, cards=cards)
    context.update(diff)
    context.update({"contents": contents, "cards": cards, "checks": _checks(submission, latest, cards)})
    return render(request, "reviews/detail.html", context)


# --- actions ------------------------------------------------------------------------------------------------


def _status_for(exc: reviews.ReviewError) -> int:
    if isinstance(exc, reviews.NotAllowed):
        return 403
    if isinstance(exc, reviews.InvalidInput):
        return 400
    return 409


def _assignee(value: str, actor) -> User | None:
    if value == "":
        return None
    if value == "me":
        return actor
    try:
        return User.objects.get(pk=int(value))
    except (ValueError, User.DoesNotExist):
        raise reviews.InvalidInput("Choose someone from the list.") from None


def _comment_target(submission: Submission, value: str, what: str):
    if not value:
        return None
    try:
        return submission.comments.get(pk=int(value))
    except (ValueError, Comment.DoesNotExist):
        raise reviews.InvalidInput(f"That {what} is not on this submission.") from None


def _perform(request, submission: Submission, action: str) -> str:
    """Call the service for `action`; returns what to tell the person. ReviewError goes up."""
    post, actor = request.POST, request.user
    if action == "triage":
        reviews.submission_triage(submission=submission, actor=actor, state=post.get("state", ""),
                                  note=post.get("note", ""))
        return "The triage state is saved."
    if action == "assign":
        assignee = _assignee(post.get("assignee", ""), actor)
        reviews.submission_assign(submission=submission, actor=actor, assignee=assignee)
        return f"Assigned to {assignee.get_username()}." if assignee else "Nobody is assigned now."
    if action == "label":
        wanted = set(post.getlist("labels"))
        current = set(submission.labels)
        reviews.submission_label(submission=submission, actor=actor, add=wanted - current, remove=current - wanted)
        return "The labels are saved."
    if action == "request-changes":
        reviews.submission_request_changes(submission=submission, actor=actor, message=post.get("message", ""))
        return "Changes are requested; the contributor has been told."
    if action == "approve":
        reviews.submission_approve(submission=submission, actor=actor)
        return "Approved."
    if action == "close":
        reviews.submission_close(submission=submission, actor=actor, reason=post.get("reason", ""))
        return "The submission is closed."
    if action == "reopen":
        reviews.submission_reopen(submission=submission, actor=actor)
        return "The submission is open again."
    if action == "merge":
        merged = reviews.submission_merge(submission=submission, actor=actor)
        return f"Merged into {settings.TAXONOMY_MAIN_BRANCH} ({merged.merged_commit[:12]})."
    if action == "comment":
        parent = _comment_target(submission, post.get("parent", ""), "comment")
        revision = None
        if post.get("revision"):
            revision = submission.revisions.filter(number=_int_or_none(post["revision"]) or 0).first()
            if revision is None:
                raise reviews.InvalidInput("That revision is not part of this submission.")
        reviews.comment_add(submission=submission, actor=actor, body=post.get("body", ""), revision=revision,
                            anchor=post.get("anchor", ""), parent=parent)
        return "Your reply is posted." if parent else "Your comment is posted."
    if action in ("resolve", "unresolve"):
        comment = _comment_target(submission, post.get("comment", ""), "comment")
        if comment is None:
            raise reviews.InvalidInput("Choose a comment.")
        reviews.comment_resolve(comment=comment, actor=actor, resolved=action == "resolve")
        return "The conversation is resolved." if action == "resolve" else "The conversation is open again."
    raise Http404("No such action.")


@require_POST
@_login_first
def act(request, number: int, action: str):
    submission = _visible(request, number)
    error, conflict_paths, status = "", [], 200
    try:
        done = _perform(request, submission, action)
    except reviews.ReviewError as exc:
        error, status, done = exc.message, _status_for(exc), ""
        conflict_paths = getattr(exc, "paths", [])
        if isinstance(exc, reviews.MergeBlocked):
            error = "This submission cannot be merged yet."
            conflict_paths = []
        reasons = getattr(exc, "reasons", [])
    else:
        reasons = []
    if not request.htmx:
        if error:
            messages.error(request, " ".join([error, *reasons, *conflict_paths]))
        else:
            messages.success(request, done)
        return redirect(reverse("reviews:detail", args=[number]) + "#workspace")
    submission = Submission.objects.select_related("author", "assignee").get(pk=number)
    context = _workspace_context(request, submission)
    context.update({"action_error": error, "action_reasons": reasons, "conflict_paths": conflict_paths,
                    "action_done": done})
    return render(request, "reviews/detail.html#workspace", context, status=status)


# --- metrics and audit --------------------------------------------------------------------------------------


def _durations(pairs) -> dict:
    hours = sorted((end - start).total_seconds() / 3600 for start, end in pairs if start and end and end >= start)
    if not hours:
        return {"count": 0, "median": None, "p90": None}
    p90 = hours[min(len(hours) - 1, max(0, int(round(0.9 * len(hours) + 0.5)) - 1))]
    return {"count": len(hours), "median": round(statistics.median(hours), 1), "p90": round(p90, 1)}


@require_GET
@_login_first
def metrics(request):
    _need(request, "triage")
    from taxonomy_app.models import Contribution

    drafts = Contribution.objects.count()
    counts = review_counts()
    submitted = counts["total"]["all"]
    submission_type = Submission._meta.label_lower
    decided_verbs = ("submission.triaged", "submission.changes_requested", "submission.approved",
                     "submission.closed")
    first_triage = dict(AuditEvent.objects.filter(target_type=submission_type, verb__in=decided_verbs)
                        .values_list("target_id").annotate(first=Min("created_at")).values_list("target_id", "first"))
    triaged = len(first_triage)
    merged = counts["status"].get("merged", 0)
    created = dict(Submission.objects.exclude(status=Submission.Status.WRITING).values_list("id", "created_at"))
    to_triage = _durations((created.get(int(pk)), at) for pk, at in first_triage.items() if pk.isdigit())
    to_merge = _durations(Submission.objects.filter(status=Submission.Status.MERGED)
                          .values_list("created_at", "merged_at"))
    queue_url = reverse("reviews:queue")
    funnel = horizontal_bar_chart([("drafts started", drafts, drafts, reverse("contribute:start")),
                                   ("submitted", submitted, submitted, queue_url),
                                   ("triaged", triaged, triaged, queue_url),
                                   ("merged", merged, merged, f"{queue_url}?status=merged")], label_width=200)
    open_states = [(label, counts["triage_state"][value], counts["triage_state"][value],
                    f"{queue_url}?triage_state={value}") for value, label in TriageState.choices]
    per_status = [(label, counts["status"][value], counts["status"][value], f"{queue_url}?status={value}")
                  for value, label in Submission.Status.choices if value != Submission.Status.WRITING]
    return render(request, "reviews/metrics.html", {
        "funnel": funnel, "by_triage": horizontal_bar_chart(open_states, label_width=200),
        "by_status": horizontal_bar_chart(per_status, label_width=200),
        "to_triage": to_triage, "to_merge": to_merge,
    })


@require_GET
@_login_first
def audit(request):
    if not has_perm(request.user, "manage_taxonomy"):
        raise PermissionDenied("The audit log is for administrators.")
    filters = {"verb": request.GET.get("verb", "").strip()[:64], "actor": request.GET.get("actor", "").strip()[:150],
               "target": request.GET.get("target", "").strip()[:130]}
    events = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if filters["verb"]:
        events = events.filter(verb__startswith=filters["verb"])
    if filters["actor"]:
        events = events.filter(actor__username=filters["actor"])
    if filters["target"]:
        target_type, _, target_id = filters["target"].partition(":")
        events = events.filter(target_type=target_type)
        if target_id:
            events = events.filter(target_id=target_id)
    verbs = AuditEvent.objects.values("verb").annotate(n=Count("id")).order_by("verb")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/audit.html", {
        "page": Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page")), "filters": filters,
        "verbs": verbs, "query": query.urlencode(),
    })

