"""The vocabulary every layer reads: grade scale, judgement families, section titles, slugs, authorities.

WHY a bottom layer: these are data, not parsing or search logic. The parser
tags records with them, the store filters on them and search reads queries
with them; keeping them here means search never imports the parser for a
word list. The authority register (``authorities.py``, ``data/authorities.csv``) is one more
such table: every English children's services authority and the names it goes by.
"""
