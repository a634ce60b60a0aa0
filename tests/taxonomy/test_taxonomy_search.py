"""Full-text search (SQLite FTS5 or PostgreSQL, whichever the test database is): what matches, and robustness."""

from __future__ import annotations

import pytest

from taxonomy_app import services
from taxonomy_app.selectors import search_terms, taxonomy_search

PROVERBS = "compositional_skills/linguistics/proverbs/explaining_proverbs"
SUNDIALS = "knowledge/science/astronomy/sundials"
MEETINGS = "compositional_skills/grounded/technology/meeting_notes/action_items"
CANAL = "knowledge/history/local_history/millbrook_canal"


def hits(query: str, **kwargs) -> list[tuple[str, str, int | None]]:
    return [(h.path, h.field, h.seed_index) for h in taxonomy_search(query=query, **kwargs).hits]


def test_matches_each_kind_of_text(sample_taxonomy):
    # A word only in a task description.
    found = hits("proverb")
    assert (PROVERBS, "task_description", None) in found
    # A word only in an answer ("book an expensive holiday").
    holiday = hits("holiday")
    assert (PROVERBS, "answer", 1) in holiday
    assert [f for p, f, _ in holiday if p == PROVERBS] == ["answer"]
    # A word only in a question.
    assert (SUNDIALS, "question", 1) in hits("gnomon")
    # A word only in contexts (of a grounded skill).
    assert {(p, f) for p, f, _ in hits("Attendees")} == {(MEETINGS, "context")}
    # Knowledge domain and document outline are searchable too.
    assert (SUNDIALS, "domain", None) in hits("timekeeping")
    assert (CANAL, "document_outline", None) in hits("canal")


def test_highlighting(sample_taxonomy):
    results = taxonomy_search(query="gnomon")
    assert results.total == len(results.hits) > 3
    assert results.leaf_count == 1
    assert results.backend in {"sqlite-fts5", "postgresql"}
    for hit in results.hits:
        assert "<mark>" in hit.snippet_html and "</mark>" in hit.snippet_html
        assert "gnomon" in hit.snippet_html.lower()
        assert "\x02" not in hit.snippet_html and "\x03" not in hit.snippet_html
    assert any("<mark>gnomon</mark>" in h.snippet_html for h in results.hits)
    labels = {h.field: h.field_label for h in results.hits}
    assert labels.get("question") == "Question" and labels.get("context") == "Context"


def test_every_word_must_match(sample_taxonomy):
    both = hits("gnomon shadow")
    only_gnomon = hits("gnomon")
    assert both and set(both) <= set(only_gnomon)
    assert hits("gnomon canal") == []  # the two words never meet in one piece


def test_prefix_on_the_last_word_only(sample_taxonomy):
    assert (SUNDIALS, "question", 1) in hits("gnom")
    assert set(hits("gnomo")) == set(hits("gnomon"))
    assert hits("sundial gnom")  # the last word is a prefix, the first is a whole word
    assert hits("gnom shadow") == []  # "gnom" is not the last word, so it is not a prefix
    assert hits("proverb") and hits("prov")


def test_stemming_finds_word_forms(sample_taxonomy):
    # "explains"/"explaining" share a stem with "explain" on both backends (porter / english).
    forms = {p for p, _, _ in hits("explaining proverbs")}
    assert PROVERBS in forms


@pytest.mark.parametrize("query", ["", "   ", "!!!", "--", "*", "()", '""', "'", "-", "^", "&|!", "\x00"])
def test_empty_queries_give_nothing(sample_taxonomy, query):
    results = taxonomy_search(query=query)
    assert results.total == 0 and results.hits == []


def test_no_match(sample_taxonomy):
    results = taxonomy_search(query="xylophonequartz")
    assert results.total == 0 and results.hits == []
    assert taxonomy_search(query="xylophonequartz gnomon").total == 0


@pytest.mark.parametrize("query, finds_sundials", [
    ('"gnomon"', True),
    ("gnomon*", True),
    ("(gnomon)", True),
    ("gnomon)", True),
    ("gnomon AND", None),  # None: the words may well match (AND is a plain word here); only no error matters
    ("gnomon OR canal", None),
    ("NOT gnomon", None),
    ("NEAR(gnomon shadow)", False),
    ("' OR 1=1 --", None),
    ("'; DROP TABLE taxonomy_app_searchitem; --", None),
    ('gnomon" OR "1"="1', None),
    ("gnomon:*", True),
    ("gnomon & shadow | !x", None),
    ("text:gnomon", None),
    ("%gnomon%", True),
    ("gno_mon", None),
    ("\\gnomon", True),
    ("{gnomon}", True),
    ("gnomon<->shadow", True),
    ("гномон 日時計 ☀️", False),
    ("a" * 500, False),
    (" ".join(["gnomon"] * 40), True),
])
def test_special_characters_never_error(sample_taxonomy, client, query, finds_sundials):
    results = taxonomy_search(query=query)
    if finds_sundials is not None:
        assert (SUNDIALS in {h.path for h in results.hits}) is finds_sundials, (query, results.hits[:3])
    page = client.get("/taxonomy/search/", {"q": query})
    assert page.status_code == 200
    api = client.get("/api/taxonomy/search/", {"q": query})
    assert api.status_code == 200 and api.json()["total"] == (results.total if len(query) <= 200 else api.json()["total"])


def test_search_terms_are_bounded():
    assert search_terms("one, two; three!") == ["one", "two", "three"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == 12
    assert search_terms("") == [] and search_terms(None) == []


def test_type_filter_limit_and_offset(sample_taxonomy):
    everything = taxonomy_search(query="water", limit=200)
    assert {h.leaf_type for h in everything.hits} == {"knowledge", "freeform_skill", "grounded_skill"}
    for leaf_type in ("knowledge", "freeform_skill", "grounded_skill"):
        filtered = taxonomy_search(query="water", leaf_type=leaf_type, limit=200)
        assert filtered.total == sum(1 for h in everything.hits if h.leaf_type == leaf_type) > 0
        assert {h.leaf_type for h in filtered.hits} == {leaf_type}
    first = taxonomy_search(query="water", limit=3)
    rest = taxonomy_search(query="water", limit=200, offset=3)
    assert len(first.hits) == 3 and first.total == everything.total
    keys = [(h.path, h.field, h.seed_index) for h in first.hits + rest.hits]
    assert sorted(keys) == sorted((h.path, h.field, h.seed_index) for h in everything.hits)


def test_search_follows_the_index(sample_taxonomy, commit_main, leaf_files):
    assert taxonomy_search(query="quokka").total == 0
    commit_main(sample_taxonomy, leaf_files("compositional_skills/animals/quokkas",
                                            questions=[f"Where do quokkas live? ({i})" for i in range(5)]))
    services.index_sync()
    assert taxonomy_search(query="quokkas").total == 5
    commit_main(sample_taxonomy, leaf_files("compositional_skills/animals/quokkas",
                                            questions=[f"What do wombats eat? ({i})" for i in range(5)]))
    services.index_sync()
    assert taxonomy_search(query="quokkas").total == 0
    assert taxonomy_search(query="wombats").total == 5
    commit_main(sample_taxonomy, {"compositional_skills/animals/quokkas/qna.yaml": None,
                                  "compositional_skills/animals/quokkas/attribution.txt": None})
    services.index_sync()
    assert taxonomy_search(query="wombats").total == 0


def test_pages_of_equally_ranked_hits_never_overlap(sample_taxonomy, commit_main, leaf_files):
    """Many pieces with the same text rank alike; paging through them must still list each exactly once."""
    changes = {}
    for leaf in range(4):
        changes.update(leaf_files(f"compositional_skills/animals/numbats_{leaf}",
                                  questions=["Where do numbats live?"] * 30, answers=["Numbats live in Australia."]))
    commit_main(sample_taxonomy, changes)
    services.index_sync()
    everything = taxonomy_search(query="numbats", limit=500)
    assert everything.total == 240
    seen = []
    for offset in range(0, 240, 7):
        page = taxonomy_search(query="numbats", limit=7, offset=offset)
        seen.extend((h.path, h.field, h.seed_index) for h in page.hits)
    assert len(seen) == 240 and len(set(seen)) == 240, "pages overlap or miss hits"


def test_very_broad_queries_are_listed_unranked_on_sqlite(sample_taxonomy, client, monkeypatch):
    from django.db import connection

    from taxonomy_app import selectors

    monkeypatch.setattr(selectors, "SEARCH_RANK_MAX", 3)
    ranked_everything = taxonomy_search(query="water", limit=500)
    html = client.get("/taxonomy/search/", {"q": "water"}).content.decode()
    if connection.vendor == "sqlite":
        assert ranked_everything.ranked is False
        assert "That is too many to sort by relevance" in html
    else:
        assert ranked_everything.ranked is True and "too many to sort" not in html
    assert ranked_everything.total == len(ranked_everything.hits) > 3
    pages = [h for offset in range(0, ranked_everything.total, 4)
             for h in taxonomy_search(query="water", limit=4, offset=offset).hits]
    assert sorted((h.path, h.field, h.seed_index) for h in pages) == sorted(
        (h.path, h.field, h.seed_index) for h in ranked_everything.hits)
