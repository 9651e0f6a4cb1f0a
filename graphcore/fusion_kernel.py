"""The fast path's kernel with the dense blocks (fusion.py) written as array operations.

The same generated straight-line code as fastpath.py for every box outside a block; at the
place of a block's first box, instead of its products and sums, a few lines over arrays of
shape (units × samples) (fusion_lines.py writes the matrix ones):

    X = stack(x₁ … xₙ)            (or the previous block's H, when it is only read there)
    W, b                           views of the parameter vector (gathered when irregular)
    Z = W·X + b                    one BLAS matmul
    H = act(Z)                     the activation's printed template, elementwise
    h₁, …, h_J = H                 the rows are the activation boxes' values

and backward, at the same place in reverse order:

    dH = stack(dJ/dh₁ …)           (or the next block's dJ/dX)
    dZ = act'(Z) × dH              the template's downstream, elementwise
    dJ/dW = dZ·Xᵀ, dJ/db = row sums of dZ, dJ/dX = Wᵀ·dZ (when wanted)

A block of logits read by a ``cross_entropy`` box (and the ``softmax`` output box) as their
only readers on the path to J, its labels the data set's checked ``y`` column, is a *head*:
the loss and the softmax are computed from Z as it lies (the catalogue's operations, on
the same array), and dJ/dZ = (softmax − [i = y]) × dJ/dL goes straight to the block.

The matmuls add in BLAS's order, not the boxes': the numbers equal the unfused ones to
rounding (1e-12 of the block's terms, tests/fusion); ``plan.fuse = False`` runs unfused, bit
for bit the reference loop. The parameters' gradients go straight into one vector in
``plan.param_ids`` order (what a training step reads); the interior boxes' values and
gradients are left for ``fusion.Filler``. The block's arrays are kept in the value list
after the plan's own slots (``v<n+…>``), so the chunking of fastpath.py carries them from
the forward functions to the backward ones. A non-finite Z, H or gradient sends the run on
(unfused kernel, then reference loop), which names the box.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from . import fusion, fusion_heads, fusion_lines
from .kernel_emitter import Emitter, ShapeMismatch, all_finite, paused_gc, put, templates


class NotFusable(Exception):
    """This shape signature cannot run the blocks as matrices (an input is not per-sample)."""


def _finite(*mats) -> bool:
    """One test for a few matrices: Σ x² over each is finite only if every x is (nan and ±inf
    survive the products and the sum). Beyond |x| ≈ 1e154 the squares overflow and the test
    says "not finite" for finite numbers: then the unfused kernel runs — slower, never different."""
    total = 0.0
    for a in mats:
        flat = a.ravel()
        total += _dot(flat, flat)
    return total - total == 0.0


_dot = np.dot
_isfinite = math.isfinite


class FusedEmitter(Emitter):
    def __init__(self, plan, source_vec, grads, found: list[fusion.Block]):
        if any(v for v, src in zip(source_vec, plan.sources, strict=True) if src.op == "parameter"):
            raise NotFusable()  # a parameter given one value per sample: W would not be a matrix
        super().__init__(plan, source_vec, grads)
        self.blocks = found
        self.n = len(plan.keys)
        self.extra: dict[tuple, int] = {}  # (matrix, block) -> its slot after the plan's own
        self.at = {b.first: k for k, b in enumerate(found)}
        self.fused_steps = set().union(*(b.steps for b in found))
        self.pos = {s: k for k, s in enumerate(plan.param_slots)}
        self.ns.update({"_stack": np.stack, "_dot": np.dot, "_zeros": np.zeros, "_finite": _finite,
                        "_rowsum": functools.partial(np.add.reduce, axis=1)})
        self.P, self.PG = self._m("P"), self._m("PG")
        self.heads = {k: h for k, b in enumerate(found) if (h := _head(plan, b)) is not None}
        self.head_at = {min(i for i in h if i is not None): k for k, h in self.heads.items()}
        self.head_steps = {i for h in self.heads.values() for i in h if i is not None}
        self.ce_at = {h[0]: k for k, h in self.heads.items()}
        self.bce = {k: i for k, b in enumerate(found) if (i := fusion_heads.bce_head(plan, b)) is not None}
        self.bce_at = {i: k for k, i in self.bce.items()}
        self._began = False
        self.checks: list[str] = []  # the blocks' matrices the forward tests for nan and inf
        self.ns.update({"_exp": np.exp, "_log": np.log, "_take": np.take, "_abs": np.abs,
                        "_sigmoid_2d": fusion_lines.sigmoid_2d})
        self.lazy = self._lazy_outputs()
        self.layouts: dict[int, fusion_lines.Layout | None] = {}

    def _m(self, name: str, k: int | None = None) -> str:
        """The name of a matrix (or the parameter vectors) in the value list."""
        key = (name, k)
        if key not in self.extra:
            self.extra[key] = self.n + len(self.extra)
        return f"v{self.extra[key]}"

    def _lazy_outputs(self) -> set[int]:
        """The blocks whose outputs only the next block or the head reads: their rows are not
        unpacked into Variables by the run (``fusion.Filler`` does it when they are read)."""
        steps, inside = self.plan.steps, self.fused_steps | self.head_steps
        read_outside = {s for i, st in enumerate(steps) if i not in inside for s in st.ins}
        special = {s for s in [self.plan.loss_slot, *self.plan.output_slots] if s is not None}
        return {k for k, b in enumerate(self.blocks)
                if (b.feeds_chain or k in self.heads)
                and not (read_outside | special).intersection(fusion.out_slots(b, steps))}

    def emit(self):
        texts, fwd, bwd, outs, grads = super().emit()
        # the blocks test their own arrays; their interior Variables are not made by this kernel. A
        # head's outputs are finite when its logits are (tested), and the loss is summed into the
        # cost, which the fast path tests: a nan or inf there makes the cost nan or inf
        skip = {o for i in self.fused_steps | self.head_steps for o in self.plan.steps[i].outs}
        skip.add(self.plan.loss_slot)
        return texts, fwd, bwd, [o for o in outs if o not in skip], grads

    # --- forward ----------------------------------------------------------------------------
    def _forward(self, i: int, step):
        if i in self.at:
            self._block_forward(self.at[i])
        elif i in self.head_at:
            self._head_forward(self.head_at[i])
        elif i not in self.fused_steps and i not in self.head_steps:
            super()._forward(i, step)

    def _head_forward(self, k: int):
        """cross_entropy (and the softmax output) over a block's logits as they lie in Z: the
        catalogue's kernels' operations, on the same array, without stacking the rows again."""
        ce, sm = (self.plan.steps[i] if i is not None else None for i in self.heads[k])
        Z, y, K = self._m("Z", k), ce.ins[-1], len(ce.ins) - 1
        if not self.vec[y]:
            raise NotFusable()
        OH, ZM, E, TOT, S = (self._m(n, k) for n in ("OH", "ZM", "E", "TOT", "S"))
        YF = self._m("YF", k)
        # z of each sample's class: by flat index into Z (the same numbers as the kernel's take_along_axis)
        self.ns[f"_CR{k}"] = fusion_lines.ClassRows()
        lines = [f"{YF}, {OH} = _CR{k}(v{y}, {K})", f"{ZM} = {Z}.max(axis=0)", f"{E} = _exp({Z} - {ZM})",
                 f"{TOT} = {E}.sum(axis=0)", f"{S} = {E} / {TOT}",
                 f"v{ce.outs[0]} = {ZM} + _log({TOT}) - _take({Z}, {YF})"]
        writes = [OH, YF, ZM, E, TOT, S, f"v{ce.outs[0]}"]
        self.vec[ce.outs[0]] = True
        if sm is not None:
            lines.append(f"{', '.join(f'v{o}' for o in sm.outs)}, = {S}")
            writes += [f"v{o}" for o in sm.outs]
            for o in sm.outs:
                self.vec[o] = True
        self.ops.append((lines, [Z, f"v{y}"], writes))

    def _block_forward(self, k: int):
        b, steps = self.blocks[k], self.plan.steps
        if not all(self.vec[x] for x in b.xs):
            raise NotFusable()
        X, W, Z, H = (self._m(n, k) for n in "XWZH")
        lines, reads = [], [self.P]
        if b.chain is not None:
            X = self._m("H", self.blocks.index(b.chain))
            reads.append(X)
        else:  # kept from one run to the next while they are the same read-only columns
            self.ns[f"_XS{k}"] = fusion_lines.StackedRows()
            lines.append(f"{X} = _XS{k}({', '.join(f'v{x}' for x in b.xs)})")
            reads += [f"v{x}" for x in b.xs]
        lay = self._layout(k, b)
        has_bias = b.units[0].bias is not None
        lines += fusion_lines.forward_lines(k, lay, len(b.units), self.P, X, W, Z, has_bias, self._ones(k, b, X))
        if b.act_op is not None:
            lines.append(f"{H} = {fusion_lines.activation(b.act_op, templates(b.act_op, b.act_attrs)[0], Z)}")
        else:
            lines.append(f"{H} = {Z}")
        # a finite z gives a finite h for these, so z alone is tested; every block's once, after the
        # last block (a non-finite number only makes more of them on the way: the run is dropped then).
        # Over the data's columns, with fewer inputs than units, a bound on |z| instead of Z itself
        tested = Z
        if b.chain is None and len(b.xs) < len(b.units):
            tested = self._m("B", k)
            lines.append(fusion_lines.bound_line(k, lay, W, X, tested, has_bias, f"_XS{k}").replace("{P}", self.P))
        self.checks += [tested] if b.act_op in _BOUNDED else [tested, H]
        if k == len(self.blocks) - 1:
            lines.append(f"if not _finite({', '.join(self.checks)}): raise _Mismatch()")
            reads += [c for c in self.checks if c not in (Z, H, tested)]
        outs = fusion.out_slots(b, steps)
        writes = [W, Z, H] if b.chain is not None else [X, W, Z, H]
        writes += [tested] if tested != Z else []
        if k not in self.lazy:  # else only the next block or the head reads them: filled in when asked for
            lines.append(f"{', '.join(f'v{o}' for o in outs)}, = {H}")
            writes += [f"v{o}" for o in outs]
        for o in outs:
            self.vec[o] = True
        self.ops.append((lines, reads, writes))

    # --- backward ---------------------------------------------------------------------------
    def _replaced(self, i: int, step) -> bool:
        if not self._began:  # the first step backward: the gradient vector starts at zero
            self._began = True
            self.ops.append(([f"{self.PG} = _zeros({len(self.plan.param_slots)})"], [], [self.PG]))
        if i in self.at:
            self._block_backward(self.at[i])
        elif i in self.ce_at:
            self._head_backward(self.ce_at[i], step)
        elif i in self.bce_at:
            self._bce_backward(self.bce_at[i], step)
        return i in self.fused_steps or i in self.ce_at or i in self.bce_at

    def _bce_backward(self, k: int, step):
        """A sigmoid unit's bce: dJ/dz in one line when no clamp acts (fusion_heads.py)."""
        (h, y), out = step.ins, step.outs[0]
        Z, H, dZ = self._m("Z", k), self._m("H", k), self._m("dZ", k)
        lines = fusion_heads.backward_lines(step, Z, H, dZ)
        reads, writes = [Z, H, f"v{h}", f"v{y}", f"v{out}", f"g{out}"], [dZ, f"g{h}"]
        if self.wanted is None or self.wanted[y]:  # the labels' own gradient, as the box gives it
            subst = {"x0": f"v{h}", "x1": f"v{y}", "o": f"v{out}", "u": f"g{out}"}
            if y in self.reached:
                reads.append(f"g{y}")
            lines.append(self._accumulate(y, self._reduced(templates("bce", step.attrs)[1][1], subst, True, y)))
            writes.append(f"g{y}")
        self.ops.append((lines, reads, writes))

    def _head_backward(self, k: int, ce):
        """dJ/dz for the logits: (softmax − [i = y]) × dJ/dL, as the catalogue's local derivative."""
        y, dH = ce.ins[-1], self._m("dH", k)
        S, OH = self._m("S", k), self._m("OH", k)
        lines = [f"{dH} = ({S} - {OH}) * g{ce.outs[0]}"]  # minus 1.0 or 0.0: as minus the boolean
        writes = [dH]
        if self.wanted is None or self.wanted[y]:
            lines.append(self._accumulate(y, f"_zeros_like(v{y})"))
            writes.append(f"g{y}")
        self.ops.append((lines, [S, OH, f"g{ce.outs[0]}", f"v{y}"] + ([f"g{y}"] if y in self.reached else []),
                         writes))

    def _ones(self, k: int, b, X: str) -> str | None:
        """[X; 1] (fusion_lines.forward_lines) for a block over the data's columns whose units'
        parameters lie as whole rows w₁ … wₙ b; None otherwise."""
        if b.chain is not None or not fusion_lines.whole_rows(self._layout(k, b), len(b.xs)):
            return None
        return f"_XS{k}.ones({X})"

    def _layout(self, k: int, b) -> fusion_lines.Layout | None:
        """Where the block's W and b lie in θ (fusion_lines.layout); the index arrays when irregular."""
        lay = self.layouts.get(k, False)
        if lay is not False:
            return lay
        wi = np.array([[self.pos[w] for w in row] for row in b.w_table()], dtype=np.intp)
        bi = np.array([self.pos[u.bias] for u in b.units], dtype=np.intp) if b.units[0].bias is not None else None
        lay = self.layouts[k] = fusion_lines.layout(wi, bi, len(self.plan.param_slots))
        if lay is None:
            self.ns[f"_WI{k}"], self.ns[f"_WF{k}"] = wi, wi.ravel()
            if bi is not None:
                self.ns[f"_BI{k}"], self.ns[f"_BF{k}"] = bi[:, None], bi
        return lay

    def _block_backward(self, k: int):
        b, wanted = self.blocks[k], self.wanted
        X, W, Z, H = (self._m(n, k) for n in "XWZH")
        if b.chain is not None:
            X = self._m("H", self.blocks.index(b.chain))
        dH, dZ, gW, dX = (self._m(n, k) for n in ("dH", "dZ", "gW", "dX"))
        reads, writes = [W, Z, H, self.PG, X], [dZ, self.PG, gW]
        lines = self._block_dz(k, b, dH, dZ, reads, writes)
        lines += fusion_lines.grad_lines(k, self._layout(k, b), len(b.units), self.PG, X, dZ, gW,
                                         b.units[0].bias is not None, self._ones(k, b, X))
        if b.chain is not None or any(wanted is None or wanted[x] for x in b.xs):
            lines += self._input_grads(b, W, dZ, dX)
            writes.append(dX)
            if b.chain is None:
                for r, x in enumerate(b.xs):
                    if wanted is None or wanted[x]:
                        if x in self.reached:
                            reads.append(f"g{x}")
                        lines.append(self._accumulate(x, f"{dX}[{r}]"))
                        writes.append(f"g{x}")
        self.ops.append((lines, reads, writes))

    def _block_dz(self, k: int, b, dH: str, dZ: str, reads: list, writes: list) -> list[str]:
        """The lines making the block's dZ from dJ/dH (made by the head, the next block or the
        boxes reading the outputs), or nothing when the bce head made dZ itself."""
        Z, H = self._m("Z", k), self._m("H", k)
        if k in self.bce:
            reads.append(dZ)  # made by the bce head's backward, just before
            return []
        lines = []
        writes.append(dH)
        if k in self.heads:
            reads.append(dH)  # made by the head's backward, just before
        elif b.feeds_chain:
            after = next(j for j, c in enumerate(self.blocks) if c.chain is b)
            lines.append(f"{dH} = {self._m('dX', after)}")
            reads.append(self._m("dX", after))
        else:
            outs = fusion.out_slots(b, self.plan.steps)
            if not all(o in self.reached for o in outs):
                raise NotFusable()
            # one unit: its gradient as a 1 × m view, no copy
            lines.append(f"{dH} = g{outs[0]}[None]" if len(outs) == 1 else
                         f"{dH} = _stack(({', '.join(f'g{o}' for o in outs)},))")
            reads += [f"g{o}" for o in outs]
        if b.act_op is not None:
            down = templates(b.act_op, b.act_attrs)[1][0]
            lines.append(f"{dZ} = {fusion_lines.downstream(b.act_op, down, Z, H, dH)}")
        else:
            lines.append(f"{dZ} = {dH}")
        return lines

    def _input_grads(self, b, W: str, dZ: str, dX: str) -> list[str]:
        """dJ/dX = Wᵀ·dZ: each input's Σⱼ wⱼᵢ·dzⱼ as one matmul."""
        return [f"{dX} = _dot({W}.T, {dZ})"]


_BOUNDED = (None, "relu", "sigmoid", "tanh", "identity")


class _Mats:
    """A fused run's arrays by (name, block), read from its value list only when the Filler asks."""

    __slots__ = ("V", "extra", "pg")

    def __init__(self, V, extra, pg):
        self.V, self.extra, self.pg = V, extra, pg

    def get(self, key, default=None):
        if key == "PG":
            return self.pg
        slot = self.extra.get(key)
        return default if slot is None else self.V[slot]

    def __getitem__(self, key):
        return self.V[self.extra[key]]


def _head(plan, b: fusion.Block):
    """(cross_entropy step, softmax step or None) reading the block's outputs, in order, as
    their only readers on the path to J — with its class labels a data column checked by
    ``labels`` — else None."""
    if b.act_op is not None or b.feeds_chain:
        return None
    outs = fusion.out_slots(b, plan.steps)
    label_boxes = {feed[0] for feed in plan.label_feeds}
    ce = sm = None
    for i, st in enumerate(plan.steps):
        if st.op == "cross_entropy" and st.ins[:-1] == outs and st.node in label_boxes and st.on_loss_path:
            ce = i
        elif st.op == "softmax" and st.ins == outs and not st.on_loss_path:
            sm = i
    if ce is None:
        return None
    for i, st in enumerate(plan.steps):
        if i not in (ce, sm) and st.on_loss_path and set(st.ins).intersection(outs) and i not in b.steps:
            return None  # another reader sends a gradient back to the logits
    return ce, sm


class FusedKernel:
    """One compiled plan with its blocks as matrices, for one shape signature."""

    def __init__(self, plan, source_vec, grads: str, found: list[fusion.Block]):
        em = FusedEmitter(plan, source_vec, grads, found)
        texts, fwd, bwd, outs, checked = em.emit()
        for text in texts:
            exec(compile(text, "<graphcore.fusion kernel>", "exec"), em.ns)  # noqa: S102 — from slot numbers
        self.plan, self.blocks = plan, found
        self.forward = [em.ns[n] for n in fwd]
        self.backward = [em.ns[n] for n in bwd]
        self.n, self.n_all = em.n, em.n + len(em.extra)
        self.extra = dict(em.extra)
        self.lazy = frozenset(em.lazy)
        self.late = [fusion_heads.late_grad(plan.steps[i]) for i in em.bce.values()]  # dJ/dσ when read
        self.out_vec = [o for o in outs if em.vec[o]]
        self.out_sca = [o for o in outs if not em.vec[o]]
        self.grad_vec = [s for s in checked if em.vec[s]]
        self.grad_sca = [s for s in checked if not em.vec[s]]
        in_blocks = {w for b in found for u in b.units for w in [*u.ws, u.bias] if w is not None}
        self.loose = [(k, s) for k, s in enumerate(plan.param_slots) if s not in in_blocks]
        # the sources put into the value list: not the blocks' parameters (read from θ; filled in when asked)
        live = [(i, src.slot) for i, src in enumerate(plan.sources) if src.slot not in in_blocks]
        self.src_pos, self.src_slots = [i for i, _ in live], tuple(slot for _, slot in live)
        self.p_slot, self.pg_slot = self.extra[("P", None)], self.extra.get(("PG", None))
        self.check_outs = bool(self.out_vec or self.out_sca)
        self.check_grads = bool(self.grad_vec or self.grad_sca)

    def run(self, S: list, backward: bool, theta: np.ndarray):
        """The kernel's own work: (value list, gradient list or None, dJ/dθ or None), or None
        when a number is not finite (epoch_lane.py takes this, with no lists to wrap)."""
        V = [None] * self.n_all
        put(V, self.src_slots, [S[i] for i in self.src_pos])
        V[self.p_slot] = theta
        for f in self.forward:
            f(V)
        if self.check_outs and not all_finite(V, self.out_vec, self.out_sca):
            return None
        if not backward:
            return V, None, None
        G = [None] * self.n
        for f in self.backward:
            f(V, G)
        if self.check_grads and not all_finite(G, self.grad_vec, self.grad_sca):
            return None
        pg = V[self.pg_slot]
        for k, s in self.loose:
            if G[s] is not None:
                pg[k] = G[s]
        # Σ g² is finite only if every gradient is (beyond 1e154 too: then unfused, slower, not different)
        return (V, G, pg) if _isfinite(_dot(pg, pg)) else None

    def wrap(self, V: list, G: list | None, pg, theta: np.ndarray):
        """(values, grads, dJ/dθ) as ``Plan.run`` gives them: the interior of the blocks filled in when read."""
        mats = _Mats(V, self.extra, pg)
        filler = fusion.Filler(self.plan, self.blocks, mats, theta, self.lazy, self.late)
        values = fusion.SlotList(V[:self.n], filler.fill_values)
        grads = None if G is None else fusion.SlotList(G, filler.fill_grads)
        return values, grads, pg

    def __call__(self, S: list, backward: bool, theta: np.ndarray):
        raw = self.run(S, backward, theta)
        return None if raw is None else self.wrap(*raw, theta)


def build(plan, source_vec, grads: str, found) -> FusedKernel:
    try:
        return paused_gc(FusedKernel, plan, source_vec, grads, found)
    except NotFusable:
        raise
    except ShapeMismatch:
        raise NotFusable() from None


def kernel_source(plan, source_vec: tuple[bool, ...], grads: str = "all") -> str:
    """The generated source of a fused kernel (for tests and reading)."""
    em = FusedEmitter(plan, source_vec, grads, fusion.blocks(plan))
    texts, *_ = em.emit()
    return "\n".join(texts)
