"""A local HTTP service and review page over one loaded Tagger (`misconduct-tagger serve`).

Needs the `serve` extra (FastAPI, uvicorn). Nothing here is imported by the core: the service uses
the library, never the other way round. `create_app` is imported lazily so that the command line can
register `serve` without FastAPI installed.
"""

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
