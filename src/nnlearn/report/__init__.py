"""The report: experiment records -> ``report.html``, ``report.md``, PNGs, ``results.json``."""

from .build import SCHEMA_PATH, build_results, load_schema, write_report

__all__ = ["SCHEMA_PATH", "build_results", "load_schema", "write_report"]
