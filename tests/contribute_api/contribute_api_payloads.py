"""Payloads a client sends to the contributions API (shared by the tests in this folder)."""

from __future__ import annotations

PARENT = "compositional_skills/linguistics"


def skill_payload(leaf_name: str = "plain_english", **overrides) -> dict:
    """A freeform skill that passes strict validation, as a client would POST it."""
    payload = {
        "kind": "freeform_skill",
        "title": "Plain English rewrites",
        "description": "Five formal sentences, said plainly.",
        "parent_path": PARENT,
        "leaf_name": leaf_name,
        "dco_signed_off": True,
        "data": {
            "task_description": "Rewrite formal sentences in plain English for a general reader.",
            "seeds": [{"context": "",
                       "pairs": [{"question": f"How would you say sentence {i} in plain words?",
                                  "answer": f"Here is sentence {i}, said plainly."}]}
                      for i in range(1, 6)],
            "attribution": {"title": "Plain words", "link": "", "revision": "", "license": "CC-BY-4.0",
                            "creators": "Casey Contributor"},
        },
    }
    payload.update(overrides)
    return payload


def create(client, payload: dict) -> str:
    """POST a new contribution; its URL."""
    response = client.post("/api/contributions/", payload, format="json")
    assert response.status_code == 201, response.json()
    return f"/api/contributions/{response.json()['id']}/"
