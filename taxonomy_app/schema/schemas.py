"""The JSON schemas shipped in the ``instructlab-schema`` package, compiled once per process."""

from __future__ import annotations

import functools
import json
import threading
from importlib import resources
from typing import Any

from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

SCHEMA_PACKAGE = "instructlab.schema"
KINDS = ("compositional_skills", "knowledge")
"""The taxonomy folders that are validated; each is also the name of a schema file."""

_lock = threading.Lock()


def schema_base():
    return resources.files(SCHEMA_PACKAGE)


@functools.cache
def available_versions() -> tuple[int, ...]:
    versions = []
    for entry in schema_base().iterdir():
        name = entry.name
        if name.startswith("v") and name[1:].isdigit() and entry.is_dir():
            versions.append(int(name[1:]))
    return tuple(sorted(versions))


def latest_version() -> int:
    versions = available_versions()
    if not versions:
        raise RuntimeError(f"The package {SCHEMA_PACKAGE} holds no schema versions")
    return versions[-1]


def is_known_version(version: Any) -> bool:
    """True when a schema folder ``v<version>`` exists.

    ``True`` is not 1 here: the reference looks up a folder named "vTrue".
    """
    return type(version) is int and version in available_versions()


def schema_location(version: Any, kind: str) -> str:
    return str(schema_base().joinpath(f"v{version}", f"{kind}.json"))


@functools.cache
def _resource(version: int, name: str) -> Resource:
    try:
        text = schema_base().joinpath(f"v{version}", name).read_text(encoding="utf-8")
        return Resource.from_contents(json.loads(text), default_specification=DRAFT202012)
    except Exception as exc:  # noqa: BLE001 - any failure means "no such schema", as for the reference
        raise NoSuchResource(ref=name) from exc


def load_schema(version: int, kind: str) -> dict | None:
    """The schema document, or None when the package has no such file."""
    if not is_known_version(version):
        return None
    try:
        contents = _resource(version, f"{kind}.json").contents
    except NoSuchResource:
        return None
    return contents if isinstance(contents, dict) else None


def _retrieve(version: int, uri: str) -> Resource:
    return _resource(version, uri.removeprefix("./"))


@functools.cache
def _build_validator(version: int, kind: str) -> Validator:
    schema = load_schema(version, kind)
    if schema is None:
        raise LookupError(schema_location(version, kind))
    registry: Registry = Registry(retrieve=functools.partial(_retrieve, version))  # type: ignore[call-arg]
    for name in ("./version.json", "version.json"):
        try:
            registry = registry.with_resource(name, _retrieve(version, name))
        except NoSuchResource:
            pass
    validator_cls = validator_for(schema)
    return validator_cls(schema, registry=registry)


def get_validator(version: int, kind: str) -> Validator:
    with _lock:
        return _build_validator(version, kind)


def property_names(version: int, schema: dict) -> set[str]:
    """Keys a schema object "evaluates": its own ``properties`` plus those of a ``$ref``'d version.json."""
    names = set(schema.get("properties", {}))
    ref = schema.get("$ref")
    if isinstance(ref, str):
        try:
            target = _retrieve(version, ref).contents
        except NoSuchResource:
            target = {}
        if isinstance(target, dict):
            names |= set(target.get("properties", {}))
    return names
