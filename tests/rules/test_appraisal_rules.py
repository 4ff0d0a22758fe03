"""Table-driven tests for appraisal.rules (handbook 第六章; call-quality rubric, seed 000)."""

from decimal import Decimal

import pytest

from appraisal.rules import call_quality_score, performance_pay_deduction, weighted_total

# The handbook's counter clerk / call-desk template (第六章 考核内容).
HANDBOOK_WEIGHTS = {
    "attendance": Decimal("10"),
    "rule_compliance": Decimal("20"),
    "service_quality": Decimal("20"),
    "work_ability": Decimal("20"),
    "task_completion": Decimal("10"),
    "complaints_learning": Decimal("20"),
}
# Seed 004's 德/勤/能/绩 template.
DE_QIN_NENG_JI = {"de": Decimal(20), "qin": Decimal(20), "neng": Decimal(30), "ji": Decimal(30)}


def handbook_scores(**overrides):
    scores = dict.fromkeys(HANDBOOK_WEIGHTS, Decimal("100"))
    scores.update({key: Decimal(value) for key, value in overrides.items()})
    return scores


@pytest.mark.parametrize(
    ("scores", "weights", "expected"),
    [
        (handbook_scores(), HANDBOOK_WEIGHTS, Decimal("100.00")),
        (dict.fromkeys(HANDBOOK_WEIGHTS, Decimal(0)), HANDBOOK_WEIGHTS, Decimal("0.00")),
        (handbook_scores(attendance=0), HANDBOOK_WEIGHTS, Decimal("90.00")),
        (handbook_scores(service_quality=50), HANDBOOK_WEIGHTS, Decimal("90.00")),
        (
            handbook_scores(
                attendance="95",
                rule_compliance="80",
                service_quality="88.5",
                work_ability="90",
                task_completion="100",
                complaints_learning="70",
            ),
            HANDBOOK_WEIGHTS,
            # 9.5 + 16 + 17.7 + 18 + 10 + 14
            Decimal("85.20"),
        ),
        (
            {"de": Decimal("90"), "qin": Decimal("85"), "neng": Decimal("77.77"), "ji": 80},
            DE_QIN_NENG_JI,
            # 18 + 17 + 23.331 + 24 = 82.331
            Decimal("82.33"),
        ),
        (
            {"a": Decimal("33.335"), "b": Decimal("0")},
            {"a": Decimal("100"), "b": Decimal("0")},
            Decimal("33.34"),  # ROUND_HALF_UP
        ),
        ({"only": Decimal("72.5")}, {"only": 100}, Decimal("72.50")),
    ],
)
def test_weighted_total(scores, weights, expected):
    total = weighted_total(scores, weights)
    assert total == expected
    assert total.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("scores", "weights"),
    [
        # Categories must match.
        ({"attendance": Decimal(90)}, HANDBOOK_WEIGHTS),
        ({**handbook_scores(), "bonus": Decimal(10)}, HANDBOOK_WEIGHTS),
        ({"a": Decimal(50), "b": Decimal(50)}, {"a": Decimal(50), "c": Decimal(50)}),
        # Weights must sum to exactly 100 and be non-negative.
        ({"a": Decimal(50), "b": Decimal(50)}, {"a": Decimal(50), "b": Decimal(40)}),
        ({"a": Decimal(50), "b": Decimal(50)}, {"a": Decimal(60), "b": Decimal(60)}),
        ({"a": Decimal(50), "b": Decimal(50)}, {"a": Decimal(110), "b": Decimal(-10)}),
        ({}, {}),
        # Scores are 0-100.
        (handbook_scores(attendance="100.01"), HANDBOOK_WEIGHTS),
        (handbook_scores(attendance="-1"), HANDBOOK_WEIGHTS),
        # Types.
        ({"a": 50.0}, {"a": Decimal(100)}),
        ({"a": Decimal(50)}, {"a": 100.0}),
        ({"a": Decimal("NaN")}, {"a": Decimal(100)}),
        ({"a": None}, {"a": Decimal(100)}),
        ({"a": True}, {"a": Decimal(100)}),
        ([("a", Decimal(50))], {"a": Decimal(100)}),
        ({1: Decimal(50)}, {1: Decimal(100)}),
    ],
)
def test_weighted_total_rejects(scores, weights):
    with pytest.raises(ValueError):
        weighted_total(scores, weights)


RUBRIC_FULL = {
    # A slice of seed 000's rubric, padded to 100 with one aggregate item.
    "standard_phrases": Decimal("3"),
    "polite_phrases": Decimal("3"),
    "apology_and_thanks": Decimal("2"),
    "soothing": Decimal("3"),
    "answers_complete": Decimal("4"),
    "key_information": Decimal("4"),
    "business_knowledge": Decimal("5"),
    "business_skill": Decimal("5"),
    "other_items": Decimal("71"),
}


@pytest.mark.parametrize(
    ("points", "fatal", "expected"),
    [
        (RUBRIC_FULL, False, Decimal("100.00")),
        (RUBRIC_FULL, True, Decimal("0.00")),  # any fatal error zeroes the call
        ({**RUBRIC_FULL, "other_items": Decimal("60.5")}, False, Decimal("89.50")),
        ({**RUBRIC_FULL, "other_items": Decimal("60.5")}, True, Decimal("0.00")),
        ({"greeting": Decimal("2"), "listening": 3}, False, Decimal("5.00")),
        ({}, False, Decimal("0.00")),
        ({"item": Decimal("0.125")}, False, Decimal("0.13")),
    ],
)
def test_call_quality_score(points, fatal, expected):
    score = call_quality_score(points, fatal)
    assert score == expected
    assert score.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("points", "fatal"),
    [
        ({**RUBRIC_FULL, "other_items": Decimal("71.01")}, False),  # over 100
        ({**RUBRIC_FULL, "other_items": Decimal("72")}, True),  # malformed even if fatal
        ({"greeting": Decimal("-1")}, False),
        ({"greeting": 2.5}, False),
        ({"greeting": Decimal("Infinity")}, False),
        ({"greeting": Decimal("2")}, None),
        ({"greeting": Decimal("2")}, 0),
        ([Decimal("2")], False),
        ({"": Decimal("2")}, False),
    ],
)
def test_call_quality_score_rejects(points, fatal):
    with pytest.raises(ValueError):
        call_quality_score(points, fatal)


@pytest.mark.parametrize(
    ("complaints", "quarreled", "performance_pay", "expected"),
    [
        (0, False, Decimal("500.00"), Decimal("0.00")),
        (1, False, Decimal("500.00"), Decimal("50.00")),
        (3, False, Decimal("500.00"), Decimal("150.00")),
        (10, False, Decimal("500.00"), Decimal("500.00")),  # exactly the whole pay
        (12, False, Decimal("500.00"), Decimal("500.00")),  # capped at the pay
        (0, True, Decimal("500.00"), Decimal("500.00")),  # a quarrel forfeits everything
        (2, True, Decimal("480.50"), Decimal("480.50")),
        (1, False, Decimal("30"), Decimal("30.00")),
        (1, False, Decimal("0"), Decimal("0.00")),
        (2, False, 800, Decimal("100.00")),
    ],
)
def test_performance_pay_deduction(complaints, quarreled, performance_pay, expected):
    deduction = performance_pay_deduction(complaints, quarreled, performance_pay)
    assert deduction == expected
    assert deduction.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("complaints", "quarreled", "performance_pay"),
    [
        (-1, False, Decimal("500.00")),
        (1, False, Decimal("-500.00")),
        (1, True, Decimal("-0.01")),
        (1.0, False, Decimal("500.00")),
        (True, False, Decimal("500.00")),
        (1, "yes", Decimal("500.00")),
        (1, False, 500.0),
        (1, False, None),
    ],
)
def test_performance_pay_deduction_rejects(complaints, quarreled, performance_pay):
    with pytest.raises(ValueError):
        performance_pay_deduction(complaints, quarreled, performance_pay)
