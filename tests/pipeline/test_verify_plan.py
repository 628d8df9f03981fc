"""verify_plan.py: which group starts from which, from what the distributions require."""

from __future__ import annotations

from slim_lambda.pipeline.verify_plan import Group, plan_groups

SEED_OWNER = {"numpy": "numpy", "scipy": "scipy", "sklearn": "scikit-learn",
              "joblib": "joblib", "threadpoolctl": "threadpoolctl",
              "cloudpickle": "cloudpickle"}
SEED_REQUIRES = {"numpy": set(), "scipy": {"numpy"}, "cloudpickle": set(),
                 "joblib": {"cloudpickle"}, "threadpoolctl": set(),
                 "scikit-learn": {"numpy", "scipy", "joblib", "threadpoolctl"}}
SEED_WEIGHT = {"numpy": 1100, "scipy": 2600, "sklearn": 1500, "joblib": 180,
               "threadpoolctl": 5, "cloudpickle": 9}


def _names(tops: dict[str, str]) -> dict[str, list[str]]:
    return {top: [top, f"{top}.sub"] for top in tops}


def _parents(groups: list[Group]) -> dict[str, str | None]:
    return {g.names[0]: None if g.parent is None else groups[g.parent].names[0]
            for g in groups}


def test_the_seed_starts_scikit_learn_where_scipy_ended_and_scipy_where_numpy_did() -> None:
    groups = plan_groups(_names(SEED_OWNER), SEED_OWNER, SEED_REQUIRES, SEED_WEIGHT)
    assert _parents(groups) == {"numpy": None, "scipy": "numpy", "sklearn": "scipy",
                                "cloudpickle": None, "joblib": "cloudpickle",
                                "threadpoolctl": None}
    assert groups[0].names == ("numpy", "numpy.sub")  # the most groups start from it
    for i, group in enumerate(groups):  # a parent always comes first
        assert group.parent is None or group.parent < i


def test_the_heaviest_chain_is_the_start_not_the_first_name() -> None:
    heavy_joblib = {**SEED_WEIGHT, "cloudpickle": 5000}
    parents = _parents(plan_groups(_names(SEED_OWNER), SEED_OWNER, SEED_REQUIRES, heavy_joblib))
    assert parents["sklearn"] == "joblib"
    # 1 each: the chains (numpy, scipy) and (cloudpickle, joblib) weigh the same, and the
    # first of them by name wins, every time
    assert _parents(plan_groups(_names(SEED_OWNER), SEED_OWNER, SEED_REQUIRES))["sklearn"] \
        == "joblib"


def test_requirements_through_a_distribution_without_a_group_still_count() -> None:
    owner = {"app": "app", "base": "base"}  # "middle" has no module of its own verified
    requires = {"app": {"middle"}, "middle": {"base"}, "base": set()}
    assert _parents(plan_groups(_names(owner), owner, requires)) == {"base": None,
                                                                      "app": "base"}


def test_requirements_that_go_round_in_a_circle_make_no_cycle() -> None:
    owner = {"a": "a", "b": "b", "c": "c"}
    requires = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    groups = plan_groups(_names(owner), owner, requires)
    parents = _parents(groups)
    assert list(parents.values()).count(None) == 1
    for i, group in enumerate(groups):
        assert group.parent is None or group.parent < i


def test_modules_of_one_distribution_and_unknown_modules_start_bare() -> None:
    owner = {"six": "six", "sixlike": "six"}
    groups = plan_groups(_names({**owner, "stray": ""}), owner, {"six": {"six"}})
    assert _parents(groups) == {"six": None, "sixlike": None, "stray": None}


def test_a_distribution_only_its_dependents_need_is_not_a_start_for_others() -> None:
    owner = {"numpy": "numpy", "requests": "requests", "urllib3": "urllib3"}
    requires = {"numpy": set(), "requests": {"urllib3"}, "urllib3": set()}
    parents = _parents(plan_groups(_names(owner), owner, requires, {"numpy": 1000}))
    assert parents == {"numpy": None, "urllib3": None, "requests": "urllib3"}
