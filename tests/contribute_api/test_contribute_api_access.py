"""Who may use the contributions API: token and session authentication, owner-only access for every role."""

from __future__ import annotations

import pytest
from contribute_api_payloads import skill_payload
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from taxonomy_app.models import Contribution

ENDPOINTS = [("get", "/api/contributions/"), ("post", "/api/contributions/"),
             ("get", "/api/contributions/{id}/"), ("patch", "/api/contributions/{id}/"),
             ("delete", "/api/contributions/{id}/"), ("post", "/api/contributions/{id}/validate/"),
             ("post", "/api/contributions/{id}/submit/")]


def _call(client, method: str, url: str, contribution_id: int):
    return getattr(client, method)(url.format(id=contribution_id), {"title": "Changed"} if method in (
        "post", "patch") else None, format="json")


@pytest.fixture
def owned(owner_api, repos):
    client, owner = owner_api
    response = client.post("/api/contributions/", skill_payload(), format="json")
    assert response.status_code == 201, response.json()
    return Contribution.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_is_asked_for_a_token(api_for, owned, method, url):
    client, _ = api_for("anonymous")
    response = _call(client, method, url, owned.pk)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert Contribution.objects.get(pk=owned.pk).title == "Plain English rewrites"


@pytest.mark.parametrize("role", ["contributor", "triager", "admin"])
@pytest.mark.parametrize(("method", "url"), [e for e in ENDPOINTS if "{id}" in e[1]])
def test_someone_elses_contribution_does_not_exist_for_any_role(api_for, owned, role, method, url):
    client, _ = api_for(role, f"other-{role}")
    response = _call(client, method, url, owned.pk)
    assert response.status_code == 404
    assert response.json() == {"detail": "No Contribution matches the given query."}
    owned.refresh_from_db()
    assert (owned.title, owned.status, owned.submission_id) == ("Plain English rewrites", "draft", None)


@pytest.mark.parametrize("role", ["contributor", "triager", "maintainer", "admin"])
def test_every_role_works_on_its_own_contributions(api_for, repos, role):
    client, user = api_for(role)
    created = client.post("/api/contributions/", {"kind": "knowledge", "title": "Birds"}, format="json")
    assert created.status_code == 201
    url = f"/api/contributions/{created.json()['id']}/"

    assert client.get(url).json()["title"] == "Birds"
    assert client.patch(url, {"title": "More birds"}, format="json").json()["title"] == "More birds"
    assert client.post(url + "validate/").json()["valid"] is False
    assert client.post(url + "submit/").status_code == 400
    assert [c["id"] for c in client.get("/api/contributions/").json()["results"]] == [created.json()["id"]]
    assert client.delete(url).status_code == 204
    assert not Contribution.objects.filter(owner=user).exists()


def test_the_list_holds_only_mine(api_for, owned):
    other, _ = api_for("contributor", "dana")
    other.post("/api/contributions/", {"kind": "knowledge"}, format="json")
    mine, _ = api_for("triager", "triage-lead")

    assert other.get("/api/contributions/").json()["count"] == 1
    assert mine.get("/api/contributions/").json() == {"count": 0, "next": None, "previous": None,
                                                      "results": []}


def test_a_user_without_a_role_cannot_start(db, repos):
    user = User.objects.create_user("norole", password="correct horse battery staple")
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/contributions/", {"kind": "knowledge"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Log in as a contributor to start a contribution."}


def test_a_token_is_issued_for_a_username_and_password_and_authenticates(make_user, repos):
    user = make_user("contributor", "casey")
    client = APIClient()
    credentials = {"username": "casey", "password": "correct horse battery staple"}
    issued = client.post("/api/auth/token/", credentials, format="json")
    assert issued.status_code == 200
    token = issued.json()["token"]
    assert client.post("/api/auth/token/", credentials, format="json").json()["token"] == token

    wrong = client.post("/api/auth/token/", {"username": "casey", "password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = client.post("/api/contributions/", {"kind": "freeform_skill"}, format="json")
    assert created.status_code == 201 and Contribution.objects.get().owner == user

    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    refused = client.get("/api/contributions/")
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid token."}


def test_the_browser_session_works_too(client_for, repos):
    client = client_for("contributor")
    response = client.post("/api/contributions/", {"kind": "knowledge"}, content_type="application/json")
    assert response.status_code == 201
    assert client.get("/api/contributions/").json()["count"] == 1


def test_session_writes_need_the_csrf_token(make_user, repos):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("contributor"))
    response = client.post("/api/contributions/", {"kind": "knowledge"}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_the_schema_documents_the_contributions_api(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert set(paths["/api/contributions/"]) == {"get", "post"}
    assert set(paths["/api/contributions/{id}/"]) == {"get", "patch", "delete"}
    assert "post" in paths["/api/contributions/{id}/validate/"] and "post" in paths["/api/auth/token/"]
    submit = paths["/api/contributions/{id}/submit/"]["post"]["responses"]
    assert submit["201"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Submission"
    assert submit["400"]["content"]["application/json"]["schema"]["$ref"] == \
        "#/components/schemas/SubmitRefused"
    components = schema["components"]["schemas"]
    assert set(components["FieldIssue"]["properties"]) == {"field", "message", "rule", "severity"}
    assert {"task_description", "seeds", "document", "attribution"} <= set(
        components["ContributionData"]["properties"])
    assert components["ContributionKindEnum"]["enum"] == ["freeform_skill", "grounded_skill", "knowledge"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
