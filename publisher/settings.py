"""One Settings object, built once and passed explicitly.

Precedence: defaults < TOML file < environment (``PUBLISHER_<NAME>``) < explicit overrides
(CLI flags). Every field has a default and a help text; ``tests/test_docs.py`` checks that
each one is documented in the README.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from publisher.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The values of ``sparql_current_state`` (see its help and docs/remote-stores.md).
CURRENT_STATE_MODES = ("union", "named", "default")


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration of the publisher: build, store and web site."""

    data_dir: Path = _setting(
        Path("data"), "Folder holding the published store, dumps and build versions."
    )
    base_uri: str = _setting(
        "http://localhost:8000/", "Base of every IRI we mint; must end with '/'."
    )
    store: str = _setting("oxigraph", "Store kind: 'oxigraph' (embedded) or 'sparql' (remote).")
    sparql_query_url: str | None = _setting(
        None, "Remote store: SPARQL 1.1 query endpoint URL (store = 'sparql')."
    )
    sparql_update_url: str | None = _setting(
        None, "Remote store: SPARQL 1.1 update endpoint URL (store = 'sparql')."
    )
    sparql_graph_store_url: str | None = _setting(
        None, "Remote store: Graph Store Protocol URL, used to load whole graphs with PUT."
    )
    sparql_current_state: str = _setting(
        "union",
        "Remote store: where queries find the current state. 'union': the server's own "
        "default graph as it is (Oxigraph's union default graph mixes every month); "
        "'named': queries name B id/actual (sent by push) as their default graph, for "
        "servers that still show named graphs then (Virtuoso); 'default': push also writes "
        "the current state into the server's default graph and queries name nothing (Oxigraph "
        "server without --union-default-graph). Old values: false = union, true = named.",
    )
    sparql_user: str | None = _setting(None, "Remote store: user name for HTTP basic auth.")
    sparql_password: str | None = _setting(None, "Remote store: password for HTTP basic auth.")
    query_timeout: float = _setting(
        30.0, "Seconds a SPARQL query may take, waiting included, before it is stopped."
    )
    sparql_workers: int = _setting(
        3, "Query processes of the fast lane, per web worker (see docs/sparql.md)."
    )
    sparql_fast_budget: float = _setting(
        2.0, "Seconds a query may run on the fast lane before it moves to the slow lane."
    )
    sparql_slow_queries: int = _setting(
        1, "Queries per web worker allowed past the fast budget at once; more get 503."
    )
    sparql_client_queries: int = _setting(
        2, "Queries one client address may have in flight at once, per web worker; more: 429."
    )
    max_rows: int = _setting(10000, "Most result rows the SPARQL endpoint returns for a query.")
    max_query_bytes: int = _setting(20000, "Largest SPARQL query text accepted, in bytes.")
    sparql_rate_limit: float = _setting(
        600.0, "Queries per minute each client address may send to /sparql (per worker); 0: off."
    )
    sparql_rate_burst: int = _setting(
        200, "Queries a client may send at once before sparql_rate_limit applies."
    )
    request_log: bool = _setting(
        True, "Write one JSON line per request (path, status, milliseconds) to stderr."
    )
    host: str = _setting("127.0.0.1", "Address the web server listens on.")
    port: int = _setting(8000, "Port the web server listens on.")
    workers: int = _setting(2, "Web server worker processes.")
    threads: int = _setting(
        8, "Threads per web worker; SPARQL queries may hold all but two of them at once."
    )
    site_dir: Path = _setting(
        PROJECT_ROOT / "site", "Folder with the site's templates/ and static/."
    )
    examples_dir: Path = _setting(
        PROJECT_ROOT / "examples" / "reports", "Reports built when 'build' is given no files."
    )
    max_report_bytes: int = _setting(
        16 * 1024 * 1024,
        "Largest report file parse and build read, in bytes; a larger one is refused.",
    )
    harvest_delay: float = _setting(1.0, "Harvest: seconds between two requests to one host.")
    harvest_hosts: int = _setting(4, "Harvest: hosts fetched from in parallel.")
    harvest_timeout: float = _setting(
        30.0, "Harvest: seconds to wait for a connection, and between bytes of an answer."
    )
    harvest_max_bytes: int = _setting(
        50 * 1024 * 1024, "Harvest: largest file downloaded, in bytes."
    )

    def validate(self) -> Settings:
        """Check values that cannot work; raise SettingsError naming the setting."""
        if not self.base_uri.startswith(("http://", "https://")) or not self.base_uri.endswith("/"):
            raise SettingsError(
                f"base_uri must be an http(s) URI ending with '/': {self.base_uri!r}"
            )
        if self.store not in ("oxigraph", "sparql"):
            raise SettingsError(f"store must be 'oxigraph' or 'sparql', not {self.store!r}")
        if self.store == "sparql" and not self.sparql_query_url:
            raise SettingsError("store 'sparql' needs sparql_query_url")
        if self.sparql_current_state not in CURRENT_STATE_MODES:
            raise SettingsError(
                "sparql_current_state must be one of "
                f"{', '.join(CURRENT_STATE_MODES)}, not {self.sparql_current_state!r}"
            )
        positive = ("query_timeout", "max_rows", "max_query_bytes", "workers", "threads")
        lanes = ("sparql_workers", "sparql_fast_budget", "sparql_slow_queries")
        harvest = ("harvest_hosts", "harvest_timeout", "harvest_max_bytes")
        for name in (*positive, *lanes, *harvest, "sparql_client_queries", "max_report_bytes"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name} must be positive, not {getattr(self, name)!r}")
        if self.harvest_delay < 0:
            raise SettingsError(f"harvest_delay must be >= 0, not {self.harvest_delay!r}")
        if self.sparql_rate_limit < 0 or self.sparql_rate_burst < 1:
            raise SettingsError("sparql_rate_limit must be >= 0 and sparql_rate_burst >= 1")
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be between 1 and 65535, not {self.port!r}")
        return self


def setting_help() -> dict[str, str]:
    """Each setting's name and help text, in declaration order."""
    return {f.name: f.metadata["help"] for f in fields(Settings)}


def _current_state_mode(raw: Any) -> Any:
    """``sparql_current_state``'s old boolean values as modes: false = union, true = named."""
    text = str(raw).strip().lower()
    if isinstance(raw, bool) or text in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        return "named" if text in ("1", "true", "yes", "on") else "union"
    return text


def _convert(name: str, raw: Any) -> Any:
    """Turn a TOML or environment value into the field's type."""
    if name == "sparql_current_state":
        return _current_state_mode(raw)
    default = Settings.__dataclass_fields__[name].default
    try:
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, bool):
            return str(raw).lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as err:
        raise SettingsError(f"setting {name}: cannot read {raw!r}: {err}") from err
    return None if raw == "" else str(raw)


def load(
    file: Path | None = None,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build Settings from defaults < TOML file < PUBLISHER_* environment < overrides.

    Overrides whose value is None are ignored, so CLI options can be passed straight in.
    """
    known = setting_help()
    values: dict[str, Any] = {}
    if file is not None:
        try:
            data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise SettingsError(f"{file}: cannot read settings: {err}") from err
        for name, raw in data.items():
            if name not in known:
                raise SettingsError(f"{file}: unknown setting {name!r}")
            values[name] = _convert(name, raw)
    environ = os.environ if env is None else env
    for name in known:
        raw = environ.get(f"PUBLISHER_{name.upper()}")
        if raw is not None:
            values[name] = _convert(name, raw)
    for name, value in overrides.items():
        if name not in known:
            raise SettingsError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = _current_state_mode(value) if name == "sparql_current_state" else value
    return replace(Settings(), **values).validate()
