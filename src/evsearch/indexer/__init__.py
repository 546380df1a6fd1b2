"""Reading reports, splitting and tagging paragraphs, and the index store."""
