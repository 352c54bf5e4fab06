"""One module per input format. Each returns a frame validated by a pandera schema and
raises :class:`needs_assessment.errors.DataError` naming file, row and column on bad input."""
