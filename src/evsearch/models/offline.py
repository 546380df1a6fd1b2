"""Force every Hugging Face library into offline mode, before any of them is imported.

WHY: huggingface_hub reads HF_HUB_OFFLINE once, at import time, into module
constants. If transformers or sentence_transformers were imported first, a
missing model would trigger a download attempt (and a long network timeout on
an air-gapped machine). Importing this module first makes "no network, ever"
true for the whole process. The values are forced (not setdefault) on purpose:
the product promises never to download, whatever the caller's environment says.
"""

from __future__ import annotations

import os

OFFLINE_ENV: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "DISABLE_TELEMETRY": "1",
    # no tqdm "Loading weights" bars on stderr: the CLI shows its own progress
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def apply() -> None:
    """Set the offline/telemetry variables in this process (idempotent)."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


apply()
