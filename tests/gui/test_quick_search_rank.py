"""Quick search ranks a Function's name (and its other names) above words in its description."""
from gui.panels.quick_search import QuickSearch, compatible_ops


def _search(qtbot, text):
    qs = QuickSearch(compatible_ops(None))
    qtbot.addWidget(qs)
    qs.edit.setText(text)
    return qs


def test_sig_enter_places_sigmoid_not_abs(qtbot):
    qs = _search(qtbot, "sig")
    chosen = []
    qs.chosen.connect(chosen.append)
    qs.accept_current()
    assert chosen == ["sigmoid"]
    # abs still matches through its description ("sign(x)"), but below the name match.
    shown = qs.shown()
    assert "abs" in shown and shown.index("sigmoid") < shown.index("abs")


def test_name_prefix_beats_contains_and_alias_finds_a_function(qtbot):
    shown = _search(qtbot, "max").shown()
    assert shown[0] == "max"
    qs = _search(qtbot, "logistic")
    assert qs.list.currentItem().text() == "sigmoid"
    qs = _search(qtbot, "times")
    assert qs.list.currentItem().text() == "mul"


def test_empty_text_keeps_palette_order(qtbot):
    qs = _search(qtbot, "")
    assert qs.shown() == compatible_ops(None)
