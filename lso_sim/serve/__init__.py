"""``lso-sim serve``: the simulated sellers' MEF product APIs over real HTTP (a Sonata/Cantata sandbox).

- :mod:`lso_sim.serve.sandbox`: the served world (a scenario's or the demo world) and its buyers;
- :mod:`lso_sim.serve.routes`: the served operations, their MEF paths and the OpenAPI document,
  read from MEF's SDK;
- :mod:`lso_sim.serve.session`: one simulation driven by wall-clock time and HTTP requests;
- :mod:`lso_sim.serve.app`: the FastAPI application (needs the ``serve`` extra).

See docs/sandbox.md.
"""
