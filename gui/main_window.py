"""MainWindow: the canvas in the centre, docks around it, menus, toolbar, status bar.

Integration points for the other panels (docs/ARCHITECTURE.md): ``document``, ``scene``,
``view``, ``add_dock``, ``menu(name)``, ``toolbar``, ``select_nodes``, ``show_message``.
The window's parts (docks, panels, the stepper, training, ...) are declared on the class and
built in one place, ``_build_parts``: each install function returns what it builds.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QToolBar, QUndoView

from graphcore.exercise import cost_is_hidden
from graphcore.numbers import format_number

from .canvas.scene import GraphScene
from .canvas.view import GraphView
from .code_export import CodeExport
from .document import Document
from .edit_actions import EditActions
from .file_actions import FileActions
from .panels.inspector import InspectorPanel
from .panels.palette import PalettePanel
from .panels.quick_search import QuickSearch, compatible_ops
from .plain_text import plain_label

if TYPE_CHECKING:  # the parts' types; their modules are imported when the parts are built
    from graphcore.learner_library import Library

    from .canvas.breadcrumb import Breadcrumb
    from .group_actions import GroupActions
    from .lessons.install import LessonController
    from .panels.landscape_panel import LandscapePanel
    from .panels.neuron_heatmap import NeuronHeatmap, NeuronHeatmapView
    from .panels.plots_groups import LayerGradients, LayerGradientsView
    from .panels.race_panel import RacePanel
    from .panels.stepper_panel import StepperPanel
    from .training.install import TrainingView
    from .stepper.controller import StepperController

MENUS = ("File", "Edit", "View", "Graph", "Step", "Train", "Help")


class MainWindow(QMainWindow):
    # --- the window's parts: every one built in _build_parts / _build_fixed_docks ----------
    palette_panel: PalettePanel
    palette_dock: QDockWidget
    inspector: InspectorPanel
    inspector_dock: QDockWidget
    history: QUndoView
    history_dock: QDockWidget
    actions_by_name: dict[str, QAction]  # menu actions by name (installs add theirs)
    recent_menu: QMenu
    examples_menu: QMenu
    align_menu: QMenu
    snap_action: QAction
    stepper: StepperController
    stepper_panel: StepperPanel
    stepper_dock: QDockWidget
    step_by_group_action: QAction
    training: TrainingView  # its runner, panel, data panel and plots
    data_dock: QDockWidget
    training_dock: QDockWidget
    plots_dock: QDockWidget
    function_library: Library
    lessons: LessonController
    landscape: LandscapePanel
    race: RacePanel
    landscape_dock: QDockWidget
    race_dock: QDockWidget
    group_actions: GroupActions
    breadcrumb: Breadcrumb
    layer_gradients: LayerGradients
    layer_gradients_view: LayerGradientsView
    neuron_heatmap: NeuronHeatmap
    neuron_heatmap_view: NeuronHeatmapView

    def __init__(self, path: str | None = None, offer_recovery: bool = True, remember_settings: bool = True):
        super().__init__()
        self.setObjectName("MainWindow")
        self.document = Document(self)
        self.scene = GraphScene(self.document, self)
        self.view = GraphView(self.scene, self)
        self.setCentralWidget(self.view)
        self.edit = EditActions(self)
        self.files = FileActions(self)
        self.code_export = CodeExport(self)
        self.quick_search: QuickSearch | None = None
        self.remember_settings = remember_settings  # off for --screenshot, which must not change the learner's layout
        self._menus = {name: self.menuBar().addMenu(f"&{name}") for name in MENUS}
        self.toolbar = QToolBar("Main toolbar", self)
        self.toolbar.setObjectName("MainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.cost_label = plain_label()
        self.cost_label.setObjectName("CostLabel")
        self._cost_hidden = False
        self._point_at_failure = False  # Evaluate Now: a failure selects the box it names
        self.statusBar().addPermanentWidget(self.cost_label)
        self._build_fixed_docks()
        self._build_parts()
        self._arrange_docks()
        self._connect()
        self._update_title()
        self._restore_settings()
        if path:
            self.files.open(path, ask=False)
        elif offer_recovery:
            self.files.offer_recovery()

    # --- building the parts -------------------------------------------------------------
    def _build_fixed_docks(self):
        self.palette_panel = PalettePanel()
        self.palette_dock = self.add_dock("Functions", self.palette_panel, Qt.LeftDockWidgetArea)
        self.inspector = InspectorPanel(self)
        self.inspector_dock = self.add_dock("Inspector", self.inspector, Qt.RightDockWidgetArea)
        self.history = QUndoView(self.document.undo_stack)
        self.history.setEmptyLabel(self.document.base_label)
        self.history_dock = self.add_dock("History", self.history, Qt.RightDockWidgetArea)

    def _build_parts(self):
        """Menus and every panel, in the order their menus and docks appear; a part built
        later may use one built earlier."""
        from . import window_menus
        menus = window_menus.build(self)  # File, Edit, View, Graph; the toolbar's first buttons
        self.actions_by_name, self.snap_action = menus.actions, menus.snap_action
        self.recent_menu, self.examples_menu, self.align_menu = menus.recent_menu, menus.examples_menu, menus.align_menu
        from .stepper.install import install_stepper
        stepping = install_stepper(self)  # step-through dock, Step menu, toolbar buttons
        self.stepper, self.stepper_panel, self.stepper_dock = stepping.controller, stepping.panel, stepping.dock
        self.step_by_group_action = stepping.by_group_action
        from .training.install import install_training
        self.training, self.data_dock, self.training_dock, self.plots_dock = \
            install_training(self, self.stepper)  # Data, Train and Plots docks, Train menu
        from .panels.my_functions import install_my_functions
        self.function_library = install_my_functions(self)  # Functions ▸ New Function…, "My Functions"
        from .lessons.install import install_lessons
        self.lessons = install_lessons(self)  # the start page, the Lesson dock, Help ▸ Lessons / Tour / F1
        from .panels.landscape_install import install_landscape
        self.landscape, self.race, self.landscape_dock, self.race_dock = \
            install_landscape(self, self.training.runner)  # Loss landscape and Optimizer race docks
        from .group_actions import install_groups
        self.group_actions, self.breadcrumb = install_groups(self)  # Graph ▸ Group (Ctrl+G), …; the breadcrumb
        from .insert_dialogs import install_insert_menu
        install_insert_menu(self)  # Insert ▸ Network…, Expression…
        from .panels.plots_groups import install_layer_gradients
        self.layer_gradients_view = install_layer_gradients(self)  # the Plots' "Layers" tab: ‖dJ/dW‖ per layer
        self.layer_gradients = self.layer_gradients_view.widget
        from .panels.neuron_heatmap import install_neuron_heatmap
        self.neuron_heatmap_view = install_neuron_heatmap(self)  # a neuron's output over the input plane
        self.neuron_heatmap = self.neuron_heatmap_view.widget

    # --- integration points -----------------------------------------------------------
    def add_dock(self, title: str, widget, area=Qt.RightDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        view_menu = self._menus.get("View")
        if view_menu is not None:
            view_menu.addAction(dock.toggleViewAction())
        return dock

    def _arrange_docks(self):
        """Default layout (a learner's first view; QSettings keeps their own afterwards):
        left, full height, the Functions (tall) above the Data; right, a narrow column with the
        Inspector (History tabbed behind it) above the Train panel; under the canvas, the Plots
        with the step-through tabbed behind them. The canvas keeps the middle."""
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        data, train = self.data_dock, self.training_dock
        everything = self.findChildren(QDockWidget)
        for dock in everything:  # start from nothing: moving docks between areas leaves stray tab bars
            self.removeDockWidget(dock)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.palette_dock)
        self.addDockWidget(Qt.RightDockWidgetArea, self.inspector_dock)
        self.addDockWidget(Qt.LeftDockWidgetArea, data)
        self.splitDockWidget(self.palette_dock, data, Qt.Vertical)
        self.addDockWidget(Qt.RightDockWidgetArea, train)
        self.splitDockWidget(self.inspector_dock, train, Qt.Vertical)
        bottom = [self.plots_dock, self.stepper_dock, self.landscape_dock, self.race_dock]
        for dock in bottom:
            self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        for dock in bottom[1:]:
            self.tabifyDockWidget(bottom[0], dock)
        known = {self.palette_dock, self.inspector_dock, data, train, *bottom}
        for dock in [d for d in everything if d not in known]:  # the History, and any other panel
            self.addDockWidget(Qt.RightDockWidgetArea, dock)
            self.tabifyDockWidget(self.inspector_dock, dock)
        for dock in everything:
            dock.show()
        for dock in [self.inspector_dock, self.palette_dock, bottom[0]]:
            dock.raise_()
        self._sized = False  # default dock sizes are set once the window has its size (showEvent)

    def _default_sizes(self):
        self.resizeDocks([self.palette_dock, self.inspector_dock], [270, 290], Qt.Horizontal)
        self.resizeDocks([self.palette_dock, self.data_dock], [360, 420], Qt.Vertical)
        self.resizeDocks([self.inspector_dock, self.training_dock], [330, 430], Qt.Vertical)
        self.resizeDocks([self.plots_dock], [max(240, int(self.height() * 0.34))], Qt.Vertical)

    def reset_layout(self):
        """View ▸ Reset layout: every panel back where a new learner finds it, at its default
        size (the saved layout is replaced on closing)."""
        for dock in self.findChildren(QDockWidget):
            dock.setFloating(False)
        self._arrange_docks()
        self._sized = True
        self._default_sizes()
        self._raise_bottom_panel()

    def showEvent(self, event):
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            if not self._restored:
                self._default_sizes()

    def menu(self, name: str):
        if name not in self._menus:
            help_menu = self._menus.get("Help")
            if help_menu is not None:  # Help stays the last menu, as everywhere
                self._menus[name] = QMenu(f"&{name}", self)
                self.menuBar().insertMenu(help_menu.menuAction(), self._menus[name])
            else:
                self._menus[name] = self.menuBar().addMenu(f"&{name}")
        return self._menus[name]

    def select_nodes(self, ids):
        ids = set(ids)
        extra = self.scene.group_layer.reveal(ids)  # boxes hidden in a group: open it, or pick the group
        # One selectionChanged for the lot: each item's own would make selecting n boxes (a paste) O(n²).
        self.scene.blockSignals(True)
        try:
            self.scene.clearSelection()
            for nid in ids:
                item = self.scene.node_items.get(nid)
                if item is not None:
                    item.setSelected(True)
            for item in extra:
                item.setSelected(True)
        finally:
            self.scene.blockSignals(False)
        self.scene.selectionChanged.emit()
        if len(ids) == 1:
            item = self.scene.node_items.get(next(iter(ids)))
            if item is not None:
                self.view.ensureVisible(item, 40, 40)

    def show_message(self, text: str, ms: int = 6000):
        self.statusBar().showMessage(text, ms)

    # --- wiring -------------------------------------------------------------------------
    def _connect(self):
        doc = self.document
        doc.dirty_changed.connect(lambda d: self._update_title())
        doc.file_changed.connect(lambda p: self._update_title())
        doc.file_changed.connect(lambda p: self.history.setEmptyLabel(doc.base_label))
        doc.file_changed.connect(self._raise_bottom_panel)
        doc.changed.connect(self._update_title)
        doc.evaluated.connect(self._show_cost)
        doc.evaluation_failed.connect(self._show_eval_error)
        doc.evaluating.connect(lambda: self.cost_label.setText("evaluating…"))
        self.scene.message.connect(self.show_message)
        doc.refused.connect(self.show_message)  # an exercise's locked box: one line naming it
        doc.refused.connect(lambda _text: self.scene.sync_positions())  # a refused drag: the boxes go back
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.quick_search_requested.connect(lambda pos, port: self.open_quick_search(pos, "", port))
        self.view.quick_search_requested.connect(lambda pos, text: self.open_quick_search(pos, text))
        self.view.op_dropped.connect(lambda op, pos: self.edit.add_box(op, pos))
        self.palette_panel.activated.connect(
            lambda op: self.edit.add_box(op, self.view.mapToScene(self.view.viewport().rect().center())))

    def _raise_bottom_panel(self, _path=""):
        """A graph with a data set, or a one-input derivative lesson, opens on its Plots; any
        other (inputs use their own values, as in the lecture's J = 3(a + bc)) on the
        step-through, which is what it is for. Deferred: a tab raised before the window is
        laid out does not stay raised."""
        QTimer.singleShot(0, self._raise_bottom_panel_now)

    def _raise_bottom_panel_now(self):
        from graphcore.boundary import curve_input
        plots, stepper = self.plots_dock, self.stepper_dock
        behind = [d for d in self.tabifiedDockWidgets(plots) if d not in (self.landscape_dock, self.race_dock)]
        if behind != [stepper]:
            return  # the learner arranged the docks their own way
        g = self.document.graph
        (plots if g.meta.get("dataset") or curve_input(g) is not None else stepper).raise_()

    def _selection_changed(self):
        try:
            self.inspector.show_selection(self.scene.selected_nodes(), self.scene.selected_edges())
        except RuntimeError:  # the scene is being torn down with the window
            pass

    def _update_title(self):
        name = Path(self.document.path).name if self.document.path else self.document.title
        self.setWindowTitle(f"{name}{' •' if self.document.dirty else ''} — Backprop Studio")

    def hide_cost(self, hidden: bool):
        """A step-through has not computed J yet: the status bar must not give it away."""
        if hidden != self._cost_hidden:
            self._cost_hidden = hidden
            if hidden:
                self.cost_label.setText("cost J = ?   (step-through)")
            elif self.document.evaluation is not None:
                self._show_cost(self.document.evaluation)

    def _show_cost(self, ev):
        plan = ev.plan
        # A running run reports J with its epoch (show_training_cost); an evaluation that
        # lands between two frames on a busy machine must not replace it with a stale figure.
        if self._cost_hidden or self.training.runner.state == "running":
            return
        if ev.cost is not None and cost_is_hidden(self.document.graph):
            self.cost_label.setText("cost J = ?   (hidden until its task is done)")
        elif ev.cost is not None:
            self.cost_label.setText(f"cost J = {format_number(ev.cost)}" + (f"   (m = {ev.m})" if ev.m else ""))
        elif n := sum(len(v) for nid, v in plan.unwired.items() if nid not in plan.ignored):
            self.cost_label.setText(f"{n} unwired port{'s' * (n != 1)}")
        else:
            self.cost_label.setText("no cost J yet: select a box and “Set as cost J”")

    def show_training_cost(self, cost: float, epoch: int):
        """While a run goes on the graph changes too often for the live evaluation to settle
        (it waits for a quiet moment), so the runner reports J and the epoch here itself."""
        self.cost_label.setText(f"cost J = {format_number(cost)}   (epoch {epoch})")
        self.inspector.show_training_cost(cost, epoch)

    def _show_eval_error(self, message, nodes):
        self.cost_label.setText("cannot evaluate")
        self.show_message(message, 10000)
        if self._point_at_failure and nodes:
            self.select_nodes(nodes)

    def evaluate_now(self):
        """Graph ▸ Evaluate Now: a failure also selects the box it names (the live evaluation
        after each edit only reports it, so the selection never jumps while the learner edits)."""
        self._point_at_failure = True
        try:
            self.document.evaluate_now()
        finally:
            self._point_at_failure = False

    # --- quick search ------------------------------------------------------------------
    def open_quick_search(self, scene_pos: QPointF, text: str = "", port=None) -> QuickSearch:
        ops = compatible_ops(None if port is None else not port.is_input)
        qs = QuickSearch(ops, text, self)
        qs.scene_pos = scene_pos
        qs.port = port

        def chosen(op):
            if port is None:
                self.edit.add_box(op, scene_pos)
            else:
                self.edit.add_box_wired(op, scene_pos, port)
        qs.chosen.connect(chosen)
        global_pos = self.view.viewport().mapToGlobal(self.view.mapFromScene(scene_pos))
        qs.move(global_pos)
        qs.show()
        qs.edit.setFocus()
        self.quick_search = qs
        return qs

    # --- settings and closing ------------------------------------------------------------
    def _restore_settings(self):
        self._restored = False
        if not self.remember_settings:
            return
        s = QSettings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self._restored = bool(self.restoreState(state))
        self.scene.snap = s.value("canvas/snap", True) in (True, "true")
        self.snap_action.setChecked(self.scene.snap)

    def _save_settings(self):
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("canvas/snap", self.scene.snap)

    def closeEvent(self, event):
        if not self.files.maybe_save():
            event.ignore()
            return
        if self.remember_settings:
            self._save_settings()
        self.files.close_recovery()
        self.files.timer.stop()
        self.training.runner.shutdown()  # its timers, worker thread and graph subscription end with the window
        event.accept()

    def about(self):
        QMessageBox.about(self, "About Backprop Studio",
                          "<b>Backprop Studio</b><br>Build a computation graph of Function boxes and Variable "
                          "arrows, run forward and backprop, and watch gradient descent learn.")
