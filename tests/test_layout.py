"""The kernel (sim/model/) stands alone: the tools use it, never the other way round."""

import ast
import re
from pathlib import Path

import sim

KERNEL = Path(sim.__file__).parent / "model"
# what the kernel may import: the standard library's harmless parts and its own deps
ALLOWED_TOP = {"__future__", "dataclasses", "typing", "math", "numbers", "functools",
               "ctypes", "sys", "collections", "itertools", "numpy", "networkx", "mesa",
               "warnings", "enum", "abc", "types", "operator", "importlib",
               "pandas"}  # a core dependency: a run's time series is a DataFrame (Mesa's too)
FILE_READERS = re.compile(r"\btomllib\b|(?<![\w.])open\(|\.read_text\(|\.read_bytes\(|\bPath\(|\bos\.path\b")


def _imports(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield 0, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""


def test_the_kernel_imports_nothing_of_the_tools_around_it():
    files = sorted(KERNEL.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        depth = len(path.relative_to(KERNEL).parts) - 1  # 0 for sim/model/x.py
        for level, module in _imports(path):
            if level == 0:
                top = module.split(".")[0]
                assert top in ALLOWED_TOP, f"{path.name} imports {module}"
            else:
                assert level <= depth + 1, f"{path.name} reaches outside sim/model/: " \
                                           f"{'.' * level}{module}"


def test_the_kernel_reads_no_files():
    for path in KERNEL.rglob("*.py"):
        found = FILE_READERS.search(path.read_text())
        assert found is None, f"{path.name} uses {found and found.group()}"


def test_the_package_keeps_its_short_names():
    from sim import OrganisationModel, Scenario, ScenarioError, load_scenario
    from sim.model import OrganisationModel as Kernel

    assert OrganisationModel is Kernel
    model = OrganisationModel(load_scenario("baseline", n_customers=200, n_prospects=200,
                                            n_employees=12), rng=3)
    model.run(2)
    assert isinstance(model.scenario, Scenario) and issubclass(ScenarioError, ValueError)
