"""Language models: the sentence embedder and the spaCy pipeline, loaded offline.

`offline` is imported first so that no Hugging Face library ever sees an
online configuration (see offline.py for why the order matters).
"""

from evsearch.models import offline as _offline  # noqa: F401  (side effect: offline env)
