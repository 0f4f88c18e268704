"""orgsim: an agent-based simulation of how product-centric and customer-centric
organisations keep or lose their customers. One step is one week.

``sim.model`` is the model kernel (state, phases of the week, events, parameters, the
schedule); it reads no files and imports none of the tools beside it: ``sim.files``
(scenario and client files, results, model classes named in files),
``sim.experiments`` (studies and comparisons), ``sim.report``, ``sim.validation``,
``sim.app`` (the classroom page) and ``sim.cli`` (the ``orgsim`` command).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orgsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from .model import OrganisationModel  # noqa: E402
from .files.scenarios import Scenario, ScenarioError, list_scenarios, load_scenario  # noqa: E402

__all__ = ["OrganisationModel", "Scenario", "ScenarioError", "list_scenarios",
           "load_scenario", "__version__"]
