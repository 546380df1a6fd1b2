"""Metrics and qrels keys (evsearch.search.evaluate) on tiny made-up judgements.

The keys must survive parser changes: numbered paragraphs by (report, part,
number), unnumbered records by a hash of their normalised text, and a numbered
row that carries its hash still matches after renumbering.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from evsearch.errors import InputError
from evsearch.search import evaluate
from evsearch.search.evaluate import Found, load_qrels, record_hash
from evsearch.search.results import Hit

BULLET = "Managers should make sure that every plan says who does what, and by when."
PARA = "Carers in the county receive regular training and say that they feel well supported."


def _write(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / "q.tsv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_metrics_known_values():
    rels = {("r", 1): 2, ("r", 2): 1}
    assert evaluate.ndcg_at([("r", 1), ("r", 2)], rels) == pytest.approx(1.0)
    expected = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert evaluate.ndcg_at([("r", 2), ("r", 1)], rels) == pytest.approx(expected)
    assert evaluate.mrr_at([("r", 9), ("r", 2)], rels) == 0.5
    assert evaluate.mrr_at([("x", 1)], rels) == 0.0
    assert evaluate.recall_at([("r", 1)], rels) == 0.5
    assert evaluate.judged_at([("r", 1), ("x", 1), ("r", 2), ("y", 3)], rels) == 0.5


def test_record_hash_ignores_case_spacing_and_hyphenation():
    assert record_hash(BULLET) == record_hash("managers  should make sure that every plan says who does what and by when")
    assert record_hash("Carers receive regular train-\ning.") == record_hash("carers receive regular training")
    assert record_hash(BULLET) != record_hash(PARA)
    assert len(record_hash(PARA)) == 12


def test_seed_style_file_without_part_column_matches_any_part(tmp_path):
    qs = load_qrels(_write(tmp_path, "qid\tquery\treport\tnumber\trel", "q1\tcarer training\tsample\t7\t2"))
    assert not qs.with_parts and qs.reports == {"sample"}
    hit = Found("sample", "Services for children in care", 7, PARA)
    assert qs.key_of("q1", "sample", hit) == ("n", "sample", "", 7)
    assert qs.key_of("q1", "sample", Found("sample", None, 8, PARA)) is None


def test_part_column_tells_apart_paragraphs_numbered_per_part(tmp_path):
    path = _write(
        tmp_path,
        "qid\tquery\treport\tnumber\trel\tpart\trecord",
        "q1\tboard scrutiny\tsample\t3\t2\tThe Board Review\t",
        "q1\tboard scrutiny\tsample\t3\t0\t\t",
    )
    qs = load_qrels(path)
    assert qs.key_of("q1", "sample", Found("sample", "the board  review", 3, "x")) == ("n", "sample", "the board review", 3)
    main = qs.key_of("q1", "sample", Found("sample", None, 3, "y"))
    assert main == ("n", "sample", "", 3) and qs.qrels["q1"][main] == 0


def test_unnumbered_records_by_hash_and_renumbered_paragraphs_by_their_text(tmp_path):
    path = _write(
        tmp_path,
        "qid\tquery\treport\tnumber\trel\tpart\trecord",
        f"q1\tplans\tsample\t\t2\t\t{record_hash(BULLET)}",
        f"q1\tplans\tsample\t12\t1\t\t{record_hash(PARA)}",
    )
    qs = load_qrels(path)
    assert qs.key_of("q1", "sample", Found("sample", None, None, BULLET)) == ("h", "sample", record_hash(BULLET))
    # The parser now numbers that paragraph 4 inside a new part: its text still finds the judgement.
    assert qs.key_of("q1", "sample", Found("sample", "a new part", 4, PARA)) == ("n", "sample", "", 12)
    assert qs.key_of("q1", "other", Found("other", None, None, BULLET)) is None


def test_evaluate_counts_a_record_once_and_leaves_out_queries_without_relevant(tmp_path):
    path = _write(
        tmp_path,
        "qid\tquery\treport\tnumber\trel\tpart\trecord",
        "q1\tcarers\tsample\t12\t2\t\t",
        "q1\tcarers\tsample\t13\t1\t\t",
        "q2\tnothing here\tsample\t12\t0\t\t",
    )
    qs = load_qrels(path)
    twice = [Found("idx--sample", None, 12, PARA), Found("idx--sample", None, 12, PARA), Found("idx--sample", None, 99, "z")]
    result = evaluate.evaluate(qs, lambda text, judged: twice, {"idx--sample": "sample"})
    assert result["evaluated"] == 1 and result["without_relevant"] == ["q2"]
    q = result["queries"][0]
    assert q["mrr@10"] == 1.0 and q["recall@10"] == 0.5
    assert q["ndcg@10"] == pytest.approx(3 / (3 + 1 / math.log2(3)))
    assert q["judged@10"] == pytest.approx(1 / 3)


def test_found_of_hit_drops_a_number_borrowed_from_the_enclosing_paragraph():
    common = dict(seq=5, part=None, section="Plans", grade=None, grade_label=None, text=BULLET, score=1.0)
    assert Found.of_hit(Hit(report_id="r", number=9, number_inferred=True, **common)).number is None
    assert Found.of_hit(Hit(report_id="r", number=9, **common)).number == 9


def test_load_qrels_names_the_file_and_line(tmp_path):
    with pytest.raises(InputError, match="no such"):
        load_qrels(tmp_path / "none.tsv")
    with pytest.raises(InputError, match="missing column"):
        load_qrels(_write(tmp_path, "qid\tquery", "q1\tx"))
    with pytest.raises(InputError, match=r"q\.tsv:3: a row needs a paragraph number or a record hash"):
        load_qrels(_write(tmp_path, "qid\tquery\treport\tnumber\trel", "q1\tx\tr\t1\t2", "q1\tx\tr\t\t1"))
    with pytest.raises(InputError, match=r"q\.tsv:2: number and rel must be integers"):
        load_qrels(_write(tmp_path, "qid\tquery\treport\tnumber\trel", "q1\tx\tr\tseven\t2"))


def test_report_names_match_qrels_by_file_stem():
    reports = [{"report_id": "seed--east-x", "path": "/c/seed/east-x.txt"}, {"report_id": "other", "path": "/c/o.pdf"}]
    assert evaluate.report_names(reports, {"east-x"}) == {"seed--east-x": "east-x", "other": "other"}
    assert evaluate.report_names(reports, {"seed--east-x"})["seed--east-x"] == "seed--east-x"
