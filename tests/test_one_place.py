"""One rule, one place (issue 10): the loss rules' arithmetic lives in the engine modules only.

Every rule is built from the exact integer primitives of ``allocation`` (``sequential_minor``, ``pro_rata_minor``
and their private cores). This test reads the package's source with ``ast`` and fails when any other module
refers to them, so a rule cannot quietly be computed a second time (in a lesson helper, a widget, a check or the
simulator): such code must call the registry (``rules.RULES`` / ``venue_adl``) instead.

The money-level primitives ``allocation.pro_rata`` / ``allocation.sequential`` are what lessons teach learners to
build rules from; outside ``allocation`` only the exercise checks (grading a learner's own use of them) and the
vault's share accounting (splitting assets by ownership, not a loss rule) may call them.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "helpers" / "socialized_loss"

#: The integer primitives (public and private) that loss rules are made of.
PRIMITIVES = {"pro_rata_minor", "sequential_minor", "_pro_rata_int", "_sequential_int", "_pro_rata_exact",
              "_largest_remainder"}
#: Modules that define the rules (and the primitives themselves).
ENGINE = {"allocation.py", "rules.py", "venue_adl.py", "ledger.py"}
#: Functions outside the engine allowed a one-layer draw: the insurance fund paying what it holds, which is the
#: fund's own balance, not a socialization rule (module, enclosing top-level function).
FUND_DRAWS = {("insurance.py", "cover"), ("insurance.py", "cover_losses"), ("liquidation.py", "liquidate"),
              ("liquidation.py", "cascade"),
              # the simulator splits one step's unabsorbed loss between its bankrupt longs and shorts (by their bad
              # debt) before venue ADL closes each side; who pays is then the registry's rule
              ("simulate.py", "_socialize_path")}

MONEY_PRIMITIVES = {"pro_rata", "sequential"}
MONEY_ALLOWED = {("backstop.py", "balances")}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _uses(path: Path, names: set[str]):
    """(top-level function or '<module>', name, line, "import" or "use") for every reference to ``names`` in ``path``: imports,
    bare names and attributes (``al.pro_rata_minor``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, owner):
        for child in ast.iter_child_nodes(node):
            inner = owner
            if owner == "<module>" and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = child.name
            if isinstance(child, ast.ImportFrom):
                found.extend((inner, a.name, child.lineno, "import") for a in child.names if a.name in names)
            elif isinstance(child, ast.Name) and child.id in names:
                found.append((inner, child.id, child.lineno, "use"))
            elif isinstance(child, ast.Attribute) and child.attr in names:
                found.append((inner, child.attr, child.lineno, "use"))
            visit(child, inner)

    visit(tree, "<module>")
    return found


def _offenders(names: set[str], allowed_modules: set[str], allowed_functions: set[tuple[str, str]], root=PACKAGE):
    bad = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in allowed_modules:
            continue
        for owner, name, line, kind in _uses(path, names):
            if (rel, owner) in allowed_functions:
                continue
            if rel == "__init__.py" and kind == "import":  # the package's explicit re-exports
                continue
            if name in MONEY_PRIMITIVES and rel.startswith("checks/"):
                continue
            # an import line is allowed only for a module with an allowed function using it
            if owner == "<module>" and any(r == rel for r, _ in allowed_functions):
                continue
            bad.append(f"{rel}:{line} ({owner}) uses {name}")
    return bad


def test_package_is_found():
    names = {p.name for p in _modules()}
    assert ENGINE <= names and {"socialize.py", "haircuts.py", "backstop.py", "waterfall.py", "adl.py"} <= names


def test_only_the_engine_builds_rules_from_the_integer_primitives():
    bad = _offenders(PRIMITIVES, ENGINE, FUND_DRAWS)
    assert not bad, "a rule's arithmetic outside the engine (call rules.RULES / venue_adl instead):\n" + "\n".join(bad)


def test_money_primitives_only_in_checks_and_share_accounting():
    bad = _offenders(MONEY_PRIMITIVES, {"allocation.py"}, MONEY_ALLOWED)
    assert not bad, "allocation.pro_rata / sequential used outside checks and share accounting:\n" + "\n".join(bad)


@pytest.mark.parametrize("source", [
    "from .allocation import pro_rata_minor\n\ndef rule(x):\n    return pro_rata_minor(1, x)\n",
    "from . import allocation as al\n\ndef rule(x):\n    return al.sequential_minor(1, x)\n",
    "from .allocation import _pro_rata_int as core\n",
])
def test_the_scan_catches_a_second_copy(tmp_path, source):
    # the same scan over a copy of a rule module with a rule computed from the primitives again
    (tmp_path / "socialize.py").write_text(source, encoding="utf-8")
    assert _offenders(PRIMITIVES, ENGINE, FUND_DRAWS, root=tmp_path)
