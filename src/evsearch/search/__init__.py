"""Query understanding, retrieval, ranking, highlights and the Engine API."""
