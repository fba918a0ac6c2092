"""The routes, one module per audience; `register` mounts them all."""

from __future__ import annotations

from fastapi import FastAPI


def register(web: FastAPI) -> None:
    from workflow.web.routes import (
        api,
        auth,
        documents,
        facilitator,
        facilitator_actions,
        mailbox,
        pages,
        portal,
        steps,
    )

    modules = (pages, auth, facilitator, facilitator_actions, documents, mailbox, portal, steps)
    for module in (*modules, api):
        web.include_router(module.router)
