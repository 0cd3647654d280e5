"""The yearly report as documents (issue "The yearly report"): the PDF and the Word file for this year at scale 1,
made as `/reports/<year>.pdf` and `/reports/<year>.docx` make them. Target: under 2 s each."""

import statistics
import sys
from datetime import date
from time import perf_counter

from bench.datasets import bench_app, dataset

TARGET_S = 2.0
ROUNDS = 4  # the first call (templates, fonts) and three more


def _time(make, year):
    times = []
    for _ in range(ROUNDS):
        started = perf_counter()
        data = make(year)
        times.append(perf_counter() - started)
    return times, len(data)


def time_documents(databases, scale=1):
    """{database, pdf_s, docx_s, ...}: the first call and the median of the rest, per database."""
    from crm.reports.document import report_pdf
    from crm.reports.word import report_docx

    results = []
    for database in databases:
        print(f"  {database.kind}: the year's report as PDF and Word at scale {scale}", file=sys.stderr)
        built = dataset(database, scale, log=lambda line: print(line, file=sys.stderr))
        app = bench_app(built.url)
        year = date.today().year
        with app.test_request_context():
            pdf_times, pdf_bytes = _time(report_pdf, year)
            docx_times, docx_bytes = _time(report_docx, year)
        result = {"database": database.kind, "scale": scale, "pdf_first_s": pdf_times[0],
                  "pdf_s": statistics.median(pdf_times[1:]), "pdf_bytes": pdf_bytes, "docx_first_s": docx_times[0],
                  "docx_s": statistics.median(docx_times[1:]), "docx_bytes": docx_bytes}
        result["misses"] = [f"{key} {result[key]:.2f}s" for key in ("pdf_first_s", "pdf_s", "docx_first_s", "docx_s")
                            if result[key] >= TARGET_S]
        results.append(result)
    return results


def documents_table(results):
    lines = ["The year's report as documents at scale 1 (first call, then the median of 3); target under 2 s each",
             f"{'database':<11} {'PDF first ms':>12} {'PDF ms':>7} {'KB':>5} {'Word first ms':>13} {'Word ms':>8} "
             f"{'KB':>5}  verdict"]
    for r in results:
        verdict = "OK" if not r["misses"] else "MISS: " + ", ".join(r["misses"])
        lines.append(f"{r['database']:<11} {r['pdf_first_s'] * 1000:>12.0f} {r['pdf_s'] * 1000:>7.0f} "
                     f"{r['pdf_bytes'] // 1024:>5} {r['docx_first_s'] * 1000:>13.0f} {r['docx_s'] * 1000:>8.0f} "
                     f"{r['docx_bytes'] // 1024:>5}  {verdict}")
    return "\n".join(lines)
