"""Contribution pages: start, the guided form (autosave, rows, picker, upload, download), submit, submissions.

Views stay thin: every write goes through taxonomy_app.contributions; the form's fields are read by
taxonomy_app.contribute_forms. htmx requests get fragments and out-of-band updates of the message containers,
word counters, the blocking list and the YAML preview, never of the input being typed in.
"""

from __future__ import annotations

import functools

import yaml
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labweb.roles import has_perm
from taxonomy_app import selectors
from taxonomy_app.content import seed_cards
from taxonomy_app.contribute_forms import (
    FormRefused,
    apply_row_operation,
    build_form_view,
    parse_contribution_post,
)
from taxonomy_app.contributions import (
    OPEN_STATES,
    ContributionInvalid,
    contribution_check,
    contribution_delete,
    contribution_start,
    contribution_submit,
    contribution_update,
)
from taxonomy_app.forge_service import submission_forge_status
from taxonomy_app.git import GitError
from taxonomy_app.models import Contribution, ContributionKind, Submission, TaxonomyNode
from taxonomy_app.qna import ContributionData, FieldIssue, from_qna_yaml, to_attribution_txt, to_qna_yaml
from taxonomy_app.repositories import documents_repository_url, get_taxonomy_repository

MAX_UPLOAD_BYTES = 1024 * 1024
# A file with one of these problems gave nothing to keep: the form is not replaced with an empty one.
UNREADABLE_RULES = frozenset({"R3-encoding", "R4-bad-character", "R4-yaml-syntax", "R5-empty",
                              "R6-not-mapping"})
PICKER_SEARCH_LIMIT = 12
KIND_WORDS = {
    ContributionKind.FREEFORM_SKILL: "skill",
    ContributionKind.GROUNDED_SKILL: "skill with a text to work on",
    ContributionKind.KNOWLEDGE: "knowledge",
}


def contributor_required(view):
    """Log in first (back here afterwards); an htmx call from a page whose session ended gets a 401 that the
    page shows, so text typed in it is not thrown away by a redirect."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                return HttpResponse("You have been logged out. Log in again in another tab; what you typed "
                                    "here is still on this page and is saved at your next change.",
                                    status=401, content_type="text/plain; charset=utf-8")
            # After logging in, a page to come back to (an autosave or submit URL cannot be opened).
            back = request.get_full_path() if request.method == "GET" else reverse("contribute:start")
            return redirect_to_login(back)
        return view(request, *args, **kwargs)

    return wrapper


def _own(request, pk: int) -> Contribution:
    contribution = get_object_or_404(Contribution.objects.select_related("submission", "owner"), pk=pk)
    if contribution.owner_id != request.user.pk:
        raise PermissionDenied("This contribution belongs to someone else.")
    return contribution


def _data(contribution: Contribution) -> ContributionData:
    data = ContributionData.from_dict(contribution.data)
    data.kind = contribution.kind
    return data


def _files(contribution: Contribution, data: ContributionData) -> tuple[str, str]:
    """qna.yaml and attribution.txt exactly as a submit would write them."""
    rendered = ContributionData.from_dict(data.to_dict())
    rendered.created_by = contribution.owner.username
    return to_qna_yaml(rendered), to_attribution_txt(rendered.attribution)


def _is_locked(contribution: Contribution) -> bool:
    return bool(contribution.submission_id and contribution.submission.status not in OPEN_STATES)


def _form_context(contribution: Contribution, *, page: bool = False, show_all: bool = False,
                  refused: str = "", focus: str = "", submit_issues=None) -> dict:
    """What the form page (`page`: the whole of it, tree picker included) and its live updates render."""
    data = _data(contribution)
    issues = contribution_check(contribution=contribution)
    view = build_form_view(contribution, data, issues)
    qna_yaml, attribution = _files(contribution, data)
    author = contribution.owner
    submission = contribution.submission if contribution.submission_id else None
    latest = submission.revisions.order_by("-number").first() if submission else None
    unchanged = latest is not None and (latest.qna_yaml, latest.attribution) == (qna_yaml, attribution)
    return {
        "unchanged_since": latest.number if unchanged else None,
        "c": contribution, "view": view, "qna_yaml": qna_yaml, "attribution_txt": attribution,
        "show_all": show_all, "refused": refused, "focus": focus, "submit_issues": submit_issues or [],
        "kind_words": KIND_WORDS.get(contribution.kind, contribution.kind),
        "picker_nodes": _picker_children(view.root) if page and not contribution.edits_path else None,
        "signoff_name": (author.get_full_name() or author.username).strip(),
        "signoff_email": author.email or f"{author.username}@users.labweb.invalid",
        "locked": _is_locked(contribution),
        "document_stored": bool(data.document and data.document.repo.strip() == documents_repository_url()),
    }


def _save_post(request, contribution: Contribution) -> str:
    """Store what the form posted; the refusal message, or "" when it was stored."""
    try:
        parsed = parse_contribution_post(request.POST, kind=contribution.kind, previous=_data(contribution))
        if request.POST.get("own_work"):
            _fill_own_work(contribution, parsed, request.user)
        contribution_update(contribution=contribution, actor=request.user, **parsed.update_kwargs())
    except (FormRefused, PermissionDenied, ValueError) as exc:
        return str(exc)
    return ""


def _fill_own_work(contribution: Contribution, parsed, user) -> None:
    """"I wrote these myself": name the work after the contribution and its author, keeping what is filled."""
    attribution = parsed.data.attribution
    name = (user.get_full_name() or user.username).strip()
    title = (parsed.title if parsed.title is not None else contribution.title).strip()
    attribution.title = attribution.title.strip() or title or f"Examples written by {name}"
    attribution.creators = attribution.creators.strip() or name


# --- start, my contributions -------------------------------------------------------------------------------


def _my_rows(user) -> list[Contribution]:
    """The person's contributions, most recently changed first (a review changes the submission, not the
    draft)."""
    rows = list(Contribution.objects.filter(owner=user).select_related("submission"))
    for row in rows:
        row.last_change = row.updated_at
        if row.submission_id:
            row.last_change = max(row.updated_at, row.submission.updated_at)
    return sorted(rows, key=lambda row: row.last_change, reverse=True)


@require_GET
@contributor_required
def start(request):
    return render(request, "contribute/start.html", {
        "rows": _my_rows(request.user), "can_contribute": has_perm(request.user, "contribute"),
    })


@require_GET
@contributor_required
def my_contributions(request):
    return render(request, "contribute/my.html", {"rows": _my_rows(request.user)})


@require_POST
@contributor_required
def new(request):
    kind = request.POST.get("kind", "")
    edits_path = request.POST.get("edits_path", "").strip("/")
    parent_path = request.POST.get("parent_path", "").strip("/")
    if edits_path:
        # One draft per topic and person: a second "Suggest a change" continues the first.
        existing = Contribution.objects.filter(owner=request.user, edits_path=edits_path,
                                               status=Contribution.Status.DRAFT).first()
        if existing is not None:
            messages.info(request, "You already have a draft for this topic; here it is.")
            return redirect("contribute:edit", pk=existing.pk)
    try:
        contribution = contribution_start(owner=request.user, kind=kind, edits_path=edits_path,
                                          parent_path=parent_path)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("contribute:start")
    return redirect("contribute:edit", pk=contribution.pk)


@require_http_methods(["GET", "POST"])
@contributor_required
def delete(request, pk: int):
    contribution = _own(request, pk)
    if contribution.status != Contribution.Status.DRAFT or contribution.submission_id:
        messages.error(request, "A submitted contribution cannot be deleted.")
        return redirect("contribute:edit", pk=pk)
    if request.method == "POST":
        title = str(contribution)
        contribution_delete(contribution=contribution, actor=request.user)
        messages.success(request, f"The draft “{title}” was deleted.")
        return redirect("my-contributions")
    return render(request, "contribute/delete.html", {"c": contribution})


# --- the form -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@contributor_required
def edit(request, pk: int):
    contribution = _own(request, pk)
    if request.method == "POST":  # "Save draft" without JavaScript
        refused = _save_post(request, contribution)
        if refused:
            messages.error(request, refused)
        else:
            messages.success(request, "Your draft is saved.")
        return redirect("contribute:edit", pk=pk)
    return render(request, "contribute/form.html", _form_context(contribution, page=True))


@require_POST
@contributor_required
def autosave(request, pk: int):
    contribution = _own(request, pk)
    refused = _save_post(request, contribution)
    contribution.refresh_from_db()
    context = _form_context(contribution, refused=refused)
    context["attribution_swap"] = bool(request.POST.get("own_work"))
    return render(request, "contribute/form.html#oob", context)


@require_POST
@contributor_required
def rows(request, pk: int):
    """Add, remove or move an example or a question: save the whole form, change the rows, show them again."""
    contribution = _own(request, pk)
    focus, refused = "", ""
    try:
        parsed = parse_contribution_post(request.POST, kind=contribution.kind, previous=_data(contribution))
        try:
            focus = apply_row_operation(parsed.data, request.POST.get("op", ""))
        except FormRefused as exc:  # a stale button: what was typed is still saved
            refused = str(exc)
        contribution_update(contribution=contribution, actor=request.user, **parsed.update_kwargs())
    except (FormRefused, PermissionDenied, ValueError) as exc:
        refused = str(exc)
    contribution.refresh_from_db()
    if not request.htmx:
        if refused:
            messages.error(request, refused)
        return redirect(reverse("contribute:edit", args=[pk]) + "#seeds")
    context = _form_context(contribution, refused=refused, focus=focus)
    return render(request, "contribute/form.html#rows_response", context)


@require_GET
@contributor_required
def download(request, pk: int):
    contribution = _own(request, pk)
    qna_yaml, _ = _files(contribution, _data(contribution))
    return HttpResponse(qna_yaml.encode("utf-8"), content_type="application/yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="qna.yaml"'})


def _root(kind: str) -> str:
    return "knowledge" if kind == ContributionKind.KNOWLEDGE else "compositional_skills"


def _read_qna(raw: bytes, contribution: Contribution):
    """(data, issues) of an uploaded qna.yaml, checked as the kind it turns out to be (a skill file read into
    a knowledge draft is checked as a skill, not reported as a broken knowledge file). created_by is left out
    of the issues: LabWeb writes it at submit."""
    path = f"{contribution.leaf_path or _root(contribution.kind) + '/uploaded/topic'}/qna.yaml"
    data, issues = from_qna_yaml(raw, path=path)
    if _root(data.kind) != path.split("/", 1)[0]:
        data, issues = from_qna_yaml(raw, path=f"{_root(data.kind)}/uploaded/topic/qna.yaml")
    issues = [i for i in issues
              if not (i.rule in ("R9-missing-key", "R11-empty-text") and "'created_by'" in i.message)]
    return data, issues


def _read_upload(request) -> tuple[bytes | None, str]:
    """The uploaded file's or the pasted text's bytes, or None and why not."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            return None, (f"That file is {upload.size / 1024 / 1024:.1f} MiB; a qna.yaml can be at most "
                          f"{MAX_UPLOAD_BYTES // 1024} KiB. Real ones are a few KiB: is it the right file?")
        return upload.read(MAX_UPLOAD_BYTES + 1), ""
    # Browsers send a textarea's line breaks as CRLF whatever was pasted.
    text = request.POST.get("text", "").replace("\r\n", "\n")
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_UPLOAD_BYTES:
        return None, (f"The pasted text is {len(raw) / 1024 / 1024:.1f} MiB; a qna.yaml can be at most "
                      f"{MAX_UPLOAD_BYTES // 1024} KiB.")
    if not text.strip():
        return None, "Choose a qna.yaml file or paste its text."
    return raw, ""


@require_http_methods(["GET", "POST"])
@contributor_required
def upload(request, pk: int):
    """Read a qna.yaml (step 1: what was read, and its problems), then replace the form with it (step 2)."""
    contribution = _own(request, pk)
    context = {"c": contribution, "limit_kib": MAX_UPLOAD_BYTES // 1024, "kind_words": KIND_WORDS}
    if request.method == "GET":
        return render(request, "contribute/upload.html", context)
    raw, refused = _read_upload(request)
    if raw is None:
        context["error"] = refused
        return render(request, "contribute/upload.html", context)
    data, issues = _read_qna(raw, contribution)
    readable = not any(issue.rule in UNREADABLE_RULES or issue.rule.startswith("limit-") for issue in issues)
    text = raw.decode("utf-8", "replace")
    if request.POST.get("confirm") == "1" and readable:
        return _apply_upload(request, contribution, data, issues)
    context.update({
        "read": data, "issues": issues, "text": text, "readable": readable,
        "kind_mismatch": data.kind != contribution.kind, "seed_count": len(data.seeds),
        "read_kind_words": KIND_WORDS.get(data.kind, data.kind),
        "pair_count": sum(len(s.pairs) for s in data.seeds),
    })
    return render(request, "contribute/upload.html", context)


def _apply_upload(request, contribution: Contribution, data: ContributionData, issues) -> HttpResponse:
    previous = _data(contribution)
    data.attribution = previous.attribution  # qna.yaml does not carry it
    target = contribution
    if data.kind != contribution.kind:
        if _is_locked(contribution) or contribution.submission_id:
            messages.error(request, "This file is a different kind of contribution than your submission; "
                                    "start a new contribution to use it.")
            return redirect("contribute:edit", pk=contribution.pk)
        target = contribution_start(owner=request.user, kind=data.kind)
        contribution_update(contribution=target, actor=request.user, title=contribution.title,
                            description=contribution.description)
        messages.info(request, f"The file is a {KIND_WORDS[data.kind]} contribution, so it was opened as a "
                               f"new draft; your {KIND_WORDS[contribution.kind]} draft is unchanged.")
    try:
        contribution_update(contribution=target, actor=request.user, data=data)
    except (PermissionDenied, ValueError) as exc:
        messages.error(request, str(exc))
        return redirect("contribute:edit", pk=contribution.pk)
    problems = len([i for i in issues if i.severity == "error"])
    read = f"Read {len(data.seeds)} example{'s' if len(data.seeds) != 1 else ''} from the file into the form."
    if problems:
        read += (f" The file had {problems} problem{'s' if problems != 1 else ''}: they are marked next to "
                 "the fields.")
    messages.success(request, read)
    return redirect("contribute:edit", pk=target.pk)


@require_POST
@contributor_required
def submit(request, pk: int):
    """Submit, or show the form again with what blocks it (a normal page, like any form with errors)."""
    contribution = _own(request, pk)
    refused = _save_post(request, contribution)  # what was typed in the last instant counts too
    contribution.refresh_from_db()
    if refused:
        context = _form_context(contribution, page=True, show_all=True, refused=refused)
        return render(request, "contribute/form.html", context)
    first = not contribution.submission_id
    try:
        submission = contribution_submit(contribution=contribution, actor=request.user)
    except ContributionInvalid as exc:
        context = _form_context(contribution, page=True, show_all=True, submit_issues=[
            issue for issue in exc.issues if issue.field_id is None])
        return render(request, "contribute/form.html", context)
    except GitError:
        # The repository was busy or failing; the service has undone its reservation, so a retry is safe.
        contribution.refresh_from_db()
        context = _form_context(contribution, page=True, show_all=True, submit_issues=[FieldIssue(
            None, "The taxonomy repository could not be written just now. Nothing was submitted; please try "
                  "again in a minute.", "C9-git", "error")])
        return render(request, "contribute/form.html", context, status=503)
    if first:
        messages.success(request, f"Submitted as #{submission.number}. Reviewers will look at it; you can "
                                  "follow it here and in My contributions.")
    else:
        messages.success(request, f"Revision {submission.revisions.count()} is submitted.")
    return redirect("contribute:submission", number=submission.number)


# --- where it goes: the picker ------------------------------------------------------------------------------


def _picker_children(path: str) -> dict:
    nodes = selectors.tree_children(path=path)
    return {"path": path, "categories": [n for n in nodes if not n.is_leaf],
            "leaves": [n for n in nodes if n.is_leaf]}


@require_GET
@contributor_required
def picker(request, pk: int):
    contribution = _own(request, pk)
    root = _root(contribution.kind)
    path = request.GET.get("path", root).strip("/")
    segments = path.split("/")
    if segments[0] != root or any(segment in ("", ".", "..") for segment in segments):
        raise Http404("That category is not under " + root)
    return render(request, "contribute/form.html#picker_children",
                  {"c": contribution, "picker_nodes": _picker_children(path)})


@require_GET
@contributor_required
def picker_search(request, pk: int):
    """Categories whose path has every word, and the categories of topics whose examples mention them."""
    contribution = _own(request, pk)
    root = _root(contribution.kind)
    query = request.GET.get("picker_q", "").strip()[:100]
    words = selectors.search_terms(query)
    if not words:
        return HttpResponse("")  # an empty box, so the results area disappears
    condition = Q(path__startswith=root + "/") & ~Q(kind=TaxonomyNode.Kind.LEAF)
    for word in words:
        condition &= Q(path__icontains=word)
    categories = list(TaxonomyNode.objects.filter(condition).only(*selectors.TREE_FIELDS)
                      .order_by("depth", "path")[:PICKER_SEARCH_LIMIT])
    seen = {c.path for c in categories}
    related = []
    for hit in selectors.taxonomy_search(query=query, limit=50).hits:
        parent = hit.path.rsplit("/", 1)[0]
        if hit.path.startswith(root + "/") and parent not in seen and parent.count("/") >= 1:
            seen.add(parent)
            related.append((parent, hit.path))
        if len(related) >= PICKER_SEARCH_LIMIT:
            break
    return render(request, "contribute/form.html#picker_results", {
        "c": contribution, "query": query, "categories": categories, "related": related, "root": root,
    })


# --- the knowledge document ---------------------------------------------------------------------------------


@require_GET
@contributor_required
def document_fields(request, pk: int):
    """The form's document fields as stored: shown again after the documents panel uploaded a document."""
    contribution = _own(request, pk)
    return render(request, "contribute/form.html#document_fields", _form_context(contribution))


# --- submissions --------------------------------------------------------------------------------------------


def _visible_submission(request, number: int) -> Submission:
    submission = get_object_or_404(Submission.objects.select_related("author"), pk=number)
    if submission.author_id != request.user.pk and not has_perm(request.user, "triage"):
        raise Http404("No such submission.")
    return submission


def _diff_lines(text: str) -> list[tuple[str, str]]:
    """(kind, line) for a unified diff: a file's header lines are "meta" up to its first hunk."""
    lines = []
    in_header = False
    for line in text.splitlines():
        if line.startswith("diff "):
            in_header = True
        if in_header and not line.startswith("@@"):
            kind = "meta"
        elif line.startswith("@@"):
            in_header = False
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        lines.append((kind, line))
    return lines


@require_GET
@contributor_required
def submission(request, number: int):
    submission = _visible_submission(request, number)
    revisions = list(submission.revisions.select_related("created_by").order_by("number"))
    choices = [("base", f"main when it was submitted ({submission.base_commit[:10]})",
                submission.base_commit)]
    choices += [(str(r.number), f"revision {r.number} ({r.commit_sha[:10]})", r.commit_sha)
                for r in revisions]
    commits = {key: sha for key, _, sha in choices}
    old_key = request.GET.get("old") or (str(revisions[-2].number) if len(revisions) > 1 else "base")
    new_key = request.GET.get("new") or (str(revisions[-1].number) if revisions else "base")
    diff, diff_error = [], ""
    if old_key not in commits or new_key not in commits:
        diff_error = "Choose two versions from the lists."
    elif revisions:
        try:
            old = commits[old_key] or None
            diff = _diff_lines(get_taxonomy_repository().diff_text(old, commits[new_key],
                                                                   paths=[submission.taxonomy_path]))
        except (GitError, ValueError) as exc:
            diff_error = f"The diff could not be computed: {exc}"
    context = {"s": submission, "revisions": revisions, "choices": choices, "old_key": old_key,
               "new_key": new_key, "diff": diff, "diff_error": diff_error}
    if request.htmx and request.GET.get("part") == "diff":
        return render(request, "contribute/submission.html#diff", context)
    latest = revisions[-1] if revisions else None
    contents = None
    if latest is not None:
        try:
            contents = yaml.safe_load(latest.qna_yaml)
        except yaml.YAMLError:
            contents = None
    contribution = Contribution.objects.filter(submission=submission).first()
    context.update({
        "latest": latest, "cards": seed_cards(contents if isinstance(contents, dict) else None),
        "contents": contents if isinstance(contents, dict) else {},
        "contribution": contribution,
        "can_revise": (contribution is not None and contribution.owner_id == request.user.pk
                       and submission.status in OPEN_STATES),
        "kind_words": KIND_WORDS.get(submission.kind, submission.kind),
        "main_branch": settings.TAXONOMY_MAIN_BRANCH,
        "forge_status": submission_forge_status(submission=submission) if submission.external_url else None,
    })
    return render(request, "contribute/submission.html", context)
