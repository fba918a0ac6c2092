"""The routes, one module per audience; `register` mounts them all."""

from __future__ import annotations

from fastapi import FastAPI


def register(web: FastAPI) -> None:
    from workflow.web.routes import (
        api,
        auth,
        facilitator,
        facilitator_actions,
        mailbox,
        pages,
        portal,
        steps,
    )

    for module in (pages, auth, facilitator, facilitator_actions, mailbox, portal, steps, api):
        web.include_router(module.router)
