"""Cascade models, by registry key."""

from smmsim.models.base import COUNT_COLUMNS, SERIES_COLUMNS, Model, RawBatch
from smmsim.models.bass import BassDiffusion
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

__all__ = [
    "COUNT_COLUMNS",
    "EWOM",
    "MODELS",
    "SERIES_COLUMNS",
    "SIR",
    "BassDiffusion",
    "ComplexContagion",
    "Model",
    "RawBatch",
    "SocialProof",
]
