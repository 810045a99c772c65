from pathlib import Path


def test_chromium_renders_a_loopback_page(tmp_path: Path, serve, page) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title><p id=x>hello</p>", encoding="utf-8")
    page.goto(serve(tmp_path) + "index.html")
    assert page.text_content("#x") == "hello"
