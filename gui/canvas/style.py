"""How boxes look: glyph per Function, colour per kind of box, number formatting."""
from __future__ import annotations

import functools

import numpy as np
from PySide6.QtGui import QColor

from graphcore.numbers import format_number

GLYPHS = {
    "input": "x", "parameter": "θ", "constant": "c", "identity": "=", "neg": "−x", "inv": "1/x",
    "square": "x²", "pow": "xᵖ", "exp": "eˣ", "log": "ln", "abs": "|x|", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "sigmoid": "σ", "relu": "ReLU", "leaky_relu": "LReLU", "softplus": "soft+",
    "add": "+", "sub": "−", "mul": "×", "div": "÷", "max": "max", "min": "min", "lt": "<", "gt": ">",
    "eq": "=", "squared_error": "(a−b)²", "bce": "BCE", "bce_logits": "BCEz", "mean": "mean",
    "sum": "Σ", "softmax": "softmax", "cross_entropy": "CE",
}

# Header colour by kind: data in, trainable, fixed, and computing boxes are told apart at a glance.
KIND_COLORS = {
    "input": QColor("#3B8F6E"),
    "parameter": QColor("#C9821B"),
    "constant": QColor("#7A7F87"),
    "function": QColor("#3F5F8F"),
    "losses": QColor("#8F3F5F"),
}
BODY = QColor("#FBFBFC")
TEXT = QColor("#1E2228")
MUTED = QColor("#6B7280")
UNWIRED = QColor("#D55E00")
SELECTED = QColor("#2F80ED")
CANVAS = QColor("#EEF0F3")
GRID = QColor("#E1E4E8")
GRID_MAJOR = QColor("#D3D7DD")
EDGE = QColor("#5C6470")
EDGE_HOVER = QColor("#2F80ED")


def glyph(op: str) -> str:
    return GLYPHS.get(op, op[:4])


def kind_of(op: str, group: str) -> str:
    if op in ("input", "parameter", "constant"):
        return op
    return "losses" if group == "losses" else "function"


# The canvas's and the inspector's form of graphcore's one formatter: 4 digits, narrow boxes.
short_number = functools.partial(format_number, digits=4, compact=True)


def format_value(v) -> str:
    """A scalar as a number; per-sample values as their count and mean."""
    if v is None:
        return ""
    arr = np.asarray(v)
    if arr.ndim == 0:
        return short_number(float(arr))
    if arr.size == 0:
        return "[]"
    return f"[{arr.size}] μ={short_number(float(arr.mean()))}"
