"""The canvas's group layer: which boxes show, which groups show as one box or as a
frame, where the crossing arrows end, and which group the learner has drilled into.

The level shown is the inside of the *focus* group (None: the whole graph). There, a
collapsed group hides its boxes behind one CollapsedGroupItem; an arrow crossing it is
drawn to its boundary port (aⱼ in, bᵢ out) and an arrow inside it is hidden. An
expanded group shows its boxes inside a GroupFrameItem. Boxes outside the focus are
hidden. Everything here is derived from the model (graphcore.groups) again after each
structural change; changes go through undo commands (gui/group_commands.py).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QPointF, QRectF, QSizeF, QTimer, Signal
from PySide6.QtWidgets import QMenu

from graphcore.graph import EventKind, VariableRef
from graphcore.group_layout import FRAME_PAD, FRAME_TITLE, GROUP_WIDTH, collapsed_origin, layout_groups
from graphcore.groups import groups_of

from .. import commands as C
from .. import group_commands as GC
from . import style
from .boundary_stubs import place_stubs
from .group_item import CollapsedGroupItem, GroupFrameItem
from .interactions import edit_in_place
from .lazy_items import build_pending_edges, build_shown
from .node_item import WIDTH

STRUCTURAL = set(EventKind) - {EventKind.NODE_CHANGED, EventKind.NODE_MOVED}


def short_value(v) -> str:
    """A port's value in a collapsed group's narrow row: the number, or μ over the samples."""
    arr = np.asarray(v)
    if arr.ndim == 0 or arr.size == 1:
        return style.short_number(float(arr.reshape(-1)[0]))
    return f"μ {style.short_number(float(arr.mean()))}" if arr.size else ""


def _key(name: str) -> str:
    return "\0" + name  # a group's key among box ids: no box id starts with NUL


class GroupLayer(QObject):
    focus_changed = Signal()

    def __init__(self, scene):
        super().__init__(scene)
        self.scene, self.graph = scene, scene.graph
        self.groups = groups_of(self.graph)  # made before we subscribe: it prunes members first
        self.focus: str | None = None
        self.collapsed: dict[str, CollapsedGroupItem] = {}
        self.frames: dict[str, GroupFrameItem] = {}
        self.rep: dict[str, str | None] = {}
        self.stubs: dict = {}  # (is_input, Variable) → BoundaryStub, while drilled in
        self._edges_of: dict[str, list] = {}
        self._vars: dict = {}
        self._pressed: dict[str, QPointF] = {}
        self._plain = False  # the last refresh found no group: every box and arrow shown as the scene made it
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.refresh)
        self.graph.subscribe(self._on_event)
        scene.document.evaluated.connect(self.show_evaluation)
        self.refresh()

    # --- model → items ----------------------------------------------------------------------
    def _on_event(self, ev):
        if ev.kind in STRUCTURAL or (ev.kind is EventKind.NODE_CHANGED and ev.key in ("attrs", "label")):
            self.refresh()
        elif ev.kind is EventKind.NODE_MOVED:
            self._timer.start()  # a drag of many boxes: one refresh when it is done

    def refresh(self):
        self._timer.stop()
        if self.focus is not None and self.focus not in self.groups:
            self.set_focus(None)
            return
        plain = self.focus is None and not len(self.groups)
        if plain and self._plain:
            return  # no group, as at the last refresh: the scene's new items already show as they should
        self._plain = plain
        self._edges_of = {}  # the arrow items of the last refresh may be gone (a rebuild): found again below
        self._vars = {}  # (box, output) → its Variable's name, for this refresh (ports may change between)
        shown, frames = self._visible_level()
        build_shown(self)  # boxes deferred behind a collapsed group that now show (gui/canvas/lazy_items)
        self._show_boxes()
        self._show_collapsed(shown)
        self._show_stubs()
        build_pending_edges(self)
        self._point_edges()
        self._show_frames(frames)

    def _visible_level(self):
        """rep: box → itself (shown), a group key (behind a collapsed group) or None (outside the focus)."""
        inside = set(self.groups.members(self.focus)) if self.focus else None
        deferred = self.scene.node_items.deferred
        deferred.difference_update([n for n in deferred if n not in self.graph])  # gone meanwhile
        boxes = list(self.scene.node_items) + list(deferred)
        self.rep = {n: (n if inside is None or n in inside else None) for n in boxes}
        shown, frames = [], []

        def visit(container, depth):
            for child in self.groups.children(container):
                if self.groups.get(child).collapsed:
                    shown.append(child)
                    for m in self.groups.get(child).members:
                        self.rep[m] = _key(child)
                else:
                    frames.append((child, depth))
                    visit(child, depth + 1)
        visit(self.focus, 0)
        return shown, frames

    def _show_boxes(self):
        for n, item in self.scene.node_items.items():
            visible = self.rep.get(n) == n
            if item.isVisible() != visible:
                item.setVisible(visible)

    def _show_collapsed(self, shown):
        for name in [n for n in self.collapsed if n not in shown]:
            self.scene.removeItem(self.collapsed.pop(name))
        ev = self.scene.document.evaluation
        for name in shown:
            item = self.collapsed.get(name)
            if item is None:
                item = self.collapsed[name] = CollapsedGroupItem(self, name)
                self.scene.addItem(item)
            members = self.groups.get(name).members
            ports = self.groups.ports(name)
            labels = {p.variable: self._label(p) for p in ports.inputs + ports.outputs}
            item.set_ports(ports, labels, len(members), self.groups.open_ports(name))
            x, y = collapsed_origin(self.graph, members)
            if (item.x(), item.y()) != (x, y):
                item.setPos(x, y)
            if ev is not None:
                self._show_values(item, ev)
        if self.scene.overlay is not None:
            self.show_overlay(self.scene.overlay)

    def _show_stubs(self):
        """Drilled in: a tag per port of the group, for the arrows that cross its edge."""
        if self.focus is None:
            self.stubs = place_stubs(self.scene, self.stubs, None, {}, QRectF()) if self.stubs else {}
            return
        ports = self.groups.ports(self.focus)
        labels = {p.variable: self._label(p) for p in ports.inputs + ports.outputs}
        around = QRectF()
        for it in [it for it in self.scene.node_items.values() if it.isVisible()] + list(self.collapsed.values()):
            around = around.united(it.sceneBoundingRect())
        self.stubs = place_stubs(self.scene, self.stubs, ports, labels, around)

    def _label(self, port) -> str:
        label = self.graph.label(port.box)
        return label if self.graph.n_outputs(port.box) == 1 else f"{label}[{port.out + 1}]"

    def _point_edges(self):
        """Each arrow ends where its Variable shows: a box's port, a group's port, or nowhere."""
        self._edges_of = {}
        for e, item in self.scene.edge_items.items():
            s, d, src, dst = self.ends(e)
            if src is None or dst is None:
                if item.isVisible():
                    item.setVisible(False)
                continue
            for end in (s, d):
                if end.startswith("\0"):
                    self._edges_of.setdefault(end[1:], []).append(item)
            if (item.src_port, item.dst_port) != (src, dst):
                item.src_port, item.dst_port = src, dst
                item.update_path()
            if not item.isVisible():
                item.setVisible(True)
                item.update_path()

    def ends(self, e):
        """Where an arrow's ends show: (source unit, target unit, source port, target port);
        a port is None where the arrow does not show."""
        nodes = self.scene.node_items
        s, d = self.rep.get(e.src), self.rep.get(e.dst)
        if s == e.src and d == e.dst:  # box to box, the most common: no Variable name to make
            return s, d, nodes[e.src].outputs[e.out], nodes[e.dst].inputs[e.port]
        src = dst = None
        var = self._vars.get((e.src, e.out))
        if var is None:  # asked twice per crossing arrow (built, then pointed): made once
            var = self._vars[(e.src, e.out)] = VariableRef.of_output(e.src, e.out, self.graph.n_outputs(e.src)).key
        if s is None and d is not None and (True, var) in self.stubs:  # from outside the group drilled into
            src, s = self.stubs[(True, var)].port, "\1"
        if d is None and s is not None and (False, var) in self.stubs:  # to outside it
            dst, d = self.stubs[(False, var)].port, "\1"
        if s is not None and d is not None and s != d:
            if src is None:
                src = nodes[e.src].outputs[e.out] if s == e.src else self.collapsed[s[1:]].port_for(var, False)
            if dst is None:
                dst = nodes[e.dst].inputs[e.port] if d == e.dst else self.collapsed[d[1:]].port_for(var, True)
        return s, d, src, dst

    def _show_frames(self, frames):
        names = {n for n, _ in frames}
        for name in [n for n in self.frames if n not in names]:
            self.scene.removeItem(self.frames.pop(name))
        for name, depth in sorted(frames, key=lambda f: -f[1]):  # inner frames first: outer ones hold them
            item = self.frames.get(name)
            if item is None:
                item = self.frames[name] = GroupFrameItem(self, name, depth)
                self.scene.addItem(item)
            item.set_rect(self._frame_rect(name))

    def _frame_rect(self, name) -> QRectF:
        rect = QRectF()
        for unit in {self.rep.get(m) for m in self.groups.get(name).members} - {None}:
            if unit.startswith("\0"):
                it = self.collapsed[unit[1:]]
                rect = rect.united(QRectF(it.pos(), QSizeF(GROUP_WIDTH, it.height)))
            else:
                it = self.scene.node_items[unit]
                rect = rect.united(QRectF(it.pos(), QSizeF(WIDTH, it.height)))
        for child in self.groups.children(name):
            if child in self.frames:
                rect = rect.united(self.frames[child].rect)
        return rect.adjusted(-FRAME_PAD, -FRAME_TITLE, FRAME_PAD, FRAME_PAD)

    def show_overlay(self, ov):
        """The step-through's current box (or boxes) hidden in a collapsed group: mark the group."""
        stepped = ({ov.current} | set(getattr(ov, "highlight", ()))) - {None}
        known = ov.known_values  # a step-through shows only what it has computed so far
        for name, item in self.collapsed.items():
            current = bool(stepped) and not stepped.isdisjoint(self.groups.get(name).members)
            hidden = [known is not None and VariableRef.box_of(p.variable) not in known for p in item.outputs]
            if (current, hidden) != (item.current, item.values_hidden):
                item.current, item.values_hidden = current, hidden
                item.update()

    def show_evaluation(self, ev):
        for item in self.collapsed.values():
            self._show_values(item, ev)

    def _show_values(self, item, ev):
        slot = ev.plan.slot_of
        texts = []
        for p in item.outputs:
            ok = p.variable in slot and ev.values[slot[p.variable]] is not None
            texts.append(short_value(ev.value(p.variable)) if ok else "")
        if texts != item.value_texts:
            item.value_texts = texts
            item.update()

    # --- moving ---------------------------------------------------------------------------
    def group_item_moved(self, item):
        for edge in self._edges_of.get(item.name, ()):
            edge.update_path()

    def box_moved(self, nid):
        if self.frames:
            self._timer.start()  # the frame follows a box dragged inside it

    def note_press(self):
        self._pressed = {n: it.pos() for n, it in self.collapsed.items() if it.isSelected()}

    @property
    def pressed(self) -> bool:
        return bool(self._pressed)

    def take_moves(self, snap: float | None) -> tuple[dict, dict]:
        """Where the boxes of the collapsed groups just dragged were, and where they go (same delta)."""
        old, new = {}, {}
        pressed, self._pressed = self._pressed, {}
        for name, start in pressed.items():
            item = self.collapsed.get(name)
            if item is None or name not in self.groups:
                continue
            dx, dy = item.x() - start.x(), item.y() - start.y()
            if snap:
                dx, dy = round(dx / snap) * snap, round(dy / snap) * snap
            for m in self.groups.get(name).members:
                x, y = self.graph.layout.get(m, (0.0, 0.0))
                old[m], new[m] = (x, y), (x + dx, y + dy)
            if (dx, dy) == (0, 0):
                item.setPos(start)
        moved = {m for m in new if new[m] != old[m]}
        return {m: old[m] for m in moved}, {m: new[m] for m in moved}

    # --- selection ------------------------------------------------------------------------
    def selected_members(self) -> list[str]:
        out = []
        for name, item in self.collapsed.items():
            # a group can be gone before its item is (an undo takes the groups out, then the
            # boxes, and each removal may ask for the selection before the next refresh)
            if item.isSelected() and name in self.groups:
                out += self.groups.get(name).members
        return out

    def selected_group(self, picked_only: bool = False) -> str | None:
        """The one group the selection means: a collapsed group or a frame selected (the outermost),
        or else (unless ``picked_only``) the smallest group holding every selected box."""
        picked = [n for n, it in list(self.collapsed.items()) + list(self.frames.items())
                  if it.isSelected() and n in self.groups]
        outer = [n for n in picked if not any(self._inside(n, o) for o in picked if o != n)]
        if len(outer) == 1:
            return outer[0]
        if outer or picked_only:
            return None
        boxes = set(self.scene.selected_nodes())
        holding = [n for n in self.groups.names() if boxes and boxes <= set(self.groups.get(n).members)]
        return self._innermost(holding)

    def _inside(self, name, outer) -> bool:
        p = self.groups.parent(name)
        while p is not None:
            if p == outer:
                return True
            p = self.groups.parent(p)
        return False

    def select_group(self, name: str):
        """Select a group with all it shows: its frame, boxes, inner groups and frames."""
        scene = self.scene
        scene.blockSignals(True)
        try:
            scene.clearSelection()
            for unit in {self.rep.get(m) for m in self.groups.get(name).members} - {None}:
                it = self.collapsed.get(unit[1:]) if unit.startswith("\0") else scene.node_items.get(unit)
                if it is not None:
                    it.setSelected(True)
            for n, frame in self.frames.items():
                if n == name or self._inside(n, name):
                    frame.setSelected(True)
            if name in self.collapsed:
                self.collapsed[name].setSelected(True)
        finally:
            scene.blockSignals(False)
        scene.selectionChanged.emit()

    def reveal(self, ids: set) -> list:
        """Before boxes are selected: a collapsed group whose boxes are all asked for stands
        for them (its item is returned, to select too); for any other hidden box the canvas
        goes into the innermost group holding them all, so that they show."""
        hidden = [n for n in ids if self.rep.get(n, n) != n]
        rest = [n for n in hidden if not self._whole(self.rep.get(n), ids)]
        if rest:
            holding = [g for g in self.groups.names() if set(rest) <= set(self.groups.get(g).members)]
            target = self._innermost(holding)
            if target != self.focus:
                self.set_focus(target)
        return [self.collapsed[r[1:]] for r in {self.rep.get(n) for n in ids}
                if self._whole(r, ids) and r[1:] in self.collapsed]

    def _innermost(self, holding: list[str]) -> str | None:
        """Of groups that all hold some boxes, the innermost: the smallest, and of equal ones
        the last in the file (equal groups nest in file order)."""
        order = {g: i for i, g in enumerate(self.groups.names())}
        return max(holding, key=lambda g: (-len(self.groups.get(g).members), order[g]), default=None)

    def _whole(self, rep, ids) -> bool:
        return bool(rep) and rep.startswith("\0") and set(self.groups.get(rep[1:]).members) <= ids

    def visible_items(self) -> list:
        """What the level shows, one item per thing: boxes, collapsed groups, frames."""
        return ([it for it in self.scene.node_items.values() if it.isVisible()]
                + list(self.collapsed.values()) + list(self.frames.values()))

    def top_level_items(self) -> list:
        """The things of the level itself (not what is inside an expanded group)."""
        level = self.focus
        tops = [it for n, it in self.scene.node_items.items()
                if it.isVisible() and self._container(n) == level]
        tops += [it for n, it in list(self.collapsed.items()) + list(self.frames.items())
                 if self.groups.parent(n) == level]
        return tops

    def _container(self, nid):
        holding = [n for n in self.groups.names() if nid in set(self.groups.get(n).members)]
        return self._innermost(holding)

    def items_rect(self) -> QRectF:
        rect = QRectF()
        for it in list(self.collapsed.values()) + list(self.frames.values()) + list(self.stubs.values()):
            rect = rect.united(it.sceneBoundingRect())
        return rect

    # --- gestures -------------------------------------------------------------------------
    def set_collapsed(self, name: str, collapsed: bool):
        """Collapse or expand; a frame that would cover other things makes room for itself
        (the level shown is laid out again, in the same undo step)."""
        stack = self.scene.document.undo_stack
        stack.beginMacro(f"{'Collapse' if collapsed else 'Expand'} '{name}'")
        try:
            if self.push_command(GC.CollapseCommand(self.graph, name, collapsed)) is None and not collapsed \
                    and self._covers_others(name):
                level = self.focus  # the whole level shown: the frame may cover things outside its parent
                old = {n: self.graph.layout.get(n, (0.0, 0.0)) for n in
                       (self.groups.members(level) if level else self.graph.nodes())}
                new = layout_groups(self.graph, level)
                self.push_command(C.MoveCommand(self.graph, old, new, "Make room"))
        finally:
            stack.endMacro()

    def _covers_others(self, name) -> bool:
        frame = self.frames.get(name)
        if frame is None:
            return False
        inside = set(self.groups.get(name).members)
        others = [it for n, it in self.scene.node_items.items() if it.isVisible() and n not in inside]
        others += [it for n, it in self.collapsed.items() if not set(self.groups.get(n).members) <= inside]
        rects = [it.sceneBoundingRect() for it in others]
        rects += [f.rect for n, f in self.frames.items() if set(self.groups.get(n).members).isdisjoint(inside)]
        return any(frame.rect.intersects(r) for r in rects)

    def group_menu(self, name: str) -> QMenu:
        """Right-click on a group: what can be done to it."""
        menu = QMenu()
        collapsed = self.groups.get(name).collapsed
        for text, slot in (("Open (double-click)", lambda: self.drill_in(name)),
                           ("Expand in place" if collapsed else "Collapse",
                            lambda: self.set_collapsed(name, not collapsed)),
                           ("Rename… (F2)", lambda: self.edit_name(name)),
                           ("Ungroup (Ctrl+Shift+G)", lambda: self.push_command(GC.UngroupCommand(self.graph, name)))):
            menu.addAction(text).triggered.connect(lambda checked=False, s=slot: s())
        return menu

    def push_inside(self, cmd, new_ids) -> str | None:
        """Push a command that adds boxes; drilled into a group, they join it (and the groups
        around it) in the same undo step, so they do not vanish from the level shown."""
        if self.focus is not None:
            cmd = GC.InsideCommand(self.graph, cmd, self.focus, new_ids)
        return self.scene.document.push(cmd)

    def push_command(self, cmd) -> str | None:
        err = self.scene.document.push(cmd)
        if err:
            self.scene.message.emit(err)
        return err

    def set_focus(self, name: str | None):
        if name is not None and name not in self.groups:
            name = None
        self.focus = name
        self.scene.clearSelection()
        self.refresh()
        self.focus_changed.emit()

    def drill_in(self, name: str):
        self.set_focus(name)

    def open_selected(self) -> bool:
        """Enter on the canvas: open the group picked, if one is."""
        name = self.selected_group(picked_only=True)
        if name is not None:
            self.drill_in(name)
        return name is not None

    def go_out(self):
        if self.focus is not None:
            self.set_focus(self.groups.parent(self.focus))

    def path(self) -> list[str]:
        """The groups from the top down to the focus (the breadcrumb)."""
        out, g = [], self.focus
        while g is not None:
            out.insert(0, g)
            g = self.groups.parent(g)
        return out

    def edit_name(self, name: str, after=None):
        """Type a group's name in place; ``after``: the GroupCommand just pushed, which the name joins."""
        scene = self.scene
        item = self.frames.get(name) or self.collapsed.get(name)
        if item is None:
            return None

        def commit(text):
            text = text.strip()
            if not text or text == name or name not in self.groups:
                return
            stack = scene.document.undo_stack
            top = stack.command(stack.index() - 1) if stack.index() else None
            if after is not None and top is after and after.name == name:
                try:
                    after.rename_now(text)
                except Exception as exc:  # noqa: BLE001 - a GroupError: said at the group, nothing lost
                    scene.show_tip(str(exc), item.sceneBoundingRect().topLeft())
                return
            err = scene.document.push(GC.RenameGroupCommand(self.graph, name, text))
            if err:
                scene.show_tip(err, item.sceneBoundingRect().topLeft())
        top_left = item.title_rect().topLeft() if isinstance(item, GroupFrameItem) else item.pos()
        return edit_in_place(scene, name, commit, 160, top_left + QPointF(28, 2))
