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
the trees (evaluated with numpy: see ``Forest``), LightGBM's model text, the feature names it was trained on, the depth of the
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
FORMAT = 2


@dataclass(frozen=True)
class Forest:
    """The model's trees as flat numpy arrays, evaluated for all rows and trees at once.

    WHY not ``lightgbm.Booster.predict`` at search time: importing lightgbm imports
    scikit-learn and pandas (2.7 s on the 2-core box), which every CLI call and server start
    would pay. The trees are numerical ``<=`` splits on finite features, so walking them is a few
    array gathers per level (0.2 ms for 100 candidates); tests/search/test_learned.py checks the
    scores equal LightGBM's. ``left``/``right`` < 0 never occur: leaves have ``feature`` -1.
    """

    feature: np.ndarray  # split feature per node (-1: a leaf)
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # leaf output, or an internal node's output (its training mean)
    roots: np.ndarray  # root node of each tree

    def walk(self, x: np.ndarray, contributions: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """Raw scores (sum of leaf values) and, if asked, per-feature contributions: the change
        of node value along each row's path, credited to the split's feature (Saabas), so
        bias + contributions sum to the raw score exactly.

        All (row, tree) pairs step down together; pairs that reached a leaf drop out of the
        active set, so the work is the total path length, not rows x trees x the deepest tree."""
        n, trees = len(x), len(self.roots)
        row = np.repeat(np.arange(n), trees)
        node = np.tile(self.roots, n)
        contrib = np.zeros((n, x.shape[1] + 1)) if contributions else None
        if contrib is not None:
            contrib[:, -1] = self.value[self.roots].sum()
        active = np.flatnonzero(self.feature[node] >= 0)
        flat_x = x.ravel()
        width = x.shape[1]
        while len(active):
            at, r = node[active], row[active]
            f = self.feature[at]
            child = np.where(flat_x[r * width + f] <= self.threshold[at], self.left[at], self.right[at])
            if contrib is not None:
                np.add.at(contrib, (r, f), self.value[child] - self.value[at])
            node[active] = child
            active = active[self.feature[child] >= 0]
        return self.value[node].reshape(n, trees).sum(axis=1), contrib

    def to_dict(self) -> dict:
        return {"feature": self.feature.tolist(), "threshold": self.threshold.tolist(), "left": self.left.tolist(),
                "right": self.right.tolist(), "value": self.value.tolist(), "roots": self.roots.tolist()}  # fmt: skip

    @classmethod
    def from_dict(cls, body: dict) -> "Forest":
        ints = ("feature", "left", "right", "roots")
        return cls(**{k: np.asarray(v, dtype=np.int64 if k in ints else np.float64) for k, v in body.items()})

    @classmethod
    def from_lightgbm(cls, dumped: dict) -> "Forest":
        """From ``Booster.dump_model()`` (numerical splits only)."""
        feature, threshold, left, right, value, roots = [], [], [], [], [], []

        def add(node: dict) -> int:
            i = len(feature)
            for column in (feature, threshold, left, right, value):
                column.append(0)
            if "leaf_value" in node:
                feature[i], value[i], left[i], right[i] = -1, node["leaf_value"], i, i
                return i
            if node["decision_type"] != "<=":
                raise ValueError(f"unsupported split {node['decision_type']!r}: numerical features only")
            feature[i], threshold[i], value[i] = node["split_feature"], node["threshold"], node["internal_value"]
            left[i] = add(node["left_child"])
            right[i] = add(node["right_child"])
            return i

        for tree in dumped["tree_info"]:
            roots.append(add(tree["tree_structure"]))
        return cls.from_dict({"feature": feature, "threshold": threshold, "left": left, "right": right,
                              "value": value, "roots": roots})  # fmt: skip


@dataclass(frozen=True)
class Ranker:
    forest: Forest
    features: tuple[str, ...]
    depth: int  # fused candidates the model reorders
    scale: float  # calibration: score = 1 / (1 + exp(-(scale * raw + shift)))
    shift: float
    path: str

    def raw(self, x: np.ndarray) -> np.ndarray:
        return self.forest.walk(np.asarray(x, dtype=np.float64))[0]

    def calibrated(self, raw: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.scale * raw + self.shift)))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the raw score (rows x features; the bias column dropped)."""
        return self.forest.walk(np.asarray(x, dtype=np.float64), contributions=True)[1][:, : len(self.features)]


def parse(text: str, path: str) -> Ranker:
    """The ranker in a model file's text; refused when its features are not this code's."""
    body = json.loads(text)
    features = tuple(body.get("features") or ())
    if body.get("format") != FORMAT or features != tuple(FEATURES):
        raise IndexMismatchError(
            f"{path}: the ranking model was trained on other features than this evsearch computes; rebuild it: {REBUILD}"
        )
    cal = body["calibration"]
    return Ranker(Forest.from_dict(body["forest"]), features, int(body["depth"]), float(cal["scale"]), float(cal["shift"]), path)


@lru_cache(maxsize=2)
def load(path: str | None = None) -> Ranker:
    """The committed model (or the file at ``path``), read once per process."""
    if path:
        return parse(Path(path).read_text("utf-8"), path)
    source = resources.files("evsearch.search").joinpath(MODEL_FILE)
    return parse(source.read_text("utf-8"), f"evsearch/search/{MODEL_FILE}")


def dump(booster: Any, *, depth: int, scale: float, shift: float, trained: dict) -> str:
    """The model file's text for a trained LightGBM booster (the training script writes it): the
    trees as arrays for search, and LightGBM's own model text to check them against."""
    body = {
        "format": FORMAT,
        "features": list(FEATURES),
        "depth": depth,
        "calibration": {"scale": scale, "shift": shift},
        "trained": trained,
        "forest": Forest.from_lightgbm(booster.dump_model()).to_dict(),
        "lightgbm": booster.model_to_string(),
    }
    return json.dumps(body) + "\n"
