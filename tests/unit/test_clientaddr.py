"""The login's client address: the forwarded header is believed only from a trusted proxy."""

from __future__ import annotations

import pytest

from field.config import SettingsError, load_settings
from field.domain.clientaddr import client_address

PROXY = ["10.0.0.0/24"]


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("198.51.100.7", {"X-Forwarded-For": "10.1.2.3"}) == "198.51.100.7"


def test_a_stranger_cannot_pick_the_address_by_sending_the_header() -> None:
    """The peer is not a trusted proxy: whatever it claims is ignored (it could name the victim's address)."""
    assert client_address("198.51.100.7", {"x-forwarded-for": "10.1.2.3"}, PROXY) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() -> None:
    headers = {"X-Forwarded-For": "1.2.3.4, 203.0.113.9, 10.0.0.7"}  # 1.2.3.4 was typed by the client
    assert client_address("10.0.0.5", headers, PROXY) == "203.0.113.9"
    assert client_address("10.0.0.5", {"X-Forwarded-For": "203.0.113.9"}, PROXY) == "203.0.113.9"
    assert client_address("10.0.0.5", {}, PROXY) == "10.0.0.5"  # no header: the proxy itself
    assert client_address("10.0.0.5", {"X-Forwarded-For": "garbage, 10.0.0.9"}, PROXY) == "10.0.0.9"


def test_forms_of_addresses() -> None:
    assert client_address("::ffff:198.51.100.7", {}) == "198.51.100.7"
    assert client_address("[2001:db8::1]:443", {}) == "2001:db8::1"
    assert client_address("10.0.0.5", {"X-Forwarded-For": "203.0.113.9:5555"}, ["10.0.0.5"]) == "203.0.113.9"
    assert client_address(None, {"X-Forwarded-For": "203.0.113.9"}, PROXY) is None
    assert client_address("", {}) is None


def test_the_setting_is_parsed_and_checked() -> None:
    s = load_settings({"FIELD_TRUSTED_PROXIES": "10.0.0.0/24, 127.0.0.1", "FIELD_SECRETS_FILE": "/nonexistent"})
    assert s.trusted_proxies == ("10.0.0.0/24", "127.0.0.1/32")
    assert client_address("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, s.trusted_proxies) == "203.0.113.9"
    with pytest.raises(SettingsError) as e:
        load_settings({"FIELD_TRUSTED_PROXIES": "not-an-address", "FIELD_SECRETS_FILE": "/nonexistent"})
    assert e.value.params["setting"] == "FIELD_TRUSTED_PROXIES"
