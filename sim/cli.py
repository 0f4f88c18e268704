"""The ``orgsim`` command line."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import __version__
from .files import budget
from .files.text import check_text
from .model.params import ParameterError, parse_text
from .files.scenarios import MAX_SEED, MAX_STEPS, ScenarioError, list_scenarios, load_scenario
from .experiments.spec import MAX_RUNS

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line with exit code 2."""

    def error(self, message: str):  # noqa: D401
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _whole(text: str) -> int:
    """A flag's whole number; a one-line ArgumentTypeError for anything else (a number of
    more digits than any flag allows is not shown back in full)."""
    if len(text.strip()) > 30:
        raise argparse.ArgumentTypeError(f"{text[:20]!r}... ({len(text)} characters) is not "
                                         "allowed; a whole number of at most 30 digits")
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _positive_int(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; must be 1 or more")
    return value


def _steps(text: str) -> int:
    value = _positive_int(text)
    if value > MAX_STEPS:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; must be 1 to {MAX_STEPS}")
    return value


def _seed(text: str) -> int:
    value = _whole(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; must be 0 to {MAX_SEED}")
    return value


def parse_sets(items: list[str]) -> dict:
    """``--set name=value`` items, parsed and checked like a scenario file's values."""
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise ScenarioError(f"--set {item!r}: expected name=value")
        try:
            out[name.strip()] = parse_text(name.strip(), text.strip())
        except ParameterError as err:
            raise ScenarioError(f"--set: {err}") from None
    return out


def check_out(out: Path) -> None:
    """Refuse, before any work, an output folder that cannot be one: the nearest
    existing path on the way to it must be a folder."""
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                raise ScenarioError(f"--out {out}: {folder} exists and is not a folder")
            return


def _memory(text: str) -> int:
    from .files.budget import parse_size

    try:
        return parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _add_max_memory(parser) -> None:
    from .files.budget import MEMORY_SHARE
    parser.add_argument("--max-memory", type=_memory, metavar="SIZE",
                        help="refuse, before building anything, what would need more memory "
                             f"(e.g. 8GiB; default: {MEMORY_SHARE:.0%}% of this machine's)")  # %% for argparse


def _duration(text: str) -> str:
    import re
    m = re.fullmatch(r"([0-9]{1,6})(s|m|h)", text.strip())
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not allowed; a time such as 90s, 2m "
                                         "or 1h")
    return m.group(0)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:30]!r} is not a number") from None
    if not 0.01 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text[:30]} is not allowed; a share from 0.01 to 1")
    return value


def _language(text: str) -> str:
    from .i18n import LanguageError, check_language

    try:
        return check_language(text, "")
    except LanguageError as err:
        raise argparse.ArgumentTypeError(str(err).strip()) from None


def _add_lang(parser, default: str) -> None:
    from .i18n import LANGUAGES
    parser.add_argument("--lang", type=_language, metavar="|".join(LANGUAGES),
                        help=f"the report's language: en (English), sv (Swedish) or nb "
                             f"(Norwegian bokmål); default: {default}")


def _port(text: str) -> int:
    value = _whole(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; must be 1 to 65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="orgsim", description=__doc__)
    ap.add_argument("--version", action="version", version=f"orgsim {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run one scenario and write its weekly time series")
    run.add_argument("scenario", help="a name from `orgsim scenarios` or a path to a TOML file")
    run.add_argument("--steps", type=_steps, help="weeks to run (default: the scenario's)")
    run.add_argument("--seed", type=_seed, help="random seed (default: the scenario's)")
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter (repeatable), checked like a scenario file")
    run.add_argument("--out", type=Path, help="output folder (default: results/SCENARIO-seedS)")
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.add_argument("--model", metavar="REF", default="",
                     help="a model class of your own: package.module:Class or file.py:Class "
                          "(docs/extending.md)")
    _add_max_memory(run)

    demo = sub.add_parser("demo", help="product- vs customer-centric over three years, with a report")
    demo.add_argument("--replications", type=_positive_int, default=5)
    demo.add_argument("--steps", type=_steps, default=156, help="weeks (default 156)")
    demo.add_argument("--seed", type=_seed, default=1, help="the comparison's seed (default 1)")
    demo.add_argument("--workers", type=_positive_int, help="local processes (default: the number of cores)")
    demo.add_argument("--out", type=Path, default=Path("results/demo"))
    _add_lang(demo, "en")
    _add_max_memory(demo)

    comp = sub.add_parser("compare", help="scenarios side by side with the same seeds and events")
    comp.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                      help="names from `orgsim scenarios`, scenario files, or one client file")
    comp.add_argument("--replications", type=_positive_int,
                      help="runs of each scenario (default 20); with --posterior, seeds per "
                           "parameter set (default 5, the same in every set)")
    comp.add_argument("--steps", type=_steps, help="weeks (default: the longest scenario's)")
    comp.add_argument("--seed", type=_seed, default=1, help="the comparison's seed (default 1)")
    comp.add_argument("--events", metavar="SCENARIO",
                      help="give every scenario this scenario's (or file's) events instead of its own")
    comp.add_argument("--question", help="the question the report answers (one line)")
    comp.add_argument("--posterior", metavar="FILE",
                      help="run every scenario over parameter sets drawn from this posterior "
                           "(DIR/posterior.parquet of `orgsim calibrate`; a client file may name one)")
    comp.add_argument("--draws", type=_positive_int, default=40, metavar="K",
                      help="parameter sets drawn from the posterior (default 40: the share of "
                           "them where the advantage holds is then known to 8 points)")
    comp.add_argument("--out", type=Path, help="results folder (default: results/compare-A-vs-B)")
    comp.add_argument("--workers", type=_positive_int, help="local processes (default: the number of cores)")
    comp.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster")
    comp.add_argument("--resume", action="store_true", help="run only what the folder lacks")
    comp.add_argument("--allow-code-change", action="store_true",
                      help="resume although the model's code changed (runs.parquet says which code made each run)")
    comp.add_argument("--no-report", action="store_true", help="tables only; `orgsim report` later")
    comp.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_lang(comp, "a client file's lang, else en")
    _add_max_memory(comp)

    rep = sub.add_parser("report", help="report.html and report.pdf from a comparison or a study folder")
    rep.add_argument("folder", type=Path, help="made by `orgsim compare`, `orgsim demo` or `orgsim sweep`")
    _add_lang(rep, "a client file's lang, else en")

    sweep = sub.add_parser(
        "sweep", help="run a study: a sweep with replications, resumable",
        description="Run a study file: a grid or a sample (LHS, Morris, Sobol) of points, each "
                    "replicated, every run stored as it finishes.",
        epilog="The study file format (every key), an example of each design, what --resume does "
               "after each kind of edit, and the provenance recorded with every run: docs/studies.md. "
               "Exit code 0 when every run succeeded, 1 when some failed (failures.csv), 2 for "
               "a bad study file or command line.")
    sweep.add_argument("experiment", help="a name from `orgsim experiments` or a path to a TOML file")
    sweep.add_argument("--workers", type=_positive_int, help="local processes (default: the number of cores)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on an existing Dask cluster, e.g. tcp://127.0.0.1:8786")
    sweep.add_argument("--out", type=Path, help="results folder (default: results/EXPERIMENT)")
    sweep.add_argument("--resume", action="store_true", help="run only what the folder lacks")
    sweep.add_argument("--replications", type=_positive_int, help="override the file's")
    sweep.add_argument("--steps", type=_steps, help="override the file's (weeks)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument("--allow-code-change", action="store_true",
                       help="resume although the model's code changed; runs.parquet's column "
                            "'code' then says which code made each run")
    sweep.add_argument("--yes-this-is-big", action="store_true",
                       help=f"run a study of more than {MAX_RUNS:,} runs (the memory limit "
                            "still holds: --max-memory)")
    _add_max_memory(sweep)

    exp = sub.add_parser(
        "explore", help="where the conclusion breaks: a Latin hypercube, PRIM boxes, "
                        "sensitivity year by year",
        description="Run two alternatives (default product_centric and customer_centric) at "
                    "the points of a Latin hypercube over the uncertain parameters (a "
                    "posterior's ranges, else the calibration constants' plausible ranges), "
                    "find with PRIM the regions where the second loses its advantage, and "
                    "measure the advantage's sensitivity at the end of every year.",
        epilog="The spec file's keys: docs/studies.md (orgsim explore). Writes points.csv, "
               "prim_boxes.csv, sensitivity_by_year.csv, figures/ and explore.md in --out.")
    exp.add_argument("spec", nargs="?", help="a TOML spec file (optional)")
    exp.add_argument("--out", type=Path, help="results folder (default: results/explore-NAME)")
    exp.add_argument("--posterior", metavar="FILE",
                     help="explore the ranges of this posterior (`orgsim calibrate`'s)")
    exp.add_argument("--loses", choices=("retention", "profit", "either"),
                     help="the case of interest: the second alternative keeps no more "
                          "customers, earns no more profit, or either (default either)")
    exp.add_argument("--points", type=_positive_int, metavar="N",
                     help="Latin hypercube points (default 100; --quick 30)")
    exp.add_argument("--sensitivity", choices=("sobol", "morris", "none"),
                     help="the sensitivity sample's method (default sobol)")
    exp.add_argument("--quick", action="store_true",
                     help="a small, short exploration (300 customers, 2 years, 30 points): "
                          "what the tests run")
    exp.add_argument("--workers", type=_positive_int, help="local processes (default: the number of cores)")
    exp.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster")
    exp.add_argument("--resume", action="store_true", help="run only what the folder lacks")
    exp.add_argument("--allow-code-change", action="store_true",
                     help="resume although the model's code changed")
    exp.add_argument("--quiet", action="store_true", help="no progress bar")

    replay = sub.add_parser("replay", help="re-run one run of a study from its stored parameters and seed")
    replay.add_argument("folder", type=Path, help="a study's results folder")
    replay.add_argument("run", type=_whole, help="the run's index (column 'index' of runs.parquet)")

    sens = sub.add_parser("sensitivity", help="Morris or Sobol indices of a study (sensitivity.csv)")
    sens.add_argument("folder", type=Path, help="a study's results folder")
    sens.add_argument("--metric", help="one metric (default: every kept metric)")

    app = sub.add_parser("app", help="the classroom page in the browser (Solara, on Mesa)")
    app.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    app.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    app.add_argument("--open", action="store_true", help="also open it in the default browser")
    app.add_argument("--model", metavar="REF", default="",
                     help="run a model class of your own on the page (docs/extending.md)")
    app.add_argument("--scenario", action="append", default=[], metavar="FILE",
                     help="also offer this scenario file in the page's list (repeatable); "
                          "the browser can choose only among the named scenarios and these")
    app.add_argument("--cull-after", type=_duration, default="2m", metavar="TIME",
                     help="forget a session this long after its tab is gone (e.g. 90s, 2m, "
                          "1h; default 2m)")
    app.add_argument("--lesson", metavar="NAME", default="",
                     help="open the page with a ready lesson: " + ", ".join(_lesson_names()))
    app.add_argument("--lang", type=_language, default="en", metavar="|".join(_languages()),
                     help="the language the page opens in: en (English), sv (Swedish) or nb "
                          "(Norwegian bokmål); each student can switch it in the page; "
                          "default: en")
    app.add_argument("--tab-cpu", type=_share, default=None, metavar="SHARE",
                     help="the share of one core a tab's steps may use (default 0.25)")
    app.add_argument("--tab-memory", type=_memory, default=None, metavar="SIZE",
                     help="memory a tab's models may take (default 512MiB)")

    val = sub.add_parser("validate", help="hold the model against ten patterns from the literature")
    val.add_argument("--quick", action="store_true",
                     help="fewer and smaller runs (about half a minute; what the tests run)")
    val.add_argument("--out", type=Path, default=Path("docs/validation.md"),
                     help="the report, with its figures in a folder beside it of the same name "
                          "(default docs/validation.md)")
    val.add_argument("--workers", type=_positive_int, help="local processes (default: the number of cores)")
    val.add_argument("--quiet", action="store_true", help="no progress bar")

    cal = sub.add_parser(
        "calibrate", help="fit the model's constants to observations (ABC-SMC): a posterior",
        description="Fit the parameters a targets file names (default: the constants with a "
                    "plausible range) to its observations, each with its uncertainty, by "
                    "ABC-SMC (pyabc). Writes posterior.parquet, abc.db, calibration.json, "
                    "calibration.md and figures/ in --out.",
        epilog="Targets files: calibration/literature.toml (the validation patterns) and "
               "calibration/client_example.toml; the format is in README.md, 'Calibration and "
               "robustness'. Exit code 2 for a bad targets file or command line.")
    cal.add_argument("targets", type=Path, help="a targets file (TOML), or the name of one "
                     "shipped with orgsim: literature, client_example")
    cal.add_argument("--out", type=Path, required=True, help="results folder")
    cal.add_argument("--quick", action="store_true",
                     help="a small run (the file's [calibration.quick]): what the tests run")
    cal.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster")
    cal.add_argument("--workers", type=_positive_int,
                     help="local processes (default: the number of cores)")
    cal.add_argument("--resume", action="store_true",
                     help="continue an interrupted calibration from its database (abc.db)")
    cal.add_argument("--quiet", action="store_true", help="no progress")

    sub.add_parser("experiments", help="list the named studies")
    sub.add_parser("scenarios", help="list the named scenarios")
    params = sub.add_parser("params", help="list every parameter with default, range and unit; the "
                   "organisation's design levers end in 'lever'")
    params.add_argument("--model", metavar="REF", default="",
                        help="also list the parameters a model class of your own registers")
    return ap


def cmd_run(args) -> int:
    from .files.extensions import load_model_class
    from .files.results import human_summary, summary_document, write_run

    model_class = load_model_class(args.model, Path.cwd())  # first: it may register parameters
    overrides = parse_sets(args.set)
    scenario = load_scenario(args.scenario, **overrides)
    steps = args.steps if args.steps is not None else scenario.steps
    seed = args.seed if args.seed is not None else scenario.seed
    scenario.check_horizon(steps)
    budget.check(budget.scenario_cost(scenario, steps), args.max_memory,
                 f"{scenario.name} over {steps} weeks")
    out = args.out or Path("results") / f"{scenario.name}-seed{seed}"
    check_out(out)
    model = model_class(scenario, rng=seed)
    model.run(steps)
    summary = summary_document(model, __version__)
    try:
        write_run(out, model.timeseries(), summary)
    except OSError as err:
        raise ScenarioError(f"--out {out}: cannot write: {err.strerror or err}") from None
    if not args.quiet:
        print(human_summary(summary, out))
    return 0


def _written(folder: Path, report) -> None:
    from .report.document import finding_of

    print(finding_of(report))
    print(f"report: {folder / 'report.html'} and {folder / 'report.pdf'}; figures (PNG, SVG) "
          f"in {folder / 'figures'}/; tables in {folder}/")


def _workers(workers: int | None) -> int:
    """The runs held at once: --workers, capped like the pool caps it at the cores."""
    from .experiments.pool import machine_cores
    return min(workers or machine_cores(), machine_cores())


def cmd_demo(args) -> int:
    from .demo import DEMO_SCENARIOS, run_demo

    scenarios = [load_scenario(name) for name in DEMO_SCENARIOS]
    budget.check(budget.study_cost(scenarios, args.steps, args.replications * len(scenarios),
                                   _workers(args.workers)), args.max_memory, "the demo")
    check_out(args.out)
    try:
        report = run_demo(args.out, args.replications, args.steps, args.seed, args.workers,
                          lang=args.lang)
    except OSError as err:
        raise ScenarioError(f"--out {args.out}: cannot write: {err.strerror or err}") from None
    _written(args.out, report)
    return 0


def cmd_compare(args) -> int:
    from .experiments.comparison import build_comparison, run_comparison
    from .report import make_report

    if args.question is not None:
        check_text(args.question, "--question")
    comp = build_comparison(args.scenarios, args.replications, args.steps, args.seed,
                            args.events, args.question, "", args.posterior, args.draws)
    words = ["orgsim compare", *args.scenarios, "--replications", str(comp.replications),
             "--seed", str(args.seed)]
    for flag, value in (("--steps", args.steps), ("--events", args.events),
                        ("--posterior", args.posterior)):
        if value is not None:
            words += [flag, str(value)]
    if comp.draws:
        words += ["--draws", str(args.draws)]
    if args.question:
        words += ["--question", repr(args.question)]
    from dataclasses import replace
    comp = replace(comp, command=" ".join(words))
    runs = len(comp.units()) * sum(1 + len(s.events) for s in comp.scenarios)  # and twins
    budget.check(budget.study_cost(comp.scenarios, comp.steps, runs, _workers(args.workers)),
                 args.max_memory, f"the comparison ({runs} runs of {comp.steps} weeks)")
    out = args.out or Path("results") / ("compare-" + "-vs-".join(s.name for s in comp.scenarios))[:120]
    check_out(out)
    try:
        run_comparison(comp, out, workers=args.workers, scheduler=args.scheduler,
                       resume=args.resume, progress=not args.quiet,
                       allow_code_change=args.allow_code_change)
        if args.no_report:
            return 0
        _written(out, make_report(out, args.lang))
    except KeyboardInterrupt:
        print("orgsim: interrupted; finished runs are saved: continue with --resume", file=sys.stderr)
        return 130
    except OSError as err:
        raise ScenarioError(f"--out {out}: cannot write: {err.strerror or err}") from None
    return 0


def cmd_report(args) -> int:
    from .report import make_report

    from .experiments.comparison import comparison_from_folder
    from .experiments.replay import study_from_folder

    if (args.folder / "comparison.json").is_file():  # a damaged one: refused in one line
        comparison_from_folder(args.folder)
    elif (args.folder / "study.json").is_file():
        study_from_folder(args.folder)
    try:
        _written(args.folder, make_report(args.folder, args.lang))
    except OSError as err:
        raise ScenarioError(f"{args.folder}: cannot write the report: {err.strerror or err}") from None
    return 0


def cmd_sweep(args) -> int:
    from .experiments import run_experiment

    if args.out is not None:
        check_out(args.out)
    try:
        res = run_experiment(args.experiment, args.out, workers=args.workers,
                             scheduler=args.scheduler, resume=args.resume,
                             replications=args.replications, steps=args.steps,
                             progress=not args.quiet, allow_code_change=args.allow_code_change,
                             yes_this_is_big=args.yes_this_is_big,
                             max_memory=args.max_memory)
    except KeyboardInterrupt:
        print("orgsim: interrupted; finished runs are saved: continue with --resume",
              file=sys.stderr)
        return 130
    except OSError as err:
        where = args.out or "the results folder"
        raise ScenarioError(f"--out {where}: cannot write: {err.strerror or err}") from None
    if len(res.failures):
        print(f"orgsim: {len(res.failures)} of {len(res.failures) + len(res.runs)} runs failed: "
              f"see {res.out / 'failures.csv'} (tracebacks in {res.out / 'failures'}/); "
              "--resume tries them again", file=sys.stderr)
        return 1
    return 0


def cmd_explore(args) -> int:
    from .experiments.explore import load_exploration, plan, run_explore

    ex = load_exploration(args.spec, quick=args.quick, posterior=args.posterior,
                          loses=args.loses, points=args.points, method=args.sensitivity)
    runs = len({p.run.key for p in plan(ex)})
    budget.check(budget.study_cost(list(ex.alternatives), ex.steps, runs, _workers(args.workers)),
                 None, f"the exploration ({runs} runs of {ex.steps} weeks)")
    out = args.out or Path("results") / f"explore-{ex.name}"[:120]
    check_out(out)
    try:
        res = run_explore(ex, out, workers=args.workers, scheduler=args.scheduler,
                          resume=args.resume, progress=not args.quiet,
                          allow_code_change=args.allow_code_change)
    except KeyboardInterrupt:
        print("orgsim: interrupted; finished runs are saved: continue with --resume", file=sys.stderr)
        return 130
    except OSError as err:
        raise ScenarioError(f"--out {out}: cannot write: {err.strerror or err}") from None
    from .experiments.explore_report import LOSES_WORDS, box_words

    a, b = ex.labels
    k, n = int(res.points["loses"].sum()) if len(res.points) else 0, len(res.points)
    print(f"{b} {LOSES_WORDS[ex.loses]} than {a} at {k} of {n} points.")
    for box in res.boxes:
        print(f"box {box.number}: {box_words(box, ex.ranges)} (coverage {box.coverage:.0%}, "
              f"density {box.density:.0%}, {box.n} points)")
    if res.warning:
        print(f"orgsim: warning: {res.warning}", file=sys.stderr)
    print(f"written: {out / 'explore.md'}, prim_boxes.csv, sensitivity_by_year.csv, figures/")
    return 1 if len(res.failures) else 0


def cmd_replay(args) -> int:
    from .experiments.replay import replay

    row, same = replay(args.folder, args.run)
    for key, value in row.items():
        print(f"{key:<28} {value}")
    print("identical to the stored run" if same else "DIFFERENT from the stored run")
    return 0 if same else 1


def cmd_sensitivity(args) -> int:
    from .experiments.replay import study_from_folder
    from .experiments.sensitivity import analyze
    from .experiments.store import write_frame

    exp, runs = study_from_folder(args.folder)
    table = analyze(exp, runs, args.metric)
    write_frame(args.folder / "sensitivity.csv", table)
    print(table.to_string(index=False))
    if exp.sampler.method == "sobol":
        from .experiments.design import n_points
        from .experiments.sensitivity import sobol_warning
        warning = sobol_warning(table, exp.sampler.n, n_points(exp))
        if warning:
            print(f"orgsim: warning: {warning}", file=sys.stderr)
    print("role: lever = a design lever of the organisation; constant = a constant of the "
          "model's mechanisms (its calibration); scale = the firm's size")
    return 0


def _languages() -> tuple[str, ...]:
    from .i18n import LANGUAGES
    return LANGUAGES


def _lesson_names() -> list[str]:
    from .app.lessons import lessons
    return list(lessons())


def cmd_app(args) -> int:
    """Serve the classroom page (``sim.app.serve``: solara run in production mode, no
    request off the machine, no debug route, sessions culled) until stopped."""
    import importlib.util
    import os

    if importlib.util.find_spec("solara") is None:
        raise ScenarioError("the classroom page needs the app extra: pip install -e \".[app]\"")
    from .app.trust import SCENARIOS_ENV, TAB_CPU_ENV, TAB_MEMORY_ENV
    from .files.extensions import load_model_class, resolve_ref

    env = dict(os.environ)
    if args.model:
        load_model_class(args.model, Path.cwd())  # refuse a bad one here, in one line
        env["ORGSIM_MODEL"] = resolve_ref(args.model, Path.cwd())
    else:
        env.pop("ORGSIM_MODEL", None)  # only the command line names the page's model
    for key, value in ((TAB_CPU_ENV, args.tab_cpu), (TAB_MEMORY_ENV, args.tab_memory)):
        env.pop(key, None)
        if value is not None:
            env[key] = str(value)
    files = [str(Path(f).resolve()) for f in args.scenario]
    env[SCENARIOS_ENV] = os.pathsep.join(files)  # only the command line adds to the list
    env["ORGSIM_APP_LANG"] = args.lang  # the language every session starts in
    env.pop("ORGSIM_APP_LESSON", None)
    if args.lesson:
        from .app.lessons import lesson
        try:
            lesson(args.lesson)
        except KeyError as err:
            raise ScenarioError(f"--lesson: {err.args[0]}") from None
        env["ORGSIM_APP_LESSON"] = args.lesson
    _check_page_files(files, args.tab_memory)
    cmd = [sys.executable, "-m", "sim.app.serve", args.host, str(args.port),
           "open" if args.open else "no-open", args.cull_after]
    print(f"orgsim: the classroom page is at http://{args.host}:{args.port}/ (Ctrl-C stops it)",
          flush=True)
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def _check_page_files(files: list[str], tab_memory: int | None) -> None:
    """Refuse, in one line, a teacher's file the page could not run: one that does not
    load, or whose models would not fit in a tab's memory at the page's largest size."""
    from .app.classroom import MAX_CUSTOMERS, N_EMPLOYEES
    from .app.trust import check_tab_cost

    for f in files:
        scenario = load_scenario(f, n_customers=MAX_CUSTOMERS, n_prospects=MAX_CUSTOMERS,
                                 n_employees=N_EMPLOYEES)
        try:
            check_tab_cost(scenario, limit=tab_memory)
        except ScenarioError as err:
            raise ScenarioError(f"--scenario {f}: {err}") from None


def cmd_validate(args) -> int:
    """Exit code 0 when every pattern passes, 1 when one fails."""
    from .validation import FULL, QUICK, validate_and_write
    from .validation.document import table_text

    if args.out.suffix != ".md":
        raise ScenarioError(f"--out {args.out}: must be a Markdown file; allowed: a path ending in .md")
    check_out(args.out.parent)
    try:
        outcomes = validate_and_write(QUICK if args.quick else FULL, args.out, args.workers,
                                      progress=not args.quiet)
    except OSError as err:
        raise ScenarioError(f"--out {args.out}: cannot write: {err.strerror or err}") from None
    print(table_text(outcomes))
    print(f"written: {args.out} (figures in {args.out.with_suffix('')}/)")
    return 0 if all(o.passed for o in outcomes) else 1


def cmd_calibrate(args) -> int:
    from .calibration import calibrate

    check_out(args.out)
    say = (lambda line: None) if args.quiet else (lambda line: print(line, flush=True))
    try:
        doc = calibrate(args.targets, args.out, quick=args.quick, workers=args.workers,
                        scheduler=args.scheduler, resume=args.resume,
                        progress=not args.quiet, say=say)
    except KeyboardInterrupt:
        again = " ".join(shlex.quote(str(a)) for a in (
            "orgsim", "calibrate", args.targets, "--out", args.out,
            *(["--quick"] if args.quick else []), "--resume"))
        print(f"orgsim: interrupted; the generations done are in {args.out / 'abc.db'}: "
              f"continue with {again}", file=sys.stderr)
        return 130
    except OSError as err:
        raise ScenarioError(f"--out {args.out}: cannot write: {err.strerror or err}") from None
    checks = doc["predictive_checks"]
    inside = sum(c["inside"] for c in checks.values())
    print(f"calibrated {len(doc['parameters'])} parameters to {len(checks)} targets: "
          f"{doc['generations']} generation{'s' if doc['generations'] != 1 else ''}, "
          f"{doc['simulations']:,} simulations in "
          f"{doc['wall_seconds'] / 60:.1f} min; {doc['status']}")
    for name, p in doc["posterior"].items():
        print(f"  {name:<26} {p['mean']:.4g}  (90%: {p['low']:.4g} to {p['high']:.4g}; "
              f"hand calibration {doc['parameters'][name]['default']:.4g})")
    print(f"posterior predictive checks: {inside} of {len(checks)} observed values inside "
          "their 90% band")
    print(f"written: {args.out / 'calibration.md'}, {args.out / 'posterior.parquet'}, "
          f"{args.out / 'abc.db'}, figures in {args.out / 'figures'}/")
    return 0


def _print_named(items: list[tuple[str, str]]) -> int:
    width = max((len(n) for n, _ in items), default=0)
    for name, desc in items:
        print(f"{name:<{width}}  {desc}")
    return 0


def cmd_experiments(args) -> int:
    from .experiments import list_experiments

    return _print_named(list_experiments())


def cmd_scenarios(args) -> int:
    return _print_named(list_scenarios())


def cmd_params(args) -> int:
    from .files.extensions import load_model_class

    for p in load_model_class(args.model, Path.cwd()).parameters:
        rng = f"{p.allowed()}"
        lever = "  lever" if p.lever else ""  # a design lever of the organisation
        print(f"{p.name:<28} {p.default!r:<14} {rng:<40} {p.unit}{lever}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"run": cmd_run, "demo": cmd_demo, "scenarios": cmd_scenarios,
               "params": cmd_params, "sweep": cmd_sweep, "replay": cmd_replay,
               "sensitivity": cmd_sensitivity, "experiments": cmd_experiments,
               "app": cmd_app, "compare": cmd_compare, "report": cmd_report,
               "explore": cmd_explore, "calibrate": cmd_calibrate,
               "validate": cmd_validate}[args.command]
    from .experiments.spec import ExperimentError
    try:
        return handler(args)
    except (ScenarioError, ExperimentError) as err:
        print(f"orgsim: error: {err}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
