"""File actions: New, Open, Save, Save As, Open Recent, lesson examples, export of the
canvas as PNG/SVG, the unsaved-changes prompt, and autosave with recovery after a crash."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QObject, QRectF, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QMessageBox

from graphcore import fileformat
from graphcore.paths import write_failure
from graphcore.errors import GraphError, one_line
from graphcore.layout import compute_layout

from . import recovery
from .canvas.scene_sync import gc_paused
from .plain_text import safe_text

AUTOSAVE_MS = 30_000
MAX_RECENT = 10
FILTER = "Graph files (*.graph.json *.json);;All files (*)"
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "examples"
# An exported PNG's bounds: a 10,000-box graph spans ~15,000 × 130,000 scene units, and one
# pixel each was a ~8 GB image the window froze drawing. Bigger canvases are scaled down.
PNG_MAX_PIXELS = 40_000_000
PNG_MAX_SIDE = 16_384


def png_scale(width: float, height: float) -> float:
    """Pixels per scene unit for a PNG of the canvas: 2 for a small one, 1 for a larger one,
    less for one that would pass PNG_MAX_PIXELS or PNG_MAX_SIDE."""
    scale = 2.0 if width * height < 4e6 else 1.0
    width, height = max(width, 1.0), max(height, 1.0)
    return min(scale, PNG_MAX_SIDE / max(width, height), (PNG_MAX_PIXELS / (width * height)) ** 0.5)


def examples() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.graph.json")) if EXAMPLES_DIR.is_dir() else []


def load_for_window(path: str):
    """Load a file and give every box a position (files written by hand may have none)."""
    g = fileformat.load(path)
    missing = [n for n in g.nodes() if n not in g.layout]
    if missing:
        pos = compute_layout(g)
        for n in (g.nodes() if len(missing) == len(g) else missing):
            g.layout[n] = pos[n]
    return g


class FileActions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.recovery = recovery.own_slot()  # this window's autosave, never another window's
        self.timer = QTimer(self, interval=AUTOSAVE_MS)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()

    # --- prompts --------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False means the learner cancelled."""
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self.window, "Unsaved changes", safe_text(f"Save the changes to “{self.doc.display_name}”?"),
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    # --- actions --------------------------------------------------------------------
    def new(self):
        if self.maybe_save():
            self.doc.new()
            self.window.view.fit()
            self.window.show_message("New graph")  # not a message about the graph before

    def open_dialog(self):
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "Open graph", self.start_dir(), FILTER)
        if path:
            self.open(path, ask=False)

    def open(self, path: str, ask: bool = True) -> bool:
        """Open a file; on failure the loader's message is shown and the current graph stays as it was."""
        if ask and not self.maybe_save():
            return False
        try:
            with gc_paused():  # the thousands of items made at once
                g = load_for_window(path)
                # all or nothing: on failure the old graph stays
                self.doc.load_graph(g, str(Path(path).resolve()), take=True)
        except GraphError as exc:
            QMessageBox.warning(self.window, "Cannot open graph", safe_text(exc))
            self.window.show_message(str(exc))
            return False
        except Exception as exc:  # a panel that cannot show this file: the window stays as it was
            message = one_line(f"cannot open {Path(path).name}: the window cannot show it "
                               f"({type(exc).__name__}: {exc})")
            QMessageBox.warning(self.window, "Cannot open graph", safe_text(message))
            self.window.show_message(message)
            return False
        self.add_recent(str(Path(path).resolve()))
        self.window.view.fit()
        self.window.show_message(f"Opened {Path(path).name}")
        return True

    def save(self) -> bool:
        if not self.doc.path or self._is_example(self.doc.path):
            return self.save_as()
        return self._write(self.doc.path)

    def save_as(self) -> bool:
        start = self.doc.path if self.doc.path and not self._is_example(self.doc.path) else \
            os.path.join(self.start_dir(), f"{self.doc.title}.graph.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save graph as", start, FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".graph.json"
        return self._write(path)

    def _write(self, path: str) -> bool:
        try:
            self.doc.save(path)
        except OSError as exc:
            QMessageBox.warning(self.window, "Cannot save", safe_text(write_failure(path, exc)))
            return False
        except GraphError as exc:  # a file too large to open again is not written
            QMessageBox.warning(self.window, "Cannot save", safe_text(exc))
            return False
        self.add_recent(str(Path(path).resolve()))
        self.clear_recovery()
        self.window.show_message(f"Saved {Path(path).name}")
        return True

    def _is_example(self, path) -> bool:
        return Path(path).resolve().parent == EXAMPLES_DIR

    def start_dir(self) -> str:
        return os.path.dirname(self.doc.path) if self.doc.path else str(Path.home())

    # --- recent files ---------------------------------------------------------------
    def recent(self) -> list[str]:
        value = QSettings().value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [p for p in (value or []) if os.path.exists(p)]

    def add_recent(self, path: str):
        files = [path] + [p for p in self.recent() if p != path]
        QSettings().setValue("recent_files", files[:MAX_RECENT])

    # --- export ---------------------------------------------------------------------
    def export_image_dialog(self):
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export canvas", self.start_dir(),
                                                   "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            if not os.path.splitext(path)[1]:
                path += ".svg" if "SVG" in chosen else ".png"
            self.export_image(path)

    def export_image(self, path: str):
        """The boxes and arrows (not the window) as PNG or SVG: drawn in memory, then written
        atomically like a graph file, so a failure is reported and leaves any old file whole."""
        with self.window.scene.overview.full_detail():  # the boxes as they draw themselves
            return self._export_image(path)

    def _export_image(self, path: str):
        scene = self.window.scene
        rect = scene.items_rect().adjusted(-40, -40, 40, 40)
        if rect.isNull():
            rect = QRectF(0, 0, 400, 300)
        buf = QBuffer()
        buf.open(QIODevice.WriteOnly)
        if path.lower().endswith(".svg"):
            from PySide6.QtSvg import QSvgGenerator
            gen = QSvgGenerator()
            gen.setOutputDevice(buf)
            gen.setSize(QSize(int(rect.width()), int(rect.height())))
            gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
            gen.setTitle(self.doc.title)
            painter = QPainter(gen)
            drawn = painter.isActive()
            if drawn:
                scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
                painter.end()
        else:
            scale = png_scale(rect.width(), rect.height())
            img = QImage(int(rect.width() * scale), int(rect.height() * scale), QImage.Format_ARGB32)
            img.fill(Qt.white)
            painter = QPainter(img)
            painter.setRenderHint(QPainter.Antialiasing)
            scene.render(painter, QRectF(0, 0, img.width(), img.height()), rect)
            painter.end()
            drawn = img.save(buf, "PNG")
        try:
            if not drawn:
                raise OSError("the picture could not be drawn")
            fileformat.atomic_write(path, bytes(buf.data()))
        except OSError as exc:
            QMessageBox.warning(self.window, "Cannot export", safe_text(write_failure(path, exc)))
            return False
        self.window.show_message(f"Exported {Path(path).name}")
        return True

    # --- autosave and recovery -------------------------------------------------------
    def recovery_path(self) -> Path:
        return self.recovery.graph_path

    def autosave(self):
        """Every 30 s, an unsaved graph is written to this window's recovery file (never over
        the learner's own file)."""
        if not self.doc.dirty:
            return
        try:
            self.recovery.write(self.doc.dumps(), self.doc.path)
        except OSError as exc:
            self.window.show_message(f"autosave failed: {exc}")

    def clear_recovery(self):
        self.recovery.clear()

    def close_recovery(self):
        """The window closes: its autosave goes, and its slot is free."""
        self.recovery.clear()
        self.recovery.release()

    def offer_recovery(self) -> bool:
        """Work autosaved by a window whose process is gone (a crash): offer to bring it back.
        Several such windows: this one takes the first accepted; the rest stay on disk and are
        offered when the next window starts."""
        found = recovery.orphans()
        recovered = False
        for slot in found:
            if recovered:
                slot.release()  # kept for the next window
                continue
            recovered = self._offer(slot)
        return recovered

    def _offer(self, slot) -> bool:
        answer = QMessageBox.question(
            self.window, "Recover unsaved work",
            "Backprop Studio did not close properly last time.\nRecover the graph you were working on?",
            QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        if answer != QMessageBox.Yes:
            slot.clear()
            slot.release()
            return False
        try:
            g, original = slot.read()
            g.source_path = original
            self.doc.load_graph(g, original)
        except (GraphError, OSError, ValueError) as exc:
            QMessageBox.warning(self.window, "Cannot recover", safe_text(exc))
            slot.release()  # left on disk, not lost
            return False
        self.doc.undo_stack.resetClean()  # recovered work is not saved yet: no undo makes it "clean"
        self.doc.set_dirty(True)
        self.autosave()  # into this window's own slot before the orphan's copy goes
        if self.recovery.exists():
            slot.clear()
        slot.release()
        self.window.view.fit()
        self.window.show_message("Recovered your unsaved graph")
        return True
