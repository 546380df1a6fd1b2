"""Optional cross-encoder: disabled quietly (one warning) when unset or not available offline."""

from __future__ import annotations

import logging

import pytest

from evsearch.models.reranker import load_cross_encoder


def test_empty_setting_disables_reranking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVSEARCH_CROSS_ENCODER", "")
    assert load_cross_encoder(None) is None
    assert load_cross_encoder("  ") is None


def test_missing_model_returns_none_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="evsearch.models.reranker")
    name = "cross-encoder/not-installed-reranker-xyz"
    assert load_cross_encoder(name) is None
    assert load_cross_encoder(name) is None
    warnings = [r for r in caplog.records if "not-installed-reranker-xyz" in r.getMessage()]
    assert len(warnings) == 1
    assert "not available offline" in warnings[0].getMessage()


def test_setting_names_the_model(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    missing = tmp_path / "reranker"
    monkeypatch.setenv("EVSEARCH_CROSS_ENCODER", str(missing))
    assert load_cross_encoder() is None  # a path that does not exist: disabled, not a crash
