"""The read-only REST API, its OpenAPI schema and the Swagger UI served without a CDN."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

from taxonomy_app import services

LEAF = "compositional_skills/linguistics/proverbs/explaining_proverbs"
NODE_FIELDS = {"path", "name", "depth", "kind", "leaf_type", "leaf_count", "seed_count", "qna_pair_count", "is_valid"}


def test_tree_roots_and_children(sample_taxonomy, client):
    roots = client.get("/api/taxonomy/tree/").json()
    assert [r["path"] for r in roots] == ["compositional_skills", "knowledge"]
    assert set(roots[0]) == NODE_FIELDS
    assert roots[0] == {"path": "compositional_skills", "name": "compositional_skills", "depth": 0, "kind": "root",
                        "leaf_type": "", "leaf_count": 8, "seed_count": 45, "qna_pair_count": 45, "is_valid": None}
    assert roots[1]["qna_pair_count"] == 30

    children = client.get("/api/taxonomy/tree/", {"path": "compositional_skills/linguistics/proverbs"}).json()
    assert children == [{"path": LEAF, "name": "explaining_proverbs", "depth": 3, "kind": "leaf",
                         "leaf_type": "freeform_skill", "leaf_count": 1, "seed_count": 6, "qna_pair_count": 6,
                         "is_valid": True}]
    top = client.get("/api/taxonomy/tree/", {"path": "/compositional_skills/"}).json()
    assert [c["name"] for c in top] == ["arts", "geography", "grounded", "history", "linguistics", "science",
                                        "technology"]
    missing = client.get("/api/taxonomy/tree/", {"path": "compositional_skills/nope"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]


def test_node_endpoint_for_leaf_and_category(sample_taxonomy, client):
    leaf = client.get(f"/api/taxonomy/nodes/{LEAF}").json()
    assert leaf["kind"] == "leaf" and leaf["leaf_type"] == "freeform_skill"
    assert leaf["version"] == 3 and leaf["created_by"] == "labweb-samples"
    assert len(leaf["contents"]["seed_examples"]) == 6 == leaf["seed_count"]
    assert leaf["qna_yaml"].startswith("version: 3")
    assert leaf["attribution"].startswith("Title of work: Explaining proverbs")
    assert leaf["is_valid"] is True and leaf["validation"]["errors"] == []
    assert leaf["indexed_commit"] == sample_taxonomy.resolve("main")

    knowledge = client.get("/api/taxonomy/nodes/knowledge/science/astronomy/sundials").json()
    assert knowledge["domain"] == "astronomy and timekeeping"
    assert knowledge["document"]["patterns"] == ["astronomy/sundials.md"]
    assert knowledge["qna_pair_count"] == 15

    category = client.get("/api/taxonomy/nodes/compositional_skills/grounded").json()
    assert set(category) == NODE_FIELDS and category["leaf_count"] == 3 and category["kind"] == "category"
    assert client.get("/api/taxonomy/nodes/compositional_skills/grounded/").json() == category

    missing = client.get("/api/taxonomy/nodes/knowledge/nope")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")


def test_search_endpoint(sample_taxonomy, client):
    data = client.get("/api/taxonomy/search/", {"q": "gnomon"}).json()
    assert set(data) == {"query", "total", "backend", "hits"}
    assert data["query"] == "gnomon" and data["total"] == len(data["hits"]) > 0
    assert data["backend"] in {"sqlite-fts5", "postgresql"}
    for hit in data["hits"]:
        assert set(hit) == {"path", "leaf_type", "field", "seed_index", "snippet_html"}
        assert hit["path"] == "knowledge/science/astronomy/sundials" and hit["leaf_type"] == "knowledge"
        assert "<mark>" in hit["snippet_html"]
    assert {h["field"] for h in data["hits"]} >= {"question", "answer", "context"}

    limited = client.get("/api/taxonomy/search/", {"q": "gnomon", "limit": "2"}).json()
    assert len(limited["hits"]) == 2 and limited["total"] == data["total"]
    offset = client.get("/api/taxonomy/search/", {"q": "gnomon", "limit": "2", "offset": "2"}).json()
    assert [(h["field"], h["seed_index"]) for h in offset["hits"]] == [
        (h["field"], h["seed_index"]) for h in data["hits"][2:4]]
    # Odd limits are clamped, not errors.
    assert len(client.get("/api/taxonomy/search/", {"q": "gnomon", "limit": "-5"}).json()["hits"]) == 0
    assert client.get("/api/taxonomy/search/", {"q": "gnomon", "limit": "x"}).json()["hits"] == data["hits"]
    assert client.get("/api/taxonomy/search/", {"q": "gnomon", "limit": "100000"}).status_code == 200

    assert client.get("/api/taxonomy/search/").json() == {"query": "", "total": 0, "backend": data["backend"],
                                                          "hits": []}


def test_search_endpoint_type_filter(sample_taxonomy, client):
    water = client.get("/api/taxonomy/search/", {"q": "water"}).json()
    assert {h["leaf_type"] for h in water["hits"]} == {"knowledge", "freeform_skill", "grounded_skill"}
    for leaf_type in ("knowledge", "freeform_skill", "grounded_skill"):
        filtered = client.get("/api/taxonomy/search/", {"q": "water", "type": leaf_type}).json()
        assert filtered["hits"] and {h["leaf_type"] for h in filtered["hits"]} == {leaf_type}
        assert filtered["total"] == sum(1 for h in water["hits"] if h["leaf_type"] == leaf_type)


@pytest.mark.parametrize("bad", ["skill", "KNOWLEDGE", "knowledge ", "<script>"])
def test_search_endpoint_rejects_an_unknown_type(sample_taxonomy, client, bad):
    response = client.get("/api/taxonomy/search/", {"q": "water", "type": bad})
    assert response.status_code == 400
    assert response.json() == {"detail": "type must be one of knowledge, freeform_skill, grounded_skill."}


def test_api_is_read_only(sample_taxonomy, client_for):
    client = client_for("admin")
    for url in ("/api/taxonomy/tree/", f"/api/taxonomy/nodes/{LEAF}", "/api/taxonomy/search/?q=x"):
        for method in (client.post, client.put, client.delete):
            assert method(url).status_code == 405, (method, url)


def test_openapi_schema_is_valid_and_has_the_three_paths(db, client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI document
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "LabWeb API"
    assert {"/api/taxonomy/tree/", "/api/taxonomy/nodes/{path}", "/api/taxonomy/search/"} <= set(schema["paths"])
    search = schema["paths"]["/api/taxonomy/search/"]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert params["q"]["required"] is True
    assert set(params["type"]["schema"]["enum"]) == {"knowledge", "freeform_skill", "grounded_skill"}
    assert set(params) >= {"q", "type", "limit", "offset"}
    as_json = client.get("/api/schema/", {"format": "json"})
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_json.json()["paths"].keys() == schema["paths"].keys()


def test_api_docs_are_served_from_the_sidecar(db, client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="swagger-ui"></div>' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset[len("/static/"):]), f"{asset} is not a static file LabWeb ships"
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "googleapis", "http://", "https://"):
        assert cdn not in html, cdn
    assert '"/api/schema/"' in html


def test_api_follows_index_updates(sample_taxonomy, client, commit_main, leaf_files):
    commit_main(sample_taxonomy, leaf_files("compositional_skills/linguistics/riddles", n=8))
    services.index_sync()
    children = client.get("/api/taxonomy/tree/", {"path": "compositional_skills/linguistics"}).json()
    assert [c["name"] for c in children] == ["proverbs", "writing", "riddles"]  # categories first, then leaves
    assert client.get("/api/taxonomy/nodes/compositional_skills/linguistics").json()["seed_count"] == 20
    assert client.get("/api/taxonomy/nodes/compositional_skills/linguistics/riddles").json()["seed_count"] == 8
