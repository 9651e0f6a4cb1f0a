"""The reliability tests import their helper modules (reliability_*.py) by name."""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
