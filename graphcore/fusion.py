"""Dense layers found in the scalar graph, so the fast path can run them as matrices.

A learner builds a layer of neurons from scalar boxes: for every unit j, one ``mul`` per
input (the input xᵢ times a weight parameter wⱼᵢ), a tree of ``add`` boxes gathering the
products and a bias parameter bⱼ into the pre-activation zⱼ, and often one activation box
hⱼ = act(zⱼ). When several units read the same inputs, that is z = W·x + b: here such
*blocks* are recognised in a compiled plan (by the shape of the wiring alone — the engine
never reads groups, graphcore/groups.py), and fusion_kernel.py writes each block as a few
array operations instead of a line per box: BLAS matmuls, equal to the boxes' numbers to
rounding (1e-12 of the block's terms; ``plan.fuse = False`` runs the boxes, bit for bit).

What makes a unit (every condition checked, else the boxes run one by one as before):

* its boxes are the catalogue's own ``add`` and ``mul`` (a learner's redefinition is not);
* each weight and the bias are parameter boxes read by that one box only, and every
  product, partial sum and the pre-activation is read by exactly one box (its place in
  the tree), none of them the graph's cost J or output;
* the inputs are distinct, and a block's units add the same inputs in the same order
  (the same tree) and end in the same activation (or none), every box on the path to J
  when the graph names one.

The learner still sees, steps and exports scalar boxes. A fused run leaves the interior
Variables (products, partial sums, z, and the weights' own values and gradients) out of
its lists; ``SlotList`` fills them in, from the block's matrices, the first time anyone
reads one (the inspector, the step-through, the plots) — so a training step that only
needs the cost and dJ/dθ never pays for them.
"""
from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from . import functions as F

ENABLED = True  # a process-wide switch; Plan.fuse (False when GRAPHCORE_FUSE=0 at compile time) per plan
_ADD, _MUL = F.CATALOGUE["add"], F.CATALOGUE["mul"]


def wanted(plan) -> bool:
    """Whether this plan's fast path fuses its blocks (``GRAPHCORE_FUSE=0`` or ``plan.fuse = False``: not)."""
    return ENABLED and plan.fuse


@dataclass
class Unit:
    root: int  # step index of the last add: z
    xs: list[int]  # input slots, in the tree's left-to-right order
    ws: list[int]  # weight slot per input
    bias: int | None
    steps: list[int]  # step indices of the products and sums (the root included)
    act: int | None = None  # step index of the activation
    # The sum as the boxes do it, in postfix: ("x", slot) a product, ("b",) the bias, ("+",)
    # an add of the two before (units of one block have the same tree).
    prog: list[tuple] = field(default_factory=list)
    prod: dict[int, int] = field(default_factory=dict)  # input slot -> step index of its product


@dataclass
class Block:
    """J units over the same n inputs: Z = W·X + b (J × m, one matmul), H = act(Z)."""

    units: list[Unit]
    xs: list[int]  # the n input slots, in the order of X's rows
    act_op: str | None
    act_attrs: dict
    first: int = 0  # the step index where the block runs (its first box)
    steps: set[int] = field(default_factory=set)
    chain: "Block | None" = None  # the block whose H is this block's X as it is (no stacking)
    feeds_chain: bool = False  # this block's H is only read as the next block's X

    def w_table(self) -> list[list[int]]:
        """Weight slots as a J × n table in X's row order."""
        table = []
        for u in self.units:
            by_x = dict(zip(u.xs, u.ws, strict=True))
            table.append([by_x[x] for x in self.xs])
        return table


def blocks(plan) -> list[Block]:
    """The plan's dense blocks (cached on the plan; empty when there is nothing to fuse)."""
    found = _BLOCKS.get(plan)
    if found is None:
        found = _BLOCKS[plan] = find_blocks(plan)
    return found


# Per plan, kept beside it (weakly: a plan's entry goes with it; the values never refer back).
_BLOCKS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_PARAM_POS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def find_blocks(plan) -> list[Block]:
    steps = plan.steps
    producer = {o: i for i, st in enumerate(steps) for o in st.outs}
    readers: dict[int, list[int]] = defaultdict(list)
    for i, st in enumerate(steps):
        for s in st.ins:
            readers[s].append(i)
    params = set(plan.param_slots)
    special = {s for s in [plan.loss_slot, *plan.output_slots] if s is not None}
    ctx = (steps, producer, readers, params, special)
    units, claimed = [], set()
    for i in reversed(range(len(steps))):  # a root comes after its tree: the largest trees first
        if i in claimed or steps[i].fn is not _ADD:
            continue
        unit = _parse_unit(i, ctx)
        if unit is not None:
            unit.act = _activation(unit, ctx)
            units.append(unit)
            claimed.update(unit.steps)
    return _chain(_group(plan, units, ctx), ctx)


def _parse_unit(root: int, ctx) -> Unit | None:
    steps, producer, readers, params, special = ctx
    unit = Unit(root, [], [], None, [root])
    # depth first, port 0 first; a sum is written after its two terms (postfix)
    stack: list[tuple[int, bool]] = [(steps[root].outs[0], True)]
    first = True
    while stack:
        s, expand = stack.pop()
        if not expand:
            unit.prog.append(("+",))
            continue
        if not first and (s in special or len(readers[s]) != 1):
            return None
        if s in params and not first:
            if unit.bias is not None:
                return None
            unit.bias = s
            unit.prog.append(("b",))
            continue
        p = producer.get(s)
        if p is None:
            return None
        st = steps[p]
        if st.fn is _ADD:
            stack.append((s, False))
            stack.extend((i, True) for i in reversed(st.ins))
        elif not first and st.fn is _MUL and _product(st, unit, params, readers):
            unit.prog.append(("x", unit.xs[-1]))
            unit.prod[unit.xs[-1]] = p
        else:
            return None
        if not first:
            unit.steps.append(p)
        first = False
    if not unit.xs or len(set(unit.xs)) != len(unit.xs):
        return None
    return unit


def _product(st, unit: Unit, params, readers) -> bool:
    """A product x·w (either way round) with w a parameter read here only."""
    a, b = st.ins
    for x, w in ((a, b), (b, a)):
        if w in params and len(readers[w]) == 1 and x != w:
            unit.xs.append(x)
            unit.ws.append(w)
            return True
    return False


def activation_ok(fn) -> bool:
    """An elementwise Function of one input written from the catalogue's expression (so its
    printed template works on a matrix as on a column)."""
    return (fn.kernels is None and fn.expr is not None and len(fn.ports) == 1 and not fn.reduces
            and not fn.jacobian and fn.name not in ("input", "parameter", "constant"))


def _activation(unit: Unit, ctx) -> int | None:
    steps, _, readers, _, special = ctx
    z = steps[unit.root].outs[0]
    if z in special or len(readers[z]) != 1:
        return None
    a = readers[z][0]
    st = steps[a]
    if len(st.outs) != 1 or not activation_ok(st.fn):
        return None
    return a


def _group(plan, units: list[Unit], ctx) -> list[Block]:
    steps, producer, *_ = ctx
    on_path = plan.loss_slot is not None
    by_key: dict[tuple, list[Unit]] = defaultdict(list)
    for u in sorted(units, key=lambda u: u.root):
        act = steps[u.act] if u.act is not None else None
        key = (tuple(u.prog), act.op if act else None, repr(sorted(act.attrs.items())) if act else "")
        by_key[key].append(u)
    found = []
    for (_, act_op, _), group in by_key.items():
        block = Block(group, list(group[0].xs), act_op, dict(steps[group[0].act].attrs) if act_op else {})
        for u in group:
            block.steps.update(u.steps)
            if u.act is not None:
                block.steps.add(u.act)
        block.first = min(block.steps)
        if len(group) * len(block.xs) < 2:
            continue  # one weight on one input: nothing a matrix would save
        if on_path and not all(steps[i].on_loss_path for i in block.steps):
            continue
        if any(producer.get(x, -1) >= block.first for x in block.xs):
            continue  # an input made after the block's first box: keep the plan's order
        found.append(block)
    return sorted(found, key=lambda b: b.first)


def out_slots(block: Block, steps) -> list[int]:
    """The Variables the block hands on: the activations (or z when there is none)."""
    return [steps[u.act if u.act is not None else u.root].outs[0] for u in block.units]


def _chain(found: list[Block], ctx) -> list[Block]:
    """A block whose inputs are exactly another block's outputs, read by nothing else, takes
    that block's H as its X (and gives its Wᵀ·dZ back as that block's dH) with no copying."""
    steps, _, readers, _, special = ctx
    for b in found:
        for a in found:
            if a.first >= b.first or a.feeds_chain:
                continue
            outs = out_slots(a, steps)
            if (outs == b.xs and not special.intersection(outs)
                    and all(r in b.steps for o in outs for r in readers[o])):
                b.chain, a.feeds_chain = a, True
                break
    return found


# --- filling in what a fused run left out ---------------------------------------------------
class SlotList(list):
    """A plan's values or gradients, with the interior of the fused blocks filled in the first
    time anyone reads a missing entry, a slice, or goes over the list."""

    __slots__ = ("_fill",)

    def __init__(self, items, fill):
        list.__init__(self, items)
        self._fill = fill

    def complete(self) -> "SlotList":
        fill, self._fill = self._fill, None
        if fill is not None:
            fill(self)  # the list is passed, not held: no cycle, so a run's arrays go when it does
        return self

    def __getitem__(self, i):
        v = list.__getitem__(self, i)
        if self._fill is not None and (v is None or isinstance(i, slice)):
            self.complete()
            v = list.__getitem__(self, i)
        return v

    def __iter__(self):
        return list.__iter__(self.complete())

    def __reversed__(self):
        return list.__reversed__(self.complete())

    def __contains__(self, x):
        return list.__contains__(self.complete(), x)

    def __eq__(self, other):
        return list.__eq__(self.complete(), other)

    __hash__ = None

    def copy(self):
        return list(self.complete())

    def index(self, *a):
        return list.index(self.complete(), *a)

    def count(self, x):
        return list.count(self.complete(), x)

    def __repr__(self):
        return list.__repr__(self.complete())

    def __reduce_ex__(self, protocol):
        return (list, (list(self),))


class Filler:
    """Computes the interior Variables of a fused run from its blocks' matrices.

    Values: every weight and bias from the parameter vector, then every product xᵢ·wⱼᵢ and
    partial sum in the plan's order, with the very operation the box does; each z is its row
    of the matmul, as the activation read it (the boxes' last add to rounding, 1e-12). Gradients: a tree
    of ``add`` boxes passes dJ/dz on unchanged, so every product and partial sum of unit j
    has dJ/dz_j, row j of dZ; the weights' and biases' come from the gradient vector."""

    def __init__(self, plan, fused: list[Block], mats: dict, theta: np.ndarray, lazy: frozenset = frozenset(),
                 late: list = ()):
        self.plan, self.fused, self.mats, self.theta = plan, fused, mats, theta
        self.late = late  # (slot, fill(V, G)): gradients a head's short way left out (fusion_heads.py)
        self.lazy = lazy  # blocks whose outputs the run left in H (only the next block or a head read them)

    @property
    def pos(self) -> dict[int, int]:
        """Parameter slot -> its place in the vector (made when first filling, not per run)."""
        pos = _PARAM_POS.get(self.plan)
        if pos is None:
            pos = _PARAM_POS[self.plan] = {s: k for k, s in enumerate(self.plan.param_slots)}
        return pos

    def fill_values(self, V: SlotList):
        steps, pos = self.plan.steps, self.pos
        for k, b in enumerate(self.fused):
            Z = self.mats[("Z", k)]
            if k in self.lazy:
                for o, h in zip(out_slots(b, steps), self.mats[("H", k)], strict=True):
                    list.__setitem__(V, o, h)
            for j, u in enumerate(b.units):
                for w in _own_params(u):
                    list.__setitem__(V, w, self.theta[pos[w], ...])  # a 0-d view, as the feed gives
                list.__setitem__(V, steps[u.root].outs[0], Z[j])
            for i in sorted(s for u in b.units for s in u.steps if s != u.root):
                a, c = steps[i].ins
                x, y = list.__getitem__(V, a), list.__getitem__(V, c)
                list.__setitem__(V, steps[i].outs[0], x + y if steps[i].fn is _ADD else x * y)

    def fill_grads(self, G: SlotList):
        steps, pos = self.plan.steps, self.pos
        for slot, fill in self.late:
            if list.__getitem__(G, slot) is None:
                list.__setitem__(G, slot, fill(self.mats.V, G))
        pg = self.mats.get("PG")
        for k, b in enumerate(self.fused):
            dZ = self.mats.get(("dZ", k))
            if dZ is None:
                continue
            for j, u in enumerate(b.units):
                for i in u.steps:
                    list.__setitem__(G, steps[i].outs[0], dZ[j])
                for w in _own_params(u):
                    list.__setitem__(G, w, pg[pos[w], ...])
            dX = self.mats.get(("dX", k))
            if b.chain is not None and dX is not None:  # the previous block's outputs: dJ/dh is Wᵀ·dZ here
                for r, x in enumerate(b.xs):
                    list.__setitem__(G, x, dX[r])


def _own_params(u: Unit) -> list[int]:
    return u.ws + ([u.bias] if u.bias is not None else [])
