"""The xAPI objects of a course: activity definitions (course, modules, topics, assessments,
questions) and verbs, as the plain JSON data of xAPI 1.0.3 (docs/standards.md §6).

Each object is made as the dict the ``tincan`` library (ADL/Rustici's Python xAPI model) gives
for it (``Activity(...).as_version("1.0.3")``: the same keys, in the same order, the same values),
without making the library's objects: a 1,000-topic course has 7,800 of them, and building them
and turning them into JSON was a tenth of the build's time. ``tincan`` stays the authority:
``tests/targets/test_xapi_package.py`` reads every object of a build back with it and checks that
it gives the very same JSON.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from jmdi_scorm.render.questions import record_pattern
from jmdi_scorm.render.site import RUNTIME_DIR, Scope, Site
from jmdi_scorm.source import model
from jmdi_scorm.source.markdown import checking_parser, is_plain
from jmdi_scorm.source.question_kinds import KINDS, kind_of
from jmdi_scorm.targets.scorm_common import scope_modules

XAPI_VERSION = "1.0.3"  # docs/standards.md §6.6: the exact patch version on every request

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
# docs/standards.md §6.3; "launched", "abandoned", "waived", "satisfied" are LMS-only and never sent.
VERBS = (
    "initialized", "terminated", "experienced", "progressed", "answered",
    "completed", "passed", "failed", "suspended", "resumed",
)  # fmt: skip

ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
TYPE_COURSE = ADL_ACTIVITIES + "course"
TYPE_MODULE = ADL_ACTIVITIES + "module"
TYPE_LESSON = ADL_ACTIVITIES + "lesson"
TYPE_ASSESSMENT = ADL_ACTIVITIES + "assessment"
TYPE_INTERACTION = ADL_ACTIVITIES + "cmi.interaction"

# §6.4: question kinds → interactionType (source/question_kinds.py; a definition the adapter must
# build itself takes the record's interactionType, which the core reads in the question data).
INTERACTION_TYPES = {name: kind.interaction for name, kind in KINDS.items()}
# The lists of interaction components, in the order tincan writes them.
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
QUESTIONS_DIR = "xapi-questions"  # runtime/xapi-questions/<page-id>.js, loaded on the page's first answer
NAME_LIMIT = 120  # a question's name is its prompt, cut short; the description keeps it whole

#: An activity as xAPI JSON: ``{"id", "objectType": "Activity", "definition": {...}}`` (read only:
#: the packages of a build share them).
Activity = dict[str, Any]


# --- text -------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """Markdown as one line of plain text (for names and descriptions in language maps)."""
    if is_plain(markdown):
        return re.sub(r"\s+", " ", markdown).strip()  # what the parse below gives, without it
    words: list[str] = []
    for token in checking_parser().parse(markdown):  # a pure function of the text: cached (lru_cache)
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if token.type in ("paragraph_close", "heading_close", "list_item_close"):
            words.append(" ")
    return re.sub(r"\s+", " ", html.unescape("".join(words))).strip()


def short(text: str, limit: int = NAME_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def language_map(course: model.Course, text: str) -> dict[str, str]:
    """A language map keyed by the course language (§6.2: RFC 5646, shortest right tag)."""
    return {course.meta.language: text}


def add_languages(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Put the texts of ``theirs`` (the same activity definition in another language) into the
    language maps of ``ours``: name, description and the descriptions of the components with the
    same id. A language ``ours`` already has keeps its text."""
    for name in ("name", "description"):
        mine, other = ours.get(name), theirs.get(name)
        if mine is not None and other is not None:
            for language, text in other.items():
                mine.setdefault(language, text)
    for name in COMPONENT_LISTS:
        twins = {component["id"]: component for component in theirs.get(name) or ()}
        for component in ours.get(name) or ():
            twin = twins.get(component["id"])
            if twin is not None:
                for language, text in twin["description"].items():
                    component["description"].setdefault(language, text)


def _with_languages(nodes: tuple[Node, ...], others: list[tuple[Node, ...]]) -> tuple[Node, ...]:
    """``nodes`` with the texts of the same nodes (same key) in the other languages of the build."""
    for other in others:
        twins = {node.key: node for node in other}
        for node in nodes:
            twin = twins.get(node.key)
            if twin is not None:
                add_languages(node.activity["definition"], twin.activity["definition"])
    return nodes


# --- activities -------------------------------------------------------------------------------


def _activity(ident: str, definition: dict[str, Any]) -> Activity:
    return {"id": ident, "objectType": "Activity", "definition": definition}


def _page_activity(course: model.Course, ident: str, kind: str, name: str, description: str | None = None) -> Activity:
    definition: dict[str, Any] = {"name": language_map(course, name)}
    if description:
        definition["description"] = language_map(course, description)
    definition["type"] = kind
    return _activity(ident, definition)


def course_activity(course: model.Course) -> Activity:
    return _page_activity(course, course.iri(""), TYPE_COURSE, course.meta.title, plain_text(course.meta.description))


def module_activity(course: model.Course, module: model.Module) -> Activity:
    return _page_activity(
        course, course.iri("module", module.id), TYPE_MODULE, module.title, plain_text(module.meta.aim)
    )


def topic_activity(course: model.Course, topic: model.Topic) -> Activity:
    return _page_activity(course, course.iri("topic", topic.id), TYPE_LESSON, topic.title, topic.meta.summary)


def assessment_page(module: model.Module) -> str:
    """The page (and SCO/AU) id of a module assessment, as the runtime and the SCORM targets name it."""
    return f"{module.id}.assessment"


def assessment_activity(course: model.Course, module: model.Module) -> Activity:
    assert module.meta.assessment is not None
    ident = course.iri("assessment", module.id)
    return _page_activity(course, ident, TYPE_ASSESSMENT, module.meta.assessment.title)


def _components(course: model.Course, texts: list[str], numbered: bool = False) -> list[dict[str, Any]]:
    return [
        {"id": str(i + 1) if numbered else choice_id(i), "description": language_map(course, plain_text(text))}
        for i, text in enumerate(texts)
    ]


def choice_id(index: int) -> str:
    """Choice identifiers by position: a, b, c, … (docs/authoring.md, Identifiers; questions.py)."""
    return chr(ord("a") + index)


def interaction(course: model.Course, question: model.Question) -> dict[str, Any]:
    """``interactionType``, ``correctResponsesPattern`` and components of a question (§6.4).

    Patterns use the SCORM 2004 bracketed syntax; fill-in answers compare without case unless the
    question says otherwise, which is the fill-in default (``{case_matters=false}``).
    """
    kind = kind_of(question)
    fields: dict[str, Any] = {"interactionType": kind.interaction}
    values = record_pattern(question)
    if kind.encoding == "text":
        prefix = "{case_matters=true}" if isinstance(question, model.FillIn) and question.case_sensitive else ""
        fields["correctResponsesPattern"] = [prefix + escape_pattern(value) for value in values]
    else:  # ids, pairs, boolean: one pattern, the values joined with the bracketed delimiters
        fields["correctResponsesPattern"] = ["[,]".join(value.replace(".", "[.]") for value in values)]
    # Choices and ordering items are a, b, …; matching left items (source) 1, 2, … and right items
    # (target) a, b, … (questions.py); left n matches right n.
    components = kind.components(question) if kind.components else {}
    for name in COMPONENT_LISTS:
        if name in components:
            fields[name] = _components(course, components[name], numbered=name == "source")
    return fields


def escape_pattern(text: str) -> str:
    """A literal answer inside a pattern: the bracket delimiters cannot appear unescaped."""
    return text.replace("[,]", "[ , ]").replace("[.]", "[ . ]").replace("[:]", "[ : ]")


def question_activity(course: model.Course, owner_id: str, question: model.Question) -> Activity:
    prompt = plain_text(question.prompt)
    definition = {
        "name": language_map(course, short(prompt)),
        "description": language_map(course, prompt),
        "type": TYPE_INTERACTION,
        **interaction(course, question),
    }
    return _activity(course.iri("question", course.interaction_id(owner_id, question.id)), definition)


def verb(name: str) -> dict[str, Any]:
    """An ADL verb as xAPI JSON (``tincan.Verb``'s): its display stays in English in every course
    (verb displays are for people reading the LRS)."""
    return {"id": ADL_VERBS + name, "display": {"en": name}}


# --- the objects of one package ---------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One trackable object of a package: a page (course, module, topic, assessment) or a question."""

    key: str  # the page id or the interaction id
    activity: Activity
    parent: str | None  # key of the parent page (None for the course)


def _module_nodes(course: model.Course, module: model.Module) -> Iterator[Node]:
    """The nodes of one module, parents before children, in reading order."""
    yield Node(module.id, module_activity(course, module), "")
    for topic in module.topics:
        yield Node(topic.id, topic_activity(course, topic), module.id)
        for question in topic.questions:
            act = question_activity(course, topic.id, question)
            yield Node(course.interaction_id(topic.id, question.id), act, topic.id)
    if module.meta.assessment:
        page = assessment_page(module)
        yield Node(page, assessment_activity(course, module), module.id)
        for question in module.meta.assessment.questions:
            yield Node(course.interaction_id(page, question.id), question_activity(course, page, question), page)


class ModuleActivities:
    """One module's nodes and what the adapters get of them, each made once on first use."""

    def __init__(self, nodes: tuple[Node, ...]) -> None:
        self.nodes = nodes

    @cached_property
    def questions(self) -> dict[str, dict[str, Any]]:
        """Page id → interaction id → ``{activity, parent}`` of the module's questions (``question_data``)."""
        pages: dict[str, dict[str, Any]] = {}
        for node in self.nodes:
            if node.activity["definition"]["type"] == TYPE_INTERACTION and node.parent is not None:
                pages.setdefault(node.parent, {})[node.key] = {"activity": node.activity, "parent": node.parent}
        return pages

    @cached_property
    def scripts(self) -> dict[str, bytes]:
        """``runtime/xapi-questions/<page-id>.js`` of each page with questions."""
        return {
            f"{RUNTIME_DIR}/{QUESTIONS_DIR}/{page}.js": _questions_script(page, data)
            for page, data in self.questions.items()
        }


def _questions_script(page: str, questions: dict[str, Any]) -> bytes:
    """The script that hands the adapter the question definitions of one page."""
    data = json.dumps(questions, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    return f"(window.JMDI_XAPI_QUESTIONS=window.JMDI_XAPI_QUESTIONS||{{}})[{json.dumps(page)}]={data};\n".encode()


#: ``Site.once`` key of the modules' activities a later build may take again (``Activities.kept``).
KEPT_MODULES = "xapi-modules"


class Activities:
    """The xAPI activities of one course, made per module on first use and kept.

    Packages of one build share them (:func:`activities`): each package takes the course's
    activity and those of the modules it covers. ``others``: the course in the other languages of
    the build, whose texts join the language maps (the activities are the same in every language).

    ``kept``: module id → (course settings, module, its activities) of this build and the builds
    before that handed it on (the preview keeps it after a topic edit): a module made of the very
    same objects as then has the very same activities, taken again.
    """

    def __init__(
        self,
        course: model.Course,
        others: tuple[model.Course, ...] = (),
        kept: dict[str, tuple[Any, model.Module, ModuleActivities]] | None = None,
    ) -> None:
        self.course = course
        self.others = others
        self.root = Node("", course_activity(course), None)
        for other in others:
            add_languages(self.root.activity["definition"], course_activity(other)["definition"])
        self._modules: dict[str, ModuleActivities] = {}
        self.kept = {} if kept is None or others else kept  # one language: the course's texts only

    def module(self, module: model.Module) -> ModuleActivities:
        if module.id not in self._modules:
            meta, same, made = self.kept.get(module.id) or (None, None, None)
            if made is None or meta is not self.course.meta or same is not module or self.others:
                twins = [
                    tuple(_module_nodes(other, twin))
                    for other in self.others
                    for twin in other.modules
                    if twin.id == module.id
                ]
                made = ModuleActivities(_with_languages(tuple(_module_nodes(self.course, module)), twins))
                self.kept[module.id] = (self.course.meta, module, made)
            self._modules[module.id] = made
        return self._modules[module.id]

    def scope(self, scope: Scope | None) -> list[ModuleActivities]:
        """The activities of the modules ``scope`` covers, in reading order."""
        return [self.module(module) for module in scope_modules(self.course, scope)]


def activities(course: model.Course, site: Site | None = None) -> Activities:
    """The activities of ``course``: kept with ``site`` (so made once per build), else made now.

    Every language of a build has the same activities (``Activities``): those of its first language
    (``Site.languages``), with the others' texts in the language maps, whichever language's package
    asks first, in whichever process."""
    if site is None or site.course is not course:
        return Activities(course)
    first, *others = site.languages or (course,)
    kept: dict[str, tuple[Any, model.Module, ModuleActivities]] = site.once(KEPT_MODULES, dict)
    return site.once("xapi-activities", lambda: Activities(first, tuple(others), kept))


def nodes(course: model.Course, scope: Scope | None = None, found: Activities | None = None) -> Iterator[Node]:
    """Every trackable object of the package, parents before children, in reading order."""
    found = found or Activities(course)
    yield found.root
    for module in found.scope(scope):
        yield from module.nodes
