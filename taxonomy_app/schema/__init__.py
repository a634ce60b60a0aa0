"""qna.yaml validation for the InstructLab taxonomy, without Django.

Reproduces the verdicts of ``instructlab-schema``'s TaxonomyParser (``ilab`` mode) and of the upstream
taxonomy CI (``ci`` mode), adds LabWeb's policy checks (``strict`` mode), reports real line/column
positions and plain-language messages, and refuses hostile input (huge, deeply nested, alias bombs)
without crashing. See docs/validator.md.
"""

from .limits import Limits
from .paths import is_taxonomy_file, schema_kind, taxonomy_relative
from .report import format_github, format_json, format_text
from .summary import LeafSummary, summarize_leaf
from .types import DocumentCheck, Issue, ValidationMode, ValidationResult
from .validator import tree_files, validate_file, validate_qna, validate_tree

__all__ = [
    "DocumentCheck",
    "Issue",
    "LeafSummary",
    "Limits",
    "ValidationMode",
    "ValidationResult",
    "format_github",
    "format_json",
    "format_text",
    "is_taxonomy_file",
    "schema_kind",
    "summarize_leaf",
    "taxonomy_relative",
    "tree_files",
    "validate_file",
    "validate_qna",
    "validate_tree",
]
