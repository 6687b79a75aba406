"""``python -m local_athena [--port N]``: serve the demo until SIGTERM/SIGINT.

Why: black-box tests and the demo run the connector as a subprocess against a server in another process;
the first stdout line is the URL (flushed) so the caller can read it and set AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import LocalAthena


def main(argv: list[str] | None = None) -> int:
    """Start, print the URL, wait for a signal, stop cleanly."""
    parser = argparse.ArgumentParser(prog="python -m local_athena")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    args = parser.parse_args(argv)
    done = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    athena = LocalAthena(port=args.port).start()
    try:
        if not args.no_demo:
            athena.load_demo()
        print(athena.url, flush=True)
        while not done.wait(0.5):
            pass
    finally:
        athena.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
