"""Every input path ends in one line: scenario files, client files, study files, the
documents orgsim keeps beside its results (comparison.json, study.json) and the
command line's flags, fuzzed with hypothesis and with a kept corpus of hostile files
(tests/fuzz_corpus/: big integers, deep nesting, empty files, bad encodings, invisible
direction controls, ...).

The property everywhere: the input is accepted, or refused with a ScenarioError whose
message is one line naming the file (or, on the command line, exit code 2 and one line
on stderr) -- never another exception, a traceback or a hang.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import ScenarioError, load_scenario
from sim.cli import build_parser, main
from sim.experiments import ExperimentError, load_experiment
from sim.experiments.spec import TOP_KEYS
from sim.files.client import CLIENT_KEYS, load_client
from sim.files.scenarios import MAX_NESTING, MAX_PRESET_CHAIN, META_KEYS
from sim.model.params import PARAMS

from helpers import toml_str, toml_value

CORPUS = Path(__file__).parent / "fuzz_corpus"
# Corpus files a loader accepts; every other one must be refused in one line.
ACCEPTED = {"scenario_byte_order_mark.toml", "scenario_long_description.toml", "study_ok.toml",
            "scenario_nine_levels.toml" if MAX_NESTING >= 9 else ""}
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _only_packaged_scenarios(monkeypatch):
    monkeypatch.delenv("ORGSIM_SCENARIO_PATH", raising=False)


def load_any(path: Path):
    """What orgsim does with a file given where a scenario or client file may stand."""
    if path.name.startswith("client_"):
        return load_client(path, calibrate=False)
    if path.name.startswith("study_"):
        return load_experiment(path)
    if path.name.startswith("targets_"):  # a calibration's targets file
        from sim.calibration.targets import load_targets
        return load_targets(path)
    return load_scenario(path)


def outcome(path: Path) -> str | None:
    """None if the file loads; else the one-line message (failing on anything else)."""
    try:
        load_any(path)
    except (ScenarioError, ExperimentError) as err:
        msg = str(err)
        assert msg and "\n" not in msg and "\r" not in msg, f"not one line: {msg[:300]!r}"
        assert str(path) in msg or path.name in msg, f"file not named: {msg[:300]!r}"
        return msg
    return None


# --- the corpus -------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.toml")))
def test_corpus_file_is_accepted_or_refused_in_one_line_naming_it(name, tmp_path):
    path = tmp_path / name  # a copy, so a file preset resolves beside it like a user's file
    path.write_bytes((CORPUS / name).read_bytes())
    msg = outcome(path)
    if name in ACCEPTED:
        assert msg is None, msg
    else:
        assert msg is not None, f"{name} was accepted"


@pytest.mark.parametrize("name, words", [
    ("scenario_big_int.toml", ["4300 digits"]),
    ("scenario_deep_array.toml", ["nested", str(MAX_NESTING)]),
    ("scenario_deep_inline_table.toml", ["nested", str(MAX_NESTING)]),
    ("scenario_empty.toml", ["empty", "preset", "model parameter"]),
    ("scenario_comments_only.toml", ["empty", "preset"]),
    ("scenario_rtl_override_description.toml", ["description", "U+202E"]),
    ("client_many_alternatives.toml", ["alternatives", "2000", "at most"]),
    ("client_name_control_character.toml", ["client.name", "U+0007"]),
])
def test_known_escapes_are_refused_saying_what_is_allowed(name, words, tmp_path):
    path = tmp_path / name
    path.write_bytes((CORPUS / name).read_bytes())
    msg = outcome(path)
    assert msg is not None
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"


def test_a_chain_of_1500_preset_files_is_refused_in_one_line_naming_the_first(tmp_path):
    for i in range(1500):
        nxt = f"chain{i + 1}.toml" if i < 1499 else "baseline"
        (tmp_path / f"chain{i}.toml").write_text(f"preset = {toml_str(nxt)}\n")
    msg = outcome(tmp_path / "chain0.toml")
    assert msg is not None and msg.startswith(str(tmp_path / "chain0.toml"))
    assert f"longer than {MAX_PRESET_CHAIN} files" in msg and len(msg) < 400


def test_a_chain_as_long_as_allowed_loads(tmp_path):
    files = MAX_PRESET_CHAIN - 1  # and baseline.toml at its end
    for i in range(files):
        nxt = f"chain{i + 1}.toml" if i < files - 1 else "baseline"
        (tmp_path / f"chain{i}.toml").write_text(f"preset = {toml_str(nxt)}\n"
                                                 f"mandate = {i / 100}\n")
    scenario = load_scenario(tmp_path / "chain0.toml")
    assert scenario.params["mandate"] == 0.0 and len(scenario.presets) == files


def test_a_file_larger_than_allowed_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text("# padding\n" * 200_000 + "mandate = 0.2\n")
    msg = outcome(path)
    assert msg is not None and "KiB" in msg


# --- generated files --------------------------------------------------------------------

KEYS = st.sampled_from([*META_KEYS, *PARAMS]) | st.text(min_size=1, max_size=12)
SCALARS = (st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats()
           | st.booleans() | st.dates() | st.datetimes()
           | st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))


def values(depth: int = 3) -> st.SearchStrategy:
    return st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=5),
                                          inner, max_size=3), max_leaves=8)


@FUZZ
@given(doc=st.dictionaries(KEYS, values(), max_size=6))
def test_generated_scenario_files_load_or_are_refused_in_one_line(doc, tmp_path):
    path = tmp_path / "fuzz.toml"
    path.write_text("".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in doc.items()),
                    encoding="utf-8")
    outcome(path)


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(CLIENT_KEYS) | st.text(min_size=1, max_size=8),
                           values(), max_size=6))
def test_generated_client_files_load_or_are_refused_in_one_line(doc, tmp_path):
    path = tmp_path / "client_fuzz.toml"
    path.write_text("[client]\n" + "".join(f"{toml_str(k)} = {toml_value(v)}\n"
                                           for k, v in doc.items()), encoding="utf-8")
    outcome(path)


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_a_scenario_file_load_or_are_refused_in_one_line(data, tmp_path):
    path = tmp_path / "bytes.toml"
    path.write_bytes(data)
    outcome(path)


# --- study files -------------------------------------------------------------------------

STUDY_KEYS = st.sampled_from(TOP_KEYS) | st.text(min_size=1, max_size=8)
VARIED = st.sampled_from(["mandate", "silo_barrier", "n_employees", "customer_network",
                          "events.0.at", "events.merger.size"]) | st.text(min_size=1, max_size=8)
TABLES = {
    "vary": st.dictionaries(VARIED, values(), max_size=3),
    "sample": st.fixed_dictionaries({}, optional={
        "method": st.sampled_from(["lhs", "morris", "sobol"]) | SCALARS,
        "n": st.integers(-10, 2**40) | SCALARS, "levels": st.integers(-2, 200),
        "second_order": st.booleans() | SCALARS,
        "ranges": st.dictionaries(VARIED, st.lists(SCALARS | st.floats(0, 1), max_size=3),
                                  max_size=3)}),
    "adaptive": st.dictionaries(st.sampled_from(["metric", "ci_width", "max_replications"])
                                | st.text(max_size=5), values(), max_size=3),
    "snapshots": st.dictionaries(st.sampled_from(["weeks", "columns"]) | st.text(max_size=5),
                                 values(), max_size=2),
    "set": st.dictionaries(st.sampled_from(sorted(PARAMS)) | st.text(min_size=1, max_size=6),
                           values(), max_size=3),
}


def _toml_table(name: str, table: dict) -> str:
    plain = {k: v for k, v in table.items() if not isinstance(v, dict)}
    out = f"[{name}]\n" + "".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in plain.items())
    for k, v in table.items():
        if isinstance(v, dict):
            out += _toml_table(f"{name}.{toml_str(k)}", v)
    return out


@FUZZ
@given(top=st.dictionaries(STUDY_KEYS.filter(lambda k: k not in TABLES), values(), max_size=4),
       tables=st.dictionaries(st.sampled_from(sorted(TABLES)), st.just(None), max_size=3),
       data=st.data())
def test_generated_study_files_load_or_are_refused_in_one_line(top, tables, data, tmp_path):
    path = tmp_path / "study_fuzz.toml"
    text = "".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in top.items())
    for name in tables:
        text += _toml_table(name, data.draw(TABLES[name], label=name))
    path.write_text(text, encoding="utf-8")
    outcome(path)


# --- the documents kept beside the results ----------------------------------------------

@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A small study's and a small comparison's results folders, made once."""
    from sim.experiments import run_experiment

    where = tmp_path_factory.mktemp("kept")
    study = where / "study_small.toml"
    study.write_bytes((CORPUS / "study_ok.toml").read_bytes())
    run_experiment(study, where / "study", workers=1, progress=False)
    assert main(["compare", "baseline", "customer_centric", "--replications", "2", "--steps", "3",
                 "--out", str(where / "cmp"), "--quiet", "--no-report", "--workers", "1"]) == 0
    return {"study.json": where / "study", "comparison.json": where / "cmp"}


def _paths(doc, prefix=()):
    """Every place in a JSON document: (path of keys and indices)."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


def kept_outcome(folder, name: str) -> str | None:
    """None if orgsim reads the folder's document; else the one-line message."""
    import shutil

    from sim.experiments.comparison import comparison_from_folder
    from sim.experiments.replay import study_from_folder

    try:
        (comparison_from_folder if name == "comparison.json" else study_from_folder)(folder)
    except ExperimentError as err:
        msg = str(err)
        assert msg and "\n" not in msg and name in msg, msg[:300]
        return msg
    finally:
        shutil.rmtree(folder)
    return None


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["study.json", "comparison.json"]), data=st.data())
def test_a_tampered_kept_document_is_read_or_refused_in_one_line(name, data, folders, tmp_path):
    import json
    import shutil
    import uuid

    folder = tmp_path / uuid.uuid4().hex
    shutil.copytree(folders[name], folder)
    doc = json.loads((folder / name).read_text())
    where = data.draw(st.sampled_from(list(_paths(doc))[1:]), label="where")
    value = data.draw(JSON_VALUES, label="value")
    parent = doc
    for k in where[:-1]:
        parent = parent[k]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    (folder / name).write_text(json.dumps(doc))
    kept_outcome(folder, name)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["study.json", "comparison.json"]), data=st.binary(max_size=200)
       | st.sampled_from([b"[" * 100_000, b'{"a":' * 50_000, b"", b"\xff\xfe", b"null", b"1e999"]))
def test_any_bytes_as_a_kept_document_are_refused_in_one_line(name, data, folders, tmp_path):
    import shutil
    import uuid

    folder = tmp_path / uuid.uuid4().hex
    shutil.copytree(folders[name], folder)
    (folder / name).write_bytes(data)
    assert kept_outcome(folder, name) is not None


# --- the command line's flags -----------------------------------------------------------

def _flags():
    """(command, flag) for every option that takes a value, from the parser itself."""
    import argparse
    out = []
    for action in build_parser()._subparsers._group_actions[0].choices.items():
        command, sub = action
        for a in sub._actions:
            if a.option_strings and a.nargs != 0 and not isinstance(a, argparse._HelpAction):
                out.append((command, a.option_strings[0]))
    return out


FLAGS = _flags()
FLAG_TEXT = (st.integers().map(str) | st.just("9" * 5000) | st.just("-" + "9" * 5000)
             | st.floats().map(str) | st.text(max_size=20)
             | st.sampled_from(["", " ", "1e9", "0x10", "٣", "１２", "nan", "inf", "=", "a=b"]))
POSITIONAL = {"run": ["baseline"], "compare": ["baseline", "customer_centric"],
              "report": ["nowhere"], "sweep": ["silo_x_reward"], "replay": ["nowhere", "0"],
              "sensitivity": ["nowhere"], "calibrate": ["calibration/literature.toml", "--out", "x"]}


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flag=st.sampled_from(FLAGS), text=FLAG_TEXT)
def test_every_flag_parses_or_exits_2_with_one_line(flag, text, capsys):
    capsys.readouterr()  # what an earlier example printed
    command, option = flag
    argv = [command, *POSITIONAL.get(command, []), f"{option}={text}"]
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:
        err = capsys.readouterr().err
        assert exc.code == 2, (argv, err)
        assert err.count("\n") == 1 and "Traceback" not in err, err[:300]
        assert option in err, err[:300]


def _runs_long(text: str) -> bool:
    """--steps text that would parse as more than 3 weeks (the test runs only short runs)."""
    try:
        return int(text) > 3
    except ValueError:
        return False


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sets=st.lists(st.tuples(st.sampled_from(sorted(PARAMS)) | st.text(max_size=6),
                               FLAG_TEXT), max_size=3),
       steps=FLAG_TEXT.filter(lambda t: not _runs_long(t)) | st.integers(1, 3).map(str))
def test_run_with_fuzzed_set_and_steps_ends_in_one_line_or_runs(sets, steps, tmp_path, capsys):
    """Through main(): what parses is checked like a scenario file and costed, then
    either refused (exit 2, one line, nothing written) or run. A scenario of 30
    customers and a memory limit of 200 MiB keep what runs small."""
    capsys.readouterr()
    scen = tmp_path / "tiny.toml"
    scen.write_text('preset = "baseline"\nn_customers = 30\nn_prospects = 30\nn_employees = 6\n')
    out = tmp_path / "out"
    if out.exists():
        import shutil
        shutil.rmtree(out)
    argv = ["run", str(scen), "--out", str(out), "--quiet", f"--steps={steps}",
            "--max-memory", "200MiB"]
    for name, text in sets:
        argv += ["--set", f"{name}={text}"]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert err.count("\n") == 1 and "Traceback" not in err, err[:300]
        assert not out.exists()
    else:
        assert (out / "summary.json").is_file()


@pytest.mark.parametrize("command", sorted({c for c, _ in FLAGS} | {"scenarios", "experiments"}))
def test_every_commands_help_prints(command, capsys):
    """Help texts are %-formatted by argparse: a bare "50%" in one broke `orgsim run --help`."""
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: orgsim " + command in capsys.readouterr().out
