"""Staff appraisal rules from the seeds.

- weighted_total: handbook (001) 第六章 绩效考核内容, category weights in percent
  (考勤 10%, 规章制度 20%, 服务质量 20%, 工作能力 20%, 完成工作任务 10%, 投诉与学习 20%);
  templates are data, so categories and weights are passed in.
- call_quality_score: call-quality rubric (000), 100-point items; a fatal error zeroes the call.
- performance_pay_deduction: handbook (001) 第六章 注, 每次查实的投诉扣款 50 元,
  跟业主发生争吵当月绩效工资全部扣完.

Scores and money are Decimal quantized to 2 places (ROUND_HALF_UP). Pure: standard library only.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
FULL_MARKS = Decimal(100)
WEIGHTS_TOTAL = Decimal(100)
DEDUCTION_PER_COMPLAINT = Decimal("50.00")


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(name: str, value: Decimal) -> Decimal:
    """Return value as a finite, non-negative Decimal (int accepted, float and bool refused)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise ValueError(f"{name} must be a Decimal, got {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _bool(name: str, value: bool) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return value


def _mapping(name: str, value: dict) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a dict, got {value!r}")
    for key in value:
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name} keys must be non-empty strings, got {key!r}")
    return value


def weighted_total(scores: dict[str, Decimal], weights: dict[str, Decimal]) -> Decimal:
    """Weighted monthly score: sum(score * weight) / 100, 2 decimals.

    scores and weights must have the same categories; each score is 0-100, each weight
    is non-negative and the weights sum to exactly 100.
    """
    scores = _mapping("scores", scores)
    weights = _mapping("weights", weights)
    if scores.keys() != weights.keys():
        missing = sorted(weights.keys() - scores.keys())
        unknown = sorted(scores.keys() - weights.keys())
        raise ValueError(
            f"scores and weights must cover the same categories "
            f"(missing scores: {missing}, unknown categories: {unknown})"
        )
    weight_values = {key: _decimal(f"weight {key!r}", value) for key, value in weights.items()}
    weight_sum = sum(weight_values.values(), Decimal(0))
    if weight_sum != WEIGHTS_TOTAL:
        raise ValueError(f"weights must sum to 100, got {weight_sum}")
    total = Decimal(0)
    for key, value in scores.items():
        score = _decimal(f"score {key!r}", value)
        if score > FULL_MARKS:
            raise ValueError(f"score {key!r} must be between 0 and 100, got {score}")
        total += score * weight_values[key]
    return _quantize(total / WEIGHTS_TOTAL)


def call_quality_score(points: dict[str, Decimal], fatal: bool) -> Decimal:
    """Score of one reviewed call: the sum of the item points awarded, out of 100.

    Each item's points are non-negative and the total may not exceed 100; any fatal
    error (服务忌语, 挂断客户, 错误信息, 持线超时, 泄密 …) makes the call score 0.00.
    """
    points = _mapping("points", points)
    fatal = _bool("fatal", fatal)
    total = sum(
        (_decimal(f"points for {key!r}", value) for key, value in points.items()), Decimal(0)
    )
    if total > FULL_MARKS:
        raise ValueError(f"call quality points must total at most 100, got {total}")
    if fatal:
        return Decimal("0.00")
    return _quantize(total)


def performance_pay_deduction(
    complaints: int, quarreled: bool, performance_pay: Decimal
) -> Decimal:
    """Performance pay withheld for the month.

    A quarrel with a customer forfeits the whole performance pay; otherwise 50.00 per
    substantiated complaint, never more than the performance pay itself.
    """
    if isinstance(complaints, bool) or not isinstance(complaints, int):
        raise ValueError(f"complaints must be an integer, got {complaints!r}")
    if complaints < 0:
        raise ValueError(f"complaints must not be negative, got {complaints}")
    quarreled = _bool("quarreled", quarreled)
    pay = _quantize(_decimal("performance_pay", performance_pay))
    if quarreled:
        return pay
    return min(_quantize(DEDUCTION_PER_COMPLAINT * complaints), pay)
