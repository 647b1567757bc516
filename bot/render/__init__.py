"""Pure renderers: typed models in, words, Block Kit and charts out, in the store's language."""
