"""Index building: parsed reports become a published index generation (parser/ -> store/)."""
