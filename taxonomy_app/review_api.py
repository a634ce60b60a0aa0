"""REST API for reviewing: the queue, a submission with everything needed to decide, comments and every decision.

Authentication as for the contributions API: a token (`Authorization: Token <key>`) or the browser session;
without either, 401. A submission is visible to its author and to triagers, maintainers and administrators;
anyone else gets 404, as if it did not exist. The rules live in taxonomy_app.reviews; these views translate
JSON to those services and their refusals to HTTP:

    NotAllowed -> 403, InvalidInput (and a malformed body) -> 400, InvalidTransition -> 409,
    MergeBlocked -> 409 with `reasons`, MergeConflict -> 409 with `paths`, a busy repository -> 503.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from labweb.roles import has_perm
from taxonomy_app import reviews
from taxonomy_app.contribute_api import LimitedJSONParser
from taxonomy_app.git import RefConflict, RepositoryLocked
from taxonomy_app.models import Comment, ContributionKind, Revision, Submission, TriageState
from taxonomy_app.review_selectors import QUEUE_SORTS, review_counts, review_queue
from taxonomy_app.review_serializers import (
    AssignInputSerializer,
    CloseInputSerializer,
    CommentInputSerializer,
    CommentSerializer,
    LabelsInputSerializer,
    MergeInputSerializer,
    NoInputSerializer,
    QueueItemSerializer,
    RequestChangesInputSerializer,
    ResolveInputSerializer,
    ReviewDetailSerializer,
    ReviewErrorSerializer,
    TriageInputSerializer,
)
from taxonomy_app.reviews import (
    InvalidInput,
    InvalidTransition,
    MergeBlocked,
    MergeConflict,
    NotAllowed,
    ReviewError,
)

QUEUE_PARAMS = ("status", "triage_state", "kind", "path", "assignee", "older_than_days", "sort", "limit",
                "offset")
_NOT_FOUND = "No such submission."


class _ReviewAPI:
    # Token first, so an anonymous request gets 401 with `WWW-Authenticate: Token` rather than a bare 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [LimitedJSONParser]


def _error(exc: ReviewError) -> Response:
    """The HTTP answer to a service's refusal."""
    body: dict = {"detail": exc.message}
    headers = {}
    if isinstance(exc, NotAllowed):
        code, http = "not_allowed", status.HTTP_403_FORBIDDEN
    elif isinstance(exc, InvalidInput):
        code, http = "invalid_input", status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, MergeConflict):
        code, http = "merge_conflict", status.HTTP_409_CONFLICT
        body["paths"] = exc.paths
    elif isinstance(exc, MergeBlocked):
        code, http = "merge_blocked", status.HTTP_409_CONFLICT
        body["reasons"] = exc.reasons
    elif isinstance(exc, InvalidTransition):
        code, http = "invalid_transition", status.HTTP_409_CONFLICT
    elif isinstance(exc.__cause__, RefConflict):  # main moved during the merge: nothing was merged, try again
        code, http = "retry", status.HTTP_409_CONFLICT
    else:  # the repository is locked by another write, or could not be written
        code, http = "retry", status.HTTP_503_SERVICE_UNAVAILABLE
        if isinstance(exc.__cause__, RepositoryLocked):
            headers["Retry-After"] = "5"
    body["code"] = code
    return Response(body, status=http, headers=headers)


def _bad_request(message: str) -> Response:
    return Response({"detail": message, "code": "invalid_input"}, status=status.HTTP_400_BAD_REQUEST)


def visible_submissions(user) -> QuerySet[Submission]:
    """What a user may look at: everything for reviewers, their own for anyone else."""
    queryset = Submission.objects.select_related("author", "assignee")
    return queryset if has_perm(user, "triage") else queryset.filter(author=user)


def _submission(request: Request, number: int) -> Submission:
    try:
        return visible_submissions(request.user).get(pk=number)
    except Submission.DoesNotExist:
        raise Http404(_NOT_FOUND) from None


# ----------------------------------------------------------------------------------------------------- queue


class QueuePagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["counts"] = self.counts
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        per = {"type": "object", "additionalProperties": {"type": "integer"}}
        schema["properties"]["counts"] = {
            "type": "object", "description": "Submitted submissions per status and per triage state, and in all",
            "properties": {"status": per, "triage_state": per, "total": per},
            "required": ["status", "triage_state", "total"]}
        schema["required"] = [*schema.get("required", []), "counts"]
        return schema


def _many(request: Request, name: str) -> list[str] | None:
    """?status=open&status=approved or ?status=open,approved."""
    values = [v.strip() for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]
    return values or None


class ReviewQueue(_ReviewAPI, generics.ListAPIView):
    serializer_class = QueueItemSerializer
    pagination_class = QueuePagination

    @extend_schema(
        summary="The review queue (triagers, maintainers, administrators)",
        description="Submitted submissions, filtered and sorted, with counts per status and per triage state "
                    "(of all submitted ones, not only the filtered). Repeat a filter or separate values with "
                    "commas to match any of them. Unknown parameters are refused by name.",
        parameters=[
            OpenApiParameter("status", str, many=True, explode=True,
                             description="Default: every submitted one. "
                                         + ", ".join(s for s in Submission.Status.values if s != "writing")),
            OpenApiParameter("triage_state", str, many=True, explode=True, description=", ".join(TriageState.values)),
            OpenApiParameter("kind", str, many=True, explode=True, description=", ".join(ContributionKind.values)),
            OpenApiParameter("path", str, description="A taxonomy path prefix, whole segments "
                                                      "(knowledge/science matches knowledge/science/birds)"),
            OpenApiParameter("assignee", str, description="me, none, a user id or a username"),
            OpenApiParameter("older_than_days", int, description="Submitted more than this many days ago"),
            OpenApiParameter("sort", str, enum=list(QUEUE_SORTS), description="Default -created_at (newest first)"),
        ],
        responses={200: QueueItemSerializer(many=True),
                   400: OpenApiResponse(ReviewErrorSerializer, description="An unknown filter or value"),
                   403: OpenApiResponse(ReviewErrorSerializer, description="Not a reviewer")},
    )
    def get(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - set(QUEUE_PARAMS))
        if unknown:
            return _bad_request(f"Unknown parameter(s) {', '.join(unknown)}; the parameters here are: "
                                f"{', '.join(QUEUE_PARAMS)}.")
        try:
            self.queue = self._queue(request)
        except ReviewError as exc:
            return _error(exc)
        except ValueError as exc:
            return _bad_request(str(exc))
        self.paginator.counts = review_counts()
        return self.list(request, *args, **kwargs)

    def _queue(self, request: Request) -> QuerySet[Submission]:
        assignee = request.query_params.get("assignee") or None
        if assignee is not None and assignee not in ("me", "none") and not assignee.isdigit():
            user = User.objects.filter(username=assignee).only("pk").first()
            if user is None:
                raise ValueError(f"Unknown assignee {assignee!r}: use me, none, a user id or a username.")
            assignee = user.pk
        older = request.query_params.get("older_than_days")
        if older is not None:
            try:
                older = int(older)
            except ValueError:
                raise ValueError(f"older_than_days must be a whole number of days, not {older!r}.") from None
        return review_queue(actor=request.user, status=_many(request, "status"),
                            triage_state=_many(request, "triage_state"), kind=_many(request, "kind"),
                            path_prefix=request.query_params.get("path"), assignee=assignee,
                            older_than_days=older, sort=request.query_params.get("sort") or "-created_at")

    def get_queryset(self):
        return self.queue


# ---------------------------------------------------------------------------------------------------- detail


def _detail(request: Request, submission: Submission, http: int = status.HTTP_200_OK) -> Response:
    revisions = list(Revision.objects.filter(submission=submission).select_related("created_by")
                     .order_by("number"))
    comments = list(Comment.objects.filter(submission=submission)
                    .select_related("author", "revision", "resolved_by").order_by("created_at", "id"))
    approvals = list(submission.approvals.select_related("revision", "approver").order_by("created_at", "id"))
    context = {"request": request, "revisions": revisions, "comments": comments, "approvals": approvals,
               "latest_revision_id": revisions[-1].pk if revisions else None}
    return Response(ReviewDetailSerializer(submission, context=context).data, status=http)


class ReviewDetail(_ReviewAPI, APIView):
    @extend_schema(summary="One submission with everything needed to decide",
                   description="Latest revision (with its qna.yaml and attribution.txt), every revision, approvals "
                               "(`current`: of the latest revision), triage state, labels, assignee and comments. "
                               "Its author and reviewers only; anyone else gets 404.",
                   responses={200: ReviewDetailSerializer, 404: OpenApiResponse(description=_NOT_FOUND)})
    def get(self, request, number: int):
        return _detail(request, _submission(request, number))


# -------------------------------------------------------------------------------------------------- comments


class ReviewComments(_ReviewAPI, APIView):
    @extend_schema(summary="A submission's comments, oldest first (replies carry their thread's id as parent)",
                   responses={200: CommentSerializer(many=True), 404: OpenApiResponse(description=_NOT_FOUND)})
    def get(self, request, number: int):
        submission = _submission(request, number)
        comments = (Comment.objects.filter(submission=submission)
                    .select_related("author", "revision", "resolved_by").order_by("created_at", "id"))
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(summary="Comment (its author and reviewers), or reply to a comment",
                   request=CommentInputSerializer,
                   responses={201: CommentSerializer,
                              400: OpenApiResponse(ReviewErrorSerializer, description="Empty or too long, an "
                                                   "unknown revision, parent or anchor"),
                              403: OpenApiResponse(ReviewErrorSerializer, description="Not allowed"),
                              404: OpenApiResponse(description=_NOT_FOUND),
                              409: OpenApiResponse(ReviewErrorSerializer, description="Still being written")})
    def post(self, request, number: int):
        submission = _submission(request, number)
        values = _valid(CommentInputSerializer, request)
        revision = parent = None
        if values.get("revision") is not None:
            revision = Revision.objects.filter(submission=submission, number=values["revision"]).first()
            if revision is None:
                return _bad_request(f"Submission #{submission.pk} has no revision {values['revision']}.")
        if values.get("parent") is not None:
            parent = Comment.objects.filter(submission=submission, pk=values["parent"]).first()
            if parent is None:
                return _bad_request(f"Submission #{submission.pk} has no comment {values['parent']}.")
        try:
            comment = reviews.comment_add(submission=submission, actor=request.user, body=values["body"],
                                          revision=revision, anchor=values.get("anchor", ""), parent=parent)
        except ReviewError as exc:
            return _error(exc)
        comment = Comment.objects.select_related("author", "revision", "resolved_by").get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentResolve(_ReviewAPI, APIView):
    @extend_schema(summary="Resolve a thread, or open it again (its starter, the submission's author, reviewers)",
                   request=ResolveInputSerializer,
                   responses={200: CommentSerializer,
                              400: OpenApiResponse(ReviewErrorSerializer, description="A malformed body"),
                              403: OpenApiResponse(ReviewErrorSerializer, description="Not allowed"),
                              404: OpenApiResponse(description="No such comment"),
                              409: OpenApiResponse(ReviewErrorSerializer, description="Already so, or a reply")})
    def post(self, request, pk: int):
        comment = get_object_or_404(
            Comment.objects.select_related("submission", "author", "revision", "resolved_by")
            .filter(submission__in=visible_submissions(request.user)), pk=pk)
        values = _valid(ResolveInputSerializer, request)
        try:
            reviews.comment_resolve(comment=comment, actor=request.user, resolved=values["resolved"])
        except ReviewError as exc:
            return _error(exc)
        comment = Comment.objects.select_related("author", "revision", "resolved_by").get(pk=comment.pk)
        return Response(CommentSerializer(comment).data)


# ------------------------------------------------------------------------------------------------- decisions


def _valid(serializer_class, request: Request) -> dict:
    data = request.data if request.data is not None else {}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_DECISION_ERRORS = {
    400: OpenApiResponse(ReviewErrorSerializer, description="A malformed body or a value the service refuses"),
    403: OpenApiResponse(ReviewErrorSerializer, description="The caller may not do this (to this submission)"),
    404: OpenApiResponse(description=_NOT_FOUND),
    409: OpenApiResponse(ReviewErrorSerializer, description="Not possible in the submission's current state"),
}


class _Decision(_ReviewAPI, APIView):
    """POST a decision: validate the body, call the service, answer with the submission as it is now."""

    input_serializer = NoInputSerializer

    def decide(self, request: Request, submission: Submission, values: dict) -> None:
        raise NotImplementedError

    def post(self, request, number: int):
        submission = _submission(request, number)
        values = _valid(self.input_serializer, request)
        try:
            self.decide(request, submission, values)
        except ReviewError as exc:
            return _error(exc)
        return _detail(request, _submission(request, number))


def _decision_schema(summary: str, description: str, request_serializer, extra: dict | None = None):
    return extend_schema(summary=summary, description=description, request=request_serializer,
                         responses={200: ReviewDetailSerializer, **_DECISION_ERRORS, **(extra or {})})


class ReviewTriage(_Decision):
    input_serializer = TriageInputSerializer

    @_decision_schema("Set the triage state (reviewers)",
                      "needed, uncertain and follow_up change only the triage state; approved, requested_changes "
                      "and rejected are the decisions approve, request-changes and close, with `note` as their "
                      "message.", TriageInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_triage(submission=submission, actor=request.user, state=values["state"],
                                  note=values.get("note", ""))


class ReviewAssign(_Decision):
    input_serializer = AssignInputSerializer

    @_decision_schema("Assign to a reviewer, or to nobody (reviewers)",
                      "`username` must be able to triage; null unassigns.", AssignInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        assignee = None
        if values["username"] is not None:
            assignee = User.objects.filter(username=values["username"]).first()
            if assignee is None:
                raise InvalidInput(f"There is no user {values['username']!r}.")
        reviews.submission_assign(submission=submission, actor=request.user, assignee=assignee)


class ReviewLabels(_Decision):
    input_serializer = LabelsInputSerializer

    @_decision_schema("Add and remove labels (reviewers)", "Labels: " + ", ".join(
        f"`{name}` ({text})" for name, text in sorted(reviews.LABELS.items())) + ". legal-hold blocks a merge.",
        LabelsInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_label(submission=submission, actor=request.user, add=values.get("add", ()),
                                 remove=values.get("remove", ()))


class ReviewRequestChanges(_Decision):
    input_serializer = RequestChangesInputSerializer

    @_decision_schema("Request changes (reviewers, not on their own submission)",
                      "The submission goes to changes_requested and `message` becomes a comment on the latest "
                      "revision; the contributor's next revision sends it back to review.",
                      RequestChangesInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_request_changes(submission=submission, actor=request.user, message=values["message"])


class ReviewApprove(_Decision):
    @_decision_schema("Approve the latest revision (reviewers, not on their own submission)",
                      "A later revision is not covered: merging needs an approval of the latest one.",
                      NoInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_approve(submission=submission, actor=request.user)


class ReviewClose(_Decision):
    input_serializer = CloseInputSerializer

    @_decision_schema("Reject (reviewers, with a reason) or withdraw (the author)",
                      "The reason is posted as a comment and told to the contributor.", CloseInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_close(submission=submission, actor=request.user, reason=values.get("reason", ""))


class ReviewReopen(_Decision):
    @_decision_schema("Reopen a closed submission (reviewers; its author if they withdrew it)",
                      "Back to open and to triage needed.", NoInputSerializer)
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_reopen(submission=submission, actor=request.user)


class ReviewMerge(_Decision):
    input_serializer = MergeInputSerializer

    @_decision_schema(
        "Merge into main (maintainers and administrators)",
        "Needs the status approved, an approval of the latest revision, green checks, no legal-hold and no "
        "conflict with main. Fast-forward when possible, otherwise a merge commit (unless strategy is "
        "fast-forward-only). Nothing is forced: a refusal leaves main as it was.",
        MergeInputSerializer,
        {409: OpenApiResponse(ReviewErrorSerializer, description="merge_blocked (with `reasons`), merge_conflict "
                                                                 "(with `paths`), already merged, or main moved "
                                                                 "meanwhile (retry)"),
         503: OpenApiResponse(ReviewErrorSerializer, description="The repository is busy or could not be "
                                                                 "written; nothing was merged")})
    def post(self, request, number: int):
        return super().post(request, number)

    def decide(self, request, submission, values):
        reviews.submission_merge(submission=submission, actor=request.user, strategy=values.get("strategy"))

