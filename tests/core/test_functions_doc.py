"""docs/FUNCTIONS.md holds the catalogue table exactly as graphcore.functions generates it."""
from pathlib import Path

from graphcore import functions as F

DOC = Path(__file__).resolve().parents[2] / "docs" / "FUNCTIONS.md"


def generated_block(text: str) -> str:
    start = text.index("-->\n", text.index("<!-- BEGIN generated")) + len("-->\n")
    return text[start:text.index("<!-- END generated -->")]


def test_functions_doc_is_current():
    assert generated_block(DOC.read_text(encoding="utf-8")) == F.catalogue_markdown(), (
        "docs/FUNCTIONS.md is out of date: regenerate its table with graphcore.functions.catalogue_markdown()")


def test_table_has_one_row_per_function_with_its_derivative():
    rows = [line for line in F.catalogue_markdown().splitlines()[2:]]
    assert len(rows) == len(F.CATALOGUE)
    for op, f in F.CATALOGUE.items():
        row = next(r for r in rows if r.startswith(f"| `{op}` |"))
        assert f.derivative.replace("|", "\\|") in row
    assert "`exponent` (float, required)" in F.catalogue_markdown()
