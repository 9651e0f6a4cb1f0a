"""Document: one open graph — the Graph, its file, dirty state, undo stack and live evaluation.

The Graph object lives as long as the Document: New and Open replace its contents in
one batch (one ``reset`` event), so panels holding ``document.graph`` stay valid.
Evaluation follows edits after a short pause (debounced) on a partial plan, so an
unfinished graph shows what it can and marks its unwired ports instead of failing.
"""
from __future__ import annotations

import copy
import os

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from graphcore import datasets, fileformat, incremental
from graphcore.errors import GraphError
from graphcore.exercise import LockedError, lesson_of, set_lesson
from graphcore.graph import EventKind, Graph
from graphcore.groups import groups_of

EVAL_DELAY_MS = 120
# A plan of more boxes than this is evaluated by the engine's loop: the window runs a new plan
# once or twice (then incrementally), and generating a 10,000-box kernel costs more than that.
KERNEL_BELOW = 2000
# A graph of this many boxes or more is opened (or made new) first and evaluated after the
# window's first paint (the debounce's pause): at 10,000 boxes the evaluation is ~0.5 s of
# the ~2 s an open took, and the boxes can be seen and worked on meanwhile.
EVALUATE_AFTER_PAINT_FROM = 2000


def replace_contents(graph: Graph, source: Graph, take: bool = False):
    """Make ``graph`` a copy of ``source`` (boxes, arrows, meta, layout, groups), announced as one
    reset. ``take``: ``source``'s boxes, arrows and layout themselves (it is dropped after)."""
    with graph.batch():
        graph.assign(source, take)  # what the loader already checked: no box is checked twice
        graph.meta.setdefault("threshold", 0.5)
        groups_of(graph).load(groups_of(source).to_list())  # the file's groups (or none): replace the old ones
        lesson = lesson_of(source)
        set_lesson(graph, lesson.copy() if lesson is not None else None)  # an exercise's tasks and locks


def rebased_dataset(block, old_file: str | None, new_file: str) -> dict | None:
    """The dataset block with its relative CSV path re-pointed from ``new_file``'s folder
    (None when nothing needs to change)."""
    if not (isinstance(block, dict) and isinstance(block.get("csv"), str) and old_file):
        return None
    csv = block["csv"]
    old_dir, new_dir = os.path.dirname(os.path.realpath(old_file)), os.path.dirname(os.path.realpath(new_file))
    if os.path.isabs(csv) or old_dir == new_dir:
        return None
    target = os.path.normpath(os.path.join(old_dir, csv))
    try:
        ref = os.path.relpath(target, new_dir)
    except ValueError:  # another drive (Windows): only an absolute path reaches it
        ref = target
    return {**block, "csv": ref.replace(os.sep, "/")}


def needs_evaluation(event) -> bool:
    """Whether an edit can change a number: moving boxes (one, or a whole auto-layout) cannot."""
    if event.kind is EventKind.NODE_MOVED or (event.kind is EventKind.NODE_CHANGED and event.key == "label"):
        return False  # where a box stands and what it is called change no number
    return event.kind is not EventKind.RESET or event.changes is None or event.changes.needs_evaluation


class Document(QObject):
    changed = Signal()                    # the model changed (any event)
    evaluated = Signal(object)            # an engine.Evaluation
    evaluation_failed = Signal(str, list)  # message, boxes to point at
    dirty_changed = Signal(bool)
    file_changed = Signal(str)            # the path (or "" for a new graph)
    refused = Signal(str)                 # a change refused by the exercise's locks (one line)
    evaluating = Signal()                 # a big graph opened: its evaluation follows the first paint

    def __init__(self, parent=None):
        super().__init__(parent)
        self.graph = Graph()
        self.path: str | None = None
        self.base_label = "New graph"
        self.undo_stack = QUndoStack(self)
        self.evaluation = None
        self.plan = None                  # the partial plan of the last evaluation
        self.error: str | None = None
        self._dirty = False
        self.moved_only = False  # the last change only moved boxes
        self._changes = incremental.ChangeLog()  # what the next evaluation must compute anew
        self._evaluated_on = None  # the data set the last evaluation read
        self._dataset_key = None
        self._dataset = None
        self.before_edit: list = []  # called before a command applies or a save (a replay puts the trained values back)
        self._timer = QTimer(self, singleShot=True, interval=EVAL_DELAY_MS)
        self._timer.timeout.connect(self.evaluate_now)
        self.graph.subscribe(self._on_event)
        # A bound method, not a lambda: Qt drops the connection when this object dies, so the
        # stack's last cleanChanged (emitted while it is destroyed) reaches nothing.
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    # --- state -------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._dirty

    def _clean_changed(self, clean: bool):
        self.set_dirty(not clean)

    def set_dirty(self, dirty: bool):
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    @property
    def title(self) -> str:
        return self.graph.meta.get("name") or "untitled"

    @property
    def display_name(self) -> str:
        """The file as the learner knows it: its name, or the graph's name before it is saved."""
        return os.path.basename(self.path) if self.path else self.title

    def push(self, command) -> str | None:
        """Apply a command and put it on the undo stack; returns the model's refusal message, if any."""
        self._before_edit()
        try:
            command.apply()
        except LockedError as exc:
            self.refused.emit(str(exc))  # the window's status bar, whichever widget asked
            return str(exc)
        except GraphError as exc:
            return str(exc)
        command.on_refused = self.refused.emit  # a locked undo or redo says so too
        self.undo_stack.push(command)
        return None

    def _before_edit(self):
        for hook in self.before_edit:
            hook()

    def _on_event(self, event):
        # Read by followers of ``changed`` that a move leaves as they were (the plots).
        self.moved_only = event.kind is EventKind.NODE_MOVED or (
            event.kind is EventKind.RESET and event.changes is not None and event.changes.moves_only)
        self._changes.note(event)
        self.changed.emit()
        if needs_evaluation(event):
            self.schedule_evaluation()

    # --- files -------------------------------------------------------------------------
    def new(self):
        replace_contents(self.graph, Graph())
        self._after_load(None)

    def open(self, path: str):
        """Load a file; raises GraphError (FileFormatError) and leaves the graph untouched on failure."""
        self.load_graph(fileformat.load(path), path, take=True)

    def load_graph(self, loaded: Graph, path: str | None, take: bool = False):
        """Switch to ``loaded`` all or nothing: if anything that shows the graph fails on
        it, the previous graph is put back and the error raised; the path, the title and
        the undo stack are only touched once the switch has succeeded. ``take``: the caller
        drops ``loaded`` after (a file just read), so its tables are taken, not copied."""
        # The shown graph's tables are taken, not copied (~0.1 s at 10,000 boxes): while ``before``
        # holds them the graph only rebinds its own, never changes them.
        before = Graph()
        replace_contents(before, self.graph, take=True)
        try:
            replace_contents(self.graph, loaded, take=take)
        except Exception:
            replace_contents(self.graph, before, take=True)
            raise
        self._after_load(path)

    def _after_load(self, path):
        self.path = path
        # The History panel's first entry: the state every undo leads back to.
        self.base_label = f"Opened {os.path.basename(path)}" if path else "New graph"
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.set_dirty(False)
        self._dataset_key = None
        if len(self.graph) >= EVALUATE_AFTER_PAINT_FROM:
            self.evaluation = None  # the last graph's numbers: none of them belongs to this one
            self.file_changed.emit(path or "")
            self.evaluating.emit()
            self.schedule_evaluation()
            return
        self.file_changed.emit(path or "")
        self.evaluate_now()

    def save(self, path: str | None = None):
        """Write the graph to ``path``. Saved into another folder, a CSV data set's relative
        path is rebased so that the new file still finds its data (SPEC §3: relative to the file)."""
        self._before_edit()
        path = path or self.path
        block = rebased_dataset(self.graph.meta.get("dataset"), self.graph.source_path, path)
        if block is None:
            fileformat.save(self.graph, path)
        else:
            copy_ = Graph()
            replace_contents(copy_, self.graph)
            copy_.set_meta("dataset", block)
            fileformat.save(copy_, path)  # the graph itself changes only once the file is written
        self.graph.source_path = os.path.realpath(path)  # as the loader sets it: relative paths start here
        if block is not None:
            self.graph.set_meta("dataset", block)
        if path != self.path:
            self.path = path
            self.file_changed.emit(path)
        self.undo_stack.setClean()
        self.set_dirty(False)

    def dumps(self) -> str:
        return fileformat.dumps(self.graph)

    def set_task_done(self, task_id: str, done: bool = True):
        """The Lesson panel's word that a task is (no longer) done: the values it reveals show."""
        lesson = lesson_of(self.graph)
        if lesson is None:
            return
        (lesson.done.add if done else lesson.done.discard)(task_id)
        self.evaluate_now()  # the canvas and the inspector redraw with the new "?"s

    # --- data and evaluation -------------------------------------------------------------
    def dataset(self):
        """The graph's data set (cached while its ``dataset`` block is unchanged), or None."""
        block = self.graph.meta.get("dataset")
        key = (repr(block), self.graph.source_path)
        if key != self._dataset_key:
            self._dataset_key = key
            self._dataset = None
            if block:
                try:
                    self._dataset = datasets.from_block(copy.deepcopy(block), _dir_of(self.graph.source_path))
                except Exception as exc:
                    self._dataset = exc  # asked again, the same refusal: not "the input has no data"
        if isinstance(self._dataset, Exception):
            raise self._dataset
        return self._dataset

    def schedule_evaluation(self):
        self._timer.start()

    def evaluate_now(self):
        """Forward and backward on the partial plan; never raises."""
        self._timer.stop()
        changed = self._changes.take()
        try:
            # the last plan patched where the edit touched it, when it can be (else compiled)
            self.plan = incremental.plan_after(self.graph, self.plan, self._changes.touched, self._changes.added)
            ds = self.dataset()
            data = ds.train() if ds is not None else None
            if ds is not self._evaluated_on:  # another data set: nothing computed before holds
                changed, self._evaluated_on = None, ds
            # only the boxes downstream of the edit, when that can be told; else all of them
            self.evaluation = incremental.rerun(self.plan, self.evaluation, changed, data) or \
                self.plan.run(data, fast=len(self.plan.steps) < KERNEL_BELOW)
            self.error = None
        except GraphError as exc:
            self._plan_failed()
            self.evaluation, self.error = None, str(exc)
            self.evaluation_failed.emit(str(exc), list(exc.nodes))
            return
        except Exception as exc:  # a data set that cannot be read, an unexpected numeric failure
            self._plan_failed()
            self.evaluation, self.error = None, f"cannot evaluate: {exc}"
            self.evaluation_failed.emit(self.error, [])
            return
        self.evaluated.emit(self.evaluation)


    def _plan_failed(self):
        """No plan of this structure was made: the next one cannot be patched from ``self.plan``."""
        if self.plan is None or self.plan.version != self.graph.version:
            self._changes.forget()


def _dir_of(path):
    import os
    return os.path.dirname(path) if path else None
