"""`misconduct-tagger serve`: its arguments and its command, kept beside the service so that the main
command line only registers it. Importing this module needs nothing beyond the standard library."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import re
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_ENV = "MISCONDUCT_TAGGER_TOKEN"
MIN_TOKEN_CHARS = 16
INSTALL_HINT = ("misconduct-tagger serve needs the 'serve' extra (FastAPI and uvicorn): "
                "pip install 'misconduct-tagger[serve]'")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `serve` on the main command line's subcommands."""
    serve = subparsers.add_parser(
        "serve", help="a local HTTP service (POST /v1/tag) and review page; needs the 'serve' extra",
        description="Tag over HTTP and review labels in a browser. Binds 127.0.0.1 unless --host is given "
                    "with a token; see README, 'HTTP service and review page'.")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST}); any "
                       "other than a loopback address needs --token")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--review", metavar="QUEUE.jsonl", help="a `tag` or `evaluate --disagreements` output to "
                       "review, most uncertain first (needs --corrections)")
    serve.add_argument("--corrections", metavar="OUT.jsonl", help="append each review decision here, in the "
                       "training format; a restart skips the reports already in it")
    serve.add_argument("--token", help=f"require 'Authorization: Bearer TOKEN' on every request (at least "
                       f"{MIN_TOKEN_CHARS} characters; or set {TOKEN_ENV}, which the process list does not show)")
    serve.add_argument("--model", help="model folder (default: the shipped model)")
    serve.add_argument("--rules-dir", help="rules folder (default: the shipped rules)")
    serve.set_defaults(func=cmd_serve)
    return serve


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_options(host: str, token: str | None, review: str | None, corrections: str | None) -> str | None:
    """The reason the options cannot be served, or None."""
    if not is_loopback(host) and not token:
        return (f"refusing to serve on {host} without a token: other machines could read and tag reports. "
                f"Give --token (or {TOKEN_ENV}), or bind {DEFAULT_HOST}")
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        return (f"the token must have at least {MIN_TOKEN_CHARS} characters; make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(24))'")
    if review and not corrections:
        return "--review needs --corrections OUT.jsonl, where the decisions go"
    if corrections and not review:
        return "--corrections needs --review QUEUE.jsonl, the reports to decide"
    if review and not Path(review).is_file():
        return f"--review {review}: no such file"
    return None


class RedactToken(logging.Filter):
    """Keeps `?token=...` of the page's first request out of the access log."""

    PATTERN = re.compile(r"(token=)[^&\s]*")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.PATTERN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        return True


def cmd_serve(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get(TOKEN_ENV) or None
    problem = check_options(args.host, token, args.review, args.corrections)
    if problem:
        print(f"misconduct-tagger serve: error: {problem}", file=sys.stderr)
        return 2
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        print(f"misconduct-tagger: error: {INSTALL_HINT}", file=sys.stderr)
        return 2
    from ..tagger import Tagger, freeze_loaded_objects
    from .app import create_app

    tagger = Tagger.load(args.model, rules=args.rules_dir)
    # Only for loopback without a token: refuse other Host headers, so a web page cannot reach the
    # service through DNS rebinding. With a token, the token guards.
    hosts = ["127.0.0.1", "localhost"] if not token and ":" not in args.host else None
    app = create_app(tagger, review=args.review, corrections=args.corrections, token=token, allowed_hosts=hosts)
    freeze_loaded_objects()  # a long-running process: keep pkuseg's millions of strings out of GC walks
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"misconduct-tagger serve: http://{shown}:{args.port}/ (API docs at /docs)"
          + (f"; open http://{shown}:{args.port}/?token=<token> once in the browser" if token else ""), file=sys.stderr)
    if app.state.review is not None:
        session = app.state.review
        print(f"reviewing {args.review}: {len(session.items)} reports, {session.decided_count} already decided "
              f"-> {args.corrections}", file=sys.stderr)
    config = uvicorn.Config(app, host=args.host.strip("[]"), port=args.port, workers=1, log_level="info")
    logging.getLogger("uvicorn.access").addFilter(RedactToken())
    uvicorn.Server(config).run()
    return 0
