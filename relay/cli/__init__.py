"""The ``relay`` command line (click). The only layer that prints or exits."""
