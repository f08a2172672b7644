"""geographicSiteManagement: the sites a buyer may see, listed with filters or read by id.

Every simulated site is ``private`` (a customer's premises): a seller shows a site only to a buyer
allowed to know it, decided by the ``visible`` callable the thread gives (BUS-sp: the customer who
owns the site; a partner: the service provider buying access to the partner's network). Another
buyer gets an empty list and a 404, as for a site that does not exist.

List filters are the MEF query parameters: the site's own fields (``name``, ``siteType``,
``customerName``...), ``geographicAddress.id`` (the site is at that address) and the address fields
(``streetNr``, ``streetName``, ``streetType``, ``city``, ``postcode``, ``country``), compared
without regard to case. The MEF list operation has no paging parameters: all matches are returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lso_sim.actors.roles import RoleActor
from lso_sim.messages.envelope import Message
from lso_sim.messages.operations import LIST_SITE, RETRIEVE_SITE, Operation
from lso_sim.sonata.api import ApiHandler, SellerApi
from lso_sim.sonata.checks import param
from lso_sim.sonata.errors import not_found
from lso_sim.sonata.places import KnownPlace

Visible = Callable[[str, KnownPlace], bool]
"""May buyer (actor id) know this site?"""

SITE_FIELDS = ("name", "siteType", "customerName", "companyName", "description")
ADDRESS_FIELDS = ("streetNr", "streetName", "streetType", "city", "postcode", "country")


def site_body(place: KnownPlace) -> dict[str, Any]:
    """The MEF ``GeographicSite`` of a known place: its address by reference."""
    return {
        "id": place.site,
        "href": f"/geographicSite/{place.site}",
        "name": place.site,
        "siteType": "private",
        "customerName": place.owner,
        "description": place.line,
        "place": [
            {"@type": "GeographicAddressRef", "id": place.site, "href": f"/geographicAddress/{place.site}"}
        ],
    }


def _value(place: KnownPlace, body: dict[str, Any], name: str) -> str | None:
    if name == "geographicAddress.id":
        return place.site
    if name in ADDRESS_FIELDS:
        return place.address.get(name)
    value = body.get(name)
    return str(value) if value is not None else None


class SiteApi(SellerApi):
    """Site queries over the places one seller knows."""

    api = "geographicSiteManagement"

    def __init__(self, actor: RoleActor, places: Sequence[KnownPlace], visible: Visible) -> None:
        super().__init__(actor)
        self.places = list(places)
        self.visible = visible

    def routes(self) -> dict[Operation, ApiHandler]:
        return {LIST_SITE: self.list, RETRIEVE_SITE: self.retrieve}

    def list(self, msg: Message) -> None:
        names = (*SITE_FIELDS, "geographicAddress.id", *ADDRESS_FIELDS)
        wanted = {n: param(msg.payload, n, required=False) for n in names}
        found = []
        for place in self.places:
            if not self.visible(msg.src, place):
                continue
            body = site_body(place)
            if all(
                v is None or (_value(place, body, n) or "").lower() == v.lower() for n, v in wanted.items()
            ):
                found.append(body)
        self.reply(msg, 200, found)

    def retrieve(self, msg: Message) -> None:
        ident = str(param(msg.payload, "id"))
        place = next((p for p in self.places if p.site == ident and self.visible(msg.src, p)), None)
        if place is None:
            raise not_found("geographicSite", ident)
        self.reply(msg, 200, site_body(place))
