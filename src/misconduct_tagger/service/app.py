"""The HTTP service: `create_app` builds a FastAPI app around one loaded Tagger.

Routes: `GET /health`, `POST /v1/tag`, `GET /v1/taxonomy`, the review queue under `/v1/review`, the
review page at `/` with its files under `/static/`, and the generated API docs at `/docs`.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Path as PathParam, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..tagger import Tagger
from .guards import BodyLimit, SecurityHeaders, TokenGuard
from .review import AlreadyDecided, ReviewSession
from .schemas import DecisionRequest, TagRequest, error_body, field_name

# A report longer than this is refused (413): 100,000 characters take the tagger about 1.2 s, and no
# single complaint or case notice comes near it. Split longer documents before sending them.
MAX_TEXT_CHARS = 100_000
# A request body over this many bytes is refused (413) before it is parsed.
MAX_BODY_BYTES = 1_000_000
# Reports in one `texts` batch.
MAX_BATCH = 1_000
# One colour a category, in taxonomy order: light enough to read black text on, and labels that often come
# together (瞒报谎报 and 弄虚作假; 擅离职守, 不担当不作为 and 失职渎职) far apart in hue.
PALETTE = ("#ffd166", "#8ecae6", "#f4a6a6", "#c7b8ea", "#ffb677", "#80d8c3", "#f7c6e0", "#b5e48c", "#d9c27a",
           "#a8c5ff", "#cfd8dc", "#bcaaa4", "#e8a0ff", "#a3d9a5")
STATIC_TYPES = {"review.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                "swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}


def _static_files() -> dict[str, bytes]:
    """The page's files and Swagger UI's (from the swagger-ui-bundle-v2 package, so /docs needs no CDN),
    read once: requests pick from this dict by name, so no path a client sends reaches the file system."""
    from swagger_ui_bundle import swagger_ui_path

    folder = resources.files(__package__) / "static"
    files = {name: (folder / name).read_bytes() for name in ("index.html", "review.js", "style.css")}
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        files[name] = (Path(swagger_ui_path) / name).read_bytes()
    return files


def create_app(tagger: Tagger, *, review: Path | str | None = None, corrections: Path | str | None = None,
               token: str | None = None, allowed_hosts: list[str] | None = None) -> FastAPI:
    """The app for one loaded tagger. `review` (a queue file) needs `corrections` (where decisions go);
    `token` makes every request need `Authorization: Bearer <token>`; `allowed_hosts` refuses other
    Host headers (the command line passes the loopback names, against DNS rebinding)."""
    if (review is None) != (corrections is None):
        raise ValueError("a review queue and a corrections file go together")
    session = ReviewSession.open(Path(review), Path(corrections), tagger) if review is not None else None
    files = _static_files()
    lock = threading.Lock()  # one tagger, one report at a time: spaCy and pkuseg are not documented thread-safe
    colours = {category.id: PALETTE[i % len(PALETTE)] for i, category in enumerate(tagger.taxonomy)}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if session is not None:
            session.log.close()

    app = FastAPI(title="misconduct-tagger", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Tag Chinese discipline-inspection reports with misconduct categories, each label "
                              "with its evidence. Every refusal is JSON: {error, field, message}.")
    app.state.tagger = tagger
    app.state.review = session
    _install_error_handlers(app)

    @app.get("/health", summary="liveness and the versions of library, rules and model")
    def health() -> dict:
        return {"status": "ok", "versions": tagger.versions}

    @app.post("/v1/tag", summary="tag one report (text) or a batch (texts)",
              responses={413: {"description": "a text over 100,000 characters, over 1,000 texts, or a body over 1 MB"},
                         400: {"description": "malformed JSON"}, 422: {"description": "wrong or missing fields"}})
    def tag(request: TagRequest) -> JSONResponse:
        """`{"text": ...}` gives the result as `TagResult.to_dict()` does; `{"texts": [...]}` gives
        `{"results": [...]}` in input order, tagged as one batch."""
        if (request.text is None) == (request.texts is None):
            return _refuse(422, "invalid request", "text", "give either text (one report) or texts (a list), not both or neither")
        if request.texts is not None and len(request.texts) > MAX_BATCH:
            return _refuse(413, "payload too large", "texts", f"{len(request.texts)} texts; at most {MAX_BATCH:,} a request")
        texts = [request.text] if request.text is not None else request.texts
        names = ["text"] if request.text is not None else [f"texts[{i}]" for i in range(len(texts))]
        for name, text in zip(names, texts):
            if len(text) > MAX_TEXT_CHARS:
                return _refuse(413, "payload too large", name,
                               f"{len(text):,} characters; at most {MAX_TEXT_CHARS:,} a text (split longer documents)")
            if not _encodable(text):
                return _refuse(422, "invalid request", name, "holds an unpaired surrogate (\\ud800-\\udfff); send UTF-16 pairs")
        with lock:
            results = [r.to_dict() for r in tagger.tag_many(texts)]
        return JSONResponse(results[0] if request.text is not None else {"results": results})

    @app.get("/v1/taxonomy", summary="the categories, with their Chinese names and the page's colours")
    def taxonomy() -> dict:
        return {"categories": [{"id": c.id, "name": c.name, "gloss": c.gloss, "colour": colours[c.id]}
                               for c in tagger.taxonomy]}

    @app.get("/v1/review", summary="the review queue's progress")
    def review_state() -> JSONResponse:
        if session is None:
            return _no_queue()
        return JSONResponse({"total": len(session.items), "decided": session.decided_count,
                             "first_open": session.first_open()})

    @app.get("/v1/review/items/{position}", summary="a queue item, most uncertain first (position 0)")
    def review_item(position: int = PathParam(ge=0)) -> JSONResponse:
        if session is None:
            return _no_queue()
        if position >= len(session.items):
            return _refuse(404, "not found", "position", f"the queue has {len(session.items)} items")
        item = session.items[position]
        return JSONResponse({
            "position": position, "total": len(session.items), "decided": session.decided_count,
            "id": item.id, "text": item.text, "style": item.style, "result": item.result.to_dict(),
            "uncertainty": item.uncertainty, "reason": item.reason, "disagreement": list(item.disagreement),
            "decision": session.decision(position),
        })

    @app.post("/v1/review/items/{position}/decision", summary="file the reviewer's labels for a queue item")
    def review_decide(decision: DecisionRequest, position: int = PathParam(ge=0)) -> JSONResponse:
        """Appends `{id, text, labels, style?, reviewed_by?, reviewed_at, tagger_labels, versions}` to
        the corrections file, flushed and fsync'd before answering. A decided item stays decided (409)."""
        if session is None:
            return _no_queue()
        if position >= len(session.items):
            return _refuse(404, "not found", "position", f"the queue has {len(session.items)} items")
        if decision.id != session.items[position].id:
            return _refuse(409, "conflict", "id", f"the item at {position} is {session.items[position].id!r}, "
                                                  f"not {decision.id!r}; reload the page")
        try:
            record = session.decide(position, decision.labels, decision.reviewer)
        except ValueError as exc:
            return _refuse(422, "invalid request", "labels", str(exc))
        except AlreadyDecided:
            return _refuse(409, "conflict", "id", f"{decision.id!r} is already decided; the first decision stands")
        return JSONResponse({"record": record, "decided": session.decided_count, "total": len(session.items),
                             "next_open": session.first_open()})

    @app.get("/", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(files["index.html"])

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="misconduct-tagger API",
                                   swagger_js_url="/static/swagger-ui-bundle.js", swagger_css_url="/static/swagger-ui.css",
                                   swagger_favicon_url="/favicon.ico")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)  # no icon, and no 404 in the browser's console

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC_TYPES:
            return _refuse(404, "not found", "name", "no such file")
        return Response(files[name], media_type=STATIC_TYPES[name])

    # Outermost first: hosts, then the token, then the body limit, then the routes.
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    if token:
        app.add_middleware(TokenGuard, token=token)
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(status: int, error: str, field: str, message: str) -> JSONResponse:
    return JSONResponse(error_body(error, field, message), status_code=status)


def _no_queue() -> JSONResponse:
    return _refuse(404, "not found", "review", "no review queue: start serve with --review QUEUE.jsonl "
                                                "--corrections OUT.jsonl")


def _install_error_handlers(app: FastAPI) -> None:
    """Malformed JSON is 400, wrong types 422, each naming the field; nothing a client sends is a 500."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and "json" not in content_type.lower():
            return _refuse(415, "unsupported media type", "Content-Type",
                           f"{content_type or 'none'}; send the body as JSON with Content-Type: application/json")
        broken = next((e for e in errors if e.get("type") == "json_invalid"), None)
        if broken is not None:
            reason = (broken.get("ctx") or {}).get("error", "not valid JSON")
            return _refuse(400, "malformed JSON", "body", f"not valid JSON ({reason})")
        details = [{"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in errors]
        first = details[0] if details else {"field": "body", "message": "invalid"}
        return JSONResponse(error_body("invalid request", first["field"], first["message"], errors=details),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's own: a body it could not decode
            return _refuse(400, "malformed JSON", "body", "not valid JSON in UTF-8")
        return JSONResponse(error_body(str(exc.detail).lower(), "path" if exc.status_code in (404, 405) else "request",
                                       str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"error": "internal error", "field": None, "message": "the server failed; see its log"},
                            status_code=500)
