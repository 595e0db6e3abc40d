"""The build context: one set of builders for both kinds of template.

Every input is either known at compile time (a literal, or a troposphere expression such as
`Ref(vpc)`) or a CloudFormation Parameter decided at deploy time. Builders ask questions
("is the destination s3?") and get a `Decision`: `True`/`False` when the answer is known, or a
`Cond` when only CloudFormation can answer. The helpers fold known answers away, so a
specialized template holds no Parameter, Condition or resource that can never apply, and the
builders never ask "am I parameterized?".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, Union

from troposphere import (
    And,
    AWSHelperFn,
    AWSObject,
    BaseAWSObject,
    Equals,
    If,
    Not,
    NoValue,
    Or,
    Parameter,
    Ref,
    Split,
    Sub,
    Template,
)
from troposphere import Condition as ConditionRef

from ..config.inputs import parameter_name
from ..config.validators import PSEUDO_PARAMETERS
from .limits import MAX_RESOURCES, LimitError
from .policies import DeliverySources


class ListParameter(Parameter):
    """A list input's Parameter: comma-separated text (a String), split where a list is needed."""


@dataclass(frozen=True, eq=False)
class Cond:
    """A condition only CloudFormation can decide. `name` is set once it is a named Condition."""

    expr: AWSHelperFn
    name: str | None = None
    needs: tuple[Cond, ...] = ()  # named conditions this one refers to

    @property
    def ref(self) -> AWSHelperFn:
        """How another condition refers to this one."""
        return ConditionRef(self.name) if self.name else self.expr


Decision = Union[bool, Cond]  # noqa: UP007 - a runtime alias, Python 3.10 included
R = TypeVar("R", bound=AWSObject)


@dataclass
class BuildContext:
    """Inputs (literal values or Parameters), the template under construction, and the prefix."""

    template: Template
    values: Mapping[str, Any]
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    prefix: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)  # compile-time only
    bucket_statements: Mapping[str, Any] = field(default_factory=dict)  # compile-time only
    tag_field_specifications: tuple[Mapping[str, Any], ...] = ()  # compile-time only
    # Whose log delivery may write: this account, unless an archive names others.
    sources: DeliverySources = field(default_factory=DeliverySources)
    organization_sources: DeliverySources | None = None  # used where `use_organization` holds
    use_organization: Decision = False
    _added: set[str] = field(default_factory=set)

    # --- names ---------------------------------------------------------------------------
    def name(self, base: str) -> str:
        """The logical ID (or Condition / Output name) for `base`, with the caller's prefix."""
        return self.prefix + base

    @property
    def suffix(self) -> str:
        """Appended to generated physical names (log group, alias) so prefixed sets differ."""
        return f"-{self.prefix}" if self.prefix else ""

    # --- inputs --------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """The input's value for a template: `Ref(Parameter)` or the literal, ARNs made portable."""
        if name in self.parameters:
            parameter = self.parameters[name]
            return Split(",", Ref(parameter)) if isinstance(parameter, ListParameter) else Ref(parameter)
        return portable(self.values[name])

    def is_set(self, name: str) -> Decision:
        if name in self.parameters:
            if self.parameters[name].Type == "Number":
                return True  # a Number Parameter always has a value
            return Cond(Not(Equals(Ref(self.parameters[name]), "")))
        value = self.values[name]
        return value is not None and value != "" and value != ()

    def equals(self, name: str, expected: str | int) -> Decision:
        if name in self.parameters:
            return Cond(Equals(Ref(self.parameters[name]), str(expected)))
        return bool(self.values[name] == expected)

    def is_true(self, name: str) -> Decision:
        if name in self.parameters:
            return Cond(Equals(Ref(self.parameters[name]), "true"))
        return bool(self.values[name])

    def has(self, name: str) -> Decision:
        """Whether an optional input is set, as the Condition `Has<Parameter>` when open."""
        return self.condition("Has" + parameter_name(name), self.is_set(name))

    def enabled(self, name: str) -> Decision:
        """Whether a boolean input is true, as the Condition `<Parameter>Enabled` when open."""
        return self.condition(parameter_name(name) + "Enabled", self.is_true(name))

    def optional(self, name: str, default: Any = NoValue) -> Any:
        """The optional input's value when set, else `default` (by default: no property)."""
        return self.pick(self.has(name), self.value(name), default)

    # --- decisions -----------------------------------------------------------------------
    def all(self, *decisions: Decision) -> Decision:
        return _fold(decisions, absorbing=False, join=And)

    def any(self, *decisions: Decision) -> Decision:
        return _fold(decisions, absorbing=True, join=Or)

    def not_(self, decision: Decision) -> Decision:
        if isinstance(decision, Cond):
            return Cond(Not(decision.ref), needs=_needs([decision]))
        return not decision

    def condition(self, base: str, decision: Decision) -> Decision:
        """Name an open decision `base` (prefixed). The Condition is written only once used. One
        already named keeps its name: folded inputs can make two decisions the same."""
        if isinstance(decision, Cond) and decision.name is None:
            return Cond(decision.expr, self.name(base), decision.needs)
        return decision

    def use(self, decision: Cond) -> str:
        """Write the named Condition (and those it refers to) into the template; return its name."""
        if decision.name is None:
            raise ValueError("only a named condition can guard a resource or Fn::If")
        for needed in decision.needs:
            self.use(needed)
        if decision.name not in self._added:
            self._added.add(decision.name)
            self.template.add_condition(decision.name, decision.expr)
        return decision.name

    def per_sources(self, make: Callable[[DeliverySources], Any]) -> Any:
        """`make(sources)` for the delivery sources in force: accounts or the organization."""
        if self.organization_sources is None:
            return make(self.sources)
        organization = self.organization_sources
        return self.pick_lazy(self.use_organization, lambda: make(organization), make(self.sources))

    # --- folding helpers -----------------------------------------------------------------
    def pick(self, decision: Decision, if_true: Any, if_false: Any = NoValue) -> Any:
        """`if_true` or `if_false` when known, else `Fn::If`."""
        if isinstance(decision, Cond):
            return If(self.use(decision), if_true, if_false)
        return if_true if decision else if_false

    def pick_lazy(self, decision: Decision, if_true: Callable[[], Any], if_false: Any = NoValue) -> Any:
        """Like `pick`, but builds the true branch only when it can apply."""
        if decision is False:
            return if_false
        return self.pick(decision, if_true(), if_false)

    def add(self, decision: Decision, make: Callable[[str], R], base: str) -> R | None:
        """Add the resource `make(logical_id)` when it can exist, guarded when undecided."""
        if decision is False:
            return None
        if len(self.template.resources) >= MAX_RESOURCES:  # troposphere would stop with less to say
            raise LimitError("a template's resources", len(self.template.resources) + 1, f"at most {MAX_RESOURCES}")
        resource = make(self.name(base))
        _prune(resource)
        if isinstance(decision, Cond):
            resource.Condition = self.use(decision)
        return self.template.add_resource(resource)

    def sub(self, text: str, **variables: Any) -> Any:
        """`Fn::Sub` of our own format text; literal string variables are inlined, escaped.

        A value that came from a user can never become a reference: literals are escaped
        (`${` becomes `${!`) and expressions are passed through Sub's variable map.
        """
        mapping = {}
        for key, value in variables.items():
            if isinstance(value, str):
                text = text.replace("${" + key + "}", value.replace("${", "${!"))
            elif isinstance(value, Sub) and isinstance(value.data["Fn::Sub"], str):
                text = text.replace("${" + key + "}", value.data["Fn::Sub"])  # our own Sub text
            else:
                mapping[key] = value
        if not mapping and "${" not in text:
            return text
        return Sub(text, **mapping) if mapping else Sub(text)


def _fold(decisions: tuple[Decision, ...], absorbing: bool, join: Callable[..., AWSHelperFn]) -> Decision:
    """And (absorbing False) or Or (absorbing True): known operands decide or drop out."""
    if any(d is absorbing for d in decisions):
        return absorbing
    open_ = [d for d in decisions if isinstance(d, Cond)]
    if not open_:
        return not absorbing
    if len(open_) == 1:
        return open_[0]
    return Cond(join(*(d.ref for d in open_)), needs=_needs(open_))


def _prune(obj: BaseAWSObject) -> None:
    """Drop properties that folded away to `AWS::NoValue`: a specialized template omits them."""
    for key, value in list(obj.properties.items()):
        if value is NoValue:
            del obj.properties[key]
        elif isinstance(value, BaseAWSObject):
            _prune(value)


def _needs(decisions: list[Cond]) -> tuple[Cond, ...]:
    named = [d for d in decisions if d.name]
    nested = [n for d in decisions if not d.name for n in d.needs]
    return tuple(named + nested)


_PSEUDO = re.compile("|".join(re.escape(p) for p in PSEUDO_PARAMETERS))


def portable(value: Any) -> Any:
    """A validated ARN that names `${AWS::Partition}` and friends becomes a `Fn::Sub`."""
    if isinstance(value, str) and _PSEUDO.search(value):
        return Sub(value)
    if isinstance(value, tuple):
        return [portable(item) for item in value]
    return value
