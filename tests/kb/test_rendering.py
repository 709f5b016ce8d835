"""Markdown -> sanitised HTML with anchors, TOC, steps, boxes, tables, code and placeholders."""

import pytest

from kb.rendering import PLACEHOLDERS, GuideRenderError, render_guide

SOURCE = """
## Schritt für Schritt

1. Öffnen Sie [Produkte](/services/).
2. Klicken Sie auf **Speichern**.

!!! warning "Achtung"
    Das gilt sofort.

| Server | Port |
|---|---|
| {{ mail_host }} | 993 |

```
{{ mx_records }}
```

### Unterpunkt
"""


def test_renders_the_building_blocks(settings):
    settings.PORTAL_MAIL_HOST = "mail.test.example"
    settings.PORTAL_MX_HOSTS = ["mx1.test.example", "mx2.test.example"]
    out = render_guide(SOURCE)
    assert '<h2 id="schritt-für-schritt">' in out.html
    assert '<a class="anchor" href="#schritt-für-schritt"' in out.html
    assert "<ol>" in out.html and '<a href="/services/"' in out.html
    assert '<div class="admonition warning">' in out.html
    assert '<div class="table-wrap"><table>' in out.html
    assert "<td>mail.test.example</td>" in out.html
    assert "@    3600  IN  MX  10  mx1.test.example." in out.html
    assert "IN  MX  20  mx2.test.example." in out.html
    assert [(e["level"], e["name"]) for e in out.toc] == [
        (2, "Schritt für Schritt"),
        (3, "Unterpunkt"),
    ]
    assert out.links == ["/services/"]
    assert "Klicken Sie auf Speichern" in out.text and "<" not in out.text


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[klick](javascript:alert(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
    ],
)
def test_sanitiser_removes_active_content(evil):
    html = render_guide(f"Text\n\n{evil}\n").html
    for bad in ("<script", "onerror", "javascript:", "onclick", "<iframe", "<style"):
        assert bad not in html


def test_unknown_placeholder_is_an_error():
    with pytest.raises(GuideRenderError, match=r"\{\{ mail_hots \}\}"):
        render_guide("Server {{ mail_hots }}")


def test_every_placeholder_has_a_value():
    text = " ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
    out = render_guide(text)
    assert "{{" not in out.html
