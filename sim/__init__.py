"""orgsim: an agent-based simulation of how product-centric and customer-centric
organisations keep or lose their customers. One step is one week."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orgsim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from .model import OrganisationModel  # noqa: E402
from .files.scenarios import Scenario, ScenarioError, list_scenarios, load_scenario  # noqa: E402

__all__ = ["OrganisationModel", "Scenario", "ScenarioError", "list_scenarios",
           "load_scenario", "__version__"]
