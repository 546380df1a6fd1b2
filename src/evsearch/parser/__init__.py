"""Parsing: a report file (PDF, text, Markdown) becomes a ParsedReport (report, judgements, paragraphs).

It never touches the index store: building an index from parsed reports is indexer/'s job.
"""
