"""Code every function of the monorepo shares."""


def greeting(name: str) -> str:
    return f"hello, {name}"
