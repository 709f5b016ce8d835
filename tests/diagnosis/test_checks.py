"""The pure checks on hand-written answers (no DNS server): rules that need no zone."""

import pytest

from mailservices.diagnosis.checks import organizational_domain
from mailservices.diagnosis.checks.dmarc import evaluate_dmarc
from mailservices.diagnosis.checks.mx import evaluate_mx
from mailservices.diagnosis.checks.spf import evaluate_spf, suggest_record
from mailservices.diagnosis.dns import (
    ANSWER,
    FAILURE,
    NXDOMAIN,
    AnswerBook,
    Lookup,
    MissingAnswer,
    parse_tags,
    txt_quote,
)


def book(*lookups):
    answers = AnswerBook()
    for lookup in lookups:
        answers.add(lookup)
    return answers


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "v=spf1 include:spf.alpenpost.example ~all"),
        (["v=spf1 mx -all"], "v=spf1 include:spf.alpenpost.example mx -all"),
        (
            ["v=spf1 ip4:198.51.100.7 +all"],
            "v=spf1 include:spf.alpenpost.example ip4:198.51.100.7 ~all",
        ),
        (
            ["v=spf1 ptr include:spf.alpenpost.example ?all"],
            "v=spf1 include:spf.alpenpost.example ~all",
        ),
        (
            ["v=spf1 redirect=_spf.example.org"],
            "v=spf1 include:spf.alpenpost.example redirect=_spf.example.org",
        ),
        (["v=spf1 a -all", "v=spf1 mx ~all"], "v=spf1 include:spf.alpenpost.example a mx -all"),
    ],
)
def test_suggested_spf_keeps_other_senders(existing, expected, provider):
    assert suggest_record(existing, provider) == expected


def test_more_than_ten_mx_hosts_is_a_permerror_not_a_crash(provider):
    mx = tuple(f"{i} mx{i}.other.test." for i in range(11))
    answers = book(
        Lookup("many.test", "TXT", ANSWER, ("v=spf1 mx include:spf.alpenpost.example -all",)),
        Lookup("many.test", "MX", ANSWER, mx),
        Lookup("spf.alpenpost.example", "TXT", ANSWER, ("v=spf1 ip4:192.0.2.0/28 -all",)),
    )
    result = evaluate_spf("many.test", answers, provider)
    assert result.status == "error"
    assert "More than 10 MX" in result.message


def test_a_missing_answer_is_reported_not_guessed(provider):
    answers = book(Lookup("a.test", "TXT", ANSWER, ("v=spf1 include:spf.alpenpost.example -all",)))
    with pytest.raises(MissingAnswer) as raised:
        evaluate_spf("a.test", answers, provider)
    assert ("spf.alpenpost.example", "TXT") in raised.value.keys


def test_mx_failure_is_unknown(provider):
    result = evaluate_mx(
        "a.test", book(Lookup("a.test", "MX", FAILURE, error="servfail")), provider
    )
    assert result.status == "unknown"
    assert result.records  # what to publish is known anyway


def test_mx_on_a_domain_that_does_not_exist(provider):
    result = evaluate_mx("a.test", book(Lookup("a.test", "MX", NXDOMAIN)), provider)
    assert result.status == "error"
    assert "existiert im DNS nicht" in result.message


def test_dmarc_org_fallback_uses_the_public_suffix_list():
    answers = book(
        Lookup("_dmarc.shop.example.co.uk", "TXT", NXDOMAIN),
        Lookup("_dmarc.example.co.uk", "TXT", ANSWER, ("v=DMARC1; p=reject",)),
    )
    result = evaluate_dmarc("shop.example.co.uk", answers)
    assert result.status == "ok"
    assert "example.co.uk" in result.message


@pytest.mark.parametrize(
    ("domain", "org"),
    [
        ("a.b.example.co.uk", "example.co.uk"),
        ("shop.example.ch", "example.ch"),
        ("example.ch", "example.ch"),
        ("sub.orgfallback.test", "orgfallback.test"),
    ],
)
def test_organizational_domain(domain, org):
    assert organizational_domain(domain) == org


def test_txt_quote_splits_long_values_into_255_byte_strings():
    value = "v=DKIM1; k=rsa; p=" + "A" * 400
    quoted = txt_quote(value)
    parts = quoted.split('" "')
    assert len(parts) == 2
    assert len(parts[0].lstrip('"')) == 255
    assert txt_quote('say "hi"') == '"say \\"hi\\""'


def test_parse_tags():
    assert parse_tags("v=DMARC1; p = reject ;rua=mailto:a@b.test") == [
        ("v", "DMARC1"),
        ("p", "reject"),
        ("rua", "mailto:a@b.test"),
    ]
    with pytest.raises(ValueError):
        parse_tags("v=DMARC1; reject")
