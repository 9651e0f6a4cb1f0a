"""A learner's Function and the xor example that uses it, shared by the learner-function tests."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SWISH = {"name": "my_swish", "ports": ["x"], "forward": "x*sigmoid(x)",
         "derivatives": {"x": "sigmoid(x)*(1 + x*(1 - sigmoid(x)))"}}


def xor_with(fn_record: dict) -> dict:
    """The xor example with every relu replaced by the learner's Function."""
    doc = json.loads((ROOT / "assets/examples/xor_network.graph.json").read_text(encoding="utf-8"))
    for node in doc["nodes"]:
        if node["op"] == "relu":
            node["op"] = fn_record["name"]
    doc["functions"] = [fn_record]
    doc["training"]["epochs"] = 300
    return doc
