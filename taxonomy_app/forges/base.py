"""What every forge takes and gives back, and the built-in forge. Pure Python: no Django here."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

ForgeStateName = Literal["open", "closed", "merged"]


class ForgeError(Exception):
    """The forge refused or could not be reached; the message says why in words an operator can act on."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PublishResult:
    """Where the submission lives on the forge. Empty strings for the built-in forge."""

    external_url: str
    external_id: str
    pushed_commit: str = ""
    # Steps that failed after the pull request existed (labels): reported, never a reason to lose its URL.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishRequest:
    """A submission to publish: its branch in LabWeb's bare repository and what the pull request says.

    The checklist facts (`dco_signed_off`, `seed_count`, `validated`, `has_attribution`) describe what was
    committed and checked by LabWeb; a forge ticks only what they prove.
    """

    repository: Path
    branch: str
    head_commit: str
    number: int
    title: str
    description: str
    kind: str
    taxonomy_path: str
    author_name: str = ""
    seed_count: int = 0
    dco_signed_off: bool = False
    validated: bool = False
    has_attribution: bool = False
    sample_question: str = ""
    # Set once the submission was published: the commit the forge has, and the pull request it opened.
    previous_head: str = ""
    existing: PublishResult | None = None

    @property
    def is_skill(self) -> bool:
        return self.kind != "knowledge"


@dataclass(frozen=True)
class ForgeState:
    state: ForgeStateName
    labels: tuple[str, ...] = field(default_factory=tuple)
    url: str = ""


class Forge(Protocol):
    name: str

    def publish(self, submission: PublishRequest) -> PublishResult:
        """Make the submission visible on the forge (first time) or bring it up to date (a revision)."""

    def sync(self, external_id: str) -> ForgeState:
        """The pull request's state on the forge."""


class BuiltinForge:
    """The default: the submission lives in LabWeb only, so there is nothing to publish and no network."""

    name = "builtin"

    def publish(self, submission: PublishRequest) -> PublishResult:
        return PublishResult(external_url="", external_id="")

    def sync(self, external_id: str) -> ForgeState:
        raise ForgeError("The built-in forge keeps no pull requests outside LabWeb; nothing to sync.")
