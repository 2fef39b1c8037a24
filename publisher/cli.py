"""The ``lotaip-lod`` command line: a thin layer over the library.

Each command parses its options, calls one library function, prints a short summary and
turns ``PublisherError`` into a one-line error with a non-zero exit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from publisher.errors import PublisherError
from publisher.settings import Settings, load

if TYPE_CHECKING:
    from publisher.harvest.run import HarvestResult


@click.group()
@click.version_option(package_name="lotaip-lod")
def cli() -> None:
    """Publish Ecuador's LOTAIP goals-and-targets reports as linked open data."""


@cli.command("build")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Data folder (setting data_dir).")
@click.option("--base-uri", help="Base of every IRI we mint (setting base_uri).")
@click.option("--quiet", is_flag=True, help="No progress bar; print only the summary.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: per core).")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Build the reports listed in this CSV/JSON/YAML file (file or http(s) URL, "
    "institution, period) instead of FILES. URLs are fetched.",
)
@click.option("--full", is_flag=True, help="Rebuild every report, even unchanged ones.")
def build_command(
    files: tuple[Path, ...],
    out: Path | None,
    base_uri: str | None,
    quiet: bool,
    jobs: int | None,
    manifest: Path | None,
    full: bool,
) -> None:
    """Parse, map, validate and publish FILES or folders (default: the examples) as a new
    version; only new or changed reports are rebuilt."""
    from publisher.build.pipeline import build  # imported here: pyshacl is slow to import

    if manifest is not None and files:
        raise click.UsageError("give FILES or --manifest, not both")
    try:
        settings = load(data_dir=out, base_uri=base_uri)
        with _progress_bar(quiet) as progress:
            result = build(
                list(files),
                settings,
                quiet=quiet,
                progress=progress,
                jobs=jobs,
                manifest=manifest,
                incremental=not full,
            )
        if not quiet:  # like a compiler's: one located line each, on stderr
            for line in result.warning_lines():
                click.echo(line, err=True)
        click.echo(result.summary())
        if settings.store == "sparql":  # the remote store gets what was published
            _push(settings, full=False)
    except PublisherError as err:
        raise click.ClickException(str(err)) from err


def _push(settings: Settings, full: bool) -> None:
    """Push the published version to the remote store and print what was sent."""
    from publisher.build.push import push

    click.echo(push(settings, full=full).summary())


@cli.command("push")
@click.option("--full", is_flag=True, help="Resend every graph, whatever was pushed before.")
def push_command(full: bool) -> None:
    """Send the published version to the remote store (store = 'sparql'): only graphs new
    or changed since the last push, withdrawn ones removed, then mark its version.
    'build' does this itself; run it to retry a failed push without rebuilding."""
    try:
        _push(load(), full)  # push() refuses a store that is not remote
    except PublisherError as err:
        raise click.ClickException(str(err)) from err


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A rich progress bar on stderr fed by the build's progress callback."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("building", total=None)

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        yield advance


@cli.command("parse")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--institution", metavar="ID", help="Registry id of the publisher (else inferred).")
def parse_command(file: Path, institution: str | None) -> None:
    """Print the report FILE (.txt/.tsv/.csv/.xlsx/.xls/.ods/.html/.docx/.pdf) parsed, as
    JSON. A numeral 1.3 report: its data file (siblings found beside it) or the folder
    holding its three files."""
    import json

    from publisher.parse import parse_file

    try:
        report = parse_file(file, institution, load().max_report_bytes)
    except PublisherError as err:
        raise click.ClickException(str(err)) from err
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))


@cli.command("validate")
@click.argument("data_dir", required=False, type=click.Path(path_type=Path))
def validate_command(data_dir: Path | None) -> None:
    """Print the published SHACL validation report of DATA_DIR; fail on violations."""
    from publisher.build.publish import published_validation

    try:
        report = published_validation(data_dir or load().data_dir)
    except PublisherError as err:
        raise click.ClickException(str(err)) from err
    verdict = "conforms" if report.conforms else "does not conform"
    click.echo(
        f"version {report.version}: {verdict}; {len(report.violations)} violation(s), "
        f"{len(report.warnings)} warning(s), {len(report.infos)} note(s)"
    )
    for kind, lines in (("violation", report.violations), ("warning", report.warnings)):
        for line in lines:
            click.echo(f"{kind}: {line}")
    if report.violations:
        raise SystemExit(1)


@cli.command("serve")
@click.option("--data", type=click.Path(path_type=Path), help="Data folder (setting data_dir).")
@click.option("--host", help="Address to listen on (setting host).")
@click.option("--port", type=int, help="Port to listen on (setting port).")
@click.option("--workers", type=int, help="Worker processes (setting workers).")
@click.option(
    "--base-uri", help="Base URI the data was built under (setting base_uri; default: the build's)."
)
@click.option("--debug", is_flag=True, help="Flask's development server with reloader.")
def serve_command(
    data: Path | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    base_uri: str | None,
    debug: bool,
) -> None:
    """Serve the published data: pages, documents, SPARQL (gunicorn; --debug: Flask)."""
    import os

    from publisher.serve import serve

    def announce(served: Settings) -> None:
        click.echo(
            f"serving {served.data_dir} (base URI {served.base_uri}) "
            f"on http://{served.host}:{served.port}/"
        )

    try:
        settings = load(data_dir=data, host=host, port=port, workers=workers, base_uri=base_uri)
        given = base_uri is not None or "PUBLISHER_BASE_URI" in os.environ
        serve(settings, debug=debug, announce=announce, base_uri_given=given)
    except PublisherError as err:
        raise click.ClickException(str(err)) from err


@cli.command("mark-version")
@click.argument("version", required=False)
def mark_version_command(version: str | None) -> None:
    """Record VERSION (default: the published build's, else a new one) as the version the
    remote store holds (store = 'sparql'), after loading it by other means: the site's
    caches then drop every older answer."""
    from publisher.build.publish import read_manifest
    from publisher.store.remote import RemoteStore

    try:
        settings = load()
        if settings.store != "sparql":
            raise click.ClickException("mark-version is for a remote store (store = 'sparql')")
        manifest = read_manifest(settings.data_dir) if version is None else None
        marked = RemoteStore.from_settings(settings).mark_version(
            version or (manifest or {}).get("version")
        )
    except PublisherError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{settings.sparql_query_url} holds dataset version {marked}")


@cli.command("link")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--units", is_flag=True, help="List every unit with its functions.")
def link_command(files: tuple[Path, ...], units: bool) -> None:
    """Match FILES' institutions to the registry and classify their units (default: examples)."""
    from publisher.enrichment.link import describe_links, discover_files

    try:
        found = discover_files(list(files) or [load().examples_dir])
    except PublisherError as err:
        raise click.ClickException(str(err)) from err
    click.echo("\n".join(describe_links(found, units=units)))


@cli.command("synth")
@click.option("--reports", "count", type=click.IntRange(min=1), help="How many.")
@click.option(
    "--institutions",
    type=click.IntRange(min=1),
    help="Spread the reports over N synthetic institutions (synth-0000…), one a month each;"
    " default: the registry's 9.",
)
@click.option(
    "--months",
    type=click.IntRange(min=1),
    help="With --institutions: M months of reports each (--reports defaults to N×M).",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option(
    "--units", type=click.IntRange(min=1), default=12, show_default=True, help="Units per report."
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["txt", "csv"]),
    multiple=True,
    default=("txt",),
    show_default=True,
    help="File format; repeat for several.",
)
def synth_command(
    count: int | None,
    institutions: int | None,
    months: int | None,
    out: Path,
    seed: int,
    units: int,
    formats: tuple[str, ...],
) -> None:
    """Write synthetic literal a4 reports (real layouts and quirks) to OUT, for testing."""
    from publisher.synth import synth_reports

    if months is not None and institutions is None:
        raise click.UsageError("--months needs --institutions")
    if count is None and months is None:
        raise click.UsageError("give --reports, or --institutions and --months")
    count = count if count is not None else (institutions or 1) * (months or 1)
    written = synth_reports(
        count, out, seed=seed, units=units, formats=formats, institutions=institutions
    )
    click.echo(f"wrote {len(written)} file(s) to {out}")


@cli.command("harvest")
@click.argument("sources", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True,
    help="Folder keeping each institution's files, one folder per month.",
)  # fmt: skip
@click.option("--data", type=click.Path(path_type=Path), help="Data folder (setting data_dir).")
@click.option("--base-uri", help="Base of every IRI we mint (setting base_uri).")
@click.option("--no-build", is_flag=True, help="Only fetch; do not build what changed.")
@click.option("--quiet", is_flag=True, help="No progress bar; print only the summary.")
def harvest_command(
    sources: Path, out: Path, data: Path | None, base_uri: str | None, no_build: bool, quiet: bool
) -> None:
    """Fetch the goals-and-targets reports from the portals SOURCES lists (CSV: institution,
    url, months) into OUT, then build them. Failures are listed and kept in
    OUT/harvest-report.json; what was published stays when a download is bad."""
    from publisher.harvest import run

    try:
        settings = load(data_dir=data, base_uri=base_uri)
        listed = run.read_sources(sources)
        with _harvest_bar(quiet) as progress:
            result = run.harvest(listed, out, run.client_options(settings), progress=progress,
                                 hosts=settings.harvest_hosts)  # fmt: skip
        try:
            result.build = None if no_build else run.publish(result, settings)
        finally:
            report = result.write_report()
            _harvest_table(result)
            click.echo(f"{run.summary_line(result)}; details in {report}")
    except PublisherError as err:
        raise click.ClickException(str(err)) from err


@contextmanager
def _harvest_bar(quiet: bool) -> Iterator[Callable[[dict[str, int]], None] | None]:
    """A rich spinner on stderr with the harvest's running counts."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("harvesting", total=None)

        def advance(counts: dict[str, int]) -> None:
            shown = ", ".join(f"{k} {v}" for k, v in counts.items())
            bar.update(task, description=f"harvesting: {shown}")

        yield advance


def _harvest_table(result: HarvestResult) -> None:
    """The harvest's problems and unclassified links as a table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    rows = result.problems + [o for o in result.outcomes if o.status == "unclassified"]
    if not rows:
        return
    table = Table("institution", "month", "status", "url", "why", title="needs a look")
    for o in rows[:100]:
        table.add_row(o.institution, o.month or "", o.status, o.url, o.message or "")
    Console(width=200).print(table)
    if len(rows) > 100:
        click.echo(f"… and {len(rows) - 100} more in the report")
