"""Safe names for exported code (torch.fx style) and safe text for its comments.

A label is free text a learner typed; it reaches an exported script only through here:

* ``identifier(text)`` turns it into an ASCII Python identifier (NFKC first, so ``w₁``
  becomes ``w1``; every other character outside ``[A-Za-z0-9_]`` becomes ``_``; no
  leading underscore, so nothing private, dunder or name-mangled; a leading digit gets
  ``v_``);
* ``Namer.take(base)`` makes it unique and never a keyword, a builtin, an ``nn.Module``
  attribute or a name the script itself uses (``x``, ``x_1``, ``x_2``, ...);
* ``comment_text(text)`` escapes everything that is not a printable character (newlines,
  carriage returns, NUL, bidi controls, ...), so a label in a comment stays one comment;
* string literals are always written with ``repr()``, never by pasting text in quotes.
"""
from __future__ import annotations

import ast
import builtins
import keyword
import re
import unicodedata

# nn.Module's public attributes (torch 2.x): a parameter may not take one of these names.
MODULE_ATTRS = frozenset("""
T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double
dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half
ipu load_state_dict modules mtia named_buffers named_children named_modules named_parameters parameters
register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook
register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook
register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to
to_empty train training type xpu zero_grad
""".split())

BASE_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) \
    | MODULE_ATTRS | {"np", "numpy", "torch", "nn", "self"}

MAX_LEN = 40


def module_names(source: str) -> set[str]:
    """The names a script's fixed text binds at module level (functions, classes, imports,
    constants): a local made from a label must never shadow one of them."""
    found = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            found.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return found


def identifier(text: str) -> str:
    """An ASCII identifier read off ``text`` ('' when nothing usable is left)."""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"[^0-9A-Za-z_]+", "_", s)
    s = re.sub(r"_{2,}", "_", s).strip("_")[:MAX_LEN].rstrip("_")
    if s and s[0].isdigit():
        s = "v_" + s
    return s


class Namer:
    """Hands out unique, safe identifiers; ``reserved`` names are never handed out."""

    def __init__(self, reserved=()):
        self.used: set[str] = set(BASE_RESERVED) | set(reserved)

    def take(self, *candidates: str) -> str:
        """The first candidate that yields an identifier, made unique with _1, _2, ..."""
        base = next((b for b in (identifier(c) for c in candidates if c) if b), "v")
        name, i = base, 0
        while name in self.used or keyword.iskeyword(name) or not name.isidentifier():
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        return name


def comment_text(text, limit: int = 60) -> str:
    """``text`` fit for a ``#`` comment: one line, printable, at most ``limit`` characters."""
    out = []
    for ch in str(text):
        out.append(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii"))
    s = "".join(out)
    return s if len(s) <= limit else s[:limit - 1] + "…"
