"""Copy and paste between windows: the selection as a fragment of the graph file format.

The fragment is a complete, valid graph document (SPEC §3) holding the copied boxes,
the arrows between them, their positions and the groups copied whole, under its own MIME type (and as plain
text, so it can be pasted into a text editor and back). Pasting validates it with the
file loader, so a foreign clipboard never reaches the model unchecked.
"""
from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

from graphcore import fileformat
from graphcore.errors import GraphError
from graphcore.graph import Graph

FRAGMENT_MIME = "application/x-backprop-studio-fragment+json"


def fragment(graph, node_ids) -> dict:
    ids = set(node_ids)
    doc = fileformat.to_dict(graph)
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] in ids]
    doc["edges"] = [e for e in doc["edges"] if e["src"] in ids and e["dst"] in ids]
    doc["layout"] = {k: v for k, v in doc.get("layout", {}).items() if k in ids}
    doc["name"] = "fragment"
    # Only the groups copied whole travel along: one partly copied would name boxes left out.
    doc["groups"] = [grp for grp in doc.get("groups", []) if ids.issuperset(grp["members"])]
    for key in ("loss", "output", "threshold", "dataset", "training") + (("groups",) * (not doc["groups"])):
        doc.pop(key, None)
    doc.pop("lesson", None)  # an exercise's lesson names boxes left out; a pasted copy of a locked box is free
    return doc


def to_mime(doc: dict) -> QMimeData:
    text = json.dumps(doc, ensure_ascii=False)
    mime = QMimeData()
    mime.setData(FRAGMENT_MIME, text.encode("utf-8"))
    mime.setText(text)
    return mime


def read_fragment(mime: QMimeData) -> tuple[dict | None, str | None]:
    """(fragment, None), or (None, why it was refused) for a graph the loader refuses (a cycle,
    a label past the limit), or (None, None) when the clipboard holds no graph at all."""
    g, refused = read_checked(mime)
    return (fileformat.to_dict(g) if g is not None else None), refused


def read_checked(mime: QMimeData) -> tuple[Graph | None, str | None]:
    """As ``read_fragment``, the fragment as the loader built it (a paste copies it as it is)."""
    if mime is None:
        return None, None
    if mime.hasFormat(FRAGMENT_MIME):
        text = bytes(mime.data(FRAGMENT_MIME)).decode("utf-8", "replace")
    elif mime.hasText() and '"backprop-studio.graph"' in mime.text():
        text = mime.text()
    else:
        return None, None
    try:
        return fileformat.loads(text), None
    except GraphError as exc:
        return None, str(exc)
