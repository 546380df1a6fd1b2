"""The learned ranking stage: its model file, its 0-1 scores, its explanations, relaxed filters."""

from __future__ import annotations

import json
import re
from importlib import resources

import numpy as np
import pytest

from evsearch.errors import IndexMismatchError
from evsearch.search import features, learned
from evsearch.search.tuning import Tuning


def _model_text() -> str:
    return resources.files("evsearch.search").joinpath(learned.MODEL_FILE).read_text("utf-8")


def test_committed_model_carries_this_feature_list():
    ranker = learned.load()
    assert ranker.features == tuple(features.FEATURES)
    assert ranker.depth >= 50 and ranker.scale > 0  # a higher raw score never calibrates lower


def test_model_with_other_features_is_refused_in_one_line(tmp_path):
    body = json.loads(_model_text())
    body["features"] = body["features"][:-1] + ["a_feature_this_code_lacks"]
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps(body), "utf-8")
    with pytest.raises(IndexMismatchError) as err:
        learned.parse(path.read_text("utf-8"), str(path))
    message = str(err.value)
    assert "\n" not in message and str(path) in message and learned.REBUILD in message


def test_every_score_lies_in_0_1_whatever_the_ranker(fixture_engine):
    queries = ("children missing from education", "outstanding", "foster carers support adequate grade")
    for ranker in ("learned", "boosts", "fusion"):
        fixture_engine.tuning = Tuning(ranker=ranker)
        try:
            for q in queries:
                r = fixture_engine.search(q, k=20)
                hits = r.hits
                assert hits, (ranker, q)
                assert all(0.0 <= h.score <= 1.0 for h in hits), (ranker, q, [h.score for h in hits])
                if ranker == "learned" and not r.parsed["relaxed"]:  # (relaxed: passing paragraphs lead)
                    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        finally:
            fixture_engine.tuning = Tuning()


def test_every_hit_explains_itself_when_asked(fixture_engine):
    plain = fixture_engine.search("foster carers training", k=5)
    assert all(h.explanation is None for h in plain.hits)
    r = fixture_engine.search("foster carers training", k=5, explain=True)
    assert r.hits and all(h.explanation for h in r.hits)
    said = [p for h in r.hits for p in h.explanation]
    assert any(p.startswith("matched: ") and "foster" in p for p in said)
    assert any(re.fullmatch(r"meaning -?\d\.\d\d", p) for p in said)
    # filters only (nothing to rank by): report order, said so
    ordered = fixture_engine.search("outstanding", k=3, explain=True)
    assert all(h.explanation == ["passes the filters (no words to rank by: report order)"] for h in ordered.hits)
    assert [h.to_dict()["explanation"] for h in r.hits] == [h.explanation for h in r.hits]


def test_feature_rows_are_finite_and_one_per_candidate(fixture_engine):
    from evsearch.search.fusion import fuse
    from evsearch.search.retrieve import retrieve

    view = fixture_engine.view
    planned = fixture_engine.plan("health assessments for children in care", k=10)
    found = fuse(retrieve(planned, view))
    ids = [pid for pid, _ in found.ranked[:30]]
    records = {r["id"]: r for r in view.index.paragraphs(ids)}
    x = features.matrix(features.batch(found, view, ids, records))
    assert x.shape == (len(ids), len(features.FEATURES)) and np.isfinite(x).all()
    col = {name: x[:, i] for i, name in enumerate(features.FEATURES)}
    assert ((col["coverage"] >= 0) & (col["coverage"] <= 1)).all() and col["coverage"].max() > 0
    assert (col["dense"] <= 1.0001).all() and col["fused_rank"][0] == 0


@pytest.mark.corpus
@pytest.mark.parametrize(
    "query, topic",
    [
        ("inadequate referrals", r"referr"),
        ("child protection plans inadequate", r"child protection"),
        ("adoption judged inadequate", r"adopt"),
    ],
)
def test_relaxed_grade_keeps_the_topic(seed_engine, query, topic):
    # the seed report has no inadequate grade: the grade is relaxed, and the ranking follows the topic
    r = seed_engine.search(query, k=5)
    assert r.parsed["relaxed"] == ["grade"] and len(r.hits) == 5
    on_topic = [h for h in r.hits if re.search(topic, h.text, re.I)]
    assert len(on_topic) >= 3, [h.text[:80] for h in r.hits]


def test_numpy_trees_score_as_lightgbm_does():
    lightgbm = pytest.importorskip("lightgbm")
    body = json.loads(_model_text())
    booster = lightgbm.Booster(model_str=body["lightgbm"])
    ranker = learned.load()
    x = np.random.default_rng(19).normal(1.0, 2.0, size=(64, len(ranker.features)))
    assert np.allclose(ranker.raw(x), booster.predict(x), atol=1e-9)
    # contributions + bias add up to the raw score (explanations account for all of it)
    full = ranker.forest.walk(x, contributions=True)[1]
    assert np.allclose(full.sum(axis=1), ranker.raw(x), atol=1e-9)


def test_engine_refuses_a_mismatched_model_when_it_opens(fixture_index, tmp_path):
    from evsearch.search.engine import Engine

    body = json.loads(_model_text())
    body["features"] = list(reversed(body["features"]))
    path = tmp_path / "other.json"
    path.write_text(json.dumps(body), "utf-8")
    with pytest.raises(IndexMismatchError, match="rebuild it: python -m benchmarks.ranking_lab.train_ltr"):
        Engine(fixture_index, tuning=Tuning(ranker_model=str(path)))
