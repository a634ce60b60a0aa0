"""Contribution form data <-> qna.yaml + attribution.txt, without Django.

* ``ContributionData`` (and ``Seed``, ``QuestionAnswer``, ``DocumentRef``, ``Attribution``) is what a
  contribution form holds; ``to_dict``/``from_dict`` store drafts as JSON (``from_dict`` never raises).
* ``to_qna_yaml`` writes a version 3 qna.yaml that reads back to exactly the form's text (after the
  normalisation described in ``yamlout``: LF line breaks, no trailing spaces in multi-line text) and passes
  yamllint's relaxed profile; ``to_attribution_txt``/``parse_attribution_txt`` handle attribution.txt.
* ``from_qna_yaml`` prefills a form from an uploaded file (any version) and returns the validator's issues.
* ``check_contribution`` validates the form's content with ``taxonomy_app.schema.validate_qna`` in strict
  mode and attaches every issue to a form field id (``field_id_for_yaml_path``).
"""

from .attribution import parse_attribution_txt, to_attribution_txt
from .checks import FieldIssue, check_contribution, field_id_for_yaml_path
from .model import (
    ALLOWED_LICENSES,
    KINDS,
    Attribution,
    ContributionData,
    DocumentRef,
    QuestionAnswer,
    Seed,
    word_count,
)
from .reading import from_qna_yaml
from .yamlout import normalize_text, to_qna_yaml

__all__ = [
    "ALLOWED_LICENSES",
    "KINDS",
    "Attribution",
    "ContributionData",
    "DocumentRef",
    "FieldIssue",
    "QuestionAnswer",
    "Seed",
    "check_contribution",
    "field_id_for_yaml_path",
    "from_qna_yaml",
    "normalize_text",
    "parse_attribution_txt",
    "to_attribution_txt",
    "to_qna_yaml",
    "word_count",
]
