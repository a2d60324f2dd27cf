"""The command line's commands: one module per command (``run``, ``validate``,
``audience``, ``threshold``, ``sweep``, ``animate``), each defining one click command of
the same name, and :mod:`~smmsim.commands.common` for what they share. The group that
registers them is :mod:`smmsim.cli`."""
