"""Timeouts and server failures are "unknown", never a wrong record; nothing is cached."""

import pytest

from mailservices.diagnosis.checks import check_spf
from mailservices.diagnosis.resolver import make_resolver, parse_nameserver
from mailservices.diagnosis.runner import diagnose

pytestmark = pytest.mark.dns


def test_servfail_makes_every_check_unknown(fake_dns, provider, dkim_public_key):
    fake_dns.mode = "servfail"
    result = diagnose(
        "good.test",
        provider=provider,
        nameserver=fake_dns.address,
        dkim_public_key=dkim_public_key,
    )
    assert result.status == "unknown"
    assert {c.status for c in result.checks} == {"unknown"}
    for check in result.checks:
        assert "nochmals" in check.message
        assert all(r.action == "publish" for r in check.records)
    # Where the right records are known without asking, they are shown anyway.
    by_name = {c.name: c for c in result.checks}
    assert by_name["mx"].records and by_name["dkim"].records
    assert fake_dns.queries  # it really asked the fake server


def test_timeout_is_unknown_and_bounded(fake_dns, provider):
    fake_dns.mode = "timeout"
    resolver = make_resolver(fake_dns.address)
    resolver.timeout = resolver.lifetime = 0.1
    result = diagnose("good.test", provider=provider, resolver=resolver)
    assert result.status == "unknown"
    assert {c.status for c in result.checks} == {"unknown"}
    assert "timeout" in result.checks[0].message


def test_spf_include_that_times_out_is_unknown_not_error(fake_dns, settings):
    settings.PORTAL_SPF_INCLUDE = "spf.alpenpost.example"
    settings.PORTAL_OUTBOUND_IPS = ["192.0.2.0/28"]
    fake_dns.mode = "records"
    # The customer's record is fine, but the provider's include cannot be fetched.
    fake_dns.records = {("shop.test", "TXT"): ['"v=spf1 include:spf.alpenpost.example -all"']}

    class Flaky:
        """Answers from the fake server, except that the include's question times out."""

        def __init__(self):
            self.inner = make_resolver(fake_dns.address)

        def resolve(self, name, rdtype, **kw):
            import dns.exception

            if name.startswith("spf.alpenpost.example"):
                raise dns.exception.Timeout()
            return self.inner.resolve(name, rdtype, **kw)

    result = check_spf("shop.test", resolver=Flaky())
    assert result.status == "unknown"
    assert "nochmals" in result.message


def test_check_spf_sees_a_fix_immediately(fake_dns, settings):
    """No cache between runs: the second check sees the record published in between."""
    settings.PORTAL_SPF_INCLUDE = "spf.alpenpost.example"
    settings.PORTAL_OUTBOUND_IPS = ["192.0.2.0/28", "2001:db8:25::/64"]
    fake_dns.mode = "records"
    fake_dns.records = {
        ("shop.test", "TXT"): ['"v=spf1 ip4:198.51.100.7 -all"'],
        ("spf.alpenpost.example", "TXT"): ['"v=spf1 ip4:192.0.2.0/28 ip6:2001:db8:25::/64 -all"'],
    }
    first = check_spf("shop.test", resolver=make_resolver(fake_dns.address))
    assert first.status == "error"
    assert first.records[0].value == ("v=spf1 include:spf.alpenpost.example ip4:198.51.100.7 -all")
    fake_dns.records[("shop.test", "TXT")] = ['"' + first.records[0].value + '"']
    second = check_spf("shop.test", resolver=make_resolver(fake_dns.address))
    assert second.status == "ok", second.message
    assert make_resolver(fake_dns.address).cache is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("[::1]:5300", ("::1", 5300)),
        ("::1", ("::1", 53)),
    ],
)
def test_parse_nameserver(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["", "127.0.0.1:0", "127.0.0.1:70000", "[::1]x"])
def test_parse_nameserver_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_nameserver(text)


def test_a_silent_server_uses_up_one_run_budget_not_a_lifetime_per_question(fake_dns, provider):
    """A server that drops every question: the run asks each question with what is left of
    its time budget (at most the resolver's lifetime), then stops asking; all "unknown".

    Time is not measured here (no timed tests): a clock moved by the lifetime each question
    was given stands for the wall clock; the real time is measured by a one-off check.
    """
    from mailservices.diagnosis.resolver import LIFETIME, RUN_BUDGET, ResolverSource
    from mailservices.diagnosis.runner import run_checks

    fake_dns.mode = "timeout"
    now = [1000.0]
    given = []

    class Dropped:
        """The real resolver against the silent server, for a moment; the clock then moves
        by the whole lifetime the question was given, as if it had waited it out."""

        lifetime = LIFETIME

        def __init__(self):
            self.inner = make_resolver(fake_dns.address)

        def resolve(self, name, rdtype, **kw):
            given.append(kw["lifetime"])
            try:
                return self.inner.resolve(name, rdtype, **{**kw, "lifetime": 0.05})
            finally:
                now[0] += kw["lifetime"]

    source = ResolverSource(Dropped(), clock=lambda: now[0])
    result = run_checks("good.test", source, provider)
    assert result.status == "unknown"
    assert {c.status for c in result.checks} == {"unknown"}
    assert RUN_BUDGET < 10
    assert given and all(0 < lifetime <= LIFETIME for lifetime in given)
    assert sum(given) == pytest.approx(RUN_BUDGET)  # the budget, then no more questions
    assert len(fake_dns.queries) >= len(given)  # each was really sent to the silent server
    asked = len(source.answers)
    assert asked > len(given)  # the questions after the budget failed without being sent


def test_every_single_run_gets_the_budget(monkeypatch, fake_dns, provider):
    """`diagnose()` (the page's "Jetzt prüfen", the command) runs with the run budget."""
    from mailservices.diagnosis import runner
    from mailservices.diagnosis.resolver import RUN_BUDGET, ResolverSource

    budgets = []

    class Recording(ResolverSource):
        def __init__(self, resolver=None, **kw):
            super().__init__(resolver, **kw)
            budgets.append(self.deadline - self.clock())

    monkeypatch.setattr(runner, "ResolverSource", Recording)
    fake_dns.mode = "servfail"
    runner.diagnose("good.test", provider=provider, nameserver=fake_dns.address)
    assert budgets and budgets[0] == pytest.approx(RUN_BUDGET, abs=0.5)
