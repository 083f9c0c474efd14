"""Shared test setup."""
import sitegen.latent  # noqa: F401  (forked ranking workers inherit numpy instead of importing it each build)
import sitegen.related  # noqa: F401
