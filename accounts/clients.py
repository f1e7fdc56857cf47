"""Who "the client" is for login lockouts: a keyed hash of its address, never the address.

django-axes keeps a failed sign-in's client in an IP-address column (PostgreSQL's inet). The
portal gives it a pseudonym that fits that column: an HMAC (SECRET_KEY) of the address, written
as an IPv6 address inside 2001:db8::/32, the range reserved for documentation, so no stored
value can be mistaken for, or turned back into, a real client's address.
"""

import ipaddress

from portal.clients import client_address, keyed_digest

PSEUDONYM_PREFIX = ipaddress.IPv6Address("2001:db8::").packed[:4]


def client_pseudonym(request):
    address = client_address(request)
    digest = keyed_digest("login-client", address).digest()
    return str(ipaddress.IPv6Address(PSEUDONYM_PREFIX + digest[:12]))
