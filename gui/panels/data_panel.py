"""The data panel: where the training points come from, and which column feeds which input box.

The data set is the graph's ``dataset`` block (SPEC §3): a generator with n, noise,
seed and test share; a CSV file; or inline points the learner clicked in. Every edit
is one undoable command (``SetMetaCommand`` for the block, ``SetColumnCommand`` for
the column of an ``input`` box). Clicking points into a generated or CSV data set turns
it into inline points, so what the learner sees is what the file keeps.
"""
from __future__ import annotations

import copy
import math
import os

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from graphcore import datasets, fileformat
from graphcore.errors import GraphError
from graphcore.graph import EventKind
from graphcore.labels import classes
from gui.commands import SetColumnCommand, SetMetaCommand
from gui.plain_text import plain_label

from .settings_fields import LARGEST, NumberSpinBox, keep_untouched

NO_SOURCE = "none"
CSV_SOURCE = "csv"
POINTS_SOURCE = "points"
NO_COLUMN = "(its own value)"
MAX_MAPPING_ROWS = 50  # input-box rows made before "show the others" (a lesson has a handful)
SHOWN_CLASSES = 10  # per-class counts listed under the data set
DECIMALS = 4  # clicked points are kept to this many decimals in the file
# Clicked-in points are stored in the graph file, under 100 bytes a point: this many stay far
# below the loader's size limit (fileformat.MAX_BYTES), so the file can always be reopened.
MAX_CLICKED_POINTS = 200_000


def points_block(columns: dict[str, np.ndarray], test_fraction: float = 0.0) -> dict:
    block = {"points": {k: [round(float(v), 10) for v in vals] for k, vals in columns.items()}}
    if test_fraction:
        block["test_fraction"] = test_fraction
    return block


def with_point(ds: datasets.Dataset | None, axes: tuple[str, str], x: float, y: float, cls: int,
               test_fraction: float = 0.0) -> dict:
    """The dataset block of ``ds`` plus one point; other feature columns get 0."""
    cols = {k: list(map(float, v)) for k, v in (ds.columns.items() if ds is not None else [])}
    for name in (*axes, "y"):
        cols.setdefault(name, [0.0] * (ds.n if ds is not None else 0))
    for name in cols:
        value = {axes[0]: round(x, DECIMALS), axes[1]: round(y, DECIMALS), "y": float(cls)}.get(name, 0.0)
        cols[name].append(value)
    return points_block({k: np.asarray(v) for k, v in cols.items()}, test_fraction)


def without_point(ds: datasets.Dataset, row: int, test_fraction: float = 0.0) -> dict:
    keep = np.arange(ds.n) != row
    return points_block({k: v[keep] for k, v in ds.columns.items()}, test_fraction)


class DataPanel(QWidget):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("data_panel")
        self.document = document
        self._reading = False
        self._mapping_key = None  # the input boxes and columns the mapping rows were built for
        self.rows_built = 0  # how many times the mapping rows were made (a count for the tests)
        self._all_rows = False  # every input box's row, asked for by the learner (graphs past the cap)
        lay = QVBoxLayout(self)
        lay.addLayout(self._build_source_form())
        lay.addLayout(self._build_buttons())
        self.info = plain_label()
        self.info.setObjectName("data_info")
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        self.mapping_box = QGroupBox("Columns → input boxes")
        self.mapping = QFormLayout(self.mapping_box)
        self.column_combos: dict[str, QComboBox] = {}
        lay.addWidget(self.mapping_box)
        self.error = plain_label()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #B00020")
        lay.addWidget(self.error)
        hint = QLabel("On the boundary plot, a left click adds a point of the chosen class; "
                      "a right click on a point removes it.")
        hint.setObjectName("data_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666")
        lay.addWidget(hint)
        lay.addStretch(1)
        # Only changes that concern the data: not the parameter values written live while training.
        document.graph.subscribe(self._on_graph_event)
        self.refresh()

    def _build_source_form(self) -> QFormLayout:
        """Where the points come from, and a generator's settings."""
        self.source = QComboBox()
        self.source.setObjectName("data_source")
        self.source.addItem("none (own values)", NO_SOURCE)
        self.source.setItemData(0, "No data set: every input box uses its own value", Qt.ToolTipRole)
        for name in datasets.GENERATORS:
            self.source.addItem(name, name)
        self.source.addItem("CSV file…", CSV_SOURCE)
        self.source.addItem("clicked-in points", POINTS_SOURCE)
        self.n = QSpinBox()
        self.n.setRange(1, fileformat.MAX_GENERATED)
        # The file format's ranges: a field shows what the file holds (settings_fields).
        self.noise = NumberSpinBox(0.0, LARGEST, 0.01)
        self.seed = QSpinBox()
        self.seed.setRange(0, fileformat.MAX_WHOLE)
        self.test_share = NumberSpinBox(0.0, math.nextafter(1.0, 0.0), 0.05)
        self.test_share.setToolTip("Share of the points held out as test data (not trained on)")
        for w in (self.n, self.noise, self.seed, self.test_share):
            w.setKeyboardTracking(False)
            w.valueChanged.connect(self._write_block)
        self.source.activated.connect(self._on_source)
        form = QFormLayout()
        form.addRow("Data set", self.source)
        form.addRow("Points", self.n)
        form.addRow("Noise σ", self.noise)
        form.addRow("Seed", self.seed)
        form.addRow("Test share", self.test_share)
        return form

    def _build_buttons(self) -> QHBoxLayout:
        self.regenerate = QPushButton("Regenerate")
        self.regenerate.setObjectName("regenerate_button")
        self.regenerate.setToolTip("Draw new points: the next seed")
        self.regenerate.clicked.connect(lambda: self.seed.setValue(self.seed.value() + 1))
        self.load_csv = QPushButton("Load CSV…")
        self.load_csv.clicked.connect(self.choose_csv)
        buttons = QHBoxLayout()
        buttons.addWidget(self.regenerate)
        buttons.addWidget(self.load_csv)
        return buttons

    def _on_graph_event(self, ev):
        g = self.document.graph
        K = EventKind
        if ev.kind is K.RESET and ev.changes is not None and ev.changes.everything:
            self._all_rows = False  # another graph (opened, a lesson): its first rows, as any
        if ev.kind in (K.RESET, K.NODE_ADDED, K.NODE_REMOVED) or (ev.kind is K.GRAPH_CHANGED and ev.key == "dataset") \
                or (ev.kind is K.NODE_CHANGED and ev.key in ("column", "label")) \
                or (ev.kind is K.NODE_CHANGED and ev.key == "value" and ev.node in g and g.op(ev.node) == "input"):
            self.refresh()

    # --- reading the graph -------------------------------------------------------------------
    def dataset(self) -> datasets.Dataset | None:
        try:
            return self.document.dataset()
        except GraphError as exc:
            self.error.setText(str(exc))
        except (OSError, ValueError) as exc:
            self.error.setText(f"cannot read the data set: {exc}")
        return None

    def refresh(self):
        block = self.document.graph.meta.get("dataset") or {}
        self._reading = True
        try:
            if "generator" in block:
                self.source.setCurrentIndex(self.source.findData(block["generator"]))
                self.n.setValue(int(block.get("n", 100)))
                self.noise.setValue(float(block.get("noise", 0.0)))
                self.seed.setValue(int(block.get("seed", 0)))
            elif "csv" in block:
                self.source.setCurrentIndex(self.source.findData(CSV_SOURCE))
            elif "points" in block:
                self.source.setCurrentIndex(self.source.findData(POINTS_SOURCE))
            else:  # no data set: the fields wait with a generator's usual settings
                self.source.setCurrentIndex(self.source.findData(NO_SOURCE))
                self.n.setValue(100)
                self.noise.setValue(0.0)
                self.seed.setValue(0)
            self.test_share.setValue(float(block.get("test_fraction", 0.0)))
            generated = "generator" in block
            for w in (self.n, self.noise, self.seed, self.regenerate):
                w.setEnabled(generated)
            self.test_share.setEnabled(bool(block))
        finally:
            self._reading = False
        self._shown = self.generator_block("") if "generator" in block else {}  # untouched fields keep these
        ds = self.dataset() if block else None
        self._refresh_mapping(ds)
        self._refresh_info(ds, block)

    def _refresh_info(self, ds, block):
        if ds is None:
            self.info.setText("This graph has no data set: each input box uses its own value. To train on "
                              "data, choose a generator above, load a CSV, or click points in." if not block else "")
            return
        n_test = int(ds.test_mask.sum())
        text = f"{ds.n} points: {ds.n - n_test} train, {n_test} test"
        if "y" in ds.columns and ds.n and classes(ds.columns["y"], 0):
            # only the classes present, a few of them: y = 100000 must not list 100,000 counts
            present, counts = np.unique(ds.columns["y"], return_counts=True)
            shown = [f"{c:g}: {k}" for c, k in zip(present[:SHOWN_CLASSES], counts[:SHOWN_CLASSES], strict=True)]
            text += "; per class " + ", ".join(shown) + (", …" if len(present) > SHOWN_CLASSES else "")
        if "csv" in block:
            text += f"\nfrom {block['csv']}"
        self.info.setText(text)

    def _refresh_mapping(self, ds):
        g = self.document.graph
        inputs = g.inputs()
        columns = ds.features + (["y"] if "y" in ds.columns else []) if ds is not None else []
        # A graph of hundreds of input boxes shows the first rows and a button for the rest: each
        # row's combo box costs ~1 ms to make (400 of them: a third of a second per open or paste).
        shown = inputs if self._all_rows or len(inputs) <= MAX_MAPPING_ROWS else inputs[:MAX_MAPPING_ROWS]
        wanted = ([(nid, tuple(columns)) for nid in shown], len(inputs))
        if self._mapping_key != wanted:
            self._mapping_key = wanted
            self._build_rows(g, shown, columns, len(inputs) - len(shown))
        for nid, combo in self.column_combos.items():
            col = g.column(nid) or (nid if g.value(nid) is None else None)
            if combo.currentData() == col and combo.currentIndex() >= 0:
                continue  # already showing it: hundreds of inputs are not searched after each edit
            i = combo.findData(col)
            if i < 0 and col is not None:
                combo.addItem(f"{col} (missing)", col)
                i = combo.count() - 1
            combo.setCurrentIndex(max(i, 0))
        self.mapping_box.setVisible(bool(inputs))

    def _build_rows(self, g, shown: list, columns: list, hidden: int):
        self.rows_built += 1
        # Hidden while rows come and go, shown once by the caller: each row added to a shown box
        # was laid out on its own.
        self.mapping_box.setVisible(False)
        while self.mapping.rowCount():
            self.mapping.removeRow(0)
        self.column_combos = {}
        for nid in shown:
            combo = QComboBox()
            combo.setObjectName(f"column_{nid}")
            combo.addItem(NO_COLUMN, None)
            for c in columns:
                combo.addItem(c, c)
            combo.activated.connect(lambda _i, n=nid, cb=combo: self.set_column(n, cb.currentData()))
            self.column_combos[nid] = combo
            self.mapping.addRow(plain_label(g.label(nid)), combo)  # a label is never HTML
        if hidden:
            more = QPushButton(f"Show the other {hidden:,} input boxes")
            more.setObjectName("data_more_inputs")
            more.clicked.connect(self.show_all_rows)
            self.mapping.addRow(more)

    def show_all_rows(self):
        self._all_rows = True
        self._refresh_mapping(self.dataset() if self.document.graph.meta.get("dataset") else None)

    # --- writing the graph -------------------------------------------------------------------
    def _push_block(self, block: dict | None, text: str) -> bool:
        """Check the block (file rules, and that it can be read), then push it as one undo step."""
        g = self.document.graph
        if block is not None:
            try:
                fileformat.check_dataset(copy.deepcopy(block))
                base = os.path.dirname(g.source_path) if g.source_path else None
                datasets.from_block(copy.deepcopy(block), base)
            except GraphError as exc:
                self.error.setText(str(exc))
                self.refresh()
                return False
        if block == g.meta.get("dataset"):
            return True
        refused = self.document.push(SetMetaCommand(g, "dataset", block, text))
        self.error.setText(refused or "")
        return refused is None

    def generator_block(self, name: str | None = None) -> dict:
        return {"generator": name or self.source.currentData(), "n": self.n.value(), "seed": self.seed.value(),
                "noise": round(self.noise.value(), 6), "test_fraction": round(self.test_share.value(), 6)}

    def _write_block(self, *_):
        if self._reading:
            return
        block = dict(self.document.graph.meta.get("dataset") or {})
        if not block:
            return  # no data set: the fields only wait for one to be chosen
        if "generator" in block:
            self._push_block(keep_untouched(self.generator_block(block.get("generator")), self._shown, block),
                             "Change data set")
        else:
            tf = round(self.test_share.value(), 6)
            block.pop("test_fraction", None)
            if tf:
                block["test_fraction"] = tf
            self._push_block(block, "Change test share")

    def _on_source(self, _index: int):
        kind = self.source.currentData()
        if kind == NO_SOURCE:
            if self.document.graph.meta.get("dataset"):
                self._push_block(None, "No data set")
        elif kind == CSV_SOURCE:
            if not self.choose_csv():
                self.refresh()
        elif kind == POINTS_SOURCE:
            ds = self.dataset()
            if ds is None:
                self.error.setText("Click on the decision boundary plot to add points")
                self.refresh()
                return
            self._push_block(points_block(ds.columns, round(self.test_share.value(), 6)), "Keep the points")
        else:
            self._push_block(self.generator_block(kind), f"Data set: {kind}")

    def choose_csv(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(self, "Load a CSV data set", "", "CSV files (*.csv);;All files (*)")
        return bool(path) and self.use_csv(path)

    def use_csv(self, path: str) -> bool:
        """Point the dataset block at a CSV file (relative to the graph file when it has been saved)."""
        g = self.document.graph
        ref = os.path.abspath(path)
        if g.source_path:
            try:
                ref = os.path.relpath(ref, os.path.dirname(g.source_path))
            except ValueError:  # another drive on Windows
                pass
        block = {"csv": ref}
        tf = round(self.test_share.value(), 6)
        if tf:
            block["test_fraction"] = tf
        return self._push_block(block, f"Load {os.path.basename(path)}")

    def set_column(self, node: str, column: str | None):
        g = self.document.graph
        if column == g.column(node):
            return
        if column is None and g.value(node) is None:
            self.error.setText(f"input box '{g.box_name(node)}' has no value of its own: give it a value first, "
                               f"or choose a column")
            self.refresh()
            return
        refused = self.document.push(SetColumnCommand(g, node, column))
        self.error.setText(refused or "")

    def add_point(self, x: float, y: float, cls: int, axes=("x1", "x2")):
        ds = self.dataset()
        if ds is not None and ds.n >= MAX_CLICKED_POINTS:
            # Clicking in keeps every point in the file: past this many it could not be opened again.
            self.error.setText(f"Points can be clicked into a data set of fewer than {MAX_CLICKED_POINTS:,} points; "
                               f"this one has {ds.n:,}. Lower its number of points first.")
            return
        tf = float((self.document.graph.meta.get("dataset") or {}).get("test_fraction", 0.0))
        self._push_block(with_point(ds, axes, x, y, cls, tf), f"Add a point of class {cls}")

    def remove_point(self, row: int):
        ds = self.dataset()
        if ds is None or not 0 <= row < ds.n:
            return
        if ds.n == 1:
            self._push_block(None, "Remove the last point")
            return
        tf = float((self.document.graph.meta.get("dataset") or {}).get("test_fraction", 0.0))
        self._push_block(without_point(ds, row, tf), "Remove a point")
