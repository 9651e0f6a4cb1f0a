"""One module per ``graphcore`` verb: ``add_arguments(parser)`` and ``run(args) -> exit code``."""
