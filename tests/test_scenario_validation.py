"""Validation of scenario input: keyword overrides, TOML files and ``--set`` text.

Every parameter in ``sim.model.params.PARAMS_LIST`` is checked with values drawn from its own
declared range (or choices): values inside are accepted in their canonical type; values
outside, of the wrong type or under an unknown name raise a one-line ScenarioError that
names the parameter (and, for files, the file). Each hypothesis example draws a value for
every parameter and checks them all, so every parameter is covered on every run. No
model is built here.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim import ScenarioError, load_scenario
from sim.model.params import (PARAMS, PARAMS_LIST, REWARD_ALIASES, ParameterError, Param,
                        parse_text)
from sim.files.scenarios import DEFAULT_SEED, DEFAULT_STEPS, MAX_SEED, MAX_STEPS, META_KEYS

from helpers import toml_str, toml_value

FAST = settings(max_examples=50, deadline=None)
# Each example of these checks all ~65 parameters, so fewer examples cover plenty.
EVERY = settings(max_examples=25, deadline=None)
# The file tests rewrite files in tmp_path for every example; that is intended.
EVERY_FILE = settings(max_examples=15, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])
FAST_FILE = settings(max_examples=50, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])

NUMERIC = [p for p in PARAMS_LIST if p.kind in (int, float)]
CHOICE = [p for p in PARAMS_LIST if p.kind is str]
INTS = [p for p in PARAMS_LIST if p.kind is int]
FLOATS = [p for p in PARAMS_LIST if p.kind is float]
ids = lambda p: p.name  # noqa: E731

INT64 = (-(2**63), 2**63 - 1)  # TOML integers are 64-bit
HUGE = 10**5000  # more digits than Python will print by default


@pytest.fixture(autouse=True)
def _only_packaged_scenarios(monkeypatch):
    """Named scenarios come from the repository only, whatever the caller's environment."""
    monkeypatch.delenv("ORGSIM_SCENARIO_PATH", raising=False)


# --- strategies built from each parameter's declaration ---------------------------------

def in_range(p: Param) -> st.SearchStrategy:
    """Values a parameter must accept, in any type it accepts."""
    if p.kind is str:
        return st.sampled_from(p.choices)
    ints = st.integers(math.ceil(p.low), math.floor(p.high))
    if p.kind is int:
        return ints | ints.map(float)  # 3.0 for an int parameter is fine: it is whole
    values = st.floats(p.low, p.high, allow_nan=False, allow_infinity=False) | ints
    if p.name == "reward_mix":
        values = values | st.sampled_from(sorted(REWARD_ALIASES))
    return values


def canonical(p: Param, value):
    if p.name == "reward_mix" and value in REWARD_ALIASES:
        return REWARD_ALIASES[value]
    return p.kind(value)


def out_of_range(p: Param, int_bounds=(None, None)) -> st.SearchStrategy:
    """Numbers of an acceptable type on the wrong side of low / high."""
    lo_i, hi_i = int_bounds
    below_i = st.integers(min_value=lo_i, max_value=math.ceil(p.low) - 1)
    above_i = st.integers(min_value=math.floor(p.high) + 1, max_value=hi_i)
    below_f = st.floats(max_value=p.low, exclude_max=True, allow_nan=False, allow_infinity=False)
    above_f = st.floats(min_value=p.high, exclude_min=True, allow_nan=False, allow_infinity=False)
    if p.kind is int:  # whole floats only: a non-whole float is a type error, tested below
        below_f = below_f.map(math.floor).filter(lambda v: v < p.low).map(float)
        above_f = above_f.map(math.ceil).filter(lambda v: v > p.high).map(float)
    return below_i | above_i | below_f | above_f


NOT_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
NON_WHOLE = st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not v.is_integer())
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


def wrong_type(p: Param, *, for_toml: bool = False) -> st.SearchStrategy:
    """Values of a type the parameter never accepts (TOML-expressible if for_toml)."""
    others = (st.booleans() | st.dates()
              | st.lists(st.integers(-5, 5) | SAFE_TEXT, max_size=3)
              | st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True),
                                st.integers(-5, 5), max_size=2))
    if not for_toml:
        others = others | st.none() | st.just(object())
    if p.kind is str:
        int_lo, int_hi = INT64 if for_toml else (None, None)
        return (others | st.integers(int_lo, int_hi) | st.floats()
                | SAFE_TEXT.filter(lambda s: s not in p.choices))
    text = SAFE_TEXT
    if p.name == "reward_mix":
        text = text.filter(lambda s: s not in REWARD_ALIASES)
    bad = others | text | NOT_FINITE
    if p.kind is int:
        bad = bad | NON_WHOLE
    return bad


def every(make) -> st.SearchStrategy:
    """One value for each parameter make() has a strategy for (make returns None to skip)."""
    return st.fixed_dictionaries({p.name: s for p in PARAMS_LIST if (s := make(p)) is not None})


def write_scenario(path, /, **entries) -> None:
    text = "".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in entries.items())
    path.write_text(text, encoding="utf-8")
    parsed = tomllib.loads(text)  # the file says what the test means
    assert set(parsed) == set(entries)


# --- checking errors ---------------------------------------------------------------------

def one_line_naming(msg: str, *names: str) -> str:
    """The message is one non-empty line and mentions every name."""
    assert msg and msg.splitlines() == [msg], f"not one line: {msg!r}"
    for name in names:
        assert name in msg, f"{name!r} not named in {msg!r}"
    return msg


def rejects(exc_type, call, *names: str) -> str:
    """call() raises exc_type with a one-line message naming every name."""
    try:
        result = call()
    except exc_type as err:
        return one_line_naming(str(err), *names)
    pytest.fail(f"accepted ({', '.join(names)}): {result!r}")


def rejects_kw(name: str, value, *also: str) -> str:
    return rejects(ScenarioError, lambda: load_scenario("baseline", **{name: value}),
                   name, *also)


def rejects_file(path, name: str, *also: str) -> str:
    return rejects(ScenarioError, lambda: load_scenario(path), str(path), name, *also)


# --- keyword overrides: load_scenario("baseline", **{name: value}) ---------------------

def test_every_parameter_default_is_inside_its_own_range():
    for p in PARAMS_LIST:
        if p.kind is str:
            assert p.default in p.choices, p.name
        else:
            assert type(p.default) is p.kind and p.low <= p.default <= p.high, p.name


@EVERY
@given(values=every(in_range))
def test_values_inside_range_are_accepted_in_canonical_type(values):
    base = load_scenario("baseline").params
    for name, value in values.items():
        p = PARAMS[name]
        params = load_scenario("baseline", **{name: value}).params
        assert type(params[name]) is p.kind, name
        assert params[name] == canonical(p, value), name
        assert {k: v for k, v in params.items() if k != name} == \
               {k: v for k, v in base.items() if k != name}, f"{name} moved others"
    # all at once, too
    params = load_scenario("baseline", **values).params
    assert params == {k: canonical(PARAMS[k], v) for k, v in values.items()}


@EVERY
@given(values=every(lambda p: out_of_range(p) if p.kind is not str else None))
def test_values_outside_range_are_rejected_naming_the_parameter(values):
    for name, value in values.items():
        rejects_kw(name, value, "out of range")


@EVERY
@given(values=every(wrong_type))
def test_values_of_wrong_type_are_rejected_naming_the_parameter(values):
    for name, value in values.items():
        rejects_kw(name, value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=str)
def test_nan_and_infinity_are_rejected_as_not_finite(value):
    for p in FLOATS:
        rejects_kw(p.name, value, "not finite")


@EVERY
@given(values=every(lambda p: st.floats(p.low, p.high).filter(lambda v: not v.is_integer())
                    if p.kind is int else None))
def test_non_whole_floats_for_integer_parameters_are_rejected(values):
    for name, value in values.items():
        rejects_kw(name, value, "whole")


def test_bools_are_not_taken_for_numbers():
    for p in NUMERIC:
        for value in (True, False):
            rejects_kw(p.name, value, "wrong type")


def test_integers_too_large_for_a_float_or_for_printing_are_rejected_not_crashing():
    for p in NUMERIC:
        for value in (10**400, HUGE, -HUGE):
            rejects_kw(p.name, value, "out of range")
    rejects_kw("silo_barrier", [HUGE])


@FAST
@given(name=st.text(min_size=1, max_size=30).filter(
    lambda s: s not in PARAMS and s not in ("steps", "seed")))
@example(name="label")  # names of load_scenario's and with_overrides' own arguments
@example(name="name_or_path")
@example(name="preset")
@example(name="description")
def test_unknown_keyword_is_rejected_naming_it(name):
    rejects(ScenarioError, lambda: load_scenario("baseline", **{name: 1}), repr(name), "unknown")


def test_reward_mix_aliases_map_to_the_ends_of_the_scale():
    for alias, expected in [("volume", 0.0), ("customer", 1.0)]:
        value = load_scenario("baseline", reward_mix=alias).params["reward_mix"]
        assert value == expected and type(value) is float


@FAST
@given(steps=st.integers(1, MAX_STEPS), seed=st.integers(0, MAX_SEED))
def test_steps_and_seed_keywords_inside_range_are_kept(steps, seed):
    s = load_scenario("baseline", steps=steps, seed=seed)
    assert (s.steps, s.seed) == (steps, seed)


def meta_bad(key: str, int_bounds=(None, None)) -> st.SearchStrategy:
    lo, hi = (1, MAX_STEPS) if key == "steps" else (0, MAX_SEED)
    outside = st.integers(int_bounds[0], lo - 1)
    if int_bounds[1] is None or hi < int_bounds[1]:
        outside = outside | st.integers(hi + 1, int_bounds[1])
    return (outside | st.floats() | st.booleans() | SAFE_TEXT
            | st.lists(st.integers(0, 9), max_size=2))


@FAST
@given(key=st.sampled_from(["steps", "seed"]), data=st.data())
@example(key="seed", data=None)
def test_steps_and_seed_keywords_outside_range_or_wrong_type_are_rejected(key, data):
    value = HUGE if data is None else data.draw(meta_bad(key) | st.none())
    rejects_kw(key, value, "allowed")


# --- scenario files ----------------------------------------------------------------

@EVERY_FILE
@given(values=every(in_range))
def test_file_values_inside_range_are_accepted_in_canonical_type(values, tmp_path):
    path = tmp_path / "ok.toml"
    write_scenario(path, **values)
    s = load_scenario(path)
    for name, value in values.items():
        p = PARAMS[name]
        assert type(s.params[name]) is p.kind, name
        assert s.params[name] == canonical(p, value), name
    assert (s.name, s.source, s.steps, s.seed, s.presets) == \
           ("ok", str(path), DEFAULT_STEPS, DEFAULT_SEED, ())


@EVERY_FILE
@given(values=every(lambda p: out_of_range(p, INT64) if p.kind is not str else None))
def test_file_values_outside_range_are_rejected_naming_file_and_key(values, tmp_path):
    for name, value in values.items():
        path = tmp_path / f"{name}.toml"
        write_scenario(path, description="x", **{name: value})
        rejects_file(path, name, "out of range")


@EVERY_FILE
@given(values=every(lambda p: wrong_type(p, for_toml=True)))
def test_file_values_of_wrong_type_are_rejected_naming_file_and_key(values, tmp_path):
    for name, value in values.items():
        path = tmp_path / f"{name}.toml"
        write_scenario(path, **{name: value})
        rejects_file(path, name)


@FAST_FILE
@given(key=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
       .filter(lambda s: s not in PARAMS and s not in META_KEYS))
def test_file_with_unknown_key_is_rejected_naming_file_and_key(key, tmp_path):
    path = tmp_path / "bad.toml"
    write_scenario(path, silo_barrier=0.2, **{key: 1})
    rejects_file(path, repr(key), "unknown key")


def test_file_with_a_section_table_is_rejected_as_unknown_key(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[organisation]\nsilo_barrier = 0.2\n')
    rejects_file(path, "'organisation'", "unknown key")


@pytest.mark.parametrize("text", [
    "silo_barrier = \n",
    "silo_barrier = 0.5\nsilo_barrier = 0.6\n",  # duplicate key
    "silo_barrier 0.5\n",
    'description = "unterminated\n',
    "[[[\n",
    "silo_barrier = 0..5\n",
    'description = """\nmany\nlines\n',
], ids=["no-value", "duplicate", "no-equals", "open-string", "brackets", "bad-float",
        "open-multiline"])
def test_file_with_invalid_toml_is_rejected_in_one_line_naming_the_file(text, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    rejects_file(path, "not valid TOML")


def test_file_that_is_not_utf8_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('description = "caf\xe9"\n'.encode("latin-1"))
    rejects_file(path, "not valid TOML")


def test_missing_file_is_rejected_naming_it(tmp_path):
    rejects(ScenarioError, lambda: load_scenario(tmp_path / "nothere.toml"),
            str(tmp_path / "nothere.toml"))


def test_unknown_scenario_name_is_rejected_listing_the_named_ones():
    rejects(ScenarioError, lambda: load_scenario("no_such_scenario"),
            "'no_such_scenario'", "baseline", "customer_centric", "product_centric")


def test_file_with_preset_that_does_not_exist_is_rejected_naming_file_and_preset(tmp_path):
    path = tmp_path / "child.toml"
    write_scenario(path, preset="no_such_preset", silo_barrier=0.2)
    rejects_file(path, "'no_such_preset'")


def test_preset_chain_that_loops_through_named_scenarios_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGSIM_SCENARIO_PATH", str(tmp_path))
    write_scenario(tmp_path / "loop_a.toml", preset="loop_b")
    write_scenario(tmp_path / "loop_b.toml", preset="loop_c")
    write_scenario(tmp_path / "loop_c.toml", preset="loop_a")
    rejects_file(tmp_path / "loop_a.toml", "loop_b", "loops")
    rejects(ScenarioError, lambda: load_scenario("loop_b"), str(tmp_path / "loop_b.toml"), "loops")


def test_file_that_is_its_own_preset_is_rejected(tmp_path):
    path = tmp_path / "self.toml"
    write_scenario(path, preset=str(path))
    rejects_file(path, "loops")


def test_invalid_preset_is_reported_through_the_file_that_uses_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGSIM_SCENARIO_PATH", str(tmp_path))
    write_scenario(tmp_path / "broken_parent.toml", silo_barrier=7)
    child = tmp_path / "child.toml"
    write_scenario(child, preset="broken_parent")
    rejects_file(child, "broken_parent", "silo_barrier", "out of range")


def test_file_starting_from_a_preset_inherits_it_and_overrides_on_top(tmp_path):
    path = tmp_path / "mine.toml"
    write_scenario(path, preset="customer_centric", mandate=0.9, n_customers=1234)
    s = load_scenario(path)
    cc = load_scenario("customer_centric")
    assert s.params["mandate"] == 0.9 and s.params["n_customers"] == 1234
    assert s.params["silo_barrier"] == cc.params["silo_barrier"] == 0.3
    assert s.presets == ("customer_centric", "baseline")
    assert s.set_here == {"mandate": 0.9, "n_customers": 1234}
    assert {k: v for k, v in s.params.items() if k not in s.set_here} == \
           {k: v for k, v in cc.params.items() if k not in s.set_here}


@pytest.mark.parametrize("alias, expected", [("volume", 0.0), ("customer", 1.0)])
def test_file_reward_mix_alias_gives_the_end_of_the_scale(alias, expected, tmp_path):
    path = tmp_path / "reward.toml"
    write_scenario(path, reward_mix=alias)
    value = load_scenario(path).params["reward_mix"]
    assert value == expected and type(value) is float


def test_product_centric_volume_alias_resolves_to_zero():
    assert load_scenario("product_centric").params["reward_mix"] == 0.0


@FAST_FILE
@given(steps=st.integers(1, MAX_STEPS), seed=st.integers(0, MAX_SEED))
def test_file_steps_and_seed_inside_range_are_kept(steps, seed, tmp_path):
    path = tmp_path / "meta.toml"
    write_scenario(path, steps=steps, seed=seed, description="d")
    s = load_scenario(path)
    assert (s.steps, s.seed, s.description) == (steps, seed, "d")


@FAST_FILE
@given(key=st.sampled_from(["steps", "seed"]), data=st.data())
def test_file_steps_and_seed_outside_range_or_wrong_type_are_rejected(key, data, tmp_path):
    value = data.draw(meta_bad(key, INT64))
    path = tmp_path / "meta.toml"
    write_scenario(path, **{key: value})
    rejects_file(path, key, "allowed")


@pytest.mark.parametrize("key, value", [("preset", 3), ("description", ["a"]),
                                        ("description", True), ("preset", 1.5)])
def test_file_preset_and_description_must_be_strings(key, value, tmp_path):
    path = tmp_path / "meta.toml"
    write_scenario(path, **{key: value})
    rejects_file(path, key, "string")


def test_file_preset_steps_and_seed_are_inherited_unless_set(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGSIM_SCENARIO_PATH", str(tmp_path))
    write_scenario(tmp_path / "parent.toml", steps=20, seed=7)
    child = tmp_path / "child.toml"
    write_scenario(child, preset="parent", seed=9)
    s = load_scenario(child)
    assert (s.steps, s.seed) == (20, 9)


def test_keyword_overrides_apply_on_top_of_a_file_and_are_checked(tmp_path):
    path = tmp_path / "base.toml"
    write_scenario(path, silo_barrier=0.1)
    s = load_scenario(path, silo_barrier=0.9, steps=3)
    assert s.params["silo_barrier"] == 0.9 and s.steps == 3
    rejects(ScenarioError, lambda: load_scenario(path, silo_barrier=1.5), "silo_barrier")


# --- --set text: sim.model.params.parse_text ------------------------------------------------

def as_text(value) -> str:
    return value if isinstance(value, str) else repr(value)


@EVERY
@given(values=every(in_range))
def test_parse_text_round_trips_values_inside_range(values):
    for name, value in values.items():
        p = PARAMS[name]
        got = parse_text(name, as_text(value))
        assert type(got) is p.kind, name
        assert got == canonical(p, value), name


@EVERY
@given(values=every(lambda p: out_of_range(p) if p.kind is not str else None))
def test_parse_text_rejects_numbers_outside_range(values):
    for name, value in values.items():
        rejects(ParameterError, lambda: parse_text(name, repr(value)), name)


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@EVERY
@given(values=every(lambda p: SAFE_TEXT.filter(
    lambda t: not is_number(t) and t not in p.choices and not
    (p.name == "reward_mix" and t in REWARD_ALIASES))))
def test_parse_text_rejects_words_that_are_neither_numbers_nor_choices(values):
    for name, text in values.items():
        rejects(ParameterError, lambda: parse_text(name, text), name)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "true", "", "0x10", "1,5",
                                  "9" * 5000])
def test_parse_text_rejects_special_and_malformed_numbers(text):
    for p in NUMERIC:
        rejects(ParameterError, lambda: parse_text(p.name, text), p.name)


def test_parse_text_accepts_whole_float_text_for_integers_and_rejects_fractions():
    for p in INTS:
        whole = int(p.low)
        assert parse_text(p.name, f"{whole}.0") == whole
        assert type(parse_text(p.name, f"{whole}.0")) is int
        rejects(ParameterError, lambda: parse_text(p.name, f"{whole}.5"), p.name, "whole")


@FAST
@given(name=SAFE_TEXT.filter(lambda s: s not in PARAMS), text=SAFE_TEXT)
def test_parse_text_rejects_unknown_names(name, text):
    rejects(ParameterError, lambda: parse_text(name, text), repr(name), "unknown")


def test_parse_text_reward_mix_aliases():
    assert parse_text("reward_mix", "volume") == 0.0
    assert parse_text("reward_mix", "customer") == 1.0


def test_numpy_numbers_are_accepted_like_python_ones():
    import numpy as np

    s = load_scenario("baseline", silo_barrier=np.float64(0.25), bridges=np.int64(3),
                      n_customers=np.int32(700))
    assert s.params["silo_barrier"] == 0.25 and type(s.params["silo_barrier"]) is float
    assert s.params["bridges"] == 3 and type(s.params["bridges"]) is int
    assert s.params["n_customers"] == 700
    with pytest.raises(ScenarioError, match="bridges"):
        load_scenario("baseline", bridges=np.float64(2.5))
    with pytest.raises(ScenarioError, match="mandate"):
        load_scenario("baseline", mandate=np.bool_(True))


def test_a_file_preset_is_found_beside_the_file(tmp_path, monkeypatch):
    sub = tmp_path / "studies"
    sub.mkdir()
    (sub / "firm.toml").write_text('preset = "product_centric"\nmandate = 0.4\n')
    (sub / "client.toml").write_text('preset = "firm.toml"\nescalation = 0.5\n')
    monkeypatch.chdir(tmp_path)  # not the files' folder
    s = load_scenario(sub / "client.toml")
    assert s.params["mandate"] == 0.4 and s.params["escalation"] == 0.5
    assert s.params["silo_barrier"] == load_scenario("product_centric").params["silo_barrier"]


def test_a_description_must_be_one_line(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('description = """two\nlines"""\n')
    with pytest.raises(ScenarioError, match="description must be one line"):
        load_scenario(f)
