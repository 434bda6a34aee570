"""Password hashes, accounts from the config, sessions and login rate limiting."""

from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner

from relay.cli.main import cli
from relay.daemon.config import User
from relay.errors import ConfigError
from relay.web.auth import Accounts, hash_password, parse_hash, verify_password
from relay.web.sessions import (
    FAILURE_WINDOW_S,
    IDLE_TIMEOUT_S,
    MAX_FAILURES,
    LoginLimiter,
    SessionStore,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_hash_round_trip_and_salt() -> None:
    a, b = hash_password("geheim123", n=2**10), hash_password("geheim123", n=2**10)
    assert a != b  # a fresh salt each time
    assert verify_password("geheim123", parse_hash(a))
    assert not verify_password("geheim124", parse_hash(a))
    assert a.startswith("scrypt$1024$8$1$")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("geheim123", "not a hash"),
        ("scrypt$1000$8$1$AAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA==", "unusable"),
        ("scrypt$1048576$64$1$AAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA==", "unusable"),
        ("scrypt$1024$8$1$!!!$AAAA", "damaged"),
        ("scrypt$1024$8$1$AAAA$AAAA", "too short"),
    ],
)
def test_bad_hashes_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_hash(text)


def test_accounts_name_the_bad_config_key() -> None:
    with pytest.raises(ConfigError, match=r"auth\.users\[1\]\.password_hash"):
        Accounts((User("anna", hash_password("x" * 8, n=2**10)), User("bob", "plaintext")))
    with pytest.raises(ConfigError, match=r"auth\.users\[0\]\.name"):
        Accounts((User("", hash_password("x" * 8, n=2**10)),))
    with pytest.raises(ConfigError, match="twice"):
        h = hash_password("x" * 8, n=2**10)
        Accounts((User("anna", h), User("anna", h)))


def test_accounts_check() -> None:
    accounts = Accounts((User("anna", hash_password("goed wachtwoord", n=2**10)),))
    assert accounts.check("anna", "goed wachtwoord")
    assert not accounts.check("anna", "fout")
    assert not accounts.check("bob", "goed wachtwoord")
    assert not Accounts(())


def test_sessions_expire_when_idle_and_csrf_must_match() -> None:
    clock = Clock()
    store = SessionStore(clock)
    token, session = store.create("anna")
    assert store.get(token) is session
    assert SessionStore.csrf_ok(session, session.csrf)
    assert not SessionStore.csrf_ok(session, "")
    assert not SessionStore.csrf_ok(session, None)
    assert not SessionStore.csrf_ok(session, session.csrf[:-1] + "x")
    clock.now += IDLE_TIMEOUT_S - 1
    assert store.get(token) is session  # use keeps it alive
    clock.now += IDLE_TIMEOUT_S + 1
    assert store.get(token) is None
    assert store.get("made-up") is None and store.get(None) is None


def test_login_limiter_books_attempts_per_client_then_forgives() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock)
    for _ in range(MAX_FAILURES):
        assert limiter.begin("ip:1") == 0
    assert limiter.begin("ip:1") > 0
    assert limiter.begin("ip:2") == 0  # another client is not locked out by ip:1
    clock.now += FAILURE_WINDOW_S + 1
    assert limiter.begin("ip:1") == 0
    limiter.succeeded("ip:1")  # a good login clears the client's count
    for _ in range(MAX_FAILURES):
        assert limiter.begin("ip:1") == 0


def test_relay_auth_hash_prints_a_config_line_that_verifies() -> None:
    result = CliRunner().invoke(
        cli, ["auth", "hash", "--user", 'an"na', "--stdin"], input="lang genoeg wachtwoord\n"
    )
    assert result.exit_code == 0, result.output
    config = tomllib.loads(result.output)
    [user] = config["auth"]["users"]
    assert user["name"] == 'an"na'
    accounts = Accounts((User(user["name"], user["password_hash"]),))
    assert accounts.check('an"na', "lang genoeg wachtwoord")


def test_relay_auth_hash_refuses_a_short_password() -> None:
    result = CliRunner().invoke(cli, ["auth", "hash", "--stdin"], input="kort\n")
    assert result.exit_code != 0 and "at least 8" in result.output
