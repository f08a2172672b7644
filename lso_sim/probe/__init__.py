"""``lso-sim probe``: a buyer that checks a Sonata seller's behaviour over time (docs/sandbox.md).

- :mod:`lso_sim.probe.run`: BUS-sp's calls, polls and the hub, against any seller over HTTP;
- :mod:`lso_sim.probe.checks`: MEF transitions over time, hub once, ids, the findings;
- :mod:`lso_sim.probe.listener`: the hub listener the probe runs;
- :mod:`lso_sim.probe.report`: the rich table, the JSON and HTML reports.
"""
