"""The model kernel: the world (customers, employees, networks, Mesa agent views), the
phases of a week, events, parameters and the OrganisationModel schedule.

It reads no files and imports nothing of the tools around it (scenario and client
files, results, studies, reports, validation, the page); tests/test_layout.py keeps it so.
What an extension needs (docs/extending.md) is importable from here.
"""

from .customers import ACTIVE, CHURNED, OUT, PROSPECT
from .model import OrganisationModel
from .params import Param, ParameterError, register_params
from .phases import Week
from .scenario import Scenario, ScenarioError
from .schedule import Phase, Schedule, ScheduleError
from .state import KEEP, Attr, Build, Context

__all__ = ["ACTIVE", "CHURNED", "KEEP", "OUT", "PROSPECT", "Attr", "Build", "Context",
           "OrganisationModel", "Param", "ParameterError", "Phase", "Scenario",
           "ScenarioError", "Schedule", "ScheduleError", "Week", "register_params"]
