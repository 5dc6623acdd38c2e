"""README's "Guarantees" section names only tests that exist.

Each row names its proofs as `path::test` (or `path::Class::test`), and `::test` continues the
path named before it in the same row. A test renamed or deleted without the README following
fails here, so the section never promises a proof that is gone.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def named_tests() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Guarantees\n", 1)[1].split("\n## ", 1)[0]
    names = []
    for row in section.splitlines():
        if not row.startswith("| "):
            continue
        path = None
        for ref in re.findall(r"`([^`\s]*::[^`\s]*)`", row):
            if ref.startswith("::"):
                ref = f"{path}{ref}"
            path = ref.split("::")[0]
            names.append(ref)
    return names


def defined_tests(path: Path) -> set[str]:
    """`test_x` and `Class::test_x` for every test function and method in a file."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    found.add(f"{node.name}::{item.name}")
    return found


def test_every_test_the_guarantees_name_exists(figures):
    names = named_tests()
    missing = []
    for name in names:
        path, test = name.split("::", 1)
        file = ROOT / path
        if not file.is_file() or test not in defined_tests(file):
            missing.append(name)

    figures.append(
        f"README guarantees: {len(names)} tests named in "
        f"{len({n.split('::')[0] for n in names})} files, {len(missing)} missing"
    )
    assert len(names) > 50
    assert missing == []
