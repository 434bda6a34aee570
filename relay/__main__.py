"""``python -m relay`` is the ``relay`` command."""

from relay.cli.main import main

main()
