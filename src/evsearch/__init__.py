"""evsearch: cited evidence search over inspection reports.

Layers import one way only: api -> search -> indexer -> models. Cross-cutting
pieces that every layer needs (settings, domain errors) live at the top.
"""

__version__ = "0.1.0"
