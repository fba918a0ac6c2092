"""A real OpenID Connect provider for the tests: the certified npm package `oidc-provider`.

The package is installed outside the checkout, in `oidc-provider-test` beside it (or where
HOTSPOT_OIDC_PROVIDER_HOME says), by `make oidc-provider` or, when it is missing, by the
first test that needs it, so a fresh machine with node and npm needs nothing else. The
provider itself is tests/e2e/oidc/provider.mjs: one client, the package's development login
and consent pages, and accounts whose claims carry a role.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "oidc" / "provider.mjs"
HOME = Path(os.environ.get("HOTSPOT_OIDC_PROVIDER_HOME") or ROOT.parent / "oidc-provider-test")
# The major the provider script is written for (it runs on Node.js 18, 20 and 22).
PACKAGE = "oidc-provider@8"
CLIENT_ID = "hotspotmonitor"
CLIENT_SECRET = "test-geheim-van-de-client-0123456789"

_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>', re.IGNORECASE)


def ensure_installed() -> Path:
    """The folder holding node_modules/oidc-provider; installed there with npm when missing."""
    if (HOME / "node_modules" / "oidc-provider" / "package.json").exists():
        return HOME
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.fail(
            "node and npm are needed for the OpenID Connect tests (make test installs them)"
        )
    HOME.mkdir(parents=True, exist_ok=True)
    with (HOME / ".install.lock").open("w") as lock:
        # Two test processes at once install it once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (HOME / "node_modules" / "oidc-provider" / "package.json").exists():
            manifest = HOME / "package.json"
            if not manifest.exists():
                manifest.write_text('{"name": "oidc-provider-test", "private": true}\n')
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", PACKAGE],
                cwd=HOME,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                pytest.fail(f"npm install {PACKAGE} failed:\n{done.stdout}\n{done.stderr}")
    return HOME


@contextmanager
def provider(port: int, redirect_uri: str) -> Iterator[str]:
    """The provider on `port` until the block ends; yields its issuer URL."""
    home = ensure_installed()
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(port), redirect_uri, CLIENT_ID, CLIENT_SECRET],
        env={**os.environ, "OIDC_PROVIDER_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"the OpenID provider exited:\n{output}")
            try:
                found = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
                if found.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the OpenID provider did not start")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def follow(
    client: httpx.Client, response: httpx.Response, stop: str | None = None
) -> httpx.Response | str:
    """Follow redirects as a browser does; the URL itself when it starts with `stop`."""
    while response.is_redirect:
        url = urljoin(str(response.url), response.headers["location"])
        if stop is not None and url.startswith(stop):
            return url
        response = client.get(url)
    return response


def submit(client: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    """Post the page's form (its hidden fields and `fields`), as the person would."""
    form = _FORM.search(page.text)
    assert form, f"no form on {page.url}:\n{page.text[:500]}"
    data = dict(_HIDDEN.findall(page.text))
    data.update(fields)
    return client.post(urljoin(str(page.url), form.group(1)), data=data)


def sign_in_at_provider(
    client: httpx.Client, base: str, login: str, *, stop: str | None = None
) -> httpx.Response | str:
    """From our "Inloggen via" link through the provider's login and consent pages and back.

    With `stop`, the redirect to a URL starting with it is returned unfollowed (the callback,
    to tamper with it); otherwise the page the browser ends on.
    """
    page = follow(client, client.get(f"{base}/login/oidc?next=/procedures"), stop)
    assert isinstance(page, httpx.Response) and 'name="login"' in page.text, page
    after_login = follow(client, submit(client, page, login=login, password="wat-dan-ook"), stop)
    if isinstance(after_login, str) or 'name="prompt" value="consent"' not in after_login.text:
        return after_login
    return follow(client, submit(client, after_login), stop)
