"""lso-sim: a discrete-event simulator of the MEF LSO reference architecture (MEF 55.0.1).

Layers, each a sub-package, importing only downwards:
``cli`` -> ``scenarios`` -> ``threads`` -> ``actors`` -> ``lifecycle``/``topology`` -> ``engine``
-> ``messages``/``architecture``; ``trace`` serialises records and ``diagrams`` draws them, both
used by ``cli``; ``conformance`` checks payloads against MEF's OpenAPI definitions.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
