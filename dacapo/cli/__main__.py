"""``python -m dacapo.cli``: the ``dacapo`` command."""

from dacapo.cli import main

if __name__ == "__main__":
    main()
