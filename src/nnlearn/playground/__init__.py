"""The playground: a page, served locally, on which a network trains live on 2-D data.

``nnlearn playground`` (``serve``) starts it; ``create_app`` is the Starlette
app. The server needs the ``playground`` extra (Starlette, uvicorn); the rest of
nnlearn does not, so nothing here is imported until asked for.
"""

__all__ = ["create_app", "serve"]


def __getattr__(name):
    if name == "create_app":
        from .server import create_app
        return create_app
    if name == "serve":
        from .serve import serve
        return serve
    raise AttributeError(name)
