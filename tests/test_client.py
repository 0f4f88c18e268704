"""Client files: an alternative is the same client with another preset's levers, and
only those; everything else the client gave stays the client's."""

from sim.files.client import load_client
from sim.files.scenarios import load_scenario
from sim.model.params import LEVERS

CLIENT = """\
[client]
name = "Acme"
preset = "product_centric"
customers = 1500
alternatives = ["customer_centric"]

[client.set]
capacity = 20
turnover_rate = 0.01
mandate = 0.5
"""


def test_alternative_takes_only_the_levers_and_keeps_the_clients_own_values(tmp_path):
    f = tmp_path / "client.toml"
    f.write_text(CLIENT)
    c = load_client(f, calibrate=False)
    today, alt = c.scenarios
    # the client's own capacity and turnover are not reset to the other preset's defaults
    for s in (today, alt):
        assert s.params["capacity"] == 20.0, s.name
        assert s.params["turnover_rate"] == 0.01, s.name
    assert c.origin["capacity"] == c.origin["turnover_rate"] == "client"
    # the alternative differs from today in the levers only, and takes customer_centric's
    cc = load_scenario("customer_centric").params
    differ = {k for k in today.params if today.params[k] != alt.params[k]}
    assert differ == set(LEVERS)  # product_centric and customer_centric differ in each lever
    assert {k: alt.params[k] for k in LEVERS} == {k: cc[k] for k in LEVERS}
    assert alt.params["mandate"] == cc["mandate"] != today.params["mandate"] == 0.5
    assert {k: v for k, v in alt.params.items() if k not in LEVERS} == \
        {k: v for k, v in today.params.items() if k not in LEVERS}
