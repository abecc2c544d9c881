"""The example notebook runs top to bottom in a fresh kernel and shows what it promises.

The kernel is this interpreter (the test venv, where smtpcodes is installed): a ``python3``
kernel spec written to a temporary ``JUPYTER_PATH``, which comes before the user's and the
system's kernel specs, with ``sys.executable`` in its command line.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("pandas")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOK = EXAMPLES / "bounce-analysis.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    # Each step is explained.
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 6


@pytest.fixture
def this_python_kernel(tmp_path, monkeypatch) -> str:
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (smtpcodes tests)",
        "language": "python",
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    # The kernel's inline backend draws the plot; an inherited MPLBACKEND=Agg would not.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    return "python3"


def _outputs(cell, mime: str) -> list[str]:
    found = []
    for out in cell.outputs:
        if out.output_type in ("execute_result", "display_data") and mime in out.data:
            found.append(out.data[mime])
        if out.output_type == "stream" and mime == "text/plain" and out.name == "stdout":
            found.append(out.text)
    return found


def _cell(nb, source: str):
    found = [c for c in nb.cells if c.cell_type == "code" and source in c.source]
    assert len(found) == 1, source
    return found[0]


def test_notebook_runs_and_shows_its_results(this_python_kernel):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys, smtpcodes\nprint(sys.executable)\nprint(smtpcodes.__file__)"))
    client = nbclient.NotebookClient(
        nb,
        kernel_name=this_python_kernel,
        timeout=300,  # the first plot in a fresh venv builds matplotlib's font cache
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    executable, package = _outputs(nb.cells[-1], "text/plain")[0].split()
    assert Path(executable) == Path(sys.executable)
    import smtpcodes

    assert Path(package) == Path(smtpcodes.__file__)

    (replies,) = _outputs(_cell(nb, "replies = sc.classify(lines)"), "text/html")
    assert "ClassifyResult" in replies and "userunknown" in replies
    (bounces,) = _outputs(_cell(nb, "bounces = sc.parse_bounces("), "text/html")
    assert "ClassifyResult" in bounces and "bob@example.net" in bounces
    (summary,) = _outputs(_cell(nb, "sc.summarize(bounces)"), "text/html")
    assert "Summary" in summary and "Recipient domains" in summary and "example.net" in summary
    plot = _cell(nb, ".plot(")
    (png,) = _outputs(plot, "image/png")
    assert base64.b64decode(png).startswith(b"\x89PNG")
    (figure,) = _outputs(plot, "text/plain")
    assert figure.startswith("<Figure size") and "Axes:" not in figure  # the ";" hides the Axes repr
    (groups,) = _outputs(_cell(nb, ".groupby("), "text/html")
    assert "rfc3464" in groups and "recipients" in groups
    (suppress,) = _outputs(_cell(nb, "suppress_list = "), "text/plain")
    assert "bob@example.net" in suppress and "ann@example.net" not in suppress
    (decisions,) = _outputs(_cell(nb, "decisions = "), "text/plain")
    assert "throttle" in decisions and "fix_config" in decisions and "suppress" not in decisions
    (ledger,) = _outputs(_cell(nb, "ledger.record(bounces)"), "text/html")
    assert "Ledger" in ledger and "bob@example.net" in ledger and "suppressed" in ledger
    (verdict,) = _outputs(_cell(nb, 'ledger.check("bob@example.net")'), "text/html")
    assert "do not send" in verdict and "hard-bounce" in verdict
    (replayed,) = _outputs(_cell(nb, "sc.replay(events"), "text/html")
    assert "ReplayResult" in replayed and "bob@example.net" in replayed
