"""Fixtures every test directory may use: the throwaway services (see ``_pg``)."""

from __future__ import annotations

from _pg import pg_table, postgres_dsn

__all__ = ["pg_table", "postgres_dsn"]
