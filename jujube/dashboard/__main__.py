"""`python -m jujube.dashboard`: serve the managers' dashboard."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from jujube import JujubeError
from jujube.dashboard import DashboardError

logger = logging.getLogger(__name__)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the dashboard until interrupted; returns the exit code."""
    import uvicorn

    from jujube.dashboard.app import create_app
    from jujube.dashboard.settings import load_settings

    try:
        settings = load_settings()
    except JujubeError as exc:
        print(f"jujube dashboard: {exc}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m jujube.dashboard", description=__doc__)
    parser.add_argument("--host", default=settings.host, help=f"address to listen on (default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (default {settings.port})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings, warm=True)
    except DashboardError as exc:
        print(f"jujube dashboard: {exc}", file=sys.stderr)
        return 2
    from sqlalchemy.engine import make_url

    where = make_url(settings.database_url or "").render_as_string(hide_password=True)
    print(f"Jujube dashboard on http://{args.host}:{args.port}/ (database {where})", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, ws="none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
