"""The command line's commands: one module per command (``run``, ``validate``,
``audience``, ``threshold``, ``sweep``, ``animate``), each defining one click command of
the same name, :mod:`~smmsim.commands.common` for what they share and
:mod:`~smmsim.commands.options` for the options several of them take. The group that
registers them is :mod:`smmsim.cli`."""
