"""A sigmoid unit read by a ``bce`` box, taken backward in one line (#18).

The boxes take dJ/dz for σ then bce as σ(z)(1 − σ(z)) × [(σ(z) − y) / max(σ(z)(1 − σ(z)), ε) × u]:
nine array passes, where the same number is (σ(z) − y) × u whenever the clamp is not
active (the two σ(1 − σ) are the same computed number, so they cancel to a few roundings,
well inside the engine's 1e-12). |z| ≤ 27 keeps σ(1 − σ) ≥ 1.9e-12 > ε, so the kernel tests
the block's z (two reductions) and takes the boxes' own lines whenever any sample is
beyond: with a clamp at work the numbers are the catalogue's. The forward is untouched
(the loss values are the catalogue's), and dJ/dσ, which the short way does not make, is
filled in when read (``fusion.Filler``) from the catalogue's printed template.
"""
from __future__ import annotations

from . import functions as F
from . import fusion
from .kernel_emitter import compiled_helper, templates

_SIGMOID, _BCE = F.CATALOGUE["sigmoid"], F.CATALOGUE["bce"]  # the catalogue's own (a redefinition is not)
Z_LIMIT = 27.0  # |z| up to which σ(z)(1 − σ(z)) > bce's ε (1.9e-12 at 27)


def bce_head(plan, b: fusion.Block):
    """The bce step reading a one-unit sigmoid block's output as its only reader on the path
    to J (its prediction port, not its label port), else None."""
    if b.act_op != "sigmoid" or len(b.units) != 1 or b.feeds_chain:
        return None
    steps = plan.steps
    u = b.units[0]
    if steps[u.act].fn is not _SIGMOID:
        return None
    h = steps[u.act].outs[0]
    readers = [i for i, st in enumerate(steps) if st.on_loss_path and h in st.ins]
    if len(readers) != 1:
        return None
    st = steps[readers[0]]
    if st.fn is not _BCE or st.ins[0] != h or st.ins[1] == h:
        return None
    return readers[0]


def backward_lines(step, Z: str, H: str, dZ: str) -> list[str]:
    """dZ for the unit: (σ − y) × u when no clamp acts, else the boxes' two lines (which also
    make dJ/dσ); ``g<h>`` is None on the short way (filled in when read)."""
    h, y = step.ins
    up = f"g{step.outs[0]}"
    d_bce = templates("bce", step.attrs)[1][0].format(x0=f"v{h}", x1=f"v{y}", o=f"v{step.outs[0]}", u=up)
    d_sig = templates("sigmoid", {})[1][0].format(x0=Z, o=H, u=f"g{h}[None]")
    return [f"if {Z}.min() >= {-Z_LIMIT!r} and {Z}.max() <= {Z_LIMIT!r}:",
            f"    {dZ} = ({H} - v{y}) * {up}",
            f"    g{h} = None",
            "else:",
            f"    g{h} = {d_bce}",
            f"    {dZ} = {d_sig}"]


def late_grad(step):
    """(slot, fill) for ``fusion.Filler``: dJ/dσ from the catalogue's template, when the kernel
    took the short way and someone reads it."""
    h, y = step.ins
    fn, args = compiled_helper(templates("bce", step.attrs)[1][0], "")

    def fill(V, G):
        names = {"x0": V[h], "x1": V[y], "o": V[step.outs[0]], "u": G[step.outs[0]]}
        return fn(*[names[a] for a in args])
    return h, fill
