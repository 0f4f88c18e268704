"""docs/studies.ipynb runs from top to bottom (nbclient, a real Jupyter kernel), and
the README's Python example works as written in a plain script, without a
``__main__`` guard, on two local workers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_studies_notebook_runs_end_to_end(tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbclient")
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "docs" / "studies.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "8 runs before, 12 after: 4 new runs ran" in printed
    assert (tmp_path / "notebook_results" / "summary_weekly.csv").is_file()


def test_the_readme_python_example_works_in_a_plain_script(tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "run_experiment" in b)
    study = tmp_path / "tiny.toml"
    study.write_text((ROOT / "tests" / "test_out_folders.py").read_text().split('STUDY = """')[1]
                     .split('"""')[0])
    # as written, with a tiny study instead of the three-year silo_x_reward
    script = block.replace('"silo_x_reward"', repr(str(study))) + "\nprint(len(res.runs), 'runs')\n"
    assert "__main__" not in script and "workers=2" in script
    (tmp_path / "example.py").write_text(script)
    proc = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "2 runs" in proc.stdout and "Traceback" not in proc.stderr
