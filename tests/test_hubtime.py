from datetime import UTC, datetime, timedelta, timezone

import pytest

from relay.wire import hubtime


def test_epoch_is_2025() -> None:
    assert hubtime.to_datetime(0) == datetime(2025, 1, 1, tzinfo=UTC)


def test_round_trip_with_other_zone() -> None:
    cet = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 28, 15, 30, tzinfo=cet)
    assert hubtime.to_datetime(hubtime.from_datetime(moment)) == moment


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        hubtime.from_datetime(datetime(2026, 1, 1))


def test_before_epoch_clamps_to_zero() -> None:
    assert hubtime.from_unix(0) == 0
