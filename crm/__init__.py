"""Holme CRM: the CRM of the Avedøre Holme business network."""

import importlib
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE_DIR

#: The areas with a signals.py of receivers for the cross-area events.
SIGNAL_RECEIVERS = ("audit", "auth", "companies", "contributions", "exchange", "groups", "joining", "mail", "meetings",
                    "partnership", "portal", "reports")


def create_app(config_class=None):
    """Build the app: configuration, extensions, blueprints, error handlers and commands."""
    if config_class is None:
        config_class = CONFIGS[os.environ.get("HOLME_ENV", "development")]
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config_class)
    app.config.update(config_class.init())

    if any(app.config[key] for key in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST")):
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
            x_host=app.config["PROXY_FIX_X_HOST"],
        )

    from crm import errors, http, i18n, instrumentation, security
    from crm.audit import access
    from crm.auth.services import user_for_session
    from crm.db import include_in_migrations
    from crm.extensions import csrf, db, login_manager, mail, migrate

    http.init_app(app)  # before any route is added: <int:...> ids the database can hold
    db.init_app(app)
    access.init_app(app)  # the first after-request function, so it runs last (crm.audit.access)
    migrations = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "migrations"))
    migrate.init_app(app, db, directory=migrations, render_as_batch=True, compare_type=True,
                     include_name=include_in_migrations)
    mail.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)
    login_manager.user_loader(user_for_session)
    errors.init_app(app)
    instrumentation.init_app(app)

    from crm.api.blueprint import init_app as init_api
    from crm.api.cli import api_cli

    init_api(app)  # before the other areas' blueprints: its token check must come before their request hooks

    from crm.audit.blueprint import bp as audit_bp
    from crm.audit.cli import retention_cli
    from crm.auth.blueprint import bp as auth_bp
    from crm.auth.cli import users_cli
    from crm.backups.cli import backup_cli
    from crm.companies.blueprint import bp as companies_bp
    from crm.companies.cli import companies_cli
    from crm.contributions.blueprint import bp as contributions_bp
    from crm.contributions.cli import contributions_cli
    from crm.demo import demo_cli
    from crm.exchange.blueprint import bp as exchange_bp
    from crm.exchange.blueprint import portal_bp as portal_exchange_bp
    from crm.exchange.cli import exchange_cli
    from crm.groups.blueprint import bp as groups_bp
    from crm.home.blueprint import bp as home_bp
    from crm.joining.blueprint import bp as joining_bp
    from crm.mail.blueprint import bp as mail_bp
    from crm.mail.blueprint import public_bp as mail_public_bp
    from crm.mail.cli import mail_cli
    from crm.meetings.blueprint import bp as meetings_bp
    from crm.meetings.blueprint import public_bp as meetings_public_bp
    from crm.partnership.blueprint import bp as partnership_bp
    from crm.partnership.blueprint import portal_bp as portal_partnership_bp
    from crm.portal.blueprint import bp as portal_bp
    from crm.reports.blueprint import bp as reports_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(companies_bp)
    app.register_blueprint(groups_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(meetings_public_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(mail_public_bp)
    app.register_blueprint(contributions_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(exchange_bp)
    app.register_blueprint(joining_bp)
    app.register_blueprint(portal_exchange_bp)
    app.register_blueprint(partnership_bp)
    app.register_blueprint(portal_partnership_bp)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(api_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(companies_cli)
    app.cli.add_command(contributions_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(exchange_cli)
    app.cli.add_command(i18n.translations_cli)

    import crm.models  # noqa: F401  (every model known to SQLAlchemy and Alembic)

    for area in SIGNAL_RECEIVERS:  # each area's receivers of the cross-area signals (crm.signals)
        importlib.import_module(f"crm.{area}.signals")

    return app
