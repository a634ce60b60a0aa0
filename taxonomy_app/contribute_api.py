"""REST API for contributions: create, autosave, validate and submit a draft; list one's own.

Authentication: a token (`Authorization: Token <key>`, from POST /api/auth/token/) or the browser session.
Every contribution is private to its owner: anyone else gets 404, whatever their role. The rules themselves
live in taxonomy_app.contributions; these views only translate between JSON and those services.
"""

from __future__ import annotations

import io

from django.db import transaction
from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from taxonomy_app.contribute_serializers import (
    ContributionCreateSerializer,
    ContributionSerializer,
    ContributionWriteSerializer,
    FieldIssueSerializer,
    SubmissionSerializer,
    SubmitRefusedSerializer,
    ValidationResultSerializer,
)
from taxonomy_app.contributions import (
    ContributionInvalid,
    contribution_check,
    contribution_delete,
    contribution_start,
    contribution_submit,
    contribution_update,
)
from taxonomy_app.git import GitError
from taxonomy_app.models import Contribution
from taxonomy_app.qna import ContributionData, to_attribution_txt, to_qna_yaml
from taxonomy_app.schema.limits import MAX_FILE_BYTES

MAX_BODY_BYTES = MAX_FILE_BYTES  # a contribution is one qna.yaml; the validator refuses bigger files anyway


class LimitedJSONParser(JSONParser):
    """JSON bodies up to MAX_BODY_BYTES; DRF itself reads a body of any size."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(raw) > MAX_BODY_BYTES:
            raise ParseError(f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class ObtainAuthTokenSchema(OpenApiViewExtension):
    """Documents POST /api/auth/token/ (DRF's obtain_auth_token): it answers with the token, not the form."""

    target_class = "rest_framework.authtoken.views.ObtainAuthToken"
    priority = 1  # over drf-spectacular's own, which documents the form as the answer

    def view_replacement(self):
        @extend_schema(
            summary="Exchange a username and password for an API token",
            description="Send the token back as `Authorization: Token <token>`. The same token is returned "
                        "every time until it is deleted (by an admin).",
            responses={200: inline_serializer("AuthTokenResponse", {"token": serializers.CharField()}),
                       400: OpenApiResponse(description="Wrong username or password")},
        )
        class Documented(self.target):
            pass

        return Documented


class _ContributionAPI:
    # Token first, so an anonymous request gets 401 with `WWW-Authenticate: Token` rather than a bare 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [LimitedJSONParser]

    def get_queryset(self):
        return Contribution.objects.filter(owner=self.request.user).select_related("owner", "submission")


def _bad_request(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _data(contribution: Contribution, given: dict | None) -> ContributionData | None:
    """The stored content with the given top-level keys replaced (None when `data` was not sent)."""
    if given is None:
        return None
    given = dict(given)
    kind = given.pop("kind", contribution.kind)
    if kind != contribution.kind:
        raise ValueError(f"data.kind is {kind!r} but this contribution is {contribution.kind!r}; "
                         "a contribution's kind cannot change: start a new one.")
    given.pop("created_by", None)
    return ContributionData.from_dict({**contribution.data, **given})


@extend_schema_view(
    get=extend_schema(summary="My contributions (drafts and submitted), most recently changed first"),
    post=extend_schema(summary="Start a contribution and save what is given",
                       request=ContributionCreateSerializer, responses={201: ContributionSerializer}),
)
class ContributionListCreate(_ContributionAPI, generics.ListCreateAPIView):
    serializer_class = ContributionSerializer
    pagination_class = LimitOffsetPagination

    def create(self, request, *args, **kwargs):
        serializer = ContributionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        try:
            with transaction.atomic():  # a refused create leaves no draft behind
                contribution = contribution_start(owner=request.user, kind=values.pop("kind", ""),
                                                  edits_path=values.pop("edits_path", "").strip(),
                                                  parent_path=values.get("parent_path", ""))
                data = _data(contribution, values.pop("data", None))
                contribution = contribution_update(contribution=contribution, actor=request.user, data=data,
                                                   **values)
        except ValueError as exc:
            return _bad_request(str(exc))
        return Response(ContributionSerializer(contribution, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="One of my contributions"),
    patch=extend_schema(summary="Autosave: store what is given, valid or not",
                        description="Every key is optional. The keys of `data` that are given replace the "
                                    "stored ones (send a whole `seeds` list); keys not given are kept.",
                        request=ContributionWriteSerializer, responses=ContributionSerializer),
    delete=extend_schema(summary="Delete a draft (submitted contributions cannot be deleted)"),
)
class ContributionDetail(_ContributionAPI, generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ContributionSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def partial_update(self, request, *args, **kwargs):
        contribution = self.get_object()
        serializer = ContributionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        try:
            data = _data(contribution, values.pop("data", None))
            contribution = contribution_update(contribution=contribution, actor=request.user, data=data,
                                               **values)
        except ValueError as exc:
            return _bad_request(str(exc))
        return Response(ContributionSerializer(contribution, context={"request": request}).data)

    def perform_destroy(self, instance):
        contribution_delete(contribution=instance, actor=self.request.user)


def _files(contribution: Contribution) -> tuple[str, str]:
    """The qna.yaml and attribution.txt a submit would commit (as contributions._render writes them)."""
    data = ContributionData.from_dict(contribution.data)
    data.kind = contribution.kind
    data.created_by = contribution.owner.username
    return to_qna_yaml(data), to_attribution_txt(data.attribution)


class ContributionValidate(_ContributionAPI, generics.GenericAPIView):
    serializer_class = ValidationResultSerializer

    @extend_schema(summary="Check a contribution as a submit would (strict); show the files it would write",
                   request=None, responses=ValidationResultSerializer)
    def post(self, request, pk: int):
        contribution = self.get_object()
        issues = contribution_check(contribution=contribution)
        qna_yaml, attribution = _files(contribution)
        return Response(ValidationResultSerializer({
            "valid": not any(issue.severity == "error" for issue in issues),
            "issues": issues, "qna_yaml": qna_yaml, "attribution": attribution,
        }).data)


class ContributionSubmit(_ContributionAPI, generics.GenericAPIView):
    serializer_class = SubmissionSerializer

    @extend_schema(
        summary="Submit: a branch with one commit and a submission (or a new revision of it)",
        request=None,
        responses={201: SubmissionSerializer,
                   400: OpenApiResponse(SubmitRefusedSerializer, description="Nothing was written; every "
                                                                             "problem is listed"),
                   503: OpenApiResponse(description="The taxonomy repository could not be written; "
                                                    "try again")},
    )
    def post(self, request, pk: int):
        contribution = self.get_object()
        try:
            submission = contribution_submit(contribution=contribution, actor=request.user)
        except ContributionInvalid as exc:
            return Response({"detail": str(exc), "issues": FieldIssueSerializer(exc.issues, many=True).data},
                            status=status.HTTP_400_BAD_REQUEST)
        except GitError as exc:
            return Response({"detail": f"The taxonomy repository could not be written: {exc}"},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(SubmissionSerializer(submission, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)
