"""``python -m josekit.cli``: the same as the ``josekit`` command."""

from __future__ import annotations

from . import main

if __name__ == "__main__":
    main()
