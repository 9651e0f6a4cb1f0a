"""These tests pin the unfused fast path: bit for bit the reference loop, kernel lines per box.
The fused one (dense layers as matrices, graphcore/fusion.py) is tested in tests/fusion."""
import pytest


@pytest.fixture(autouse=True)
def unfused(monkeypatch):
    monkeypatch.setenv("GRAPHCORE_FUSE", "0")
