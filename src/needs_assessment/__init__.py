"""Serious Violence strategic needs assessment toolkit.

Computation lives in this package; the chapter notebooks in ``notebooks/`` only call it
and narrate. Data flows one way: raw -> sources -> processed -> analysis -> report.
"""

__version__ = "0.1.0"
