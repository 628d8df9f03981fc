"""The handler the Lambda runtime will import, checked the way the runtime imports it.

Lambda's Python runtime takes ``handler.rsplit(".", 1)[0].replace("/", ".")`` and imports
it with :func:`importlib.import_module`, so ``my-handler.py`` and ``api-v2/index.py`` work
(a dash is fine in a name looked up by the path finder), while a dot inside a file or
directory name does not (it reads as a package boundary), and Lambda's handler setting
allows no whitespace. The handler function is found by parsing the file, never running it.
"""

from __future__ import annotations

import ast

__all__ = ["check_handler", "handler_module", "index_problem"]


def handler_module(index: str) -> str:
    """``app/main.py`` → ``app.main``."""
    return index.removesuffix(".py").replace("\\", "/").replace("/", ".")


def index_problem(index: str) -> str | None:
    """Why the runtime cannot import ``index`` (a ``.py`` path relative to the entry), or
    None when it can."""
    parts = index.removesuffix(".py").replace("\\", "/").split("/")
    if any(not part for part in parts):
        return f"index: {index!r} has an empty path part; name the file as entry-relative path"
    if any(ch.isspace() for ch in index):
        return (f"index: {index!r} contains whitespace, which Lambda's handler setting does "
                "not allow; rename it")
    dotted = [part for part in parts if "." in part]
    if dotted:
        return (f"index: {index!r} cannot be imported by the Lambda runtime: it imports the "
                f"file as module {handler_module(index)!r}, and the dot in {dotted[0]!r} "
                "reads as a package boundary; rename it")
    return None


def check_handler(index_path: str, handler: str, problems: list[str]) -> None:
    try:
        with open(index_path, "rb") as f:
            tree = ast.parse(f.read(), filename=index_path)
    except SyntaxError as e:
        problems.append(f"index: {index_path} has a syntax error at line {e.lineno}: {e.msg}; "
                        "fix it (the handler is checked by parsing the file, never running it)")
        return
    except OSError as e:
        problems.append(f"index: cannot read {index_path}: {e.strerror}; make it readable "
                        "(chmod a+r)")
        return
    defined = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            defined.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
    if handler not in defined:
        problems.append(f"handler: {index_path} defines no '{handler}' at module level; "
                        f"define `def {handler}(event, context):` or pass handler=...")
