"""The course model: typed, documented classes every target reads.

The source files map onto the ``*File`` classes (one per kind of file); the loader assembles them
into :class:`Course`, whose objects compute their identifiers and output paths once.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from jmdi_scorm.locale import LANGUAGES

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
VERSION_PATTERN = r"^\d+\.\d+(\.\d+)?$"
BASE_IRI_PATTERN = r"^https?://[^\s/]+(/[^\s]*)?/$"
LINK_PATTERN = r"^(https?|mailto):"
Identifier = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=64),
    Field(description="Stable identifier: lowercase letters, digits and single hyphens."),
]
Fraction = Annotated[float, Field(gt=0, le=1, description="A share between 0 (excluded) and 1.")]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Markdown = Annotated[str, StringConstraints(min_length=1), Field(description="Markdown text.")]
if TYPE_CHECKING:
    LanguageCode = str
else:  # English and the languages of the catalogues in jmdi_scorm/locale (a set known when run)
    LanguageCode = Literal[LANGUAGES]


def _check_relative_path(value: str) -> str:
    path = PurePosixPath(value)
    if value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
        raise ValueError("must be a relative path inside the course directory, not an absolute one")
    if ".." in path.parts or "\\" in value:
        raise ValueError("must stay inside the course directory ('..' and backslashes are not allowed)")
    return value


RelativePath = Annotated[
    str,
    StringConstraints(min_length=1),
    AfterValidator(_check_relative_path),
    Field(description="Path relative to the course directory, using forward slashes."),
]


class StrictModel(BaseModel):
    """Base of every source model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=False)


# --- questions ------------------------------------------------------------------------------


class Feedback(StrictModel):
    """What the learner reads after answering."""

    correct: Markdown = Field(description="Shown when the answer is right; explain why.")
    incorrect: Markdown = Field(description="Shown when the answer is wrong; explain the right answer.")
    hint: Markdown | None = Field(
        None,
        description="Shown after a wrong try while tries remain: a pointer to the answer, not the answer.",
    )


class Choice(StrictModel):
    """One option of a single-choice or multiple-response question."""

    text: Markdown = Field(description="The option as the learner reads it.")
    correct: bool = Field(False, description="True for a right option.")
    feedback: Markdown | None = Field(None, description="Optional feedback for this option.")


class MatchPair(StrictModel):
    """One pair of a matching question."""

    left: NonEmptyText = Field(description="Item shown on the left.")
    right: NonEmptyText = Field(description="Its match, shown shuffled on the right.")


#: Whether a choice question shows its options shuffled (render/questions.py, choice_order).
Shuffle = Annotated[
    bool,
    Field(
        description="true (the default): the options are shown in a shuffled order, the same on "
        "every visit and try (the printable pages keep the authored order); false: in the authored "
        "order, for options such as 'both of the above'."
    ),
]


class QuestionBase(StrictModel):
    id: Identifier = Field(description="Unique within the topic or assessment, e.g. q1.")
    prompt: Markdown = Field(description="The question, in Markdown.")
    feedback: Feedback = Field(description="Feedback for right and wrong answers.")


class SingleChoice(QuestionBase):
    """Exactly one right option."""

    type: Literal["single"] = Field(description="Question type.")
    choices: list[Choice] = Field(
        min_length=2, max_length=6, description="The options; the learner sees them shuffled unless shuffle is false."
    )
    shuffle: Shuffle = True

    @model_validator(mode="after")
    def _one_correct(self) -> SingleChoice:
        if sum(c.correct for c in self.choices) != 1:
            raise ValueError("a single-choice question needs exactly one choice with correct: true")
        return self


class MultipleResponse(QuestionBase):
    """One or more right options."""

    type: Literal["multiple"] = Field(description="Question type.")
    choices: list[Choice] = Field(
        min_length=2, max_length=8, description="The options; the learner sees them shuffled unless shuffle is false."
    )
    shuffle: Shuffle = True

    @model_validator(mode="after")
    def _some_correct(self) -> MultipleResponse:
        if not any(c.correct for c in self.choices):
            raise ValueError("a multiple-response question needs at least one choice with correct: true")
        return self


class TrueFalse(QuestionBase):
    """A statement that is true or false."""

    type: Literal["true-false"] = Field(description="Question type.")
    answer: bool = Field(description="Whether the statement is true.")


class FillIn(QuestionBase):
    """A short typed answer."""

    type: Literal["fill-in"] = Field(description="Question type.")
    answers: list[NonEmptyText] = Field(min_length=1, max_length=10, description="Accepted answers.")
    case_sensitive: bool = Field(False, description="Compare answers with case.")


class Matching(QuestionBase):
    """Match each left item with its right item."""

    type: Literal["matching"] = Field(description="Question type.")
    pairs: list[MatchPair] = Field(min_length=2, max_length=8, description="The right pairs.")


class Ordering(QuestionBase):
    """Put items in order."""

    type: Literal["ordering"] = Field(description="Question type.")
    items: list[NonEmptyText] = Field(min_length=2, max_length=8, description="Items in the right order.")


Question = Annotated[
    SingleChoice | MultipleResponse | TrueFalse | FillIn | Matching | Ordering,
    Field(discriminator="type"),
]
#: The ``type:`` values of the union, in its order (source/question_kinds.py describes each kind).
QUESTION_TYPES: tuple[str, ...] = tuple(
    get_args(member.model_fields["type"].annotation)[0] for member in get_args(get_args(Question)[0])
)


# --- source files ---------------------------------------------------------------------------


class Tracking(StrictModel):
    """How completion and success are decided."""

    completion_threshold: Fraction = Field(
        1.0, description="Share of topics and module assessments to finish to complete."
    )
    mastery_score: Fraction = Field(0.8, description="Share of question points needed to pass.")
    attempts: int = Field(2, ge=0, le=10, description="Tries per question (0 = unlimited).")
    interactions: Literal["assessments", "all", "none"] = Field(
        "assessments",
        description="Answered questions the SCORM packages record as cmi.interactions: those of the module "
        "assessments (default), every question, or none. Answers always stay in the learner state, and xAPI "
        "and cmi5 send every answer. Moodle sends every interaction record with each save, and its save when "
        "the window closes is limited to 64 KiB.",
    )
    answer_key: Literal["all", "knowledge-checks", "none"] = Field(
        "all",
        description="The answers that each module's printable page and PDF give at their end: every question's "
        "(default), the topics' knowledge checks' only (the graded module assessment's answers then stay out of "
        "what learners can print and download), or none. The questions are printed either way.",
    )


class Credit(StrictModel):
    """A person or organisation credited on the home page."""

    name: NonEmptyText = Field(description="Name.")
    role: NonEmptyText | None = Field(None, description="What they did.")


class CourseFile(StrictModel):
    """``course.yaml``: the course as a whole."""

    id: Identifier = Field(description="Course identifier; the package and manifest identifier.")
    title: NonEmptyText = Field(description="Course title.")
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)] = Field(
        description="Course version, e.g. 1.0.0."
    )
    language: LanguageCode = Field(
        description="Language the course is written in (its texts); also its interface's unless "
        "interface_language says otherwise."
    )
    interface_language: LanguageCode | None = Field(
        None,
        description="Language of the interface (buttons, menus, headings and messages the tool writes) "
        "when it is not the course's: an English course with an Arabic interface sets language: en and "
        "interface_language: ar. Default: language. A translation shows its interface in its own language.",
    )
    base_iri: Annotated[str, StringConstraints(pattern=BASE_IRI_PATTERN)] = Field(
        description="Base IRI of xAPI/cmi5 identifiers; http(s), ending with '/'."
    )
    description: Markdown = Field(description="What the course is, for the home page.")
    audience: list[NonEmptyText] = Field(min_length=1, description="Who the course is for.")
    objectives: list[NonEmptyText] = Field(min_length=1, description="General objectives.")
    outcomes: list[NonEmptyText] = Field(min_length=1, description="Learning outcomes.")
    how_to_use: Markdown | None = Field(None, description="How the course works (Markdown).")
    tracking: Tracking = Field(default_factory=Tracking, description="Completion and mastery rules.")
    credits: list[Credit] = Field(default_factory=list, description="Credits.")
    allow_html: bool = Field(
        False,
        description="Let Markdown texts contain raw HTML (off: shown as text). When on, it is cleaned: "
        "scripts, styles, event handlers, forms, frames and javascript:/data: links are removed.",
    )

    @property
    def interface(self) -> str:
        """The interface's language: ``interface_language``, else the course's."""
        return self.interface_language or self.language


class Assessment(StrictModel):
    """An optional module assessment."""

    title: NonEmptyText = Field(description="Title of the assessment page.")
    questions: list[Question] = Field(min_length=1, description="Assessment questions.")


class ModuleFile(StrictModel):
    """``modules/<folder>/module.yaml``: one module."""

    id: Identifier = Field(description="Module identifier.")
    title: NonEmptyText = Field(description="Module title.")
    order: int = Field(ge=0, description="Modules are shown in ascending order.")
    aim: Markdown = Field(description="What the module is for (Markdown).")
    objectives: list[NonEmptyText] = Field(min_length=1, description="Module objectives.")
    topics: list[RelativePath] = Field(description="Topic files of this folder, in reading order.")
    assessment: Assessment | None = Field(None, description="Optional module assessment.")


class TopicFrontMatter(StrictModel):
    """The YAML front matter of a topic Markdown file."""

    id: Identifier = Field(description="Topic identifier.")
    title: NonEmptyText = Field(description="Topic title (the page heading).")
    summary: NonEmptyText = Field(description="One paragraph for the module overview.")
    objectives: list[NonEmptyText] = Field(min_length=1, description="Measurable objectives.")
    minutes: int = Field(ge=1, le=600, description="Estimated minutes to study the topic.")
    questions: list[Question] = Field(default_factory=list, description="Knowledge check.")


class GlossaryTerm(StrictModel):
    """One glossary entry."""

    id: Identifier = Field(description="Term identifier, used in glossary: links.")
    term: NonEmptyText = Field(description="The term as displayed.")
    definition: NonEmptyText = Field(description="Plain-language definition.")
    source: NonEmptyText | None = Field(None, description="Where the definition comes from.")


class GlossaryFile(StrictModel):
    """``glossary.yaml``."""

    terms: list[GlossaryTerm] = Field(default_factory=list, description="Glossary terms.")


class Resource(StrictModel):
    """A download or an external link."""

    id: Identifier = Field(description="Resource identifier.")
    title: NonEmptyText = Field(description="Title shown to learners.")
    url: Annotated[str, StringConstraints(pattern=LINK_PATTERN)] | None = Field(
        None, description="External address (http, https or mailto)."
    )
    file: RelativePath | None = Field(None, description="A file inside the course to download.")
    description: NonEmptyText | None = Field(None, description="Why read it.")
    module: Identifier | None = Field(None, description="Module this resource belongs to.")

    @model_validator(mode="after")
    def _not_both(self) -> Resource:
        if self.url and self.file:
            raise ValueError("give either url or file, not both")
        return self


class ResourcesFile(StrictModel):
    """``resources.yaml``."""

    resources: list[Resource] = Field(default_factory=list, description="Resources.")


# --- the assembled course -------------------------------------------------------------------


class Topic(BaseModel):
    """A topic as the targets see it."""

    meta: TopicFrontMatter
    module_id: str
    source: str = Field(description="Path of the Markdown file, relative to the course directory.")
    body: str = Field(description="Markdown body below the front matter.")
    body_line: int = Field(description="Line of the file where the body starts (1-based).")

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def questions(self) -> list[Question]:
        return self.meta.questions

    @property
    def word_count(self) -> int:
        return len(self.body.split())


class Module(BaseModel):
    """A module with its topics, in order."""

    meta: ModuleFile
    source: str
    topics: list[Topic]

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title


class Course(BaseModel):
    """The whole validated course: the only input of every target."""

    meta: CourseFile
    root: str = Field(description="Absolute path of the course directory.")
    modules: list[Module]
    glossary: list[GlossaryTerm] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)
    assets: list[str] = Field(default_factory=list, description="Asset files used by the course.")
    translation: str | None = Field(
        None, description="The catalogue language (``fr``, ``pt_BR``) of a translated course; None: the source."
    )

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def language_tag(self) -> str | None:
        """The translation's language as a lowercase name part (``fr``, ``pt-br``); None for the source."""
        return self.translation.lower().replace("_", "-") if self.translation else None

    @property
    def package_id(self) -> str:
        """What names this language's packages (zips, PDFs in ``dist/``, SCORM manifest and organization
        identifiers): the course id, ``<id>-<language>`` for a translation (docs/translating.md)."""
        return f"{self.id}-{self.language_tag}" if self.language_tag else self.id

    def package_iri(self, kind: str, ident: str = "") -> str:
        """The IRI of what an LMS imports as this language's package (cmi5 course, blocks and AUs):
        :meth:`iri` for the source, under ``<base_iri><language>/`` for a translation. Page and
        question activities keep :meth:`iri` in every language (docs/tracking.md)."""
        if not self.translation:
            return self.iri(kind, ident)
        base = f"{self.meta.base_iri}{self.translation.replace('_', '-')}/"
        return base if not kind else f"{base}{kind}/{ident}"

    @property
    def topics(self) -> list[Topic]:
        return [topic for module in self.modules for topic in module.topics]

    def interaction_id(self, owner_id: str, question_id: str) -> str:
        """The SCORM interaction id of a question of a topic (or ``<module>.assessment``)."""
        return f"{owner_id}.{question_id}"

    def iri(self, kind: str, ident: str = "") -> str:
        """The xAPI/cmi5 IRI of a course object (see docs/authoring.md, Identifiers)."""
        return self.meta.base_iri if not kind else f"{self.meta.base_iri}{kind}/{ident}"
