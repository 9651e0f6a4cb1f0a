"""Every learner-function test leaves the Function catalogue as it found it."""
from __future__ import annotations

import pytest

from graphcore import functions as F


@pytest.fixture(autouse=True)
def clean_catalogue():
    """Registering a learner Function is global: each test leaves the catalogue as it found it."""
    before = dict(F.CATALOGUE)
    yield
    F.CATALOGUE.clear()
    F.CATALOGUE.update(before)
