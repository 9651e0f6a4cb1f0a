"""Writing the fast path's kernel: the compiled plan as straight-line numpy source.

Each box gives a line or two over names ``v<slot>`` (its value) and ``g<slot>`` (dJ/dv),
printed from the catalogue's own expression trees (formula.py) — the tree the engine's
kernels are printed from — so each line does the same operations in the same order as the
reference loop, and the numbers are the same bit for bit. Only slot numbers and ``repr`` of
floats reach the text: nothing a user typed. fastpath.py compiles and runs what is written
here; fusion_kernel.py's ``FusedEmitter`` extends ``Emitter`` for dense blocks.
"""
from __future__ import annotations

import functools
import gc
import operator
import re
import string

import numpy as np

from . import formula
from . import functions as F
from .evaluation import reduce_to

_A = functools.partial(np.asarray, dtype=float)

class ShapeMismatch(Exception):
    """A catalogue Function returned a shape the kernel did not plan for."""


# --- templates ----------------------------------------------------------------------------
# op -> (forward, [downstream per port]), printed from the catalogue's own expression trees
# (formula.py): the same operations in the same order as the engine's kernels, so the same
# numbers. Placeholders: {x0} {x1} inputs, {o} output, {u} upstream dJ/d(output); attrs are
# written in as literals. Each downstream is ``local × upstream`` (a product with ±1 dropped,
# exact in IEEE arithmetic), so a non-finite upstream always gives a non-finite downstream.
_template_cache: dict[tuple, tuple | None] = {}


def templates(op: str, attrs: dict):
    fn = F.CATALOGUE[op]
    key = (op, fn.expr, fn.local_exprs, tuple(sorted(attrs.items())))  # a learner may redefine an op
    if key not in _template_cache:
        _template_cache[key] = _print_templates(fn, attrs)
    return _template_cache[key]


def _print_templates(fn: F.Function, attrs: dict) -> tuple | None:
    if fn.kernels is not None or fn.expr is None:
        return None  # softmax and cross_entropy: their catalogue kernels run
    tree = fn.tree
    names = {p: f"{{x{i}}}" for i, p in enumerate(fn.ports)} | {formula.OUT: "{o}"}
    fwd = formula.code(tree.forward, names, attrs)
    return fwd, [formula.code(formula.times(loc, "{u}"), names, attrs) for loc in tree.local]


# A Variable read through a port where a nan or ±inf is absorbing (formula.absorbing: the output
# is then non-finite whatever the other inputs are) need not be tested itself: the reader's
# output is tested (or is read on in turn the same way).
_propagation: dict[tuple, bool] = {}


def propagates(op: str, attrs: dict, port: int) -> bool:
    """Whether a non-finite input on ``port`` always gives a non-finite output (from the forward's tree)."""
    fn = F.CATALOGUE[op]
    key = (op, fn.expr, port)
    if key not in _propagation:
        _propagation[key] = (fn.kernels is None and fn.expr is not None
                             and formula.absorbing(fn.tree.forward, fn.ports[port]))
    return _propagation[key]


def namespace() -> dict:
    """What generated code may call: the catalogue's primitives (log without the engine's
    domain error: its nan or -inf sends the run to the reference loop, which raises it) and
    the kernel's own helpers."""
    return dict(F.NUMPY, **{
        # bce's clamped logs as F.ln_clamped / F.ln1m_clamped compute them, without their errstate
        # (the kernel runs under errstate(all="ignore") already, and entering one costs more than the log)
        "_ln_clamped": lambda a: np.maximum(np.log(a), -100.0),
        "_ln1m_clamped": lambda a: np.maximum(np.log1p(-a), -100.0),
        "_log": np.log, "_A": _A, "_zeros_like": np.zeros_like, "_full": np.full, "_add_reduce": np.add.reduce,
        "_asarray": np.asarray, "_reduce_to": reduce_to, "_isfinite": np.isfinite,
        "_concat": np.concatenate, "_array": np.array, "_ndim": np.ndim, "_Mismatch": ShapeMismatch, "_put": put,
    })


# --- generating a kernel --------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


_NAME = re.compile(r"\b[vg]\d+\b")
INLINE_BOXES = 2000
CHUNK_LINES = 400  # Python's compiler slows down more than linearly on very long functions


class Emitter:
    """Writes one kernel for one shape signature of the sources (which are per-sample).

    Each box gives a few lines over names ``v<slot>`` / ``g<slot>``. The lines are cut
    into functions of at most ``CHUNK_LINES`` lines, each of which loads the Variables it
    reads from the list ``V`` (values) or ``G`` (gradients) into locals, runs straight
    through, and stores what it wrote back: compile time stays linear in the graph's size."""

    def __init__(self, plan, source_vec: tuple[bool, ...], grads: str = "all"):
        self.plan = plan
        self.wanted = plan.param_dependent if grads == "params" else None  # per slot: emit its gradient?
        self.vec: list[bool | None] = [None] * len(plan.keys)  # per slot: per-sample or scalar
        for src, v in zip(plan.sources, source_vec, strict=True):
            self.vec[src.slot] = v
        self.ns = namespace()
        self.ops: list[tuple] = []  # the current phase, per box: (lines, names read, names written)
        self.reached: set[int] = set()  # slots that have a gradient
        self.owned: set[int] = set()  # per-sample gradients held in an array this kernel made for them
        self.alias: set[int] = set()  # gradients that are another Variable's gradient, as it is (tested there)
        self.helpers: dict = {}  # template function -> its name in this kernel
        # small graphs: every expression inline (no call per box); big ones: calls, which compile faster
        self.inline = len(plan.steps) <= INLINE_BOXES

    def emit(self) -> tuple[str, list[str], list[str], list[int], list[int]]:
        """(sources, forward function names, backward function names, slots to test after each phase).

        Forward: every box output that no box reads through a port where a nan or inf is
        absorbing (``propagates``): any non-finite value reaches one of those. Backward:
        the sources' gradients — every downstream gradient is local × upstream (printed
        for each template), so a nan or inf anywhere reaches a source's gradient."""
        plan = self.plan
        for i, step in enumerate(plan.steps):
            self._forward(i, step)
        text, fwd = self._functions(self.ops, "_f", "V")
        covered = {slot for st in plan.steps for port, slot in enumerate(st.ins)
                   if propagates(st.op, st.attrs, port)}
        outs = [o for st in plan.steps for o in st.outs if o not in covered]
        self.ops = []
        self._backward()
        btext, bwd = self._functions(self.ops, "_b", "V, G")
        grads = [src.slot for src in plan.sources if src.slot in self.reached]
        return text + btext, fwd, bwd, outs, grads  # text: one source per function

    def _functions(self, ops: list[tuple], prefix: str, args: str) -> tuple[list[str], list[str]]:
        chunks, cur, n_lines = [], [], 0
        for op in ops:
            if cur and n_lines + len(op[0]) > CHUNK_LINES:
                chunks.append(cur)
                cur, n_lines = [], 0
            cur.append(op)
            n_lines += len(op[0])
        if cur:
            chunks.append(cur)
        parts, names = [], []
        for c, chunk in enumerate(chunks):
            name = f"{prefix}{c}"
            names.append(name)
            written: dict[str, None] = {}
            loads: dict[str, None] = {}
            lines = []
            for op_lines, reads, writes in chunk:
                lines += op_lines
                for n in reads:
                    if n not in written:
                        loads.setdefault(n)
                for n in writes:
                    written.setdefault(n)
            head = [f"def {name}({args}):"]
            for lst in ("v", "g"):
                group = [n for n in loads if n[0] == lst]
                if group:
                    self.ns[f"{name}_{lst}"] = operator.itemgetter(*[int(n[1:]) for n in group])
                    head.append(f"    {', '.join(group)}, = " + (f"{name}_{lst}({lst.upper()})," if len(group) == 1
                                                                 else f"{name}_{lst}({lst.upper()})"))
            tail = []
            for lst in ("v", "g"):  # stored by one unrolled assignment (no loop over the slots)
                group = [n for n in written if n[0] == lst]
                if group:
                    tail.append(f"    {', '.join(f'{lst.upper()}[{n[1:]}]' for n in group)}, = {', '.join(group)},")
            parts.append("\n".join(head + ["    " + ln for ln in lines] + tail) + "\n")
        return parts, names

    def _replaced(self, i: int, step) -> bool:
        """Whether a subclass wrote this step's backward itself (fusion_kernel.py: a dense block)."""
        return False

    def _template(self, step, in_vec):
        return templates(step.op, step.attrs)

    def _forward(self, i: int, step):
        in_vec = tuple(bool(self.vec[s]) for s in step.ins)
        out_vec = any(in_vec) and not step.fn.reduces
        for o in step.outs:
            self.vec[o] = out_vec
        tpl = self._template(step, in_vec)
        names = {f"x{p}": f"v{s}" for p, s in enumerate(step.ins)}
        reads = list(names.values())
        if tpl is not None:
            self.ops.append(([f"v{step.outs[0]} = {self._expr(tpl[0], names, '' if out_vec else 'A')}"],
                             reads, [f"v{step.outs[0]}"]))
            return
        # Any other Function: call the catalogue itself, and make sure the shape is the planned one.
        self.ns[f"_K{i}"] = functools.partial(_generic_forward, step.fn, step.attrs)
        outs = ", ".join(f"v{o}" for o in step.outs)
        nd = 1 if out_vec else 0
        self.ops.append(([f"{outs}, = _K{i}({', '.join(names.values())})",
                          f"if {' or '.join(f'_ndim(v{o}) != {nd}' for o in step.outs)}: raise _Mismatch()"],
                         reads, [f"v{o}" for o in step.outs]))

    def _backward(self):
        plan = self.plan
        if plan.loss_slot is None:
            return
        ls = plan.loss_slot
        self.ops.append(([f"g{ls} = " + (f"_full(v{ls}.shape, 1.0 / v{ls}.size)" if self.vec[ls] else "_A(1.0)")],
                         [f"v{ls}"], [f"g{ls}"]))
        self.reached.add(ls)
        wanted = self.wanted
        for i, step in reversed(list(enumerate(plan.steps))):
            if self._replaced(i, step):
                continue
            if not step.on_loss_path or (wanted is not None and not wanted[step.outs[0]]):
                continue
            in_vec = tuple(bool(self.vec[s]) for s in step.ins)
            tpl = self._template(step, in_vec)
            lines: list[str] = []
            reads = [f"g{s}" for s in step.ins if s in self.reached]  # sums already under way
            if tpl is not None:
                o = step.outs[0]
                subst = {f"x{p}": f"v{s}" for p, s in enumerate(step.ins)} | {"o": f"v{o}", "u": f"g{o}"}
                vec_of = {f"x{p}": bool(self.vec[s]) for p, s in enumerate(step.ins)}
                vec_of |= {"o": bool(self.vec[o]), "u": bool(self.vec[o])}
                for port, slot in enumerate(step.ins):
                    if wanted is not None and not wanted[slot]:
                        continue
                    d = tpl[1][port]
                    d_vec = any(vec_of[n] for n in _placeholders(d))
                    reads += [subst[n] for n in _placeholders(d)]
                    if self.vec[slot] and not d_vec:
                        reads.append(f"v{slot}")  # _reduce_to reads the value's shape
                    lines.append(self._accumulate(slot, self._reduced(d, subst, d_vec, slot)))
            else:
                reads += [f"v{s}" for s in step.ins] + [f"v{o}" for o in step.outs]
                reads += [f"g{o}" for o in step.outs if o in self.reached]
                self.ns[f"_B{i}"] = functools.partial(_generic_downstream, step.fn, step.attrs)
                xs = ", ".join(f"v{s}" for s in step.ins)
                outs = ", ".join(f"v{o}" for o in step.outs)
                ups = ", ".join(f"g{o}" if o in self.reached else f"_zeros_like(v{o})" for o in step.outs)
                lines.append(f"_d = _B{i}(({xs},), ({outs},), ({ups},))")
                for port, slot in enumerate(step.ins):
                    if wanted is None or wanted[slot]:
                        lines.append(self._accumulate(slot, f"_reduce_to(_d[{port}], v{slot})"))
            self.ops.append((lines, reads, [f"g{s}" for s in step.ins if wanted is None or wanted[s]]))

    def _reduced(self, tpl: str, subst: dict, d_vec: bool, slot: int) -> str:
        """reduce_to, decided here from the shapes: a scalar's gradient is the sum over samples."""
        if d_vec == bool(self.vec[slot]):
            return self._expr(tpl, subst, "" if d_vec else "A")
        if d_vec:
            return self._expr(tpl, subst, "sum")
        return f"_reduce_to({self._expr(tpl, subst, '')}, v{slot})"

    def _expr(self, tpl: str, subst: dict, wrap: str) -> str:
        """A template as code: inline when it is one operator on names, else a call to a small
        function made once per template (one call is cheaper to compile than its expression)."""
        if not wrap and "(" not in tpl:
            return tpl.format(**subst)
        if self.inline:
            body = tpl.format(**subst)
            return {"": body, "A": f"_asarray({body})", "sum": f"_asarray(_add_reduce({body}))"}[wrap]
        fn, args = compiled_helper(tpl, wrap)
        name = self.helpers.get(fn)
        if name is None:
            name = self.helpers[fn] = f"_h{len(self.helpers)}"
            self.ns[name] = fn
        return f"{name}({', '.join(subst[a] for a in args)})"

    def _accumulate(self, slot: int, expr: str) -> str:
        """The copy gate: a Variable read by several boxes sums what comes back, in the reference's
        order. A per-sample sum made here is added to in place (same numbers, no new array); one
        that is another Variable's gradient (``add`` passes its upstream on as it is) is not."""
        if slot in self.reached:
            if slot in self.owned:
                return f"g{slot} += {expr}"
            self.alias.discard(slot)
            if self.vec[slot]:
                self.owned.add(slot)
            return f"g{slot} = g{slot} + {expr}"
        self.reached.add(slot)
        if _NAME.fullmatch(expr):
            self.alias.add(slot)
        elif self.vec[slot]:
            self.owned.add(slot)
        return f"g{slot} = {expr}"


_HELPERS: dict = {}  # by source text and by (template, wrap)
_NS: dict = {}


def compiled_helper(tpl: str, wrap: str) -> tuple:
    """``def _h(x0, u): return <template>`` (wrapped in ``_A`` or a sum), compiled once per process."""
    hit = _HELPERS.get((tpl, wrap))
    if hit is not None:
        return hit
    args = list(dict.fromkeys(_placeholder_order(tpl)))
    body = tpl.format(**{a: a for a in args})
    # every template gives float64 (as the engine's kernels do), so a bare asarray makes the 0-d array _A would
    body = {"": body, "A": f"_asarray({body})", "sum": f"_asarray(_add_reduce({body}))"}[wrap]  # = (...).sum()
    src = f"def _h({', '.join(args)}):\n    return {body}\n"
    if src not in _HELPERS:
        if not _NS:
            _NS.update(namespace())
        ns = dict(_NS)
        exec(compile(src, "<graphcore.fastpath template>", "exec"), ns)  # noqa: S102 — catalogue templates only
        _HELPERS[src] = (ns["_h"], args)
    _HELPERS[(tpl, wrap)] = _HELPERS[src]
    return _HELPERS[src]


def _placeholder_order(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def put(lst: list, slots: tuple, vals: tuple):
    for i, x in zip(slots, vals, strict=True):
        lst[i] = x


def gather(lst: list, slots: list[int]) -> list:
    return [lst[i] for i in slots]


def _generic_forward(fn, attrs, *xs):
    return F.run_forward(fn, list(xs), attrs)


def _generic_downstream(fn, attrs, xs, outs, ups):
    return F.downstream(fn, F.run_local(fn, list(xs), list(outs), attrs), list(ups))



LONG = 4096  # samples from which a dot product per array beats copying them all into one


def all_finite(lst: list, vec: list[int], sca: list[int]) -> bool:
    """One test for a whole phase (a call per box would cost more than the box itself).

    Long arrays: Σ x·x over each is finite only if every x is (nan and ±inf survive the
    products and the sum). Beyond |x| ≈ 1e154 the squares overflow and the test says
    "not finite" for finite numbers: then the reference loop runs — slower, never different."""
    if vec:
        arrays = gather(lst, vec)
        if len(arrays[0]) >= LONG:
            if not np.isfinite(sum([np.dot(a, a) for a in arrays])):
                return False
        elif not np.isfinite(np.concatenate(arrays)).all():
            return False
    return not sca or bool(np.isfinite(np.array(gather(lst, sca))).all())


def paused_gc(make, *args):
    """``make(*args)`` with the cyclic garbage collector paused: the many small strings made
    while a kernel is written would set it off again and again over a growing heap."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return make(*args)
    finally:
        if was_enabled:
            gc.enable()

