"""Input and output shapes of the contributions API (taxonomy_app.contribute_api).

Inputs are strict: JSON types are not coerced (a number is not a title, "yes" is not a boolean) and unknown
keys are refused by name, so a client's typo is a 400 that says which key, never a silently dropped value.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from taxonomy_app.models import Contribution, ContributionKind, Submission
from taxonomy_app.qna import ContributionData

MAX_TEXT = 100_000
MAX_SEEDS = 200
MAX_PAIRS = 50
MAX_PATTERNS = 50
_KIND_CHOICE_MESSAGE = f'Unknown kind "{{input}}"; choose one of {", ".join(ContributionKind.values)}.'


class StrictCharField(serializers.CharField):
    """Text kept as typed (no trimming), blank allowed, and only a JSON string accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_TEXT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(f"Must be a string, not {_json_type(data)}.")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            raise serializers.ValidationError(f"Must be true or false, not {_json_type(data)}.")
        return data


def _json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, naming each one and the keys it does know."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                allowed = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {key: [f"Unknown field; the fields here are: {allowed}."] for key in unknown})
        return super().to_internal_value(data)


class QuestionAnswerSerializer(StrictSerializer):
    question = StrictCharField()
    answer = StrictCharField()


class SeedSerializer(StrictSerializer):
    context = StrictCharField(help_text="Grounded skills: the text the question is about; "
                                        "knowledge: the excerpt")
    pairs = serializers.ListField(child=QuestionAnswerSerializer(), required=False, max_length=MAX_PAIRS,
                                  help_text="Skills: one pair; knowledge: at least three")


class DocumentSerializer(StrictSerializer):
    repo = StrictCharField(max_length=2048)
    commit = StrictCharField(max_length=64)
    patterns = serializers.ListField(child=StrictCharField(max_length=1024), required=False,
                                     max_length=MAX_PATTERNS)


class AttributionSerializer(StrictSerializer):
    title = StrictCharField(max_length=1000)
    link = StrictCharField(max_length=2048)
    revision = StrictCharField(max_length=1000)
    license = StrictCharField(max_length=100, help_text="An SPDX identifier from the allowed list")
    creators = StrictCharField(max_length=1000)


class ContributionDataSerializer(StrictSerializer):
    """The form's content (taxonomy_app.qna.ContributionData). LabWeb writes qna.yaml from it."""

    kind = serializers.ChoiceField(choices=ContributionKind.choices, required=False,
                                   error_messages={"invalid_choice": _KIND_CHOICE_MESSAGE},
                                   help_text="Read-only in effect: always the contribution's kind")
    created_by = StrictCharField(max_length=255, help_text="Ignored: LabWeb writes the author's username")
    task_description = StrictCharField(help_text="Skills: what the skill does")
    domain = StrictCharField(help_text="Knowledge: the subject area")
    document_outline = StrictCharField(help_text="Knowledge: what the source document covers")
    seeds = serializers.ListField(child=SeedSerializer(), required=False, max_length=MAX_SEEDS)
    document = DocumentSerializer(required=False, allow_null=True, help_text="Knowledge: the source document")
    attribution = AttributionSerializer(required=False)


class ContributionWriteSerializer(StrictSerializer):
    """PATCH: every key optional; the keys of `data` that are given replace the stored ones."""

    title = StrictCharField(max_length=Contribution._meta.get_field("title").max_length)
    description = StrictCharField()
    parent_path = StrictCharField(max_length=1024,
                                  help_text="New topic: the category, e.g. compositional_skills/linguistics")
    leaf_name = StrictCharField(max_length=255, help_text="New topic: its name (lower case, underscores)")
    data = ContributionDataSerializer(required=False)
    dco_signed_off = StrictBooleanField(
        required=False, help_text="Consent to the Developer Certificate of Origin (adds Signed-off-by)")


class ContributionCreateSerializer(ContributionWriteSerializer):
    kind = serializers.ChoiceField(choices=ContributionKind.choices, required=False,
                                   error_messages={"invalid_choice": _KIND_CHOICE_MESSAGE},
                                   help_text="Required unless edits_path is given")
    edits_path = StrictCharField(max_length=1024, help_text="Edit this existing topic instead of adding one")

    def validate(self, attrs):
        if not attrs.get("kind") and not attrs.get("edits_path"):
            raise serializers.ValidationError({"kind": ["Choose a kind: "
                                                        f"{', '.join(ContributionKind.values)}."]})
        return attrs


class SubmissionSerializer(serializers.ModelSerializer):
    number = serializers.IntegerField(read_only=True)
    revisions = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The submission's page in LabWeb")

    class Meta:
        model = Submission
        fields = ["number", "title", "kind", "taxonomy_path", "status", "branch", "base_commit",
                  "head_commit", "revisions", "forge", "external_url", "url", "created_at", "updated_at"]

    def get_revisions(self, submission: Submission) -> int:
        return submission.revisions.count()

    def get_url(self, submission: Submission) -> str:
        path = reverse("contribute:submission", kwargs={"number": submission.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ContributionSerializer(serializers.ModelSerializer):
    leaf_path = serializers.CharField(read_only=True,
                                      help_text="Where the topic goes: parent_path/leaf_name, or edits_path")
    data = serializers.SerializerMethodField()
    submission = SubmissionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Contribution
        fields = ["id", "kind", "status", "title", "description", "parent_path", "leaf_name", "edits_path",
                  "leaf_path", "data", "dco_signed_off", "submission", "created_at", "updated_at"]

    @extend_schema_field(ContributionDataSerializer)
    def get_data(self, contribution: Contribution) -> dict:
        data = ContributionData.from_dict(contribution.data)
        data.kind = contribution.kind
        return data.to_dict()


class FieldIssueSerializer(serializers.Serializer):
    field = serializers.CharField(
        source="field_id", allow_null=True,
        help_text="The form field it concerns, e.g. seed-3-pair-1-answer (1-based), title, leaf_name, dco; "
                  "null: the file as a whole")
    message = serializers.CharField()
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="No errors: submitting would be accepted")
    issues = FieldIssueSerializer(many=True)
    qna_yaml = serializers.CharField(help_text="The qna.yaml LabWeb would commit")
    attribution = serializers.CharField(help_text="The attribution.txt LabWeb would commit")


class SubmitRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    issues = FieldIssueSerializer(many=True)
