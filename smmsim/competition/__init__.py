"""Competing word of mouth: share of voice, a false claim's damage and the brand's
response time (the model is :mod:`smmsim.models.competition`)."""

from smmsim.competition.voice import voice_columns, voice_summary

__all__ = ["voice_columns", "voice_summary"]
