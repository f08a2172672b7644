"""Thread 10.2's admission of POQ, quote and order requests (see :mod:`lso_sim.sonata.admission`).

The 10.2 back office delivers one point-to-point product per request: BUS-sp an EVC between two
customer sites (its partners' parts found on the way), a partner an access OVC from one site on
its network to an ENNI. It reads the request's main item: its product offering, its places as
site ids and, at a partner, the UNI and ENNI identifiers of the configuration. A buyer following
MEF's examples writes those differently (fielded addresses, places on related UNI items, its own
end point names, a ``productSpecification`` instead of an offering), so the seller admits each
request first: it checks the offerings against its catalog (an unknown one is MEF's 422) and
gives the back office a copy of the request with the main item first and its places and end
points in the form the back office reads; a request it cannot map gets a refusal with the reason.
A request that already is in that form is passed on as it is (scenario runs are unchanged).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from lso_sim.actors.world import World
from lso_sim.messages.envelope import Message
from lso_sim.sonata.admission import Admission, item_places, resolve_places
from lso_sim.sonata.errors import unprocessable
from lso_sim.sonata.places import KnownPlace


class Admitter:
    """The admission of one BUS (``provider``: BUS-sp; else a partner of ``domain``)."""

    def __init__(
        self, world: World, provider: bool, domain: str, places: Sequence[KnownPlace], poqs: Any
    ) -> None:
        self.world = world
        self.provider = provider
        self.domain = domain
        self.places = list(places)
        self.poqs = poqs
        """The seller's qualification API: a quote citing one of the buyer's POQs needs no places."""

    def __call__(self, msg: Message, body: Mapping[str, Any], key: str) -> Admission:
        items: list[Mapping[str, Any]] = list(body[key])
        work = {str(i): self._offering(key, i, item) for i, item in enumerate(items)}
        main = self._main(items)
        if items[main]["action"] != "add":
            return Admission(body) if not any(work.values()) else self._copy(body, key, items, work, main)
        product = dict(work.get(str(main)) or items[main].get("product") or {})
        refs = item_places(items, main)
        if not refs and self._cites_qualification(msg, items[main]):
            return Admission(body) if not any(work.values()) else self._copy(body, key, items, work, main)
        needed = 2 if self.provider else 1
        what = "the product (an EVC between two sites)" if self.provider else "the access product (one site)"
        where = f"/{key}/{main}/product/place"
        sites, refusal = resolve_places(refs, self.places, needed, what)
        if refusal is not None:
            return Admission(body, refusal, where)
        own = product.get("place")
        if not (isinstance(own, list) and [r.get("id") for r in own if isinstance(r, Mapping)] == sites):
            product["place"] = [
                {"@type": "GeographicAddressRef", "id": s, "role": "INSTALL_LOCATION"} for s in sites
            ]
        if not self.provider:
            ends = self._ends(product, sites[0])
            if ends is not None:
                product["productConfiguration"] = ends
        if product != (items[main].get("product") or {}):
            work[str(main)] = product
        if main == 0 and not any(work.values()):
            return Admission(body)
        return self._copy(body, key, items, work, main)

    # -- offerings -----------------------------------------------------------------------------

    def _offering(self, key: str, index: int, item: Mapping[str, Any]) -> dict[str, Any] | None:
        """``None`` when the item's offering is fine as it is; the product to use instead when it
        names a product specification; raises the MEF 422 when the catalog has no such offering."""
        if item["action"] != "add":
            return None
        product = item.get("product")
        product = product if isinstance(product, Mapping) else {}
        offering = product.get("productOffering")
        known = {str(o["id"]) for o in self.world.offerings}
        if isinstance(offering, Mapping) and "id" in offering:
            if str(offering["id"]) not in known:
                raise unprocessable(
                    f"no product offering {offering['id']!s:.60} in this seller's catalog "
                    f"({', '.join(sorted(known))})",
                    "referenceNotFound",
                    f"/{key}/{index}/product/productOffering/id",
                )
            return None
        spec = product.get("productSpecification")
        spec_id = spec.get("id") if isinstance(spec, Mapping) else None
        config = product.get("productConfiguration")
        spec_type = config.get("@type") if isinstance(config, Mapping) else None
        for candidate in self.world.offerings:
            if candidate.get("specification") in (spec_id, spec_type) and (spec_id or spec_type):
                return dict(product, productOffering={"id": candidate["id"]})
        if spec_id is not None:
            raise unprocessable(
                f"no product offering of specification {spec_id!s:.80} in this seller's catalog",
                "referenceNotFound",
                f"/{key}/{index}/product/productSpecification/id",
            )
        raise unprocessable(
            "an add item names a productOffering (or a productSpecification) of the seller's catalog",
            "missingProperty",
            f"/{key}/{index}/product/productOffering",
        )

    # -- the main item ---------------------------------------------------------------------------

    @staticmethod
    def _main(items: Sequence[Mapping[str, Any]]) -> int:
        """The item the back office delivers: the first ``add`` item that relates to others (a new
        EPL naming its new UNIs), else the first item."""
        for index, item in enumerate(items):
            if item["action"] == "add" and any(
                item.get(k) for k in ("qualificationItemRelationship", "quoteItemRelationship")
            ):
                return index
        return 0

    def _cites_qualification(self, msg: Message, item: Mapping[str, Any]) -> bool:
        ref = item.get("qualificationItem")
        qualification = ref.get("qualificationId") if isinstance(ref, Mapping) else None
        if qualification is None or self.poqs is None:
            return False
        store = self.poqs.state.buyer(msg.src)
        return store.get("productOfferingQualification", str(qualification)) is not None

    def _ends(self, product: Mapping[str, Any], site: str) -> dict[str, Any] | None:
        """A partner's access product runs from the site's UNI to one of its ENNIs: the
        configuration with those identifiers, or ``None`` when it names them already."""
        topology = self.world.topology
        uni = topology.sites[site].uni
        ennis = sorted(
            enni
            for enni, a, b in topology.ennis()
            if self.domain in (topology.domain_of(a), topology.domain_of(b))
        )
        config = product.get("productConfiguration")
        config = dict(config) if isinstance(config, Mapping) else {}
        uni_ep = dict(config.get("uniEp") or {}) if isinstance(config.get("uniEp"), Mapping) else {}
        enni_ep = dict(config.get("enniEp") or {}) if isinstance(config.get("enniEp"), Mapping) else {}
        changed = False
        if uni_ep.get("identifier") != uni:
            uni_ep["identifier"] = uni
            changed = True
        if enni_ep.get("identifier") not in ennis and ennis:
            enni_ep["identifier"] = ennis[0]
            changed = True
        if not changed:
            return None
        config.pop("evcEndPointA", None)
        config.pop("evcEndPointZ", None)
        return dict(config, uniEp=uni_ep, enniEp=enni_ep)

    @staticmethod
    def _copy(
        body: Mapping[str, Any],
        key: str,
        items: Sequence[Mapping[str, Any]],
        work: Mapping[str, dict[str, Any] | None],
        main: int,
    ) -> Admission:
        """The request the back office works on: products replaced, the main item first."""
        copied = []
        for index, item in enumerate(items):
            replaced = work.get(str(index))
            copied.append(dict(copy.deepcopy(dict(item)), product=replaced) if replaced else dict(item))
        copied.insert(0, copied.pop(main))
        return Admission(dict(body, **{key: copied}))


__all__ = ["Admitter"]
