"""A small evaluator of a template's Conditions and Rules for given Parameter values.

CloudFormation decides these at deploy time; evaluating them here lets the tests check that
the parameterized template creates what a specialized one does, and that Rules reject what
the Python validation rejects.
"""

from __future__ import annotations

from typing import Any


def parameter_values(template: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    values = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
    unknown = set(overrides) - set(values)
    assert not unknown, f"unknown parameters {unknown}"
    values.update(overrides)
    return values


def evaluate(expr: Any, values: dict[str, str], conditions: dict[str, Any], cache: dict[str, bool]) -> Any:
    if isinstance(expr, (str, int, bool)):
        return str(expr).lower() if isinstance(expr, bool) else str(expr)
    if isinstance(expr, list):
        return [evaluate(e, values, conditions, cache) for e in expr]
    ((fn, arg),) = expr.items()
    if fn == "Ref":
        return values[arg]
    if fn == "Condition":
        return condition(arg, values, conditions, cache)
    if fn == "Fn::Equals":
        left, right = (evaluate(a, values, conditions, cache) for a in arg)
        return left == right
    if fn == "Fn::And":
        return all(truth(evaluate(a, values, conditions, cache)) for a in arg)
    if fn == "Fn::Or":
        return any(truth(evaluate(a, values, conditions, cache)) for a in arg)
    if fn == "Fn::Not":
        return not truth(evaluate(arg[0], values, conditions, cache))
    if fn == "Fn::Join":
        sep, items = arg
        joined = evaluate(items, values, conditions, cache)
        return sep.join(joined if isinstance(joined, list) else [joined])
    raise AssertionError(f"unsupported function {fn}")


def truth(value: Any) -> bool:
    assert isinstance(value, bool), value
    return value


def condition(name: str, values: dict[str, str], conditions: dict[str, Any], cache: dict[str, bool]) -> bool:
    if name not in cache:
        cache[name] = truth(evaluate(conditions[name], values, conditions, cache))
    return cache[name]


def created_resources(template: dict[str, Any], overrides: dict[str, str]) -> set[str]:
    """The logical IDs CloudFormation would create for these Parameter values."""
    values = parameter_values(template, overrides)
    conditions, cache = template.get("Conditions", {}), {}
    return {
        name
        for name, resource in template["Resources"].items()
        if "Condition" not in resource or condition(resource["Condition"], values, conditions, cache)
    }


def failed_rules(template: dict[str, Any], overrides: dict[str, str]) -> list[str]:
    """The Rules whose assertions fail for these Parameter values."""
    values = parameter_values(template, overrides)
    failed = []
    for name, rule in template.get("Rules", {}).items():
        if "RuleCondition" in rule and not truth(evaluate(rule["RuleCondition"], values, {}, {})):
            continue
        if not all(truth(evaluate(a["Assert"], values, {}, {})) for a in rule["Assertions"]):
            failed.append(name)
    return failed
