"""/metrics: who may read it, and what it answers (docs/operations.md)."""

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from portal.clients import client_address

from .collectors import scrape_registry

PATH = "/metrics"


@never_cache
def metrics(request):
    """Off (404) unless METRICS_TOKEN or METRICS_ALLOWED_NETWORKS is set; then only for a
    request bearing the token or from one of the networks (403 with one word otherwise). The
    client's address is compared and forgotten: never logged, never stored."""
    if not (settings.METRICS_TOKEN or settings.METRICS_ALLOWED_NETWORKS):
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    if not (bears_token(request) or from_allowed_network(request)):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)


def bears_token(request):
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _space, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    # Compared in constant time, so the answer's timing tells nothing of how much matched.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def from_allowed_network(request):
    networks = _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:10.0.0.5, as a dual-stack socket reports it
    return any(address in network for network in networks)


@lru_cache(maxsize=4)
def _networks(values):
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)
