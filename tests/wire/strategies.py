"""Hypothesis strategies for every message body."""

from __future__ import annotations

from hypothesis import strategies as st

from relay.wire import model as m

u32 = st.integers(min_value=0, max_value=2**32 - 1)
seqs = st.integers(min_value=1, max_value=2**32 - 1)
small = st.integers(min_value=0, max_value=10_000)
# Texts as they travel: control characters are cleaned before sending, so draw without them.
clean_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=120).map(str.strip)
langs = st.sampled_from(["en", "ar", "tr", "pl", "uk", "de", "fy"])
group_names = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12)


def localized_texts() -> st.SearchStrategy[tuple[m.LocalizedText, ...]]:
    first = st.builds(m.LocalizedText, st.just("nl"), clean_text, clean_text)
    rest = st.lists(st.builds(m.LocalizedText, langs, clean_text, clean_text), max_size=2)
    return st.tuples(first, rest).map(lambda fr: (fr[0], *fr[1]))


templates = st.builds(
    m.TemplateValues,
    code=st.integers(1, 500),
    numbers=st.lists(st.integers(0, 2**40), max_size=4).map(tuple),
    texts=st.lists(clean_text, max_size=3).map(tuple),
)

targets = st.builds(
    m.Target,
    points=st.lists(st.integers(1, 65535), max_size=5, unique=True).map(tuple),
    groups=st.lists(group_names, max_size=3).map(tuple),
)


@st.composite
def bulletins(draw: st.DrawFn) -> m.Bulletin:
    use_template = draw(st.booleans())
    return m.Bulletin(
        texts=() if use_template else draw(localized_texts()),
        template=draw(templates) if use_template else None,
        type=draw(st.sampled_from(m.MsgType)),
        references=tuple(draw(st.lists(seqs, max_size=3))),
        urgency=draw(st.sampled_from(m.Urgency)),
        severity=draw(st.sampled_from(m.Severity)),
        certainty=draw(st.sampled_from(m.Certainty)),
        categories=m.Category(draw(st.integers(0, 2**12 - 1))),
        expires_in_min=draw(st.integers(0, 60 * 24 * 30)),
        target=draw(targets),
    )


@st.composite
def receipts(draw: st.DrawFn) -> m.Receipt:
    heartbeat = draw(st.integers(0, 100_000))
    held = draw(st.integers(0, (1 << 60) - 1))
    newer = draw(st.lists(st.integers(heartbeat + 1, heartbeat + 5000), max_size=8, unique=True))
    return m.Receipt(
        heartbeat=heartbeat,
        held=held,
        shown=held & draw(st.integers(0, (1 << 60) - 1)),
        newer=tuple(sorted(newer)),
        issuer=draw(u32),
    )


statuses = st.builds(
    m.StatusReport,
    point_id=st.integers(1, 65535),
    open=st.sampled_from(m.OpenState),
    power=st.sampled_from(m.PowerSource),
    battery_pct=st.none() | st.integers(0, 100),
    visitors=st.none() | small,
    needs=st.integers(0, 2**10 - 1).map(m.Need),
    text=clean_text,
    receipt=st.none() | receipts(),
)

heartbeats = st.builds(
    m.Heartbeat,
    active=st.lists(seqs, max_size=40, unique=True).map(lambda xs: tuple(sorted(xs))),
    interval_s=st.integers(0, 86_400),
    status_interval_s=st.integers(0, 86_400),
    slots=st.integers(0, 1000),
    heard=st.frozensets(st.integers(1, 1000), max_size=200),
)

certificates = st.builds(
    m.Certificate,
    public_key=st.binary(min_size=32, max_size=32),
    role=st.sampled_from([m.Role.HUB, m.Role.POINT]),
    name=st.text(min_size=1, max_size=30),
    valid_from=u32,
    valid_until=u32,
    point_id=st.integers(0, 65535),
    groups=st.lists(group_names, max_size=3).map(tuple),
)

revocations = st.builds(
    m.Revocation,
    keys=st.lists(
        st.builds(m.RevokedKey, u32, st.integers(0, 2**32 - 1)), min_size=1, max_size=5
    ).map(tuple),
    reason=st.text(max_size=40),
)

repairs = st.builds(
    m.RepairRequest,
    seqs=st.lists(seqs, max_size=10, unique=True).map(lambda xs: tuple(sorted(xs))),
    fragments=st.lists(
        st.builds(m.FragmentNeed, st.binary(min_size=3, max_size=3), st.integers(1, 2**16 - 1)),
        max_size=3,
    ).map(tuple),
    certificates=st.lists(u32, max_size=3).map(tuple),
    issuer=u32,
    direct=st.booleans(),
)

help_requests = st.builds(
    m.HelpRequest,
    type_code=st.integers(0, 40),  # beyond the known types too: kept, shown as "other"
    urgency=st.sampled_from(m.HelpUrgency),
    people=st.integers(0, 10_000),
    to=u32,
    sealed=st.binary(min_size=16, max_size=120),
)

help_updates = st.builds(
    m.HelpUpdate,
    point=u32,
    request=seqs,
    state=st.sampled_from(m.HelpState),
    sealed=st.binary(max_size=80),
)

help_acks = st.builds(
    m.HelpAck, updates=st.lists(seqs, max_size=8, unique=True).map(lambda xs: tuple(sorted(xs)))
)

bodies = st.one_of(
    bulletins(),
    statuses,
    receipts(),
    heartbeats,
    certificates,
    revocations,
    repairs,
    help_requests,
    help_updates,
    help_acks,
)
