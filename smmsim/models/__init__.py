"""Cascade models, by registry key."""

from smmsim.models.base import COUNT_COLUMNS, SERIES_COLUMNS, Model, RawBatch
from smmsim.models.bass import BassDiffusion
from smmsim.models.calendar import Calendar, calendar_of
from smmsim.models.competition import Competition, competes
from smmsim.models.complex_contagion import ComplexContagion
from smmsim.models.ewom import EWOM
from smmsim.models.sir import SIR
from smmsim.models.social_proof import SocialProof

#: Registry: scenario ``model:`` key -> model class.
MODELS = {
    "ewom": EWOM,
    "social_proof": SocialProof,
    "complex_contagion": ComplexContagion,
    "bass": BassDiffusion,
    "sir": SIR,
}


def model_of(scenario) -> Model:
    """The model a validated scenario runs: its ``model:``, or the competing-contents
    model of the default one when the scenario has a competitor, a claim, a response
    or customer service, or the content calendar's when it has posts or fatigue (one
    plain post: the default model, see :func:`~smmsim.models.calendar.calendar_of`)."""
    if competes(scenario.data):
        return Competition.from_scenario(scenario)
    calendar = calendar_of(scenario)
    if calendar is not None:
        return calendar
    return MODELS[scenario.data["model"]].from_scenario(scenario)


__all__ = [
    "COUNT_COLUMNS",
    "EWOM",
    "MODELS",
    "SERIES_COLUMNS",
    "SIR",
    "BassDiffusion",
    "Calendar",
    "Competition",
    "ComplexContagion",
    "Model",
    "RawBatch",
    "SocialProof",
    "model_of",
]
