"""`flask companies import|export`."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from crm.companies import exporting, importer, importing, search
from crm.extensions import db

companies_cli = AppGroup("companies", help="Virksomhedsregistret.")


@companies_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Vis hvad der ville ske, uden at gemme.")
@click.option("--strict", is_flag=True, help="Afvis hele filen, hvis blot én række er forkert.")
def import_command(file, dry_run, strict):
    """Import companies from a CSV or XLSX file; exit 3 when rows were rejected."""
    try:
        parsed = importer.parse_file(file.read_bytes(), file.name)
    except importer.ImportFileError as error:
        raise click.ClickException(str(error)) from None
    for warning in parsed.warnings:
        click.echo(f"Advarsel: {warning}")
    if not parsed.rows:
        raise click.ClickException("Filen har ingen rækker.")
    result = importing.import_parsed(parsed, dry_run=dry_run, strict=strict, filename=file.name)
    for number, reasons in result.rejected_rows:
        click.echo(f"Række {number} afvist: {'; '.join(reasons)}", err=True)
    if dry_run or not result.written:
        db.session.rollback()
    else:
        db.session.commit()
    counts = result.counts()
    verb = "Ville indlæse" if dry_run else ("Intet indlæst (--strict)" if not result.written else "Indlæst")
    click.echo(f"{verb}: {counts['new']} nye, {counts['updated']} opdaterede, {counts['unchanged']} uændrede, "
               f"{counts['rejected']} afviste.")
    if result.rejected:
        sys.exit(3)


@companies_cli.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fil; ellers standard ud.")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Standard: efter filnavnet, ellers csv.")
def export_command(output, file_format):
    """Export every company in the canonical columns (UTF-8 CSV or XLSX)."""
    file_format = file_format or ("xlsx" if output and output.suffix.lower() == ".xlsx" else "csv")
    rows = exporting.export_rows(search.company_statement(search.CompanyFilters()))
    data = exporting.write_xlsx(rows) if file_format == "xlsx" else exporting.write_csv(rows)
    if output:
        output.write_bytes(data)
        click.echo(f"Skrevet: {output}")
    elif file_format == "xlsx":
        raise click.ClickException("XLSX skal skrives til en fil: brug -o FIL.xlsx")
    else:
        sys.stdout.buffer.write(data)
