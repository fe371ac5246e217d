"""Shared fixtures: every test gets a private, empty compiled-rules cache."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RULEIE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
