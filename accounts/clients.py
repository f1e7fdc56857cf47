"""Who "the client" is for login lockouts: a keyed hash of its address, never the address.

django-axes keeps a failed sign-in's client in an IP-address column (PostgreSQL's inet). The
portal gives it a pseudonym that fits that column: an HMAC (SECRET_KEY) of the address, written
as an IPv6 address inside 2001:db8::/32, the range reserved for documentation, so no stored
value can be mistaken for, or turned back into, a real client's address.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings

from reporting.intake.throttle import client_address

PSEUDONYM_PREFIX = ipaddress.IPv6Address("2001:db8::").packed[:4]


def client_pseudonym(request):
    address = client_address(request)
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"login-client:{address}".encode(), hashlib.sha256
    ).digest()
    return str(ipaddress.IPv6Address(PSEUDONYM_PREFIX + digest[:12]))
