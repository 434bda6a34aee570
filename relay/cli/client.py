"""Talking to the running daemon over its loopback HTTP API (stdlib only: starts fast)."""

from __future__ import annotations

import json
import stat
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from relay.daemon.config import DaemonConfig, load_config
from relay.errors import AuthError, ControlError, DaemonUnreachableError

DEFAULT_CONFIG = Path("/etc/noodrelay/relay.toml")
TIMEOUT_S = 15


class DaemonClient:
    def __init__(self, config: DaemonConfig) -> None:
        self.config = config
        self.base = config.control_url

    @classmethod
    def from_file(cls, path: Path) -> DaemonClient:
        return cls(load_config(path))

    def _token(self) -> str:
        try:
            path = self.config.token_file
            mode = path.stat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):  # refused like a private key
                raise AuthError(
                    f"the control token {path} is readable by others "
                    f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}"
                )
            return path.read_text(encoding="ascii").strip()
        except OSError as err:
            raise AuthError(
                f"cannot read the control token {self.config.token_file} ({err.strerror}); "
                "run this as the daemon's user (or with sudo)"
            ) from err

    def call(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        json_body: Any = None,
        auth: bool = False,
        text: bool = False,
    ) -> Any:
        """The JSON answer (``text=True``: the body as text, e.g. a CSV export)."""
        headers = {"Accept": "application/json"}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif body is not None:
            headers["Content-Type"] = "application/octet-stream"
        if auth:
            headers["Authorization"] = f"Bearer {self._token()}"
        # The base URL is always http://host:port built from the config (never file:).
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
                data = response.read()
                return data.decode("utf-8") if text else json.loads(data or b"null")
        except urllib.error.HTTPError as err:
            raise self._error(err) from err
        except (urllib.error.URLError, OSError) as err:
            raise DaemonUnreachableError(
                f"no noodrelay daemon answers at {self.base} ({getattr(err, 'reason', err)}); "
                "is `relay run` running (systemctl status noodrelay)?"
            ) from err

    @staticmethod
    def _error(err: urllib.error.HTTPError) -> ControlError:
        try:
            detail = json.loads(err.read())
            message = detail.get("error", str(err))
        except ValueError:
            message = str(err)
        if err.code == 401:
            return AuthError(message)
        return ControlError(message)
