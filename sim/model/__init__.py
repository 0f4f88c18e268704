"""The model kernel: the world (customers, employees, networks, Mesa agent views), the
phases of a week, events, parameters and the OrganisationModel schedule.

It reads no files and imports nothing of the tools around it (scenario and client
files, results, studies, reports, validation, the page); tests/test_layout.py keeps it so.
"""

from .model import OrganisationModel
from .scenario import Scenario, ScenarioError

__all__ = ["OrganisationModel", "Scenario", "ScenarioError"]
