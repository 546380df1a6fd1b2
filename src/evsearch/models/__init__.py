"""Language models: the sentence embedder and the spaCy pipeline, loaded offline."""
