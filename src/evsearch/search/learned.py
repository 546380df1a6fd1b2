"""The learned ranker: a LightGBM LambdaMART model over ``features.FEATURES``, its 0-1 score
and its per-feature contributions.

WHY a learned model: the hand-set boosts (+0.15 title, +0.1 theme, +10 a level
in focus mode, +0.05 findings) decided the order by rules fixed without the
graded judgements, and focus mode let a theme's whole section lead whatever its
text said. One LambdaMART model, trained on the eval tune half's graded
judgements (``python -m benchmarks.ranking_lab.train_ltr``, fixed seed),
weighs every signal at once; docs/search.md ("Evaluation") has its tune and
test figures.

The model file (``data/ranker.json``, committed, sha256 in docs/search.md) holds
the LightGBM model text, the feature names it was trained on, the depth of the
fused list it reorders and a logistic calibration of its raw score (fitted on
tune: the chance a candidate is judged relevant), so every hit's score lies in
0..1 and means the same for every query. A model whose feature names differ
from ``features.FEATURES`` is refused in one line naming the rebuild command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from evsearch.errors import IndexMismatchError
from evsearch.search.features import FEATURES

MODEL_FILE = "data/ranker.json"
REBUILD = "python -m benchmarks.ranking_lab.train_ltr"
FORMAT = 1


@dataclass(frozen=True)
class Ranker:
    booster: Any  # lightgbm.Booster
    features: tuple[str, ...]
    depth: int  # fused candidates the model reorders
    scale: float  # calibration: score = 1 / (1 + exp(-(scale * raw + shift)))
    shift: float
    path: str

    def raw(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster.predict(x, num_threads=1), dtype=np.float64)

    def calibrated(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.scale * raw + self.shift)))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the raw score (rows x features; the bias column dropped)."""
        out = np.asarray(self.booster.predict(x, pred_contrib=True, num_threads=1), dtype=np.float64)
        return out[:, : len(self.features)]


def parse(text: str, path: str) -> Ranker:
    """The ranker in a model file's text; refused when its features are not this code's."""
    import lightgbm

    body = json.loads(text)
    features = tuple(body.get("features") or ())
    if body.get("format") != FORMAT or features != tuple(FEATURES):
        raise IndexMismatchError(
            f"{path}: the ranking model was trained on other features than this evsearch computes; rebuild it: {REBUILD}"
        )
    booster = lightgbm.Booster(model_str=body["model"])
    cal = body["calibration"]
    return Ranker(booster, features, int(body["depth"]), float(cal["scale"]), float(cal["shift"]), path)


@lru_cache(maxsize=2)
def load(path: str | None = None) -> Ranker:
    """The committed model (or the file at ``path``), read once per process."""
    if path:
        return parse(Path(path).read_text("utf-8"), path)
    source = resources.files("evsearch.search").joinpath(MODEL_FILE)
    return parse(source.read_text("utf-8"), f"evsearch/search/{MODEL_FILE}")


def dump(booster: Any, *, depth: int, scale: float, shift: float, trained: dict) -> str:
    """The model file's text for a trained booster (the training script writes it)."""
    body = {
        "format": FORMAT,
        "features": list(FEATURES),
        "depth": depth,
        "calibration": {"scale": scale, "shift": shift},
        "trained": trained,
        "model": booster.model_to_string(),
    }
    return json.dumps(body, indent=1) + "\n"
