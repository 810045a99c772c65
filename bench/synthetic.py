"""A synthetic course in the JMDI course format, of any size, for the benchmarks.

    python3 bench/synthetic.py OUT_DIR --topics 100 [--per-module 10] [--seed 1]

Shaped like the JMDI course (``course/``) so that build costs scale the way a real course's
would: topics of about 1,800 words with headings, lists, a table, the four ``:::`` boxes,
glossary, cross-topic and external links, a footnote and a figure; six knowledge-check
questions per topic (one of each type); a five-question assessment per module; one SVG
diagram and one PNG photo per module; a glossary and a resources list with downloads.
The text is made of plausible English sentences drawn from a fixed seed: the same arguments
always give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import struct
import zlib
from pathlib import Path

TYPES = ("single", "multiple", "true-false", "fill-in", "matching", "ordering")
WORDS_PER_TOPIC = 1800  # the JMDI course's topics run from 1,500 to 2,900 words

ACTORS = [
    "the municipality", "the regional council", "a migrant association", "the district office",
    "the employers' federation", "the national ministry", "the returnee network", "a women's cooperative",
    "the chamber of commerce", "a civil society platform", "the planning department", "a diaspora investor",
    "the youth council", "the local university", "a hometown association", "the job centre",
]  # fmt: skip
ACTIONS = [
    "maps", "supports", "funds", "coordinates", "reviews", "strengthens", "monitors", "plans",
    "connects", "documents", "adapts", "shares", "evaluates", "negotiates", "promotes", "protects",
]  # fmt: skip
OBJECTS = [
    "remittance flows", "pre-departure information", "skills recognition", "labour market data",
    "reintegration services", "local development plans", "partnership agreements", "health services",
    "housing programmes", "investment in small businesses", "language classes", "social cohesion",
    "public consultations", "vocational training", "data on returnees", "migrant resource centres",
]  # fmt: skip
QUALIFIERS = [
    "in close cooperation with neighbouring territories", "before the next budget cycle",
    "with attention to the needs of women and young people", "across several levels of government",
    "so that newcomers can take part in local decisions", "using the data already collected",
    "in the areas of origin as well as destination", "with clear roles and a shared calendar",
    "while keeping the costs for households low", "through a one-stop information desk",
]  # fmt: skip
OPENERS = [
    "In practice,", "As a first step,", "Over time,", "In many territories,", "For this reason,",
    "At the same time,", "In the cases studied,", "Where resources are scarce,", "More broadly,",
]  # fmt: skip
TERMS = [
    "circular migration", "remittances", "diaspora", "decentralization", "local development",
    "brain circulation", "social remittances", "reintegration", "mainstreaming", "co-development",
    "multi-level governance", "migrant resource centre", "integration", "return migration",
    "labour mobility", "skills partnership", "whole-of-society approach", "human mobility",
    "hometown association", "matching fund", "territorial approach", "policy coherence",
    "gender-responsive planning", "social protection",
]  # fmt: skip


class Writer:
    """Sentences, paragraphs and files drawn from one seeded random generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def pick(self, items: list[str]) -> str:
        return self.rng.choice(items)

    def sentence(self) -> str:
        opener = f"{self.pick(OPENERS)} " if self.rng.random() < 0.35 else ""
        body = f"{self.pick(ACTORS)} {self.pick(ACTIONS)} {self.pick(OBJECTS)} {self.pick(QUALIFIERS)}"
        text = opener + body
        return text[0].upper() + text[1:] + "."

    def paragraph(self, sentences: int = 5, links: tuple[str, ...] = ()) -> str:
        parts = [self.sentence() for _ in range(sentences)]
        for link in links:
            index = self.rng.randrange(len(parts))
            parts[index] = parts[index][:-1] + f", as {link} shows."
        return _wrap(" ".join(parts))

    def phrase(self) -> str:
        return f"{self.pick(ACTIONS)} {self.pick(OBJECTS)}".capitalize()

    def phrases(self, count: int) -> list[str]:
        """``count`` different phrases (matching and ordering items must differ)."""
        pairs = self.rng.sample([(a, o) for a in ACTIONS for o in OBJECTS], count)
        return [f"{action} {thing}".capitalize() for action, thing in pairs]


def _wrap(text: str, width: int = 96) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def term_id(term: str) -> str:
    return term.replace(" ", "-").replace("'", "")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- questions --------------------------------------------------------------------------------


def question(w: Writer, qid: str, kind: str) -> list[str]:
    """The YAML lines of one question (indented for a list item at two spaces)."""
    lines = [f"  - id: {qid}", f"    type: {kind}", f"    prompt: {_quote(w.sentence()[:-1] + '?')}"]
    lines += _QUESTION_BODIES[kind](w)
    lines += [
        "    feedback:",
        f"      correct: {_quote('Correct. ' + w.sentence() + ' ' + w.sentence())}",
        f"      incorrect: {_quote('Not quite. ' + w.sentence() + ' ' + w.sentence())}",
    ]
    return lines


def _choices(w: Writer, count: int, right: set[int]) -> list[str]:
    lines = ["    choices:"]
    for index in range(count):
        lines.append(f"      - text: {_quote(w.sentence())}")
        if index in right:
            lines.append("        correct: true")
    return lines


def _single(w: Writer) -> list[str]:
    return _choices(w, 4, {w.rng.randrange(4)})


def _multiple(w: Writer) -> list[str]:
    return _choices(w, 5, set(w.rng.sample(range(5), 2)))


def _true_false(w: Writer) -> list[str]:
    return [f"    answer: {str(w.rng.random() < 0.5).lower()}"]


def _fill_in(w: Writer) -> list[str]:
    word = w.pick(TERMS)
    return ["    answers:", f"      - {_quote(word)}", f"      - {_quote(word.title())}"]


def _matching(w: Writer) -> list[str]:
    lines = ["    pairs:"]
    for actor, phrase in zip(w.rng.sample(ACTORS, 4), w.phrases(4), strict=True):
        lines += [f"      - left: {_quote(actor.capitalize())}", f"        right: {_quote(phrase)}"]
    return lines


def _ordering(w: Writer) -> list[str]:
    return ["    items:"] + [f"      - {_quote(phrase)}" for phrase in w.phrases(5)]


_QUESTION_BODIES = {
    "single": _single,
    "multiple": _multiple,
    "true-false": _true_false,
    "fill-in": _fill_in,
    "matching": _matching,
    "ordering": _ordering,
}


# --- topics and modules -----------------------------------------------------------------------


def topic_file(w: Writer, module: str, index: int, count: int) -> str:
    tid = f"{module}-{index:02d}"
    front = [
        "---",
        f"id: {tid}",
        f"title: {_quote(w.phrase() + ' ' + w.pick(QUALIFIERS))}",
        f"summary: {_quote(w.sentence() + ' ' + w.sentence())}",
        "objectives:",
        *[f"  - {_quote(w.phrase() + ' ' + w.pick(QUALIFIERS) + '.')}" for _ in range(3)],
        f"minutes: {w.rng.randrange(20, 41)}",
        "questions:",
    ]
    for number, kind in enumerate(TYPES, start=1):
        front += question(w, f"q{number}", kind)
    return "\n".join([*front, "---", "", topic_body(w, module, index, count)])


def topic_body(w: Writer, module: str, index: int, count: int) -> str:
    other = f"{module}-{index % count + 1:02d}.md"
    blocks = [
        f"## {w.phrase()}",
        w.paragraph(links=(f"[the {w.pick(TERMS)}](glossary:{term_id(w.pick(TERMS))}) example",)),
        w.paragraph(links=(f"[the next topic]({other})",)),
        f"::: definition {w.pick(TERMS).capitalize()}\n{w.paragraph(3)}\n:::",
        f"## {w.phrase()}",
        "\n".join(f"- **{w.phrase()}.** {w.sentence()}" for _ in range(6)),
        w.paragraph(6, links=("[IOM's portal](https://www.iom.int/)",)),
        f"![{w.sentence()[:-1]}](../../assets/{module}/diagram.svg {_quote(_caption(w))})",
        w.paragraph(),
        _table(w),
        f"::: case-study {w.phrase()}\n{w.paragraph(6)}\n\n{w.paragraph(5)}\n:::",
        f"## {w.phrase()}",
        w.paragraph(6) + "[^1]",
        "\n".join(f"{n}. {w.sentence()}" for n in range(1, 6)),
        f"![{w.sentence()[:-1]}](../../assets/{module}/photo.png {_quote(_caption(w))})",
    ]
    while len(" ".join(blocks).split()) < WORDS_PER_TOPIC - 120:
        blocks += [f"## {w.phrase()}", w.paragraph(6), w.paragraph(5)]
    blocks += [
        "::: takeaway\n" + "\n".join(f"- {w.sentence()}" for _ in range(4)) + "\n:::",
        f"[^1]: {w.sentence()}",
    ]
    return "\n\n".join(blocks) + "\n"


def _caption(w: Writer) -> str:
    return f"{w.phrase()}. Source: synthetic benchmark course, 2026."


def _table(w: Writer) -> str:
    rows = ["| Actor | Role | Example |", "|---|---|---|"]
    rows += [f"| {w.pick(ACTORS).capitalize()} | {w.phrase()} | {w.sentence()} |" for _ in range(5)]
    return "\n".join(rows)


def module_file(w: Writer, module: str, order: int, topics: int) -> str:
    lines = [
        f"id: {module}",
        f"title: {_quote(f'Module {order}: ' + w.phrase())}",
        f"order: {order}",
        "aim: |",
        *[f"  {line}" for line in w.paragraph(4).splitlines()],
        "objectives:",
        *[f"  - {_quote(w.phrase() + ' ' + w.pick(QUALIFIERS) + '.')}" for _ in range(4)],
        "topics:",
        *[f"  - {module}-{index:02d}.md" for index in range(1, topics + 1)],
        "assessment:",
        f"  title: {_quote(f'Module {order} assessment')}",
        "  questions:",
    ]
    for number, kind in enumerate(TYPES[:5], start=1):
        lines += ["  " + line for line in question(w, f"a{number}", kind)]
    return "\n".join(lines) + "\n"


# --- course files and assets ------------------------------------------------------------------


def course_file(course_id: str, topics: int) -> str:
    w = Writer(0)
    return (
        "\n".join(
            [
                f"id: {course_id}",
                f"title: {_quote(f'Synthetic course, {topics} topics')}",
                "version: 1.0.0",
                "language: en",
                f"base_iri: https://example.org/{course_id}/",
                "description: |",
                *[f"  {line}" for line in w.paragraph(6).splitlines()],
                "audience:",
                *[f"  - {_quote(actor.capitalize())}" for actor in ACTORS[:4]],
                "objectives:",
                *[f"  - {_quote(w.phrase() + '.')}" for _ in range(4)],
                "outcomes:",
                *[f"  - {_quote(w.phrase() + '.')}" for _ in range(4)],
                "how_to_use: |",
                *[f"  {line}" for line in w.paragraph(4).splitlines()],
                "tracking:",
                "  completion_threshold: 1.0",
                "  mastery_score: 0.8",
                "  attempts: 2",
            ]
        )
        + "\n"
    )


def glossary_file(w: Writer) -> str:
    lines = ["terms:"]
    for term in TERMS:
        lines += [
            f"  - id: {term_id(term)}",
            f"    term: {_quote(term.capitalize())}",
            f"    definition: {_quote(w.sentence() + ' ' + w.sentence())}",
            "    source: Synthetic glossary",
        ]
    return "\n".join(lines) + "\n"


def resources_file(w: Writer, modules: list[str]) -> str:
    lines = ["resources:"]
    for module in modules:
        for number in range(1, 4):
            lines += [
                f"  - id: {module}-r{number}",
                f"    title: {_quote(w.phrase() + ' (report)')}",
                f"    url: https://example.org/{module}/report-{number}",
                f"    description: {_quote(w.sentence())}",
                f"    module: {module}",
            ]
        lines += [
            f"  - id: {module}-handout",
            f"    title: {_quote('Handout: ' + w.phrase())}",
            f"    file: assets/{module}/handout.txt",
            f"    module: {module}",
        ]
    return "\n".join(lines) + "\n"


def svg(w: Writer, title: str) -> bytes:
    """A labelled box-and-arrow diagram, about the size of the JMDI course's figures."""
    shapes = []
    for index in range(6):
        x, y = 20 + (index % 3) * 260, 40 + (index // 3) * 200
        shapes.append(
            f'  <rect x="{x}" y="{y}" width="240" height="120" rx="10" fill="#dbe9f6" stroke="#1f4e79"/>\n'
            f'  <text x="{x + 120}" y="{y + 50}" text-anchor="middle" font-size="15">{w.phrase()}</text>\n'
            f'  <text x="{x + 120}" y="{y + 80}" text-anchor="middle" font-size="13">{w.pick(ACTORS)}</text>\n'
            f'  <path d="M{x + 240},{y + 60} L{x + 260},{y + 60}" stroke="#333333" stroke-width="3"/>'
        )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 450" width="800" height="450" role="img">\n'
        f"  <title>{title}</title>\n  <desc>{w.paragraph(3)}</desc>\n"
        '  <rect x="0" y="0" width="800" height="450" fill="#ffffff"/>\n' + "\n".join(shapes) + "\n</svg>\n"
    ).encode()


def png(w: Writer, width: int = 240, height: int = 160) -> bytes:
    """A photo-like PNG: a colour gradient with noise, which compresses as badly as a photo."""
    rows = bytearray()
    mask = bytes(range(64)) * 4  # keeps the low six bits: noise of +-64 levels
    for y in range(height):
        gradient = bytes((x + y * c) % 256 for x in range(width) for c in (1, 2, 3))
        noise = w.rng.randbytes(width * 3).translate(mask)
        row = int.from_bytes(gradient, "big") ^ int.from_bytes(noise, "big")
        rows += b"\x00" + row.to_bytes(width * 3, "big")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def module_ids(topics: int, per_module: int) -> list[tuple[str, int]]:
    """(module id, topic count) of every module: ``per_module`` topics each, the rest in the last."""
    sizes = [per_module] * (topics // per_module) + ([topics % per_module] if topics % per_module else [])
    return [(f"s{number:03d}", size) for number, size in enumerate(sizes, start=1)]


def generate(dest: Path, topics: int, per_module: int = 10, seed: int = 1) -> Path:
    """Write a course of ``topics`` topics into ``dest`` (which must not exist); return ``dest``."""
    if topics < 1 or per_module < 1:
        raise ValueError("topics and per_module must be at least 1")
    dest.mkdir(parents=True)
    w = Writer(seed)
    modules = module_ids(topics, per_module)
    (dest / "course.yaml").write_text(course_file(f"synthetic-{topics}", topics))
    (dest / "glossary.yaml").write_text(glossary_file(w))
    (dest / "resources.yaml").write_text(resources_file(w, [module for module, _ in modules]))
    for order, (module, count) in enumerate(modules, start=1):
        folder, assets = dest / "modules" / module, dest / "assets" / module
        folder.mkdir(parents=True)
        assets.mkdir(parents=True)
        (folder / "module.yaml").write_text(module_file(w, module, order, count))
        for index in range(1, count + 1):
            (folder / f"{module}-{index:02d}.md").write_text(topic_file(w, module, index, count))
        (assets / "diagram.svg").write_bytes(svg(w, f"Diagram of module {order}"))
        (assets / "photo.png").write_bytes(png(w))
        (assets / "handout.txt").write_text(w.paragraph(12) + "\n")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder to create")
    parser.add_argument("--topics", type=int, default=100, help="number of topics (default 100)")
    parser.add_argument("--per-module", type=int, default=10, help="topics per module (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    generate(args.dest, args.topics, args.per_module, args.seed)
    print(f"wrote {args.dest} ({args.topics} topics)")


if __name__ == "__main__":
    main()
