"""remote_shares: the exact zip shares beside a remote entry, taken only when they are for
this key and this tree, and plausible. No Docker."""

from __future__ import annotations

import json
from typing import Any

import pytest

from slim_lambda.run.remote_shares import read_shares, shares_doc
from slim_lambda.run.zipestimate import ZIP_ESTIMATE

KEY = "k" * 64
FILES = {"pkg/__init__.py": [10, 110], "pkg/lib.so": [5000, 2100]}
ENGINE = "node v20.20.2 zlib 1.3.1"


def _doc(**over: Any) -> dict[str, Any]:
    return {"key": KEY, "zip_engine": ENGINE,
            "shares": {rel: v[1] for rel, v in FILES.items()}} | over


def test_measured_shares_round_trip() -> None:
    body = shares_doc(KEY, {"zip_engine": ENGINE, "files": FILES})
    assert body is not None
    assert read_shares(json.loads(body), KEY, FILES) == (ENGINE, {"pkg/__init__.py": 110,
                                                                  "pkg/lib.so": 2100})


def test_an_estimate_is_never_published() -> None:
    assert shares_doc(KEY, {"zip_engine": ZIP_ESTIMATE, "files": FILES}) is None
    assert shares_doc(KEY, {"files": FILES}) is None


@pytest.mark.parametrize(("doc", "says"), [
    (_doc(key="j" * 64), "not the shares of this key"),
    ("not a dict", "not the shares of this key"),
    (_doc(zip_engine=ZIP_ESTIMATE), "no zip engine"),
    (_doc(zip_engine=None), "no zip engine"),
    (_doc(shares={"pkg/__init__.py": 110}), "not the shares of this tree's files"),
    (_doc(shares={"pkg/__init__.py": 110, "pkg/lib.so": 2100, "x.py": 90}),
     "not the shares of this tree's files"),
    (_doc(shares={"pkg/__init__.py": 110, "pkg/lib.so": 10**9}), "pkg/lib.so is not plausible"),
    (_doc(shares={"pkg/__init__.py": 3, "pkg/lib.so": 2100}), "pkg/__init__.py is not"),
    (_doc(shares={"pkg/__init__.py": "110", "pkg/lib.so": 2100}), "is not plausible"),
])
def test_shares_not_for_this_key_or_tree_or_not_plausible_are_refused(doc: Any, says: str
                                                                      ) -> None:
    with pytest.raises(ValueError, match=says):
        read_shares(doc, KEY, FILES)
