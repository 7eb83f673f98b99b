"""Which address a login comes from, for counting failed logins per (user, address).

The peer of the TCP connection is the client unless the app sits behind a reverse proxy, and
then every request seems to come from the proxy. `X-Forwarded-For` tells the real client, but
any client can send that header itself: believing it from anyone would let an attacker pick the
address his failures are counted against (the victim's, to lock the victim out; a fresh one
for each guess, to never be slowed). So the header is read only when the peer is one of the
configured trusted proxies (FIELD_TRUSTED_PROXIES), and then from the right: each trusted hop
appends the address it saw, so the first address from the right that is not itself a trusted
proxy is the one no client could forge. Pure, so the Streamlit page and the HTTP login route
call the same function.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks; raises ValueError for an entry that is neither."""
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _trusted(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(addr.version == n.version and addr in n for n in networks)


def client_address(peer: str | None, headers: Mapping[str, str] | None,
                   trusted: Iterable[str | Network] = ()) -> str | None:
    """The client's address in canonical form, or None when not even the peer is known.

    `headers` may use any capitalisation. With no trusted proxies configured the forwarded
    header is ignored altogether."""
    networks = tuple(t if not isinstance(t, str) else ipaddress.ip_network(t, strict=False) for t in trusted)
    peer_addr = _address(peer) if peer else None
    if peer_addr is None:
        return None
    if not networks or not _trusted(peer_addr, networks):
        return str(peer_addr)
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    hops = [h for part in lowered.get("x-forwarded-for", "").split(",") if (h := part.strip())]
    client = peer_addr
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:  # written by the client, left of the first untrusted hop: stop at what we know
            break
        client = addr
        if not _trusted(addr, networks):
            break
    return str(client)
