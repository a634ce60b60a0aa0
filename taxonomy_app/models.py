"""The database index of the taxonomy's main branch.

Git is the source of truth; these rows are a cache that pages and the API read, kept in step with main
by ``services.index_sync`` (which diffs the previously indexed commit against the new one).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class TaxonomyNode(models.Model):
    class Kind(models.TextChoices):
        ROOT = "root", "Root"
        CATEGORY = "category", "Category"
        LEAF = "leaf", "Leaf"

    class LeafType(models.TextChoices):
        KNOWLEDGE = "knowledge", "Knowledge"
        FREEFORM_SKILL = "freeform_skill", "Freeform skill"
        GROUNDED_SKILL = "grounded_skill", "Grounded skill"

    path = models.CharField(max_length=1024, unique=True, help_text="Directory path, e.g. knowledge/science/birds")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField(help_text="0 for a root such as compositional_skills")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    leaf_type = models.CharField(max_length=32, choices=LeafType.choices, blank=True)

    # Subtree totals (a leaf counts itself).
    leaf_count = models.PositiveIntegerField(default=0)
    seed_count = models.PositiveIntegerField(default=0)
    qna_pair_count = models.PositiveIntegerField(default=0)

    # Leaf content, parsed from qna.yaml.
    version = models.IntegerField(null=True, blank=True)
    created_by = models.CharField(max_length=255, blank=True)
    task_description = models.TextField(blank=True)
    domain = models.CharField(max_length=512, blank=True)
    document_outline = models.TextField(blank=True)
    document = models.JSONField(null=True, blank=True)
    contents = models.JSONField(null=True, blank=True, help_text="The parsed qna.yaml")
    rendered_contexts = models.JSONField(
        default=dict, blank=True, help_text="Sanitised HTML of each seed's context, keyed by seed number")
    qna_yaml = models.TextField(blank=True)
    attribution = models.TextField(blank=True)
    blob_sha = models.CharField(max_length=40, blank=True)
    is_valid = models.BooleanField(null=True, help_text="Passes the upstream taxonomy CI rules")
    validation = models.JSONField(default=dict, blank=True)

    indexed_commit = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "name"]),
            models.Index(fields=["kind", "leaf_type"]),
            # The roots (depth 0) and the coverage plot (depth <= 2) without scanning every leaf's content.
            models.Index(fields=["depth", "path"]),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def is_leaf(self) -> bool:
        return self.kind == self.Kind.LEAF

    @property
    def segments(self) -> list[str]:
        return self.path.split("/")

    @property
    def label(self) -> str:
        """The name in words, e.g. "compositional skills" for compositional_skills."""
        return self.name.replace("_", " ")


class SearchItem(models.Model):
    """One searchable piece of a leaf: its task description, a question, an answer or a context."""

    class Field(models.TextChoices):
        TASK_DESCRIPTION = "task_description", "Task description"
        DOMAIN = "domain", "Domain"
        DOCUMENT_OUTLINE = "document_outline", "Document outline"
        QUESTION = "question", "Question"
        ANSWER = "answer", "Answer"
        CONTEXT = "context", "Context"

    node = models.ForeignKey(TaxonomyNode, on_delete=models.CASCADE, related_name="search_items")
    field = models.CharField(max_length=32, choices=Field.choices)
    seed_index = models.PositiveIntegerField(null=True, blank=True, help_text="1-based seed example number")
    text = models.TextField()
    # Filled only on PostgreSQL; SQLite searches through the FTS5 table kept in step by triggers.
    search_vector = SearchVectorField(null=True)

    class Meta:
        # The GIN index on search_vector is created by a PostgreSQL-only migration step.
        indexes = [models.Index(fields=["node", "field"])]


class IndexState(models.Model):
    """Which commit of a branch the index reflects."""

    ref = models.CharField(max_length=255, unique=True)
    commit_sha = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.ref}@{self.commit_sha[:12]}"


class ContributionKind(models.TextChoices):
    FREEFORM_SKILL = "freeform_skill", "Skill"
    GROUNDED_SKILL = "grounded_skill", "Skill with a text to work on"
    KNOWLEDGE = "knowledge", "Knowledge"


class Contribution(models.Model):
    """A contributor's working copy: a draft until first submitted, then the editable source of revisions."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="contributions")
    kind = models.CharField(max_length=32, choices=ContributionKind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    parent_path = models.CharField(max_length=1024, blank=True, help_text="The category the new topic goes in")
    leaf_name = models.CharField(max_length=255, blank=True)
    edits_path = models.CharField(max_length=1024, blank=True, help_text="The existing topic this edits, if any")
    data = models.JSONField(default=dict, blank=True, help_text="taxonomy_app.qna.ContributionData as a dict")
    dco_signed_off = models.BooleanField(default=False)
    document_check = models.JSONField(
        default=dict, blank=True,
        help_text="The last background check of the knowledge document source: status, files found, issues")
    submission = models.OneToOneField("Submission", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="contribution")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} draft {self.pk}"

    @property
    def leaf_path(self) -> str:
        if self.edits_path:
            return self.edits_path
        return f"{self.parent_path}/{self.leaf_name}" if self.parent_path and self.leaf_name else ""


class TriageState(models.TextChoices):
    """The upstream triage labels (triage-needed, triage-approved, ...) as one state per submission."""

    NEEDED = "needed", "Triage needed"
    APPROVED = "approved", "Approved"
    REQUESTED_CHANGES = "requested_changes", "Changes requested"
    REJECTED = "rejected", "Rejected"
    UNCERTAIN = "uncertain", "Uncertain"
    FOLLOW_UP = "follow_up", "Follow-up"


class Submission(models.Model):
    """A pull request: a branch `contrib/<id>-<slug>` in the taxonomy repository and its review state."""

    class Status(models.TextChoices):
        WRITING = "writing", "Being written"
        OPEN = "open", "Open"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        MERGED = "merged", "Merged"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(max_length=32, choices=ContributionKind.choices)
    taxonomy_path = models.CharField(max_length=1024, help_text="The topic directory it adds or changes")
    branch = models.CharField(max_length=255, blank=True)
    base_commit = models.CharField(max_length=40, blank=True)
    head_commit = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.WRITING, db_index=True)
    forge = models.CharField(max_length=32, default="builtin")
    external_url = models.URLField(blank=True)
    # Review state, changed only by taxonomy_app.reviews.
    triage_state = models.CharField(max_length=32, choices=TriageState.choices, default=TriageState.NEEDED,
                                    db_index=True)
    assignee = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_submissions", help_text="The triager looking after it")
    labels = models.JSONField(default=list, blank=True, help_text="Names from reviews.LABELS, sorted")
    merged_commit = models.CharField(max_length=40, blank=True, help_text="main's head right after the merge")
    merged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["branch"], condition=~models.Q(branch=""), name="submission_branch_unique"),
        ]
        indexes = [
            # The review queue: one state, newest or oldest first.
            models.Index(fields=["status", "created_at", "id"], name="submission_queue_status"),
            models.Index(fields=["triage_state", "created_at", "id"], name="submission_queue_triage"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def number(self) -> int:
        return self.pk


class Revision(models.Model):
    """One submitted version of a submission: a commit on its branch."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    commit_sha = models.CharField(max_length=40)
    base_commit = models.CharField(max_length=40)
    qna_yaml = models.TextField()
    attribution = models.TextField(blank=True)
    validation = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="revision_number_unique")]

    def __str__(self) -> str:
        return f"#{self.submission_id} r{self.number}"


class Approval(models.Model):
    """A triager's approval of one revision. A later revision is not covered: merging needs an approval of
    the latest one."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="approvals")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["revision", "approver"], name="approval_once_per_revision")]

    def __str__(self) -> str:
        return f"{self.revision} approved by {self.approver_id}"


class Comment(models.Model):
    """A review comment: on the submission, or anchored to a seed example ("seed-2") or one question/answer pair
    ("seed-2-pair-1") of a revision. Replies hang off a top-level comment; only top-level comments resolve."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Markdown; render with labweb.markdown.render_markdown")
    anchor = models.CharField(max_length=64, blank=True)
    resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["submission", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on #{self.submission_id}"


class CannedResponse(models.Model):
    """A reply triagers insert into a comment with one click; admins edit the list."""

    title = models.CharField(max_length=120, unique=True)
    body = models.TextField(help_text="Markdown")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
