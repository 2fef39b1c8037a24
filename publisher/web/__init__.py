"""SERVE: the Flask app factory.

``create_app(settings, store)`` returns a new app with the store on
``app.extensions["publisher.store.embedded"]`` and one blueprint per area.
"""

from __future__ import annotations

from flask import Flask

from publisher.settings import Settings, load
from publisher.store.embedded import Store


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """Build the web app for ``settings``, serving ``store`` (opened from settings if None)."""
    settings = settings or load()
    app = Flask(
        __name__,
        template_folder=str(settings.site_dir / "templates"),
        static_folder=str(settings.site_dir / "static"),
    )
    app.extensions["publisher.settings"] = settings
    if store is None:
        from publisher.store.embedded import open_store

        store = open_store(settings)
    app.extensions["publisher.store.embedded"] = store
    from publisher.web import (
        errors,
        health,
        pages,
        ratelimit,
        requestlog,
        resources,
        security,
        sparql,
    )

    requestlog.init_app(app)  # first, so that its timer starts before any other hook
    security.init_app(app)
    ratelimit.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(resources.bp)
    from publisher.web import insights  # downloads, quality, changes (issue 9)

    app.register_blueprint(insights.bp)
    sparql.init_app(app)
    errors.init_app(app)
    return app
