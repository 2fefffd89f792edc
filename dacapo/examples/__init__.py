"""Ready-made examples: ``python -m dacapo.examples.synthetic_run`` writes
synthetic EM-like data and stores a small run, so the command line can be
tried from the shell alone."""
