"""``smmsim app``: serve the browser app (what-if, compare, classroom)."""

from __future__ import annotations

import errno

import click

from smmsim.commands.common import BadInput, scenario_command, scenario_from_args


@scenario_command("app", required=False)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
    help="Port to serve on (0: any free port).",
)  # fmt: skip
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but 127.0.0.1 lets other machines use the app "
    "(a warning says so).",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser on the page.")
def app(scenario, port, host, no_browser) -> None:
    """Serve the browser app, showing SCENARIO first (the built-in product launch if
    omitted). Needs the app extra: pip install "smmsim[app]".

    Example: smmsim app scenarios/product_launch.yaml --port 8765
    """
    import warnings

    sc = scenario_from_args(scenario) if scenario is not None else None
    try:
        from smmsim.app.server import exposed, serve
    except ImportError as exc:
        raise click.ClickException(
            f'the app needs Panel ({exc.name} is missing): pip install "smmsim[app]"'
        ) from None
    if exposed(host):
        click.echo(
            f"Warning: bound to {host}: anyone who can reach this address can use the app "
            "(and this machine's processors) without logging in.",
            err=True,
        )

    def announce(url: str) -> None:
        click.echo(f"smmsim app: {url} (Ctrl-C stops it)")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # said above, in words
        try:
            serve(sc, host=host, port=port, show=not no_browser, announce=announce)
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
                raise
            raise BadInput(
                f"--host {host} --port {port}: cannot listen there ({exc.strerror}); "
                "choose another port (--port 0 picks a free one) or address"
            ) from None
