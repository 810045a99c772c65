"""The launch page (``index.html``): the shell around every page, with the home page, the course's
configuration for the core, the style sheet and the core written in, and the content security
policy that allows exactly those (``CSP``, :func:`hash_source`)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from jmdi_scorm.errors import BuildError
from jmdi_scorm.render import i18n
from jmdi_scorm.render.compact import compact_css, compact_js
from jmdi_scorm.render.renderer import Renderer
from jmdi_scorm.render.site import LAUNCH, RUNTIME_DIR, LanguageLink, Scope

#: The only origins a page may use: its own package (no CDN, fonts, icons or analytics).
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # data: for the launch page's icon (ICON), no request of its own
    "font-src": "'self'",
    "media-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
}
#: Notices of one kind of adapter (the xAPI ones bring their own): other launch pages leave them out.
ADAPTER_NOTICES = {
    "local_unavailable": ("local",),
    "lms_unavailable": ("scorm12", "scorm2004"),
    # The exit page's way back in: only without an LMS (which relaunches the course itself).
    "return_to_course": ("local",),
}


def csp_attribute(extra: dict[str, str] | None) -> Markup:
    """The policy for a ``content="..."`` attribute (its quotes ``'self'`` need no escaping)."""
    policy = "; ".join(f"{name} {value}" for name, value in (CSP | (extra or {})).items())
    return Markup(policy.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


#: The adapters the launch page loads itself (issue 16): the local one keeps progress in this
#: browser and answers at once, so the first page shows it. A tracking adapter (SCORM, xAPI,
#: cmi5) is loaded by the core once the first page is up, and the LMS's or LRS's answer is
#: merged in when it comes (jmdi-core.js, startSession): neither its bytes nor its requests are
#: on the first page's way.
ADAPTERS_IN_PAGE = frozenset({"local"})


@cache
def launch_style(languages: bool = False) -> str:
    """The launch page's style sheet, written into it: runtime/jmdi.css compacted, with the
    language switch's rules (runtime/jmdi-langs.css) when the page has the switch. In the page,
    not linked (issue 16): over a slow link a linked sheet is a second round trip before the
    first page shows, and a rule for an element later in the page would make it show unstyled.
    The policy allows exactly this text by its hash (``hash_source``)."""
    runtime = resources.files("jmdi_scorm") / "runtime"
    names = ("jmdi.css", "jmdi-langs.css") if languages else ("jmdi.css",)
    text = "".join(compact_css(runtime.joinpath(name).read_text(encoding="utf-8")) for name in names)
    if "</" in text:
        raise BuildError("runtime style sheets: '</' would end the launch page's <style> element")
    return text


@cache
def launch_script() -> str:
    """The core (runtime/jmdi-core.js, compacted), written at the end of the launch page: over a
    slow link a linked script is a second round trip before the first page shows (issue 16); in
    the page it comes with the page's own bytes, after the content it acts on, which shows while
    it arrives. The policy allows exactly this text by its hash (``hash_source``)."""
    text = compact_js((resources.files("jmdi_scorm") / "runtime" / "jmdi-core.js").read_text(encoding="utf-8"))
    if re.search(r"</script|<!--", text, re.IGNORECASE):
        raise BuildError("runtime/jmdi-core.js: '</script' or '<!--' would end or confuse the launch page's <script>")
    return text


def hash_source(text: str) -> str:
    """The CSP source that allows one ``<style>`` or ``<script>`` element whose text is ``text``
    (a CSP level 2 hash: that exact text and nothing else)."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@cache
def icon_uri() -> str:
    """The launch page's icon (runtime/jmdi-icon.svg) as a data: URI: it costs no request of the
    first page's five, and Chromium, which asks for a page's icon again after a URL change (the
    #/<page> an adapter sets once the LMS answered), has nothing to ask for."""
    svg = (resources.files("jmdi_scorm") / "runtime" / "jmdi-icon.svg").read_text(encoding="utf-8")
    return "data:image/svg+xml," + quote(svg.strip().replace('"', "'"), safe="=/:;,'.-")


def shell(
    r: Renderer,
    home_html: str,
    adapter: str,
    scope: Scope,
    adapter_config: dict[str, Any] | None,
    csp: Any,
    languages: Sequence[LanguageLink] = (),
) -> bytes:
    pages = r.in_scope(scope)
    config = {
        "course": r.course.id,
        "title": r.course.meta.title,
        "version": r.course.meta.version,
        "lang": r.course.meta.language,  # the content's: interaction descriptions are course text
        "adapter": adapter,
        "adapterConfig": adapter_config or {},
        "scope": scope.module,
        "tracking": r.course.meta.tracking.model_dump(exclude={"answer_key"}),  # the print pages' alone
        "pages": r.configs_in_scope(scope),
        "strings": {
            key: text
            for key, text in i18n.client_strings(r.course.meta.interface).items()
            if adapter in ADAPTER_NOTICES.get(key, (adapter,))
        },
    }
    style, core = launch_style(bool(languages)), launch_script()
    # JSON inside <script type="application/json">: "<" escaped so no "</script>" can end it.
    config_json = json.dumps(config, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    html = r.env.get_template("shell.html").render(
        r.context(
            pages=pages,
            modules=[m for m in r.course.modules if scope.module in (None, m.id)],
            home=Markup(home_html),
            config=Markup(config_json),
            adapter_src=f"{RUNTIME_DIR}/jmdi-{adapter}.js" if adapter in ADAPTERS_IN_PAGE else "",
            runtime=RUNTIME_DIR,
            style=Markup(style),
            core=Markup(core),
            csp=csp_attribute(
                {
                    **(csp or {}),
                    "script-src": f"{CSP['script-src']} {hash_source(core)}",
                    "style-src": f"{CSP['style-src']} {hash_source(style)}",
                }
            ),
            generator=r.options.generator,
            launch=LAUNCH,
            languages=languages,
            icon=Markup(icon_uri()),  # no quote, < or & in it: written as it is
        )
    )
    return r.dirs.runs(html).encode()
