"""`python -m bench`: measure the pages at scale 1 and 100, the import and the invitations, print tables, write JSON.

SQLite always; PostgreSQL too when BENCH_DATABASE_URL is set (datasets in schemas bench_*, kept for the next
run; `--clean` drops them and the SQLite files). Exits 1 when a target is missed.
"""

import argparse
import os
import platform
import sqlite3
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import contributions, documents, imports, mail, measure, meetings, report, serving
from bench.datasets import Database, dataset
from bench.scenarios import AREAS, SCENARIOS


def _arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,100", help="comma-separated dataset scales (x 394 companies)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per scenario (default 200)")
    parser.add_argument("--max-seconds", type=float, default=20,
                        help=f"stop a scenario after this long, once it has {measure.MIN_REQUESTS} requests")
    parser.add_argument("--only", choices=[*AREAS, "import", "mail", "contributions"],
                        help="measure only these pages (meetings: with the invitation timing), only the import, "
                             "only the mail section, or only the contributions section")
    parser.add_argument("--scenario", help="measure only the pages whose scenario name contains this text, e.g. "
                                           "'check-in' (no import, invitation, mail or contributions timing)")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="which of sqlite,postgresql to run (PostgreSQL needs BENCH_DATABASE_URL)")
    parser.add_argument("--rebuild", action="store_true", help="build the datasets again even if cached")
    parser.add_argument("--clean", action="store_true", help="drop the cached datasets and exit")
    return parser.parse_args(argv)


def _databases(wanted):
    databases = []
    if "sqlite" in wanted:
        databases.append(Database.sqlite())
    if "postgresql" in wanted and os.environ.get("BENCH_DATABASE_URL"):
        databases.append(Database.postgresql(os.environ["BENCH_DATABASE_URL"]))
    return databases


def _environment(databases):
    environment = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                   "sqlite": sqlite3.sqlite_version, "gunicorn_workers": serving.WORKERS,
                   "load_average": os.getloadavg()}
    for database in databases:
        if database.kind == "postgresql":
            engine = create_engine(database.base_url)
            with engine.connect() as connection:
                environment["postgresql"] = connection.scalar(text("SHOW server_version"))
            engine.dispose()
            environment["postgresql_url"] = make_url(database.base_url).render_as_string(hide_password=True)
    return environment


def main(argv=None):
    args = _arguments(argv)
    databases = _databases(args.databases.split(","))
    if args.clean:
        for database in databases:
            for name in database.names():
                database.drop(name)
        return 0
    scales = [int(scale) for scale in args.scales.split(",")]
    run = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"), "arguments": vars(args),
           "environment": _environment(databases), "datasets": [], "pages": [], "imports": [],
           "invitations": [], "contributions": [], "documents": []}
    if args.only not in ("import", "mail", "contributions"):
        scenarios = [scenario for scenario in SCENARIOS if args.only in (None, scenario.area)
                     and (args.scenario or "") in scenario.name]
        for database in databases:
            for scale in scales:
                built = dataset(database, scale, rebuild=args.rebuild,
                                log=lambda line: print(line, file=sys.stderr))
                run["datasets"].append({**asdict(built), "url": make_url(built.url).render_as_string()})
                run["pages"] += measure.measure_pages(built, scenarios, requests=args.requests,
                                                      max_seconds=args.max_seconds)
        report.judge_pages(run["pages"], SCENARIOS)
    # The timings beside the pages: all, the one chosen with --only, or none when pages were chosen by name.
    timing = "none" if args.scenario else args.only
    if timing in (None, "import"):
        run["imports"] = imports.time_imports(databases)
    if timing in (None, "meetings"):
        run["invitations"] = meetings.time_invitations(databases)
    if timing in (None, "mail"):
        run["mail"] = mail.run_mail_bench()
    if timing in (None, "contributions"):
        run["contributions"] = contributions.time_contributions(databases, max(scales))
    if timing in (None, "reports"):
        run["documents"] = documents.time_documents(databases)
    run["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")

    if run["pages"]:
        print(report.pages_table(run["pages"]))
    if run["imports"]:
        print()
        print(report.imports_table(run["imports"]))
    if run["invitations"]:
        print()
        print(report.invitations_table(run["invitations"]))
    if run["contributions"]:
        print()
        print(contributions.contributions_table(run["contributions"]))
    if run["documents"]:
        print()
        print(documents.documents_table(run["documents"]))
    if run.get("mail"):
        print()
        print("\n".join(mail.mail_table(run["mail"])))
    print(f"\nwritten to {report.write_json(run)}")
    misses = any(result["misses"] for result in run["pages"] + run["imports"] + run["invitations"]
                 + run["contributions"] + run["documents"])
    misses = misses or run.get("mail", {}).get("verdict") == "MISS"
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
