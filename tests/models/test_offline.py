"""The offline flags are forced on import, before any Hugging Face library reads them."""

from __future__ import annotations

import os
import subprocess
import sys

import evsearch.models  # noqa: F401
from evsearch.models.offline import OFFLINE_ENV


def test_flags_set_after_import() -> None:
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        assert os.environ.get(key) == "1", key
    assert set(OFFLINE_ENV) >= {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"}


def test_offline_wins_over_caller_env_in_fresh_process() -> None:
    """Even with HF_HUB_OFFLINE=0 in the environment, huggingface_hub ends up offline."""
    code = (
        "import evsearch.models.embedder, huggingface_hub.constants as c, os;"
        "print(c.HF_HUB_OFFLINE, os.environ['TRANSFORMERS_OFFLINE'])"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "1"]
