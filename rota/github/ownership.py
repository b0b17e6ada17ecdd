"""Who owns which paths: CODEOWNERS and Prow OWNERS / OWNERS_ALIASES, parsed and matched.

CODEOWNERS follows GitHub's rules
(https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners):
gitignore-style patterns, the last matching pattern wins, no `!` negation and no `[ ]`
character ranges; owners are @login, @org/team or an e-mail address. GitHub skips a line it
cannot read and shows an error; Rota refuses the whole file instead, naming every bad line, so
a typo never silently hands an area to the wrong people.

Prow (https://docs.prow.k8s.io/docs/components/plugins/approve/approvers/): each OWNERS file
owns its directory; approvers and reviewers together are its owners; a directory inherits its
parents' owners unless `options: {no_parent_owners: true}`; names may be aliases from
OWNERS_ALIASES. Regex `filters` are read as owning the whole directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath

import yaml
from pathspec import GitIgnoreSpec

LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
OWNER_RE = re.compile(rf"^@{LOGIN}(?:/[A-Za-z0-9._-]+)?$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
PROW_NAME_RE = re.compile(rf"^{LOGIN}$")


@dataclass(frozen=True)
class ParsedRule:
    line: int
    pattern: str
    owners: tuple[str, ...]  # as written: "@login", "@org/team", "a@b.org"


@dataclass
class ParseResult:
    rules: list[ParsedRule] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 7: ..." or "path/OWNERS line 3: ..."


def codeowners_parse(text: str) -> ParseResult:
    """Read a CODEOWNERS file; every invalid line is reported with its number."""
    result = ParseResult()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = _tokens(line)
        pattern, owners = tokens[0], tokens[1:]
        problems = []
        if pattern.startswith("!"):
            problems.append("negation (!) is not supported in CODEOWNERS")
        if "[" in pattern or "]" in pattern:
            problems.append("character ranges ([ ]) are not supported in CODEOWNERS")
        problems += [
            f"{owner!r} is not an @login, @org/team or e-mail"
            for owner in owners
            if not OWNER_RE.match(owner)
        ]
        if problems:
            result.errors.append(f"line {number}: " + "; ".join(problems))
            continue
        result.rules.append(ParsedRule(number, pattern.replace("\\#", "#"), tuple(owners)))
    return result


def _tokens(line: str) -> list[str]:
    """Split on whitespace, dropping an inline comment (a token starting with an unescaped #)."""
    tokens = []
    for token in line.split():
        if token.startswith("#"):
            break
        tokens.append(token)
    return tokens


def prow_owners_parse(files: dict[str, str], aliases_text: str = "") -> ParseResult:
    """Read OWNERS files (path -> text) and OWNERS_ALIASES into directory rules, shallow first
    so that, with the last match winning, a path belongs to its closest OWNERS file."""
    result = ParseResult()
    aliases: dict[str, list[str]] = {}
    if aliases_text.strip():
        data = _yaml(aliases_text, "OWNERS_ALIASES", result)
        raw_aliases = data.get("aliases", {}) if isinstance(data, dict) else None
        if not isinstance(raw_aliases, dict):
            result.errors.append("OWNERS_ALIASES line 1: expected a mapping under 'aliases'")
        else:
            for name, members in raw_aliases.items():
                if not isinstance(members, list):
                    result.errors.append(f"OWNERS_ALIASES: alias {name!r} must list logins")
                    continue
                aliases[str(name).lower()] = [str(m) for m in members]
    own: dict[str, tuple[list[str], bool]] = {}
    for path in sorted(files):
        data = _yaml(files[path], path, result)
        if data is None:
            continue
        if not isinstance(data, dict):
            result.errors.append(f"{path} line 1: expected a mapping")
            continue
        names = _prow_names(data, path, result)
        for filtered in (data.get("filters") or {}).values():
            if isinstance(filtered, dict):
                names += _prow_names(filtered, path, result)
        options = data.get("options") or {}
        no_parent = bool(isinstance(options, dict) and options.get("no_parent_owners"))
        expanded = []
        for name in names:
            expanded += aliases.get(name.lower(), [name])
        bad = [n for n in expanded if not PROW_NAME_RE.match(n)]
        if bad:
            result.errors.append(f"{path}: not GitHub logins: {', '.join(bad)}")
            continue
        own[str(PurePosixPath(path).parent)] = (list(dict.fromkeys(expanded)), no_parent)
    for directory in sorted(own, key=lambda d: (0 if d == "." else d.count("/") + 1, d)):
        owners, no_parent = own[directory]
        if not no_parent:
            parent = PurePosixPath(directory)
            while str(parent) not in (".", "/"):
                parent = parent.parent
                inherited = own.get(str(parent))
                if inherited:
                    owners = owners + [o for o in inherited[0] if o not in owners]
                    if inherited[1]:
                        break
        pattern = "*" if directory == "." else f"/{directory}/"
        result.rules.append(ParsedRule(0, pattern, tuple(f"@{o}" for o in owners)))
    return result


def _prow_names(data: dict[object, object], path: str, result: ParseResult) -> list[str]:
    names: list[str] = []
    for key in ("approvers", "reviewers"):
        value = data.get(key) or []
        if not isinstance(value, list):
            result.errors.append(f"{path}: {key} must be a list")
            continue
        names += [str(v) for v in value]
    return names


def _yaml(text: str, path: str, result: ParseResult) -> object:
    try:
        return yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        result.errors.append(f"{path} line {line}: {exc.problem}")
    except yaml.YAMLError as exc:
        result.errors.append(f"{path}: {exc}")
    return None


@lru_cache(maxsize=4096)
def _spec(pattern: str) -> GitIgnoreSpec:
    return GitIgnoreSpec.from_lines([pattern])


def pattern_matches(pattern: str, path: str) -> bool:
    return _spec(pattern).match_file(path)


def owning_rule(rules: list[tuple[str, int]], path: str) -> int | None:
    """The id of the last rule (pattern, id) in file order matching `path`: GitHub's rule."""
    found = None
    for pattern, rule_id in rules:
        if pattern_matches(pattern, path):
            found = rule_id
    return found
