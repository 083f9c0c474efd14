"""Shared test setup: the ranking modules load once, so the builds' forked ranking workers inherit numpy
instead of importing it each build."""
import sitegen.latent
import sitegen.related  # noqa: F401
