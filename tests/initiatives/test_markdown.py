"""Descriptions are Markdown rendered to HTML that can never carry a script."""

from django.utils.safestring import SafeString

from initiatives.markdown import render_markdown


def test_formatting_is_kept():
    html = render_markdown(
        "## Objectifs\n\nDes **tablettes** et *du temps*.\n\n- un\n- deux\n\n"
        "> Une citation\n\n`code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )

    assert isinstance(html, SafeString)
    assert "<h2>Objectifs</h2>" in html
    assert "<strong>tablettes</strong>" in html
    assert "<em>du temps</em>" in html
    assert "<li>un</li>" in html
    assert "<blockquote>" in html
    assert "<code>code</code>" in html
    assert "<td>1</td>" in html


def test_a_top_level_title_becomes_a_second_level_heading():
    # The page has its own h1.
    assert render_markdown("# Titre") == "<h2>Titre</h2>"


def test_scripts_are_removed_with_their_content():
    html = render_markdown("Bonjour <script>alert('x')</script> et <style>p{}</style>fin")

    assert "<script" not in html
    assert "alert" not in html
    assert "<style" not in html
    assert "Bonjour" in html and "fin" in html


def test_javascript_links_lose_their_target():
    html = render_markdown(
        '[a](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">b</a> '
        '<a href="data:text/html;base64,PHNjcmlwdD4=">c</a>'
    )

    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "alert" not in html


def test_event_handlers_images_and_frames_are_removed():
    html = render_markdown(
        '<p onclick="alert(1)">x</p><img src=x onerror=alert(1)>'
        '<iframe src="https://exemple.fr"></iframe>![i](https://exemple.fr/i.png)'
    )

    assert "onclick" not in html
    assert "onerror" not in html
    assert "<img" not in html
    assert "<iframe" not in html


def test_links_open_safely_and_are_not_endorsed():
    html = render_markdown("[Le site](https://exemple.fr/page)")

    assert html == ('<p><a href="https://exemple.fr/page" rel="noopener nofollow">Le site</a></p>')


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
    assert render_markdown("   \n") == ""
