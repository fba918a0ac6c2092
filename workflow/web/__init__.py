"""The web app: facilitator dashboard, expert portal, advice and decision pages, JSON API."""

from workflow.web.server import create_app

__all__ = ["create_app"]
