"""Input and output shapes of the review API (taxonomy_app.review_api).

Inputs are strict as in the contributions API: JSON types are not coerced and unknown keys are refused by
name. Values (a triage state, a label, an anchor, a merge strategy) are checked by the services in
taxonomy_app.reviews, whose messages say what to choose instead.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from labweb.markdown import render_markdown
from taxonomy_app.contribute_serializers import StrictBooleanField, StrictCharField, StrictSerializer, _json_type
from taxonomy_app.models import Approval, Comment, Revision, Submission, TriageState
from taxonomy_app.reviews import COMMENT_MAX, LABELS, MERGE_STRATEGIES

# --------------------------------------------------------------------------------------------------- inputs


class StrictIntegerField(serializers.IntegerField):
    """A JSON number that is a whole number (not "3", not true, not 3.5)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            raise serializers.ValidationError(f"Must be a whole number, not {_json_type(data)}.")
        return super().to_internal_value(data)


class StrictListField(serializers.ListField):
    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError(f"Must be a list, not {_json_type(data)}.")
        return super().to_internal_value(data)


def _choice_field(choices, what: str, **kwargs) -> serializers.ChoiceField:
    values = [c[0] if isinstance(c, tuple) else c for c in choices]
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": f'Unknown {what} "{{input}}"; choose one of '
                                                          f'{", ".join(values)}.'}, **kwargs)


class NoInputSerializer(StrictSerializer):
    """An empty object (or no body at all)."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and data:
            raise serializers.ValidationError({key: ["Unknown field; this request takes no fields."]
                                               for key in sorted(data)})
        return super().to_internal_value(data)


class TriageInputSerializer(StrictSerializer):
    state = StrictCharField(max_length=32, required=True, allow_blank=False,
                            help_text=f"One of {', '.join(TriageState.values)}. approved, requested_changes and "
                                      "rejected are the decisions approve, request-changes and close (note is "
                                      "then their message)")
    note = StrictCharField(max_length=COMMENT_MAX, help_text="Why; told to the contributor for uncertain and "
                                                             "follow_up, required for requested_changes and "
                                                             "rejected")


class AssignInputSerializer(StrictSerializer):
    username = StrictCharField(max_length=150, required=True, allow_null=True, allow_blank=False,
                               help_text="A triager, maintainer or administrator; null: nobody")


class LabelsInputSerializer(StrictSerializer):
    add = StrictListField(child=StrictCharField(max_length=64, allow_blank=False), required=False, max_length=20,
                          help_text=f"Labels to add: {', '.join(sorted(LABELS))}")
    remove = StrictListField(child=StrictCharField(max_length=64, allow_blank=False), required=False,
                             max_length=20, help_text="Labels to remove")

    def validate(self, attrs):
        if not attrs.get("add") and not attrs.get("remove"):
            raise serializers.ValidationError({"add": ["Give at least one label to add or to remove."]})
        return attrs


class RequestChangesInputSerializer(StrictSerializer):
    message = StrictCharField(max_length=COMMENT_MAX, required=True, allow_blank=False,
                              help_text="What to change (Markdown); posted as a comment on the latest revision")


class CloseInputSerializer(StrictSerializer):
    reason = StrictCharField(max_length=COMMENT_MAX,
                             help_text="Required unless the author withdraws their own submission")


class MergeInputSerializer(StrictSerializer):
    strategy = _choice_field(MERGE_STRATEGIES, "merge strategy", required=False,
                             help_text="When main moved on: merge (a merge commit) or fast-forward-only; "
                                       "default LABWEB_MERGE_STRATEGY")


class CommentInputSerializer(StrictSerializer):
    body = StrictCharField(max_length=COMMENT_MAX, required=True, allow_blank=False, help_text="Markdown")
    revision = StrictIntegerField(required=False, allow_null=True, min_value=1,
                                  help_text="The revision number it is about; with an anchor, default the latest")
    anchor = StrictCharField(max_length=64, help_text="seed-N or seed-N-pair-M (1-based); empty: the whole "
                                                      "submission")
    parent = StrictIntegerField(required=False, allow_null=True, min_value=1,
                                help_text="Reply to this comment (id); the reply joins its thread, revision "
                                          "and anchor")


class ResolveInputSerializer(StrictSerializer):
    resolved = StrictBooleanField(required=True, help_text="true: resolve the thread; false: open it again")


# -------------------------------------------------------------------------------------------------- outputs


@extend_schema_field({"type": "string", "description": "One of " + ", ".join(Submission.Status.values)})
class SubmissionStatusField(serializers.CharField):
    """The status, documented without an enum: drf-spectacular cannot name a third component's `status` enum
    (contributions have one of their own) without an ENUM_NAME_OVERRIDES entry in settings."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


def _web_url(serializer: serializers.Serializer, submission_pk: int) -> str:
    path = reverse("contribute:submission", kwargs={"number": submission_pk})
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class QueueItemSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="pk", read_only=True)
    status = SubmissionStatusField()
    author = PersonSerializer()
    assignee = PersonSerializer(allow_null=True)
    url = serializers.SerializerMethodField(help_text="The submission's page in LabWeb")

    class Meta:
        model = Submission
        fields = ["number", "title", "kind", "taxonomy_path", "status", "triage_state", "labels", "author",
                  "assignee", "created_at", "updated_at", "url"]

    def get_url(self, submission: Submission) -> str:
        return _web_url(self, submission.pk)


class CommentSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    revision = serializers.SerializerMethodField(help_text="The revision number it is about, or null")
    author = PersonSerializer()
    body_html = serializers.SerializerMethodField(help_text="The body rendered as sanitised HTML")
    resolved_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "parent", "revision", "anchor", "author", "body", "body_html", "resolved", "resolved_by",
                  "resolved_at", "created_at"]

    def get_revision(self, comment: Comment) -> int | None:
        return comment.revision.number if comment.revision_id else None

    def get_body_html(self, comment: Comment) -> str:
        return str(render_markdown(comment.body))


class RevisionSerializer(serializers.ModelSerializer):
    created_by = PersonSerializer()

    class Meta:
        model = Revision
        fields = ["number", "commit_sha", "base_commit", "validation", "created_by", "created_at"]


class LatestRevisionSerializer(RevisionSerializer):
    class Meta(RevisionSerializer.Meta):
        fields = [*RevisionSerializer.Meta.fields, "qna_yaml", "attribution"]


class ApprovalSerializer(serializers.ModelSerializer):
    revision = serializers.IntegerField(source="revision.number")
    approver = PersonSerializer()
    current = serializers.SerializerMethodField(help_text="Approves the latest revision (older ones do not "
                                                          "count for a merge)")

    class Meta:
        model = Approval
        fields = ["id", "revision", "approver", "current", "created_at"]

    def get_current(self, approval: Approval) -> bool:
        return approval.revision_id == self.context.get("latest_revision_id")


class ReviewDetailSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(source="pk", read_only=True)
    status = SubmissionStatusField()
    author = PersonSerializer()
    assignee = PersonSerializer(allow_null=True)
    latest_revision = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The submission's page in LabWeb")

    class Meta:
        model = Submission
        fields = ["number", "title", "description", "kind", "taxonomy_path", "status", "triage_state", "labels",
                  "author", "assignee", "branch", "base_commit", "head_commit", "merged_commit", "merged_at",
                  "forge", "external_url", "latest_revision", "revisions", "approvals", "comments", "url",
                  "created_at", "updated_at"]

    def _revisions(self, submission: Submission) -> list[Revision]:
        return self.context["revisions"]

    @extend_schema_field(LatestRevisionSerializer(allow_null=True))
    def get_latest_revision(self, submission: Submission):
        revisions = self._revisions(submission)
        return LatestRevisionSerializer(revisions[-1]).data if revisions else None

    @extend_schema_field(RevisionSerializer(many=True))
    def get_revisions(self, submission: Submission):
        return RevisionSerializer(self._revisions(submission), many=True).data

    @extend_schema_field(ApprovalSerializer(many=True))
    def get_approvals(self, submission: Submission):
        return ApprovalSerializer(self.context["approvals"], many=True, context=self.context).data

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, submission: Submission):
        return CommentSerializer(self.context["comments"], many=True).data

    def get_url(self, submission: Submission) -> str:
        return _web_url(self, submission.pk)


class ReviewErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why, in words a person can act on")
    code = serializers.ChoiceField(choices=["not_allowed", "invalid_input", "invalid_transition", "merge_blocked",
                                            "merge_conflict", "retry"])
    reasons = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="merge_blocked: everything in the way")
    paths = serializers.ListField(child=serializers.CharField(), required=False,
                                  help_text="merge_conflict: the files main changed")
