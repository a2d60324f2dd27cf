"""Serving the app: :func:`create_app` (one session's page) and :func:`serve`.

Every browser session gets its own page objects (forms, results, uploads), made by
:func:`create_app` when the session opens; nothing of one session is visible to
another. :func:`serve` binds ``127.0.0.1`` unless told otherwise, warns when bound to
any other address (the app has no log-in), and starts compiling the kernels in a
background thread at once, so the first Run seldom waits for them.
"""

from __future__ import annotations

import ipaddress
import logging
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smmsim.scenario import Scenario

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "exposed", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TITLE = "smmsim: word of mouth, what if?"

log = logging.getLogger("smmsim.app")


def exposed(host: str) -> bool:
    """Whether binding ``host`` lets other machines reach the app (anything but a
    loopback address or ``localhost``)."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def create_app(scenario: Scenario | None = None):
    """One session's page: the what-if, compare and classroom tabs.

    Parameters
    ----------
    scenario : Scenario, optional
        What the what-if page shows first (default: the built-in scenario).

    Returns
    -------
    panel.Column
    """
    import panel as pn

    from smmsim.app.classroom import Classroom
    from smmsim.app.compare_page import Compare
    from smmsim.app.uploads import Uploads
    from smmsim.app.whatif import WhatIf
    from smmsim.scenario import default_scenario

    uploads = Uploads()
    whatif = WhatIf(scenario if scenario is not None else default_scenario(), uploads)
    compare = Compare(lambda: whatif.form.scenario, uploads)
    classroom = Classroom()
    tabs = pn.Tabs(
        ("What-if", whatif.view()),
        ("Compare", compare.view()),
        ("Classroom", classroom.view()),
        dynamic=True,  # a tab is sent to the browser when first opened
        sizing_mode="stretch_width",
        css_classes=["pages"],
    )

    def opened(event) -> None:
        if event.new == 2:
            pn.state.execute(classroom.shown)

    tabs.param.watch(opened, "active")
    if pn.state.curdoc is not None:
        try:
            pn.state.on_session_destroyed(lambda ctx: (uploads.close(), classroom.close()))
        except Exception:  # outside a server (a notebook): nothing to clean at exit
            pass
    header = pn.pane.HTML(
        "<h2 style='margin:4px 0'>smmsim: how far will word of mouth carry it?</h2>",
        sizing_mode="stretch_width",
    )
    page = pn.Column(header, tabs, sizing_mode="stretch_width", css_classes=["smmsim-app"])
    page.whatif, page.compare, page.classroom = whatif, compare, classroom
    return page


def serve(
    scenario: Scenario | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    show: bool = True,
    threaded: bool = False,
    announce: Callable[[str], None] | None = None,
    **kwargs: Any,
):
    """Serve the app on ``host:port`` (``port=0``: a free port).

    Parameters
    ----------
    scenario : Scenario, optional
        What every new session's what-if page shows first.
    host : str
        Address to bind (default ``127.0.0.1``: this machine only). Any other address
        draws a warning: whoever reaches it can run simulations on this machine.
    port : int
    show : bool
        Open a browser on the page (where one exists).
    threaded : bool
        Serve from a thread and return it (``.stop()`` ends it); otherwise serve until
        interrupted.
    announce : callable, optional
        ``announce(url)`` once the server listens, before it blocks.
    **kwargs
        Passed to :func:`panel.serve`.

    Returns
    -------
    The server thread (``threaded``) or the server, once stopped.
    """
    import panel as pn

    from smmsim.app.jobs import warm_up

    if exposed(host):
        warnings.warn(
            f"smmsim app is bound to {host}: anyone who can reach this address can use "
            "it (and this machine's processors) without logging in; bind 127.0.0.1 "
            "unless that is what you want",
            stacklevel=2,
        )
    warm_up()
    if kwargs.get("websocket_origin") is None:
        local = [f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
        kwargs["websocket_origin"] = local if port else "*"
    # uploads arrive as one message: room for the largest edge list, base64-encoded
    kwargs.setdefault("websocket_max_message_size", 32 * 2**20)
    options = dict(port=port, address=host, title=TITLE, verbose=False, **kwargs)
    page = {"/": lambda: create_app(scenario)}
    if threaded:
        return pn.serve(page, show=show, threaded=True, **options)
    server = pn.serve(page, show=False, start=False, **options)
    url = f"http://{'localhost' if not exposed(host) else host}:{server.port}/"
    if announce is not None:
        announce(url)
    if show:
        import webbrowser

        try:
            webbrowser.open(url)
        except Exception:  # no browser here: the address was printed
            pass
    server.start()
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return server
