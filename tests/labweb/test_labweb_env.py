"""labweb.env: strict readers for settings from the environment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from labweb.env import env_bool, env_choice, env_int, env_list, env_str

NAME = "LABWEB_TEST_SETTING"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv(NAME, raising=False)
    monkeypatch.delenv(f"{NAME}_FILE", raising=False)
    return monkeypatch


@pytest.mark.parametrize("raw, expected", [
    ("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("On", True),
    ("0", False), ("false", False), ("No", False), ("off", False),
])
def test_env_bool_accepts_the_documented_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_bool(NAME, not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "y", "enabled", "-1"])
def test_env_bool_rejects_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool(NAME, True)
    assert NAME in str(excinfo.value) and repr(raw) in str(excinfo.value)
    assert "not a boolean" in str(excinfo.value)


def test_env_bool_unset_or_empty_gives_the_default(monkeypatch):
    assert env_bool(NAME, True) is True
    assert env_bool(NAME, False) is False
    monkeypatch.setenv(NAME, "")
    assert env_bool(NAME, True) is True


@pytest.mark.parametrize("raw, expected", [("0", 0), ("42", 42), (" 7 ", 7), ("-3", -3)])
def test_env_int_parses_integers(monkeypatch, raw, expected):
    monkeypatch.setenv(NAME, raw)
    assert env_int(NAME, 99) == expected


@pytest.mark.parametrize("raw", ["4.5", "ten", "1e3", "0x10", "12abc"])
def test_env_int_rejects_non_integers(monkeypatch, raw):
    monkeypatch.setenv(NAME, raw)
    with pytest.raises(ImproperlyConfigured, match=f"{NAME}=.*is not an integer"):
        env_int(NAME, 1)


def test_env_int_minimum_and_default(monkeypatch):
    assert env_int(NAME, 12) == 12
    monkeypatch.setenv(NAME, "-1")
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        env_int(NAME, 12, minimum=0)
    monkeypatch.setenv(NAME, "0")
    assert env_int(NAME, 12, minimum=0) == 0


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    assert env_list(NAME, ["a"]) == ["a"]
    default = ["x"]
    result = env_list(NAME, default)
    result.append("y")
    assert default == ["x"], "the default list must not be shared with the caller"
    monkeypatch.setenv(NAME, " example.org, ,www.example.org ,, ")
    assert env_list(NAME, ["a"]) == ["example.org", "www.example.org"]
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["a"]) == []


def test_env_choice_is_case_insensitive_and_strict(monkeypatch):
    choices = ("development", "production", "test")
    assert env_choice(NAME, "development", choices) == "development"
    monkeypatch.setenv(NAME, " Production ")
    assert env_choice(NAME, "development", choices) == "production"
    monkeypatch.setenv(NAME, "prod")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_choice(NAME, "development", choices)
    assert "'prod'" in str(excinfo.value) and "development, production, test" in str(excinfo.value)


def test_env_str_required_and_default(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match=f"{NAME} is required"):
        env_str(NAME)
    assert env_str(NAME, None) is None
    assert env_str(NAME, "fallback") == "fallback"
    monkeypatch.setenv(NAME, "value with spaces ")
    assert env_str(NAME) == "value with spaces "


def test_file_secret_is_read_and_stripped(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-a-file\n", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(secret))
    assert env_str(NAME) == "s3cr3t-from-a-file"
    secret.write_text("yes\n", encoding="utf-8")
    assert env_bool(NAME, False) is True
    secret.write_text(" 8080 \n", encoding="utf-8")
    assert env_int(NAME, 1) == 8080
    secret.write_text("a.example,b.example\n", encoding="utf-8")
    assert env_list(NAME, []) == ["a.example", "b.example"]


def test_file_secret_and_plain_value_together_is_an_error(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-file", encoding="utf-8")
    monkeypatch.setenv(f"{NAME}_FILE", str(secret))
    monkeypatch.setenv(NAME, "from-env")
    for reader in (lambda: env_str(NAME), lambda: env_bool(NAME, False), lambda: env_int(NAME, 0),
                   lambda: env_list(NAME, [])):
        with pytest.raises(ImproperlyConfigured, match=f"Set either {NAME} or {NAME}_FILE, not both"):
            reader()


def test_unreadable_file_secret_is_an_error(monkeypatch, tmp_path):
    missing = tmp_path / "does-not-exist"
    monkeypatch.setenv(f"{NAME}_FILE", str(missing))
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_str(NAME, "default")
    assert f"{NAME}_FILE" in str(excinfo.value) and "cannot be read" in str(excinfo.value)
