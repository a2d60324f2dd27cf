"""CLI commands that live beside ``smmsim.cli``; each module defines one click command."""
