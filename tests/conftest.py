"""Fixtures every test directory may use: the throwaway services (_pg, _redis, _softhsm)."""

from __future__ import annotations

from _pg import pg_table, postgres_dsn
from _redis import redis_url
from _softhsm import softhsm_token

__all__ = ["pg_table", "postgres_dsn", "redis_url", "softhsm_token"]
