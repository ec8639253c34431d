"""The status page's cold run (cnnbook.status_table): training noted even on a cache hit, each
model's training counted once, at the first chapter in book order that uses it."""

from __future__ import annotations

import json
from types import SimpleNamespace

from cnnbook import status_table, training


def _log(path, *records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records))


def test_a_pages_latest_run_counts(tmp_path):
    log = tmp_path / status_table.USE_LOG
    _log(log,
         {"page": "book/mlp", "run": "0001.0-7", "key": "a", "seconds": 90.0, "trained": True},
         {"page": "book/mlp", "run": "0002.0-8", "key": "a", "seconds": 90.0, "trained": False},
         {"page": "book/mlp", "run": "0002.0-8", "key": "b", "seconds": 5.0, "trained": False},
         {"page": "book/cnn", "run": "0001.5-9", "key": "c", "seconds": 60.0, "trained": True},
         "not a record")
    assert status_table.uses(log) == {"book/mlp": {"a": (90.0, False), "b": (5.0, False)},
                                      "book/cnn": {"c": (60.0, True)}}
    assert status_table.uses(tmp_path / "missing.jsonl") == {}


def test_cold_rows_follow_the_book_and_train_each_model_once():
    executed = {"book/intro": {"runtime": 1.0, "succeeded": True},
                "book/mlp": {"runtime": 4.0, "succeeded": True},      # replayed its model
                "book/cnn": {"runtime": 70.0, "succeeded": True},     # trained its model then
                "book/summary": {"runtime": 3.0, "succeeded": True}}
    used = {"book/mlp": {"a": (90.0, False)}, "book/cnn": {"c": (60.0, True)},
            "book/summary": {"a": (90.0, False), "c": (60.0, False)}}
    rows = status_table.cold_rows(["book/intro", "book/mlp", "book/cnn", "book/summary", "book/glossary"],
                                  executed, used)
    assert [(r.docname, r.seconds, r.training, r.what) for r in rows] == [
        ("book/intro", 1.0, 0.0, "ran"),
        ("book/mlp", 94.0, 90.0, "trained"),       # the replay's seconds plus the training
        ("book/cnn", 70.0, 60.0, "trained"),       # trained in its last run: counted once
        ("book/summary", 3.0, 0.0, "cached")]      # models an earlier chapter trained
    assert set(status_table.WORDS["ko"]) == set(status_table.WORDS["en"])


def test_book_order_is_the_navigation():
    env = SimpleNamespace(config=SimpleNamespace(root_doc="intro"),
                          toctree_includes={"intro": ["a", "b"], "a": ["a1"], "b": []})
    assert status_table.book_order(env) == ["intro", "a", "a1", "b"]


def test_train_notes_a_cached_result_with_its_training_time(tmp_path, monkeypatch):
    log = tmp_path / status_table.USE_LOG
    monkeypatch.setenv(status_table.USE_LOG_ENV, str(log))
    monkeypatch.setenv(status_table.PAGE_ENV, "book/mlp")
    result = SimpleNamespace(key="k", recipe=SimpleNamespace(model="mlp"), from_cache=True,
                             seconds_total=80.0, scoring_seconds=[1.0, 2.0])
    training._note_use(result)
    record = json.loads(log.read_text())
    assert record["page"] == "book/mlp" and record["key"] == "k" and record["trained"] is False
    assert record["seconds"] == 83.0
    assert status_table.uses(log) == {"book/mlp": {"k": (83.0, False)}}
    monkeypatch.delenv(status_table.USE_LOG_ENV)
    training._note_use(result)  # outside a build: nothing written
    assert len(log.read_text().splitlines()) == 1
