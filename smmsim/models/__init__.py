"""Cascade models, by registry key."""

from smmsim.models.base import COUNT_COLUMNS, SERIES_COLUMNS, RawBatch
from smmsim.models.bass import BassDiffusion
from smmsim.models.ewom import EWOM
from smmsim.models.sir import SIR

#: Registry: scenario ``model:`` key -> model class.
MODELS = {"bass": BassDiffusion, "ewom": EWOM, "sir": SIR}

__all__ = ["COUNT_COLUMNS", "EWOM", "MODELS", "SERIES_COLUMNS", "RawBatch"]
