"""What an LMS knows about a package and a launch: the descriptor's AUs / root activity, and the
per-launch record (actor, registration, token, LaunchData).

cmi5 facts: docs/standards.md §8.1–8.3; TinCan launch parameters: §7.2.
"""

from __future__ import annotations

import base64
import copy
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

NS_CMI5 = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
NS_TINCAN = "http://projecttincan.com/tincan.xsd"
CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY_CMI5 = CMI5 + "context/categories/cmi5"
EXT_SESSION = CMI5 + "context/extensions/sessionid"
EXT_LAUNCH_MODE = CMI5 + "context/extensions/launchmode"
EXT_LAUNCH_URL = CMI5 + "context/extensions/launchurl"
EXT_MOVE_ON = CMI5 + "context/extensions/moveon"
EXT_LAUNCH_PARAMETERS = CMI5 + "context/extensions/launchparameters"
EXT_MASTERY = CMI5 + "context/extensions/masteryscore"
LAUNCH_MODES = ("Normal", "Browse", "Review")
LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"


@dataclass(frozen=True)
class AU:
    """One ``au`` of ``cmi5.xml`` (or the root activity of ``tincan.xml``)."""

    ident: str
    url: str
    title: str = ""
    move_on: str = "NotApplicable"
    mastery_score: float | None = None
    launch_method: str = "AnyWindow"
    launch_parameters: str | None = None
    entitlement_key: str | None = None


def _text(node: etree._Element, path: str, ns: str) -> str | None:
    found = node.find(path.replace("{}", f"{{{ns}}}"))
    return found.text if found is not None and found.text is not None else None


def read_cmi5(data: bytes) -> list[AU]:
    """The AUs of a course structure, in document order."""
    root = etree.fromstring(data)
    units = []
    for au in root.iter(f"{{{NS_CMI5}}}au"):
        mastery = au.get("masteryScore")
        units.append(
            AU(
                ident=au.get("id", ""),
                url=_text(au, "{}url", NS_CMI5) or "",
                title=_text(au, "{}title/{}langstring", NS_CMI5) or "",
                move_on=au.get("moveOn", "NotApplicable"),
                mastery_score=float(mastery) if mastery is not None else None,
                launch_method=au.get("launchMethod", "AnyWindow"),
                launch_parameters=_text(au, "{}launchParameters", NS_CMI5),
                entitlement_key=_text(au, "{}entitlementKey", NS_CMI5),
            )
        )
    return units


def read_tincan(data: bytes) -> AU:
    """The root activity of ``tincan.xml``: the one that carries ``launch`` (§7.1)."""
    root = etree.fromstring(data)
    for activity in root.iter(f"{{{NS_TINCAN}}}activity"):
        launch = _text(activity, "{}launch", NS_TINCAN)
        if launch:
            return AU(ident=activity.get("id", ""), url=launch, title=_text(activity, "{}name", NS_TINCAN) or "")
    raise ValueError("tincan.xml has no activity with a launch element")


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` merged into its own query string (§8.1: AU url query is kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def new_token(kind: str) -> str:
    """A Basic credential for one launch: ``base64(kind:random)``, meaningless outside this LMS."""
    return base64.b64encode(f"{kind}:{secrets.token_urlsafe(18)}".encode()).decode()


@dataclass
class Launch:
    """One launch: what the content may do with the token it was given."""

    kind: str  # "xapi" or "cmi5"
    actor: dict[str, Any]
    registration: str | None
    activity_id: str
    token: str  # the value after "Basic "
    au: AU
    launch_mode: str = "Normal"
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    fetch_id: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    fetched: bool = False
    template: dict[str, Any] | None = None  # an LMS's own context template (tests); None: the usual one

    def context_template(self) -> dict[str, Any]:
        """§8.3: grouping = the AU's publisher id, the session id extension (or ``template`` with
        the session id extension added)."""
        usual: dict[str, Any] = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": self.au.ident}]}}
        made = copy.deepcopy(self.template) if self.template is not None else usual
        made.setdefault("extensions", {})[EXT_SESSION] = self.session_id
        return made

    def launch_data(self, return_url: str | None) -> dict[str, Any]:
        """The ``LMS.LaunchData`` state document (§8.3)."""
        data: dict[str, Any] = {
            "contextTemplate": self.context_template(),
            "launchMode": self.launch_mode,
            "launchMethod": self.au.launch_method,
            "moveOn": self.au.move_on,
        }
        if self.au.mastery_score is not None:
            data["masteryScore"] = self.au.mastery_score
        if self.au.launch_parameters:
            data["launchParameters"] = self.au.launch_parameters
        if self.au.entitlement_key:
            data["entitlementKey"] = {"courseStructure": self.au.entitlement_key}
        if return_url:
            data["returnURL"] = return_url
        return data

    def launched_statement(self, launch_url: str, timestamp: str) -> dict[str, Any]:
        """The LMS's own ``launched`` statement (cmi5 §9.3.1; content never sends it)."""
        context = self.context_template()
        context["registration"] = self.registration
        context.setdefault("contextActivities", {})["category"] = [{"objectType": "Activity", "id": CATEGORY_CMI5}]
        context["extensions"] |= {
            EXT_LAUNCH_MODE: self.launch_mode,
            EXT_LAUNCH_URL: launch_url,
            EXT_MOVE_ON: self.au.move_on,
        }
        if self.au.launch_parameters:
            context["extensions"][EXT_LAUNCH_PARAMETERS] = self.au.launch_parameters
        return {
            "id": str(uuid.uuid4()),
            "actor": self.actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en": "launched"}},
            "object": {"objectType": "Activity", "id": self.activity_id},
            "context": context,
            "timestamp": timestamp,
        }
