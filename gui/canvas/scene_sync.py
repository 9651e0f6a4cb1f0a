"""Keeping the canvas in step with the Graph at the cost of what changed.

``EdgeIndex`` finds the arrows at a box without reading every arrow (moving one box of
10,000 redraws its own arrows only). ``apply_changes`` answers the ``reset`` that ends a
``Graph.batch()`` — a paste, a delete of many boxes, an auto-layout, their undo — by
touching the items of the boxes and arrows the batch touched, not by rebuilding the scene.
"""
from __future__ import annotations

import gc
import weakref
from contextlib import contextmanager


@contextmanager
def one_selection_signal(scene):
    """Items removed or added meanwhile say nothing; then one selectionChanged if the selection
    changed. Qt announces every selected item removed on its own, and each announcement asks
    for the whole selection again: clearing 10,000 selected boxes took minutes."""
    before = len(scene.selectedItems())
    blocked = scene.blockSignals(True)
    try:
        yield
    finally:
        scene.blockSignals(blocked)
    if not blocked and len(scene.selectedItems()) != before:
        scene.selectionChanged.emit()


@contextmanager
def gc_paused():
    """No cyclic garbage collection while thousands of items are made: each collection walks
    every object so far, and the items made are all kept (a fifth of building 10,000 boxes)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# A batch touching more than this share of the boxes is a new graph (File ▸ Open): one
# rebuild is cheaper than reconciling item by item.
REBUILD_SHARE = 0.6


class EdgeIndex:
    """Box id → the Edges of the scene's arrow items that start or end there."""

    def __init__(self):
        self._at: dict[str, set] = {}

    def add(self, edge):
        self._at.setdefault(edge.src, set()).add(edge)
        self._at.setdefault(edge.dst, set()).add(edge)

    def discard(self, edge):
        for nid in (edge.src, edge.dst):
            edges = self._at.get(nid)
            if edges is not None:
                edges.discard(edge)
                if not edges:
                    del self._at[nid]

    def at(self, nid) -> set:
        return self._at.get(nid, set())

    def clear(self):
        self._at.clear()


def apply_changes(scene, changes) -> bool:
    """Bring the scene's items up to date after a batch; False when only a rebuild will do
    (unknown extent, or most of the graph changed)."""
    if changes is None or changes.everything:
        return False
    if changes.moves_only:  # an auto-layout, an align, a drag of many boxes
        place_many(scene, changes.nodes)
        return True
    if len(changes.nodes) > REBUILD_SHARE * max(len(scene.graph), len(scene.node_items), 1):
        return False
    for nid in changes.nodes:
        _sync_node(scene, nid)
    touched = set(changes.nodes)
    for edge in changes.edges:
        if edge.src not in touched and edge.dst not in touched:
            _sync_edge(scene, edge)
    return True


def items_to_show(scene, ev, hidden) -> dict:
    """The items an evaluation can change: after the run it was carried from (the one this
    scene showed last, with the same "?"s), only the boxes it redid; else every item."""
    last = _SHOWN.get(scene)
    _SHOWN[scene] = (ev.serial, frozenset(hidden))
    if ev.redone is None or last is None or last != (ev.carried_from, hidden):
        return scene.node_items
    items = scene.node_items
    return {n: item for n in ev.redone if (item := items.get(n)) is not None}


def forget_shown(scene):
    """The scene shows no evaluation (a failure): the next one is shown on every item."""
    _SHOWN.pop(scene, None)


def show_values(scene, ev, hidden=frozenset(), items=None):
    """Each box's footer from an evaluation. A box whose Variables are the very objects it
    showed last time (an incremental evaluation kept them) keeps its text: after an edit of
    one box in 10,000, only the boxes downstream of it are formatted again. Each mark (error,
    ignored, unwired ports) is compared before it is set: most boxes keep theirs."""
    from . import style

    plan = ev.plan
    ignored, incomplete, unwired = set(plan.ignored), set(plan.incomplete), plan.unwired
    items = scene.node_items if items is None else items
    slots = _slots_of(plan) if len(items) > 64 else _BoxSlots(plan)  # a few boxes: no table of all
    values = ev.values
    for nid, item in items.items():
        if item.error:
            item.set_error(False)
        if item.ignored != (nid in ignored):
            item.set_ignored(nid in ignored)
        ports = unwired.get(nid, ())
        if ports or item.inputs_marked:
            item.set_unwired(ports)
            item.inputs_marked = bool(ports)
        shown = [values[s] for s in slots.get(nid, ())]
        if nid in hidden:  # an exercise asks the learner for this value
            shown, text = None, "?"
        elif nid in ignored:
            shown, text = None, ""
        elif nid in incomplete:
            shown, text = None, "incomplete"
        elif shown and all(v is not None for v in shown):  # not "None in": the values are arrays
            before = item.shown_values
            if before is not None and len(before) == len(shown) and all(a is b for a, b in zip(before, shown)):
                continue
            text = ", ".join(style.format_value(v) for v in shown)
        else:
            shown, text = None, ""
        item.shown_values = shown
        item.set_value_text(text)


def _slots_of(plan) -> dict[str, list[int]]:
    """Box id → its Variables' slots in ``plan``, made once per plan (not per evaluation)."""
    slots = _PLAN_SLOTS.get(plan)
    if slots is None:
        slots = {}
        for slot, owner in enumerate(plan.owner):
            slots.setdefault(owner, []).append(slot)
        _PLAN_SLOTS[plan] = slots
    return slots


_PLAN_SLOTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a plan's slots live as long as it
_SHOWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # scene -> (the evaluation shown, its "?"s)


class _BoxSlots:
    """``_slots_of(plan).get`` for a few boxes, read from the plan's ``slot_of``."""

    def __init__(self, plan):
        self.slot_of = plan.slot_of

    def get(self, nid, default=()):
        sl = self.slot_of
        if nid in sl:
            return [sl[nid]]
        out, k = [], 0
        while f"{nid}:{k}" in sl:
            out.append(sl[f"{nid}:{k}"])
            k += 1
        return out or default


def place_many(scene, nids):
    """Move the boxes' items, then redraw each arrow at them once (moved one by one, an arrow
    between two moved boxes was redrawn twice, each time with a new hit area)."""
    edges, moved = set(), None
    for nid in nids:
        item = scene.node_items.get(nid)
        pos = scene.graph.layout.get(nid)
        if item is None or pos is None or (item.x(), item.y()) == tuple(pos):
            continue
        item.setPos(*pos)  # a box's item reports no move (no itemChange): its arrows follow below
        edges |= scene.edge_index.at(nid)
        scene.overview.touch(nid)
        moved = nid
    for edge in edges:
        item = scene.edge_items.get(edge)
        if item is not None:
            item.update_path()
    if moved is not None:
        scene.group_layer.box_moved(moved)  # frames follow their boxes (once, on a timer)


def place(scene, nid):
    """The box's item where the graph's layout puts it."""
    item = scene.node_items.get(nid)
    pos = scene.graph.layout.get(nid)
    if item is not None and pos is not None and (item.x(), item.y()) != tuple(pos):
        item.setPos(*pos)
        scene.node_item_moved(item)  # its arrows follow (the item says nothing of its moves)


def _sync_node(scene, nid):
    graph = scene.graph
    item = scene.node_items.get(nid)
    for edge in list(scene.edge_index.at(nid)):  # re-made below from the model's own arrows
        scene.remove_edge_item(edge)
    if nid not in graph:
        scene.remove_node_item(nid)
        return
    if item is None:
        scene.add_node_item(nid)
    else:
        item.refresh()  # op, label, value and ports read again: the id may be a new box
        place(scene, nid)
    for edge in graph.arrows_at(nid):
        if edge not in scene.edge_items:
            scene.add_edge_item(edge)


def _sync_edge(scene, edge):
    present = scene.graph.edge_into(edge.dst, edge.port) == edge
    if present and edge not in scene.edge_items:
        scene.add_edge_item(edge)
    elif not present and edge in scene.edge_items:
        scene.remove_edge_item(edge)
