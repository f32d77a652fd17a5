"""Fixtures every test directory may use: the throwaway services (see ``_pg``, ``_softhsm``)."""

from __future__ import annotations

from _pg import pg_table, postgres_dsn
from _softhsm import softhsm_token

__all__ = ["pg_table", "postgres_dsn", "softhsm_token"]
