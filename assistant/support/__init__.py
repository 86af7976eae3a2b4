"""Customer support: the store's policy documents, Chroma index, intent routing, demo orders."""
