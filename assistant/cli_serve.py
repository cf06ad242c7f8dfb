"""`kenes serve`: the REST API and web chat under uvicorn. Mounted by `assistant.cli`."""

from __future__ import annotations


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build the container and run the app in one worker process: embedded Qdrant allows a
    single process per index, and the LLM gate and rate limits live in that process."""
    import uvicorn

    from assistant.api.app import create_app
    from assistant.container import Container

    container = Container()
    try:
        uvicorn.run(create_app(container), host=host, port=port, workers=1, log_level="info")
    finally:
        container.close()
