"""The scenario file format (YAML), as pydantic models.

A scenario names the domains and their network, how channels and actors behave, and what work to
run. Every field is validated here, at the edge, so the engine can trust what it is given.
docs/scenario-format.md documents the format for users; keep the two in step.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from lso_sim.architecture.roles import Irp, Role
from lso_sim.expect.model import ExpectModel
from lso_sim.scenarios.arrivals import ArrivalsModel, ScheduleArrivals
from lso_sim.scenarios.cloud_schema import CloudModel
from lso_sim.scenarios.fault_schema import FaultModel
from lso_sim.scenarios.onboarding_schema import OnboardingModel
from lso_sim.scenarios.security_schema import ProbesModel, SecurityModel
from lso_sim.scenarios.serve_schema import ServeModel

MAX_TEXT = 10_000
"""Longest string field (a name, a description, an address), in characters."""
MAX_ITEMS = 100_000
"""Most entries of a list written out in a file (orders, sites, links, script steps...)."""
MAX_ORDERS = 10_000_000
"""Most orders ``generate.count`` may ask for: real large runs, not a typo running for days."""
MAX_REPEATS = 100_000
"""Most repetitions of one scheduled thing (report ``count``, SLS ``periods``, billing ``cycles``)."""


class _Strict(BaseModel):
    # Finite floats only (``.inf`` and ``.nan`` would reach the engine as times and capacities),
    # and bounded strings: a megabyte of text in a name is a mistake, not a name.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, str_max_length=MAX_TEXT)


class ConstantSpec(_Strict):
    """Always ``value`` seconds."""

    kind: Literal["constant"] = "constant"
    value: float = Field(ge=0)


class UniformSpec(_Strict):
    """Uniform between ``low`` and ``high`` seconds."""

    kind: Literal["uniform"]
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must not be below low ({self.low})")
        return self


class ExponentialSpec(_Strict):
    """Exponential with ``mean`` seconds, plus a ``minimum``."""

    kind: Literal["exponential"]
    mean: float = Field(gt=0)
    minimum: float = Field(default=0.0, ge=0)


class LogNormalSpec(_Strict):
    """Log-normal with the given ``mean`` and ``stdev`` (seconds)."""

    kind: Literal["lognormal"]
    mean: float = Field(gt=0)
    stdev: float = Field(gt=0)


DistributionSpec = Annotated[
    ConstantSpec | UniformSpec | ExponentialSpec | LogNormalSpec, Field(discriminator="kind")
]


def _constant_shorthand(value: Any) -> Any:
    """Let a bare number stand for a constant duration."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "constant", "value": value}
    return value


class _ChannelFields(_Strict):
    latency: DistributionSpec = ConstantSpec(value=0.05)
    loss: float = Field(default=0.0, ge=0.0, le=1.0)
    capacity: int | None = Field(default=None, ge=1)

    _shorthand = field_validator("latency", mode="before")(_constant_shorthand)


CHANNEL_FIELDS = ("latency", "loss", "capacity")
"""The fields of a channel setting that a more specific setting may replace one by one."""


class LinkChannelModel(_ChannelFields):
    """Behaviour of some links of an IRP (``towards`` a domain): only the fields written here
    replace the IRP entry's, so "partner-1's SONATA is slower" says just that (see
    :mod:`lso_sim.scenarios.channels` for which setting wins)."""

    @model_serializer(mode="wrap")
    def _only_written(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A dumped scenario must read back the same: a default written out would start to win.
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if k not in CHANNEL_FIELDS or k in self.model_fields_set}


class PairChannelModel(LinkChannelModel):
    """Behaviour of the one link between two actors (``between``), the most specific setting."""

    actors: tuple[Annotated[str, Field(min_length=1, max_length=200)], Annotated[str, Field(min_length=1)]]

    @model_validator(mode="after")
    def _two_actors(self) -> PairChannelModel:
        if self.actors[0] == self.actors[1]:
            raise ValueError("'actors' names two different actors")
        return self


class ChannelModel(_ChannelFields):
    """Behaviour of the channels of one IRP, and of some of its links.

    ``towards`` maps a domain id to the settings of the IRP's links with one end in that domain
    (SONATA towards ``partner-1``); ``between`` gives the settings of single actor pairs. The
    vocabulary is the channel fault's (docs/faults.md).
    """

    towards: dict[Annotated[str, Field(min_length=1, max_length=200)], LinkChannelModel] = Field(
        default_factory=dict, max_length=MAX_ITEMS
    )
    between: list[PairChannelModel] = Field(default_factory=list, max_length=MAX_ITEMS)


class RetryModel(_Strict):
    """How a requester re-sends a request that timed out (see docs/faults.md).

    Re-sends are safe: a re-sent request carries the first attempt's id, and the receiver answers
    it from what it already did instead of doing it again.
    """

    attempts: int = Field(default=4, ge=1, le=100)
    backoff: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    factor: float = Field(default=2.0, ge=1, le=100, allow_inf_nan=False)
    max_backoff: float = Field(default=3600.0, ge=0, allow_inf_nan=False)


HORIZON_AFTER_LAST_ARRIVAL = 365 * 86400.0
"""Default horizon: this long after the last arrival the workload schedules."""

DEFAULT_REQUEST_TIMEOUT = 86400.0
"""Seconds a requester waits for each attempt when a scenario says nothing (one simulated day).

Finite by default so that a lost message can never leave a thread instance waiting forever."""


class ActorModel(_Strict):
    """Capacity and timing of the actors of one role."""

    capacity: int | None = Field(default=None, ge=1)
    service_time: DistributionSpec | None = None
    request_timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Seconds to wait for each attempt of a request; unset: the ``default`` entry's, else
    :data:`DEFAULT_REQUEST_TIMEOUT`."""
    retry: RetryModel | None = None
    """Re-sending policy; unset: the ``default`` entry's, else :class:`RetryModel`'s defaults."""

    _shorthand = field_validator("service_time", mode="before")(_constant_shorthand)


class CpeModel(_Strict):
    """Customer equipment a site needs installed (10.2 step 8 note): a dated appointment."""

    first_slot: float = Field(default=172_800.0, ge=0)
    """Seconds from the installation request to the installer's first free appointment."""


class SiteModel(_Strict):
    """A customer site and the NE its UNI attaches to."""

    id: str
    address: str
    ne: str
    uni: str | None = None
    capacity_mbps: float = Field(default=1000.0, gt=0)
    cpe: CpeModel | None = None


class CustomerModel(_Strict):
    """A customer and its sites."""

    id: str
    name: str | None = None
    sites: list[SiteModel] = Field(min_length=1, max_length=MAX_ITEMS)
    status_via: Literal["CANTATA", "ALLEGRO"] = "CANTATA"
    """Which IRP brings it resolution status (10.5 step 12, 10.6 step 7): BUS-sp over CANTATA, as
    MEF's text leads, or SOF-sp over ALLEGRO, MEF's alternative; one or the other, never both."""


class PartnerModel(_Strict):
    """A partner provider: a full LSO domain of its own."""

    id: str
    name: str | None = None


class ProviderModel(_Strict):
    """The service provider."""

    id: str = "sp"
    name: str | None = None


class ForwardingDomainModel(_Strict):
    """A forwarding domain of the SP or of a partner, with its NEs."""

    id: str
    domain: str
    network_elements: list[str] = Field(min_length=1, max_length=MAX_ITEMS)


class LinkModel(_Strict):
    """A link between two NEs; an ENNI when it joins two management domains."""

    a: str
    b: str
    capacity_mbps: float = Field(gt=0)
    cost: float = Field(default=1.0, ge=0)
    enni: str | None = None


class TopologyModel(_Strict):
    """The network: forwarding domains with NEs, and links."""

    forwarding_domains: list[ForwardingDomainModel] = Field(min_length=1, max_length=MAX_ITEMS)
    links: list[LinkModel] = Field(default_factory=list, max_length=MAX_ITEMS)


class OfferingModel(_Strict):
    """A product offering of the catalog, with its price model."""

    id: str
    name: str
    specification: str
    monthly_base: float = Field(default=0.0, ge=0)
    per_mbps: float = Field(default=0.0, ge=0)
    wholesale: bool = False
    standard_interval: float = Field(default=2_592_000.0, gt=0)
    """Seconds from order to the standard delivery date (30 days); an earlier requested date expedites."""
    expedite_price: float = Field(default=500.0, ge=0)
    """One-off charge (USD) the seller raises for an expedited delivery date."""
    charge_response: float = Field(default=259_200.0, gt=0)
    """Seconds the buyer has to answer a charge (3 days) before it counts as declined."""


class ClosedLoopActionModel(_Strict):
    """One entry of ``options.on_test_failure``: a closed-loop action and how often to try it."""

    action: Literal["retest", "reconfigure", "reroute"]
    attempts: int = Field(default=1, ge=1, le=100)


class OptionsModel(_Strict):
    """Behavioural options (see :class:`lso_sim.actors.world.Options`)."""

    partner_fulfilment: Literal["interlude", "legato-sonata"] = "interlude"
    notification_wait: float = Field(default=86400.0, gt=0, allow_inf_nan=False)
    sat_failure_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    poll_limit: int = Field(default=10, ge=1, le=10_000)
    """Polls for a resource that never reaches an end state before the poller gives up on it."""
    on_test_failure: list[ClosedLoopActionModel] = Field(default_factory=list, max_length=MAX_ITEMS)
    """10.2 12 note: what SOF-sp tries, in order, when an activation test fails (docs/threads/10.2.md)."""
    topology_read_timeout: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Seconds a SOF waits for each attempt of a topology read (None: its own request timeout)."""


class SellersModel(_Strict):
    """How the sellers (BUS-sp over CANTATA, each BUS-partner over SONATA) keep their resources."""

    retention: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Seconds a seller keeps a resource after its lifecycle ended (an order completed, a quote
    accepted, a POQ done...), then forgets it: a retrieve answers 404. Unset: kept for the whole
    run. A run of a year of orders needs one to keep its memory flat (docs/performance.md)."""


class OrderModel(_Strict):
    """One explicit product order of thread 10.2."""

    customer: str
    sites: tuple[str, str]
    bandwidth_mbps: float = Field(gt=0)
    offering: str | None = None
    at: float = Field(default=0.0, ge=0)


class GenerateModel(_Strict):
    """Generated orders: ``count`` orders arriving with ``interarrival`` gaps, or as ``arrivals``
    says (a Poisson process, a schedule, bursts, a daily profile: :mod:`lso_sim.scenarios.arrivals`)."""

    count: int = Field(ge=1, le=MAX_ORDERS)
    interarrival: DistributionSpec = ConstantSpec(value=3600.0)
    arrivals: ArrivalsModel | None = None
    bandwidth_mbps: list[float] = Field(default_factory=lambda: [100.0], min_length=1)
    customers: list[str] | None = None
    term: DistributionSpec | None = None
    """Seconds each delivered product is kept before its Customer disconnects it (none: for ever)."""

    _shorthand = field_validator("interarrival", "term", mode="before")(_constant_shorthand)

    @model_validator(mode="after")
    def _one_process(self) -> GenerateModel:
        if self.arrivals is not None and "interarrival" in self.model_fields_set:
            raise ValueError("give 'interarrival' or 'arrivals', not both")
        if isinstance(self.arrivals, ScheduleArrivals) and len(self.arrivals.at) != self.count:
            raise ValueError(f"'count' ({self.count}) must equal the number of times in 'arrivals.at'")
        return self


class TroubleReportModel(_Strict):
    """One 10.5 instance: a fault on the path of one of the block's services, and who notices it."""

    order: int = Field(default=0, ge=0)
    """Index (from 0) into the workload item's ``orders``: the service the fault hits."""
    ne: str
    fault: Literal["down", "degraded", "misconfigured"] = "down"
    after: float = Field(default=3600.0, ge=0)
    detection: Literal["customer", "proactive"] = "customer"
    report_delay: float = Field(default=900.0, ge=0)


class TroubleModel(_Strict):
    """Thread 10.5's block: the trouble instances (who hears of resolution how: ``status_via``
    of each customer)."""

    @model_validator(mode="before")
    @classmethod
    def _allegro_updates_moved(cls, data: Any) -> Any:
        if isinstance(data, dict) and "allegro_updates" in data:
            raise ValueError(
                "'allegro_updates' is gone (it sent step 12 over both IRPs): give the customer "
                "'status_via: ALLEGRO' in its customers entry instead"
            )
        return data

    reports: list[TroubleReportModel] = Field(min_length=1, max_length=MAX_ITEMS)


class TelemetryModel(_Strict):
    """Traffic and element behaviour of the metric model (see :class:`lso_sim.telemetry.TrafficProfile`)."""

    interval: float = Field(default=900.0, gt=0)
    load: float = Field(default=0.4, gt=0, le=1)
    load_spread: float = Field(default=0.25, ge=0, le=2)
    diurnal: float = Field(default=0.3, ge=0, le=1)
    frame_bytes: float = Field(default=800.0, ge=64, le=16000)
    base_loss: float = Field(default=1e-5, ge=0, le=0.1)


class ImpairmentModel(_Strict):
    """A window of degraded or failed behaviour on one NE (see :class:`lso_sim.telemetry.Impairment`)."""

    ne: str
    start: float = Field(ge=0)
    end: float | None = Field(default=None, gt=0)
    kind: Literal["degradation", "fault"] = "degradation"
    loss: float = Field(default=0.0, ge=0, le=1)
    delay_ms: float = Field(default=0.0, ge=0)
    jitter_ms: float = Field(default=0.0, ge=0)
    down: bool = False
    alarm: str | None = None
    severity: Literal["critical", "major", "minor", "warning"] = "major"
    repairable: bool = True

    @model_validator(mode="after")
    def _window(self) -> ImpairmentModel:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        return self


MetricName = Literal["utilisation", "frame_loss_ratio", "delay_ms", "jitter_ms", "availability"]


class ControlConstraintsModel(_Strict):
    """What a customer may change on its service over ALLEGRO (10.3), from its product contract."""

    min_bandwidth_mbps: float = Field(default=10.0, gt=0)
    max_bandwidth_mbps: float = Field(default=1000.0, gt=0)
    scheduled_changes: bool = True
    reservations: bool = True
    traffic_filtering: bool = True
    max_filter_rules: int = Field(default=8, ge=0, le=MAX_ITEMS)
    filter_actions: tuple[Literal["deny", "permit"], ...] = ("deny", "permit")

    @model_validator(mode="after")
    def _bounds(self) -> ControlConstraintsModel:
        if self.max_bandwidth_mbps < self.min_bandwidth_mbps:
            raise ValueError("max_bandwidth_mbps must not be below min_bandwidth_mbps")
        return self


class FilterMatchModel(_Strict):
    """What a traffic filter rule matches (10.3): a VLAN id, an EtherType, or both."""

    vlan: int | None = Field(default=None, ge=1, le=4094)
    ether_type: str | None = Field(default=None, pattern=r"^0x[0-9a-fA-F]{4}$")

    @model_validator(mode="after")
    def _something(self) -> FilterMatchModel:
        if self.vlan is None and self.ether_type is None:
            raise ValueError("a match names 'vlan', 'ether_type' or both")
        return self


class FilterRuleModel(_Strict):
    """One traffic filter rule (10.3): permit or deny the frames it matches."""

    action: Literal["deny", "permit"]
    match: FilterMatchModel


class ChangeModel(_Strict):
    """One change a customer asks for (10.3): now, scheduled (``delay``) or reserved (``duration``);
    of the bandwidth, the traffic filter (``[]`` removes it) or both."""

    order: int = Field(default=0, ge=0)
    after: float = Field(default=0.0, ge=0)
    bandwidth_mbps: float | None = Field(default=None, gt=0)
    traffic_filter: list[FilterRuleModel] | None = Field(default=None, max_length=MAX_ITEMS)
    delay: float | None = Field(default=None, gt=0)
    duration: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _something_changes(self) -> ChangeModel:
        if self.bandwidth_mbps is None and self.traffic_filter is None:
            raise ValueError("a change names 'bandwidth_mbps', 'traffic_filter' or both")
        return self


class ControlModel(_Strict):
    """Thread 10.3: the constraints of the services and the changes their customers ask for."""

    constraints: ControlConstraintsModel = ControlConstraintsModel()
    changes: list[ChangeModel] = Field(min_length=1, max_length=MAX_ITEMS)


class TriggerModel(_Strict):
    """A triggered report (10.4): made when ``metric`` crosses ``threshold`` within ``within`` s."""

    metric: MetricName
    threshold: float = Field(ge=0)
    within: float = Field(default=86400.0, gt=0)


class ReportRequestModel(_Strict):
    """One report a customer asks for (10.4): once, every ``every`` s (``count`` times), or triggered."""

    order: int = Field(default=0, ge=0)
    after: float = Field(default=0.0, ge=0)
    type: Literal["performance", "fault"] = "performance"
    window: float = Field(default=3600.0, gt=0)
    every: float | None = Field(default=None, gt=0)
    count: int = Field(default=1, ge=1, le=MAX_REPEATS)
    trigger: TriggerModel | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> ReportRequestModel:
        if self.every is not None and self.trigger is not None:
            raise ValueError("a report is scheduled ('every') or triggered ('trigger'), not both")
        return self


class ReportsModel(_Strict):
    """Thread 10.4: how long gathered information stays current, and the reports asked for."""

    freshness: float = Field(default=900.0, ge=0)
    requests: list[ReportRequestModel] = Field(min_length=1, max_length=MAX_ITEMS)


class SlsObjectivesModel(_Strict):
    """Service level objectives a service is assessed against (10.6)."""

    frame_loss_ratio: float = Field(default=0.001, ge=0, le=1)
    delay_ms: float = Field(default=25.0, gt=0)
    jitter_ms: float = Field(default=10.0, gt=0)
    availability: float = Field(default=0.999, ge=0, le=1)


class SlsModel(_Strict):
    """Thread 10.6: objectives, and how often and how long SOF-sp assesses each service."""

    objectives: SlsObjectivesModel = SlsObjectivesModel()
    after: float = Field(default=0.0, ge=0)
    period: float = Field(default=900.0, gt=0)
    periods: int = Field(default=96, ge=1, le=MAX_REPEATS)
class BillingModel(_Strict):
    """Thread 10.7's block: the collection schedule and the business rules of rating."""

    period: float = Field(default=86400.0, gt=0)
    cycles: int = Field(default=1, ge=1, le=MAX_REPEATS)
    per_gb: float = Field(default=0.05, ge=0)
    tax_rate: float = Field(default=0.08, ge=0, le=1)
    sla_loss: float = Field(default=0.001, ge=0, le=1)
    sla_credit: float = Field(default=0.1, ge=0, le=1)
    committed_utilisation: float = Field(default=0.8, gt=0, le=1)
    payment_days: float = Field(default=30.0, ge=0)


class ScriptWaitModel(_Strict):
    """``wait_for`` of an API script step: an event the buyer's hub must receive before going on."""

    event: str
    of: str | None = None
    state: str | None = None
    timeout: float | None = Field(default=None, gt=0)


class ScriptCallModel(_Strict):
    """One step of an ``api_script``: a call to a seller API, a wait for an event, or both."""

    at: float | None = Field(default=None, ge=0)
    buyer: str | None = None
    seller: str | None = None
    call: str | None = None
    with_: Any = Field(default=None, alias="with")
    save_as: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$")
    wait_for: ScriptWaitModel | None = None

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False, str_max_length=MAX_TEXT
    )

    @field_validator("with_", mode="before")
    @classmethod
    def _bounded_body(cls, value: Any) -> Any:
        problem = body_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _does_something(self) -> ScriptCallModel:
        if self.call is None and self.wait_for is None:
            raise ValueError("give 'call' or 'wait_for' (or both)")
        if self.call is None and (self.with_ is not None or self.save_as is not None):
            raise ValueError("'with' and 'save_as' belong to a 'call'")
        return self


class WorkloadModel(_Strict):
    """Work for one thread.

    ``orders`` and ``generate`` are 10.2 product orders. For the other threads, ``orders`` are
    the services 10.2 establishes first; the thread's own block (one optional field per thread,
    named after what the thread does) says what happens to them. Each thread's block is started
    by its function in :mod:`lso_sim.scenarios.starters`.
    """

    thread: str
    orders: list[OrderModel] = Field(default_factory=list, max_length=MAX_ITEMS)
    generate: GenerateModel | None = None
    control: ControlModel | None = None
    reports: ReportsModel | None = None
    sls: SlsModel | None = None
    trouble: TroubleModel | None = None
    billing: BillingModel | None = None
    onboarding: OnboardingModel | None = None
    cloud: CloudModel | None = None
    probes: ProbesModel | None = None
    api_script: list[ScriptCallModel] | None = Field(default=None, min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _some_work(self) -> WorkloadModel:
        if self.thread == "10.2" and not self.orders and self.generate is None and self.api_script is None:
            raise ValueError("give 'orders', 'generate' or 'api_script'")
        if self.api_script is not None and self.thread != "10.2":
            raise ValueError(f"'api_script' is a block of thread 10.2, not of {self.thread}")
        return self

    @model_validator(mode="after")
    def _thread_blocks(self) -> WorkloadModel:
        for thread, block in _THREAD_BLOCKS.items():
            if getattr(self, block) is not None and self.thread != thread:
                raise ValueError(f"'{block}' is the block of thread {thread}, not of {self.thread}")
        needed = _THREAD_BLOCKS.get(self.thread)
        if needed is not None:
            if getattr(self, needed) is None and needed not in _OPTIONAL_BLOCKS:
                raise ValueError(f"thread {self.thread} needs its '{needed}' block")
            if not self.orders and self.thread not in _NO_ORDERS:
                raise ValueError(f"thread {self.thread} needs 'orders': the services 10.2 establishes first")
            if self.orders and self.thread in _NO_ORDERS:
                raise ValueError(f"thread {self.thread} takes no 'orders' (give 10.2 orders their own item)")
        return self


_THREAD_BLOCKS = {
    "10.1": "onboarding",
    "10.3": "control",
    "10.4": "reports",
    "10.5": "trouble",
    "10.6": "sls",
    "10.7": "billing",
    "10.8": "probes",
    "10.9": "cloud",
}
"""Thread id -> the name of its block on a workload item."""
_OPTIONAL_BLOCKS = frozenset({"billing"})
"""Blocks whose every field has a default (a 10.7 item may leave its business rules out)."""
_NO_ORDERS = frozenset({"10.1", "10.8"})
"""Threads whose items establish no service first (10.1 on-boards partners before any order;
10.8's probes act on whatever the other items do)."""


class Scenario(_Strict):
    """A whole scenario file."""

    name: str
    description: str = ""
    seed: int = Field(default=1, ge=-(2**63), lt=2**63)
    provider: ProviderModel = ProviderModel()
    partners: list[PartnerModel] = Field(default_factory=list, max_length=MAX_ITEMS)
    customers: list[CustomerModel] = Field(min_length=1, max_length=MAX_ITEMS)
    topology: TopologyModel
    offerings: list[OfferingModel] = Field(min_length=1, max_length=MAX_ITEMS)
    channels: dict[Literal["default"] | Irp, ChannelModel] = Field(default_factory=dict)
    actors: dict[Literal["default"] | Role, ActorModel] = Field(default_factory=dict)
    timings: dict[Role, dict[str, DistributionSpec]] = Field(default_factory=dict)
    options: OptionsModel = OptionsModel()
    sellers: SellersModel = SellersModel()
    workload: list[WorkloadModel] = Field(min_length=1, max_length=MAX_ITEMS)
    telemetry: TelemetryModel = TelemetryModel()
    impairments: list[ImpairmentModel] = Field(default_factory=list, max_length=MAX_ITEMS)
    horizon: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Simulated seconds after which the run stops; instances still running end ``open``. Unset:
    a year after the last scheduled arrival (:data:`HORIZON_AFTER_LAST_ARRIVAL`)."""
    faults: list[FaultModel] = Field(default_factory=list, max_length=MAX_ITEMS)
    security: SecurityModel = SecurityModel()
    expect: ExpectModel | None = None
    serve: ServeModel | None = None
    """Buyers and tokens of ``lso-sim serve --scenario`` (ignored by a run)."""

    @field_validator("timings", mode="before")
    @classmethod
    def _timing_shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                role: {name: _constant_shorthand(d) for name, d in table.items()}
                if isinstance(table, dict)
                else table
                for role, table in value.items()
            }
        return value


KEY_NAMES: dict[str, tuple[str, ...]] = {
    "channels": ("default", *(irp.value for irp in Irp)),
    "actors": ("default", *(role.value for role in Role)),
    "timings": tuple(role.value for role in Role),
}
"""Mapping field -> the keys it accepts, in the order the loader's error messages list them
(pydantic's own message for a bad key names only ``'default'``)."""

MAX_DEPTH = 32
"""Deepest nesting of a request body in an ``api_script`` (MEF bodies need about ten)."""


def body_problem(value: Any) -> str | None:
    """What makes an ``api_script`` body too big to be a request body, or ``None``.

    Iterative, so a body nested thousands deep is refused without exhausting the stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    items = 0
    while stack:
        item, depth = stack.pop()
        items += 1
        if items > MAX_ITEMS:
            return f"a request body of at most {MAX_ITEMS:,} values"
        if isinstance(item, str) and len(item) > MAX_TEXT:
            return f"strings of at most {MAX_TEXT:,} characters in a request body (got {len(item):,})"
        if isinstance(item, float) and not math.isfinite(item):
            return f"finite numbers in a request body (got {item})"
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return f"a request body nested at most {MAX_DEPTH} levels deep"
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
            if isinstance(item, dict):
                stack.extend((key, depth + 1) for key in item)
    return None
